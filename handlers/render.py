"""Formatting shared by every chat view: escaping, numbers with their satuan, capaian, and message splitting.

Everything a user typed is escaped before it goes into an HTML message, so no input can make Telegram reject
a message. Long texts are split between blocks (never inside one), so a table is never cut off.
"""

from __future__ import annotations

from collections.abc import Iterable

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts 2); tags are counted too, to be safe."""
    return len(text.encode("utf-16-le")) // 2


def _pack(pieces: Iterable[str], limit: int, separator: str) -> list[str]:
    """Greedily join pieces (each within the limit) into as few texts as fit in `limit`."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: at most `limit` UTF-16 units, never inside an entity (`&amp;`) or a tag,
    preferably at a space."""
    cut = min(len(line), limit // 2)  # a code point is at most 2 UTF-16 units
    head = line[:cut]
    amp, semicolon = head.rfind("&"), head.rfind(";")
    if amp > semicolon:  # inside an entity
        cut = amp
    opening, closing = line[:cut].rfind("<"), line[:cut].rfind(">")
    if opening > closing:  # inside a tag
        cut = opening
    space = line.rfind(" ", cut // 2, cut)
    return space + 1 if space > 0 else max(cut, 1)


def _fit(block: str, limit: int) -> list[str]:
    """A block within the limit as it is; a longer one cut between lines (and a giant line at safe places)."""
    if telegram_length(block) <= limit:
        return [block]
    lines: list[str] = []
    for line in block.split("\n"):
        while telegram_length(line) > limit:
            cut = _safe_cut(line, limit)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return _pack(lines, limit, "\n")


def split_blocks(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join blocks into as few messages as fit in `limit`, splitting only between blocks (or lines)."""
    return _pack([piece for block in blocks for piece in _fit(block, limit)], limit, separator)
