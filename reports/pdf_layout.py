"""A4 documents on fpdf2 for the reports: fonts, running header and footer, headings, paragraphs, tables, images.

`Document` is an `FPDF` with DejaVu Sans (regular and bold, from matplotlib's own data, so no extra dependency)
embedded as a subset. DejaVu has Indonesian and symbols such as "≥", "–", "·", "…", "✓" and "⚠", but no colour
emoji: every text drawn passes `Document.normalize_text`, which puts a symbol DejaVu has in place of the emoji the
bot uses (`SYMBOLS`: "✅" → "✓", "⚠️" → "⚠", "⏳" → "…") and drops any other character the font lacks, so nothing
prints as an empty box. One `Document` per rendering: no global state, safe in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace
from PIL import Image

from reports.text_lines import FontWidths, Lines

__all__ = [
    "FAMILY", "FIXED_DATE", "SYMBOLS", "Column", "Document", "contrast_colour", "font_path", "shorten", "symbols",
]

FAMILY = "DejaVu"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # the creation date when none is given: same data, same bytes
MARGIN = 15  # mm, left and right
TOP = 20  # mm: the running header sits above
BOTTOM = 16  # mm: the footer sits below
BODY, SMALL, HEADING = 10, 8, 13  # pt
INK, MUTED, ACCENT, RULE, DRAFT = "#222222", "#666666", "#1f3b63", "#b0b7c3", "#c62828"
HEADING_FILL = "#e9eef5"
_CELL_PADDING = 1.2  # mm
_LINE = 0.45  # a table's line height per pt of its font size, in mm
_FIT_LEAST = 16  # mm: the narrowest fitted column
_FITTED_SHARE = 0.7  # of the width at most for the fitted columns while others share the rest
SMALLEST = 5.5  # pt: a table's font is made smaller down to this so that its numbers stay whole

#: Emoji the bot's texts use → a symbol DejaVu Sans has ("" drops it). Variation selectors and joiners go too.
SYMBOLS = {
    "✅": "✓", "✔️": "✓", "☑️": "✓", "❌": "✗", "❎": "✗", "⚠️": "⚠", "⏳": "…", "⌛": "…", "⏰": "", "⏱️": "",
    "▫️": "▫", "▪️": "▪", "📋": "", "📊": "", "📎": "", "📌": "", "🔒": "", "🔓": "", "👉": "→", "➡️": "→",
}
_INVISIBLE = {0xFE0E: None, 0xFE0F: None, 0x200D: None}


def font_path(bold: bool = False) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def symbols(text: str) -> str:
    """`text` with the bot's emoji replaced by DejaVu symbols (`SYMBOLS`) and variation selectors removed."""
    if text.isascii():  # no emoji, no selector: most of a report's texts
        return text
    for emoji, symbol in SYMBOLS.items():
        if emoji in text:
            text = text.replace(emoji, symbol) if symbol else text.replace(f"{emoji} ", "").replace(emoji, "")
    return text.translate(_INVISIBLE)


