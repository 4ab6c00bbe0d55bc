"""Text helpers shared by the formatting parsers and message methods.

Telegram measures text lengths and entity offsets in UTF-16 code units, so an emoji
outside the Basic Multilingual Plane counts as two.  This module holds that arithmetic,
the parse-mode dispatcher and the automatic detection of ``/command`` entities.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import EntityParseError, bad_request

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


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


def detect_bot_commands(text: str) -> list[dict[str, Any]]:
    """Find ``/command`` and ``/command@bot`` entities the way Telegram clients do."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append(make_entity("bot_command", offset, utf16_len(match.group())))
    return entities


def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict_html: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Turn ``text`` + ``parse_mode``/``entities`` into plain text and entity list.

    Raises :class:`~emulator.errors.ApiError` with Telegram's ``can't parse entities``
    description when the markup is invalid.
    """
    # Imported lazily to keep the module graph acyclic (the parsers import this module).
    from .html_parser import parse_html
    from .markdown_parser import parse_markdown, parse_markdown_v2

    if entities is not None:
        if not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return text, sort_entities([dict(e) for e in entities])
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    parsers = {
        "html": lambda source: parse_html(source, strict_ampersand=strict_html),
        "markdownv2": parse_markdown_v2,
        "markdown": parse_markdown,
    }
    parser = parsers.get(mode)
    if parser is None:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"')
    try:
        plain, found = parser(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return plain, sort_entities(found)


def check_text_length(text: str) -> None:
    """Validate a message text after entity parsing (1..4096 UTF-16 code units)."""
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def check_caption_length(caption: str | None) -> None:
    """Validate a media caption after entity parsing (0..1024 UTF-16 code units)."""
    if caption is not None and utf16_len(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
