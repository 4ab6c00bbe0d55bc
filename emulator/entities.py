"""Telegram's text arithmetic and MessageEntity helpers, shared by the formatting parsers
(:mod:`.html_parser`, :mod:`.markdown_parser`) and :mod:`.text`.

Telegram measures text lengths and entity offsets in UTF-16 code units, so an emoji
outside the Basic Multilingual Plane counts as two.
"""

from __future__ import annotations

from typing import Any


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram counts)."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(source: str, index: int) -> int:
    """UTF-8 byte offset of character ``index`` (Telegram reports parse errors in bytes)."""
    return len(source[:index].encode("utf-8"))


class TextBuilder:
    """Accumulates parsed plain text while tracking the UTF-16 position."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.position = 0

    def append(self, chunk: str) -> None:
        self._parts.append(chunk)
        self.position += utf16_len(chunk)

    def text(self) -> str:
        return "".join(self._parts)


def make_entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    """Build a MessageEntity dict, dropping ``None`` extras."""
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    entity.update({key: value for key, value in extra.items() if value is not None})
    return entity


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order entities like Telegram: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