def shorten(text: str, limit: int) -> str:
    """On one line, at most `limit` characters, cut at a space with "…" (a table row must fit on one page)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip() + "…"


def contrast_colour(fill: str) -> str:
    """Black or white text, whichever reads better on the `#rrggbb` fill."""
    red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return INK if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"


class Column:
    """A table column: its heading, its share of the width, its text alignment and the characters a cell keeps.
    A column with `fit` (mm) is as wide as its widest cell (whole, at most `fit` mm, at least its heading's
    longest word); the other columns share the rest of the width by `share`."""

    __slots__ = ("align", "fit", "heading", "limit", "share")

    def __init__(self, heading: str, share: float = 1, align: str = "LEFT", *, limit: int = 120,
                 fit: float = 0) -> None:
        self.heading, self.share, self.align, self.limit, self.fit = heading, share, align, limit, fit


@dataclass(frozen=True)
class _Cell:
    """A table cell laid out: its lines, and how they are drawn."""

    lines: tuple[str, ...]
    bold: bool
    colour: str
    fill: str | None


@dataclass(frozen=True)
class _Row:
    cells: tuple[_Cell, ...]
    height: float  # mm, with the padding


def _flattened(data: bytes) -> Image.Image:
    """The picture on white, without an alpha channel (charts are opaque: no soft mask needed). An opaque RGBA
    picture (a chart) is converted, not composited: a 1280 x 4000 chart is 20 MB as RGBA, and fpdf2 copies the
    RGB three times more while it embeds it."""
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGBA")
    if image.getextrema()[3] == (255, 255):
        return image.convert("RGB")
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    return flat


class Document(FPDF):
    """An A4 document with a running header (`header_text`, and `mark` in red, e.g. "DRAF") on every page after
    the first and a footer on every page: `footer(page number)`, where "{nb}" stands for the page count.

    Its paragraphs and tables are laid out here, not by `multi_cell` / `table()`: the lines are found once with
    `reports.text_lines.FontWidths` (linear in the text; fpdf2's line breaking is quadratic in a line's length)
    and each is drawn with `text()`, at the place and with the breaks `multi_cell` would give them."""

    def __init__(self, *, header_text: str = "", mark: str = "", footer: Callable[[int], str] | None = None,
                 created: datetime | None = None, watermark: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FAMILY, "", font_path())
        self.add_font(FAMILY, "B", font_path(bold=True))
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_creation_date(created or FIXED_DATE)
        self.set_creator("SAKIP Bot")
        self.set_producer("SAKIP Bot (fpdf2)")
        self.header_text, self.mark, self.footer_line, self.watermark = header_text, mark, footer, watermark
        self._font_widths: dict[str, FontWidths] = {}
        self._known: dict[str, set[str]] = {}  # per font: the characters known to be in its cmap
        self._wrapped: dict[tuple[str, bool, float, float], Lines] = {}
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(INK)

    # -------------------------------------------------------------------- text and page furniture

    def normalize_text(self, text: str) -> str:
        """Emoji to symbols, then only the characters the current font has (and line breaks)."""
        return self._keep_printable(super().normalize_text(symbols(text)), self.current_font)

    def _keep_printable(self, text: str, font: object) -> str:
        """`text` without the characters `font` lacks (line breaks and tabs stay)."""
        cmap = getattr(font, "cmap", None)
        if not cmap:
            return text
        known = self._known.setdefault(font.fontkey, {"\n", "\t"})
        if known.issuperset(text):
            return text
        known.update(ch for ch in set(text) if ord(ch) in cmap)
        return "".join(ch for ch in text if ch in known)

    def header(self) -> None:
        if self.page_no() == 1 or not (self.header_text or self.mark):
            return
        self.set_xy(MARGIN, 8)
        self.set_font(FAMILY, "B", SMALL + 1)
        mark_width = self.get_string_width(self.mark) + 4 if self.mark else 0
        self.set_font(FAMILY, "", SMALL)
        self.set_text_color(MUTED)
        self.cell(self.epw - mark_width, 5, shorten(self.header_text, 110))
        if self.mark:
            self.set_font(FAMILY, "B", SMALL + 1)
            self.set_text_color(DRAFT)
            self.cell(mark_width, 5, self.mark, align="R")
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, 14, self.w - MARGIN, 14)
        self._body()
        self.set_y(TOP)

    def footer(self) -> None:
        if self.watermark:
            self._watermark()
        if self.footer_line is None:
            return
        self.set_y(-11)
        self.set_font(FAMILY, "", SMALL)
        self.set_text_color(MUTED)
        self.cell(0, 5, self.footer_line(self.page_no()), align="C")
        self._body()

    def _watermark(self) -> None:
        """`watermark` (e.g. "DRAF") large, faint and diagonal across the page, over what is on it (drawn as the
        page ends, see-through, so a table's coloured cells do not hide it)."""
        size = 120 if self.w < self.h else 140
        self.set_font(FAMILY, "B", size)
        width = self.get_string_width(self.watermark)
        centre_x, centre_y = self.w / 2, self.h / 2
        with self.local_context(fill_opacity=0.13, text_color=DRAFT), \
                self.rotation(angle=35 if self.w < self.h else 25, x=centre_x, y=centre_y):
            self.text(centre_x - width / 2, centre_y + 0.35 * size / self.k, self.watermark)
        self._body()

    def _body(self) -> None:
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(INK)

    @property
    def room(self) -> float:
        """Height left on the page above the footer, in mm."""
        return self.page_break_trigger - self.y

    def new_page(self, orientation: str = "P") -> None:
        self.add_page(orientation=orientation)
        self._body()

    def heading(self, text: str, keep_with: float = 30) -> None:
        """A section heading, on a new page unless `keep_with` mm of what follows fit under it."""
        if self.room < 10 + keep_with:
            self.add_page(same=True)
        elif self.y > self.t_margin + 1:
            self.ln(4)
        self.set_font(FAMILY, "B", HEADING)
        self.set_text_color(ACCENT)
        self.multi_cell(0, 6.5, text, align="L")
        self.set_draw_color(ACCENT)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.y + 0.5, self.w - self.r_margin, self.y + 0.5)
        self.ln(3)
        self._body()

    def paragraph(self, text: str, *, size: float = BODY, bold: bool = False, colour: str = INK,
                  indent: float = 0, gap: float = 1.5) -> None:
        """`text` over the page width less `indent`, wrapped as `multi_cell` wraps it (1 mm clearance each side),
        continued on the next page when the page is full."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(colour)
        height = size * 0.5
        wrapped = self._lines(text, bold, size, self.epw - indent - 2 * self.c_margin)
        x = self.l_margin + indent + self.c_margin
        for line in wrapped.lines or ("",):
            if self.will_page_break(height):
                self.add_page(same=True)
            if line:
                self.text(x, self.y + 0.5 * height + 0.3 * self.font_size, line)
            self.y += height
        if wrapped.trailing_newline:  # as multi_cell: one more line down
            self.y += height
        self.ln(gap)
        self._body()

    def measure(self, text: str, *, size: float = BODY, bold: bool = False, indent: float = 0,
                gap: float = 1.5) -> float:
        """The height `paragraph` with the same arguments takes, in mm."""
        lines = len(self._lines(text, bold, size, self.epw - indent - 2 * self.c_margin).lines) or 1
        return lines * size * 0.5 + gap

    def _widths_of(self, bold: bool) -> FontWidths:
        """DejaVu Sans's (bold's) glyph widths, read once for this document."""
        key = f"{FAMILY.lower()}{'B' if bold else ''}"
        widths = self._font_widths.get(key)
        if widths is None:
            widths = self._font_widths[key] = FontWidths(self.fonts[key].cw, self.k)
        return widths

    def _printable(self, text: str, bold: bool) -> str:
        """`text` as `normalize_text` gives it in DejaVu Sans (bold), without making that the current font."""
        return self._keep_printable(symbols(text), self.fonts[f"{FAMILY.lower()}{'B' if bold else ''}"])

    def _lines(self, text: str, bold: bool, size: float, width: float) -> Lines:
        """`text` in lines at most `width` mm wide in DejaVu Sans (bold) at `size` pt, as `multi_cell` breaks it.
        Kept for the document: `measure` and then `paragraph` wrap the same text."""
        key = (text, bold, size, width)
        lines = self._wrapped.get(key)
        if lines is None:
            printable = self._printable(text, bold).replace("\r", "")
            lines = self._wrapped[key] = self._widths_of(bold).lines(printable, size, width)
        return lines

    def keep_together(self, height: float) -> None:
        """A new page unless `height` mm fit on this one (or would not fit on any page either)."""
        if height > self.room and height <= self.page_break_trigger - self.t_margin:
            self.add_page(same=True)

    def bullets(self, lines: Sequence[str], empty: str) -> None:
        """One paragraph per line, each with a bullet; `empty` in grey when there are none."""
        if not lines:
            self.paragraph(empty, colour=MUTED)
            return
        for line in lines:
            if self.room < 8:
                self.add_page(same=True)
            y = self.y
            self.set_xy(self.l_margin, y)
            self.cell(5, BODY * 0.5, "•")
            self.paragraph(line, indent=5)

    # -------------------------------------------------------------------- tables

    def grid(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
             styles: Sequence[Sequence[FontFace | None]] | None = None, *, size: float = SMALL) -> None:
        """A table over the page width; its heading row is repeated on every page it spans and a row is never
        split between pages (cells are cut to their column's `limit` so a row always fits on one page).

        Laid out as fpdf2's `table()` laid it out (the same column widths, padding, line height and line
        breaks), but each cell is wrapped once (`table()` wrapped every cell twice, with a line breaker quadratic
        in the line's length: 1200 rows took 11 s at low load, two minutes at load 9–10), a row's page break is
        one comparison, and the rules are drawn once per row and once per page, not as a frame around each cell."""
        self.set_font(FAMILY, "", size)
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        rows = [[shorten(text, column.limit) for column, text in zip(columns, cells, strict=True)] for cells in rows]
        widths = self._widths(columns, rows, styles, size, force=size <= SMALLEST)
        while widths is None:  # a number would break across lines: a smaller font
            size = max(SMALLEST, size - 0.5)
            widths = self._widths(columns, rows, styles, size, force=size <= SMALLEST)
        headings = FontFace(emphasis="BOLD", color=ACCENT, fill_color=HEADING_FILL)
        heading = self._grid_row([column.heading for column in columns], [headings] * len(columns), widths,
                                 size)
        body = [self._grid_row(cells, styles[n] if styles else [None] * len(cells), widths, size)
                for n, cells in enumerate(rows)]
        aligns = [column.align for column in columns]
        if self.will_page_break(heading.height + (body[0].height if body else 0)):  # never the heading alone
            self.add_page(same=True)
        top = self.y
        self._draw_row(heading, widths, aligns, size)
        for row in body:
            if self.will_page_break(row.height):
                self._rules(widths, top)
                self.add_page(same=True)
                if self.will_page_break(row.height):
                    raise ValueError(f"a table row of {row.height:.1f} mm does not fit on a page")
                top = self.y
                self._draw_row(heading, widths, aligns, size)
            self._draw_row(row, widths, aligns, size)
        self._rules(widths, top)
        self.set_font(FAMILY, "", size)
        self.ln(2)
        self._body()

    def _grid_row(self, texts: Sequence[str], styles: Sequence[FontFace | None], widths: Sequence[float],
                  size: float) -> _Row:
        """A row's cells in lines (each in its emphasis, within the padding) and the row's height, as `table()`
        computes it: the most lines times the line height, plus the padding above and below."""
        cells = []
        most = 0
        for text, style, width in zip(texts, styles, widths, strict=True):
            bold = bool(style and style.emphasis and "B" in style.emphasis.style)
            lines = self._lines(text, bold, size, width - 2 * _CELL_PADDING).lines if text else ()
            most = max(most, len(lines) or (1 if text else 0))
            cells.append(_Cell(lines, bold, (style.color if style and style.color else None) or INK,
                               style.fill_color if style else None))
        line_height = size * _LINE
        return _Row(tuple(cells), most * line_height + 2 * _CELL_PADDING if most else line_height)

    def _draw_row(self, row: _Row, widths: Sequence[float], aligns: Sequence[str], size: float) -> None:
        """A row at the current position: its fills (one rectangle per run of cells of one colour), the rule
        above it, and its lines of text. The font and colours are set only when they change."""
        line_height = size * _LINE
        top = self.y
        x = self.l_margin
        fill, fill_x = None, x
        for cell, width in zip(row.cells, widths, strict=True):
            if cell.fill != fill:
                if fill:
                    self.rect(fill_x, top, x - fill_x, row.height, style="F")
                fill, fill_x = cell.fill, x
                if fill:
                    self.set_fill_color(fill)
            x += width
        if fill:
            self.rect(fill_x, top, x - fill_x, row.height, style="F")
        self.line(self.l_margin, top, x, top)  # over the fills, this row's and the one above
        x = self.l_margin
        bold, colour = None, None
        baseline = top + _CELL_PADDING + 0.5 * line_height + 0.3 * (size / self.k)
        for cell, width, align in zip(row.cells, widths, aligns, strict=True):
            if cell.lines:
                if cell.bold is not bold:
                    bold = cell.bold
                    self.set_font(FAMILY, "B" if bold else "", size)
                if cell.colour != colour:
                    colour = cell.colour
                    self.set_text_color(colour)
                room = width - 2 * _CELL_PADDING
                for n, line in enumerate(cell.lines):
                    if not line:
                        continue
                    left = x + _CELL_PADDING
                    if align != "LEFT":
                        spare = room - self._widths_of(bold).width(line, size)
                        left += spare if align == "RIGHT" else spare / 2
                    self.text(left, baseline + n * line_height, line)
            x += width
        if colour != INK:
            self.set_text_color(INK)
        self.set_xy(self.l_margin, top + row.height)

    def _rules(self, widths: Sequence[float], top: float) -> None:
        """The rule under the last row, and the column rules from `top` down to it (one page's part of the table)."""
        x = self.l_margin
        self.line(x, self.y, x + sum(widths), self.y)
        for width in (0.0, *widths):
            x += width
            self.line(x, top, x, self.y)

    def _width(self, text: str, bold: bool, size: float) -> float:
        """`get_string_width` of `text` in DejaVu Sans (bold) at `size` pt, without setting the font."""
        return self._widths_of(bold).width(self._printable(text, bold), size)

    def _widths(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
                styles: Sequence[Sequence[FontFace | None]] | None, size: float, *,
                force: bool = False) -> tuple[float, ...] | None:
        """Fitted columns as wide as their widest cell (measured in the cell's own emphasis); the others share
        the rest, which is kept to at least 30% of the width by narrowing the fitted columns (they then wrap).

        A fitted column (the numbers: target, realisasi, capaian) is never narrower than its longest word, so a
        number such as "Rp120.000.000,00" stays on one line: it wraps at spaces only. When the longest words alone
        do not fit at `size`, None: the caller tries a smaller font (with `force`, they are narrowed anyway)."""
        padding = 2 * _CELL_PADDING + 0.6
        widths: list[float | None] = []
        floors: list[float] = []  # a fitted column's longest word
        for n, column in enumerate(columns):
            if not column.fit:
                widths.append(None)
                floors.append(0.0)
                continue
            least = max([self._width(column.heading, True, size) / 2 * 1.15,  # the heading in at most two lines
                         *(self._width(word, True, size) for word in column.heading.split())])
            widest = word = 0.0
            for m, cells in enumerate(rows):
                style = styles[m][n] if styles else None
                bold = bool(style and style.emphasis and "B" in style.emphasis.style)
                widest = max(widest, self._width(cells[n], bold, size))
                word = max(word, *(self._width(part, bold, size) for part in cells[n].split()), 0.0)
            word = max(word, *(self._width(part, True, size) for part in column.heading.split()))
            floors.append(word + padding)
            widths.append(max(min(max(least + padding, widest + padding, _FIT_LEAST), column.fit), word + padding))
        fixed = sum(width for width in widths if width is not None)
        shared = sum(column.share for column, width in zip(columns, widths, strict=True) if width is None)
        budget = _FITTED_SHARE * self.epw if shared else self.epw
        if fixed > budget or not shared:
            least = sum(floors)
            if least > budget and not force:
                return None
            # keep each column's floor; narrow (or, all fitted, widen) what is above the floors in proportion
            spare = fixed - least
            scale = (budget - least) / spare if spare > 0 and least <= budget else 0.0
            widths = [None if width is None else floor + (width - floor) * scale
                      for width, floor in zip(widths, floors, strict=True)]
            if least > budget:  # forced: the floors themselves shrink
                widths = [None if width is None else width * budget / least for width in widths]
            fixed = budget
        rest = self.epw - fixed
        given = [width if width is not None else column.share / shared * rest
                 for column, width in zip(columns, widths, strict=True)]
        total = sum(given)
        return tuple(width / total * self.epw for width in given)  # as `table(col_widths=…)` made them mm

    # -------------------------------------------------------------------- images

    def picture(self, data: bytes, gap: float = 5, *, here: bool = False) -> None:
        """An image at the page width, or scaled down (aspect kept) to fit one page (with `here`: to fit the room
        left on this page, e.g. under a heading); on this page if it fits, else on the next."""
        flat = _flattened(data)
        width = self.epw
        height = width * flat.height / flat.width
        full = self.page_break_trigger - self.t_margin
        tallest = self.room if here and self.room > full / 2 else full
        if height > tallest:
            width, height = width * tallest / height, tallest
        if height > self.room:
            self.add_page(same=True)
        self.image(flat, x=self.l_margin + (self.epw - width) / 2, y=self.y, w=width, h=height)
        self.set_y(self.y + height + gap)
