"""Formatting shared by every chat view: escaping, numbers with their satuan, capaian, and message splitting.

Everything a user typed is escaped before it goes into an HTML message, so no input can make Telegram reject
a message. Long texts are split between blocks (never inside one), so a table is never cut off.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape

from i18n import t
from models.capaian import CapaianResult, Polarity, Target
from models.indicators import Indicator
from models.numbers import format_number, format_percent

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
RATING_MARK = {"sangat_tinggi": "🟢", "tinggi": "🟢", "sedang": "🟡", "rendah": "🟠", "sangat_rendah": "🔴"}


def esc(text: object) -> str:
    """User text made safe for HTML parse mode."""
    return escape("" if text is None else str(text), quote=False)


def value_text(value: Decimal | None, indicator: Indicator, language: str) -> str:
    if value is None:
        return "–"
    number = format_number(value, None, language) if value == value.to_integral_value() else \
        format_number(value.quantize(Decimal(1).scaleb(-max(indicator.decimals, 2))).normalize(), None, language)
    satuan = indicator.satuan.strip()
    if satuan.lower() in ("rp", "rupiah"):
        return f"Rp{number}"
    if satuan == "%":
        return f"{number}%"
    return f"{number} {esc(satuan)}"


def target_text(target: Target, indicator: Indicator, language: str) -> str:
    if Polarity(indicator.polarity) is Polarity.RANGE:
        if target.lower is None and target.upper is None:
            return "–"
        low = target.lower if target.lower is not None else target.upper
        high = target.upper if target.upper is not None else target.lower
        return f"{value_text(low, indicator, language)} – {value_text(high, indicator, language)}"
    return value_text(target.value, indicator, language)


def capaian_text(result: CapaianResult, language: str) -> str:
    if result.value is None:
        return "–"
    rating = result.rating.value
    return f"{format_percent(result.rounded, 2, language)} {RATING_MARK[rating]} {t(f'rating.{rating}', language)}"


def split_blocks(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join blocks into as few messages as fit in `limit`; a block longer than the limit is cut between lines."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = f"{current}{separator}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _fit(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    pieces, current = [], ""
    for line in block.split("\n"):
        while len(line) > limit:  # a single enormous line: cut it, plain text only reaches here
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current:
        pieces.append(current)
    return pieces
