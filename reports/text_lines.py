"""Lines of text as fpdf2's `multi_cell` breaks them, found in linear time from a font's glyph widths.

fpdf2 (2.8) re-measures the whole line for each character it adds (`fpdf.line_break.CurrentLine.width`), so a
cell of n characters costs O(n²) width look-ups; over the Laporan's 1200 indicator rows that was most of 11 s at
low load (two minutes at load 9–10). `FontWidths.lines` keeps a running sum of the glyph widths instead and
breaks where `multi_cell` does (word wrap): at the last space (or soft hyphen) before the character that
overflows, inside a word longer than the line, and at every newline. Widths are computed with fpdf2's own
formula (sum of the 1/1000 em advances, times the size in pt, over the unit's scale), so a line is exactly as
wide as `get_string_width` says and breaks at exactly the same character; `tests/test_text_lines.py` checks that
against `multi_cell(dry_run=True)`.
No text shaping, no markdown, one font per text: what `reports.pdf_layout.Document` draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fpdf.line_break import BREAKING_SPACE_SYMBOLS_STR, FORM_FEED, HYPHEN, NBSP, NEWLINE, SOFT_HYPHEN, SPACE

__all__ = ["FontWidths", "Lines"]

_TOLERANCE = 1e-9  # fpdf.util.FloatTolerance: a character overflows when the line would be wider by more than this


@dataclass(frozen=True)
class Lines:
    """A text broken into lines; `trailing_newline` when it ended with a line break (multi_cell then moves down
    one more line)."""

    lines: tuple[str, ...]
    trailing_newline: bool = False


class FontWidths:
    """The advance widths of one font (fpdf2's `TTFFont.cw`: 1/1000 em per code point) in the document's unit
    (`k`: points per unit). One per font and document: it caches each character's width as it meets it."""

    __slots__ = ("_cw", "_k", "_units")

    def __init__(self, cw: Mapping[int, float], k: float) -> None:
        self._cw, self._k = cw, k
        self._units: dict[str, float] = {}

    def units(self, text: str) -> float:
        """The sum of the glyph widths of `text`, in 1/1000 em."""
        known = self._units
        total = 0
        for char in text:
            width = known.get(char)
            if width is None:
                width = known[char] = self._cw[ord(char)]
            total += width
        return total

    def width(self, text: str, size_pt: float) -> float:
        """The width of `text` at `size_pt`, as `FPDF.get_string_width` gives it (in the document's unit)."""
        return self.units(text) * size_pt * 0.001 / self._k

    def lines(self, text: str, size_pt: float, max_width: float) -> Lines:
        """`text` broken into lines at most `max_width` wide (the room inside the cell's padding or margins)."""
        k, known, cw = self._k, self._units, self._cw
        lines: list[str] = []
        line: list[str] = []
        units = 0  # of the characters in `line`
        space: tuple[int, int, float] | None = None  # the last breaking space: index in `text`, len(line), units
        hyphen: tuple[int, int, float] | None = None  # the last soft hyphen: index, len(line), units before it
        trailing_newline = False
        i, end = 0, len(text)
        while i < end:
            char = text[i]
            measured = HYPHEN if char == SOFT_HYPHEN else char
            char_units = known.get(measured)
            if char_units is None:
                char_units = known[measured] = cw[ord(measured)]
            if char in (NEWLINE, FORM_FEED):
                lines.append("".join(line))
                line, units, space, hyphen = [], 0, None, None
                trailing_newline = char == NEWLINE
                i += 1
                continue
            # fpdf2's sum, in its order of operations: the same float, so the same break
            if (units * size_pt * 0.001 / k + char_units * size_pt * 0.001 / k) - max_width > _TOLERANCE:
                if char in BREAKING_SPACE_SYMBOLS_STR:  # a space at the end of a line is dropped
                    lines.append("".join(line))
                    i += 1
                elif hyphen is not None and (space is None or hyphen[2] > space[2]):
                    lines.append("".join(line[:hyphen[1]]) + HYPHEN)
                    i = hyphen[0] + 1
                elif space is not None:
                    lines.append("".join(line[:space[1]]))
                    i = space[0] + 1
                else:
                    if not line:
                        raise ValueError(f"not enough horizontal space to render a single character: {char!r}")
                    lines.append("".join(line))
                line, units, space, hyphen = [], 0, None, None
                trailing_newline = False
                continue
            if char in BREAKING_SPACE_SYMBOLS_STR:
                space = (i, len(line), units)
            elif char == NBSP:
                char = SPACE
                char_units = known.get(SPACE)
                if char_units is None:
                    char_units = known[SPACE] = cw[ord(SPACE)]
            elif char == SOFT_HYPHEN:
                hyphen = (i, len(line), units)
                i += 1
                continue  # not printed unless the line breaks there
            line.append(char)
            units += char_units
            i += 1
        if units:
            lines.append("".join(line))
            trailing_newline = False
        return Lines(tuple(lines), trailing_newline)
