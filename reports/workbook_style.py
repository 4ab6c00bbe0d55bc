"""The one layout of every workbook SAKIP Bot writes: a title block, a styled table, number formats, print setup,
and how the domain's values become cells (targets, ratings, period labels).

Numbers are stored as numbers (a `Decimal` becomes an Excel number, never formatted text), so offices can sum,
sort and chart them; how they look comes from an Excel number format code (`#,##0`, `#,##0.00`, `0.00`). These
codes are locale independent in xlsx: `,` means "group thousands" and `.` "decimal separator", and Excel or
LibreOffice shows them with the separators of the reader's system. On an Indonesian system 114750000000 in `#,##0`
reads 114.750.000.000 and 95.63 in `0.00` reads 95,63; on an English one 114,750,000,000 and 95.63.

Text is formula-safe: any text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is stored as a
plain string (`models.exchange.spreadsheets.make_formula_safe`), so `=HYPERLINK(...)` typed as a kendala is
shown, never run.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from i18n import t
from models.calc.capaian import Polarity, Rating, Target
from models.calc.numbers import format_number, round_half_up
from models.plan.periods import PeriodRef
from reports.spreadsheet_writer import HEADER_FILL, HEADER_FONT, make_formula_safe

CAPAIAN_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TITLE_FONT = Font(bold=True, size=14)
LABEL_FONT = Font(bold=True)
GROUP_FONT = Font(bold=True, color="1F4E78")
GROUP_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOP = Alignment(vertical="top")
TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)

DOCUMENT_TIME = datetime(1980, 1, 1)  # the earliest a ZIP can stamp: every workbook's, every part's


@dataclass(frozen=True)
class Column:
    """A table column: its heading, its width in characters (at least `width`, growing with the content up to
    `max_width`), and whether long text wraps."""

    heading: str
    width: int
    max_width: int | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Number:
    """A number cell with its Excel format."""

    value: Decimal | int | float | None
    format: str


@dataclass(frozen=True)
class Group:
    """A heading row across the whole table (e.g. a unit), bold on a light fill."""

    text: str


def number_format(decimals: int) -> str:
    """`#,##0` for whole numbers, `#,##0.00` for 2 decimals: thousands grouped, the indicator's decimals."""
    return COUNT_FORMAT if decimals <= 0 else COUNT_FORMAT + "." + "0" * decimals


def measured(value: Decimal | None, decimals: int) -> Number | None:
    """An indicator's target or realisasi in its own decimals. A derived value with more digits (a cumulative TW
    target ÷ 3, an average) is rounded to at least 2 decimals, so a whole-number indicator still shows 0,67."""
    if value is None:
        return None
    places = max(decimals, 0)
    if value != value.to_integral_value():
        places = max(places, 2)
        value = round_half_up(value, places)
    return Number(value, number_format(places))


def capaian(value: Decimal | None) -> Number | None:
    return None if value is None else Number(value, CAPAIAN_FORMAT)


def excel_value(value: object) -> object:
    """What openpyxl stores: numbers as numbers, datetimes without zone (already in the office's time)."""
    if isinstance(value, Decimal):
        # keep whole numbers exact; Excel itself holds 15 significant digits
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel refuses
    return value


def put(cell: Cell, value: object) -> Cell:
    """Write one value: a `Number` with its format, a datetime with a date format, text formula-safe."""
    if isinstance(value, Number):
        cell.value = excel_value(value.value)
        cell.number_format = value.format
        return cell
    cell.value = excel_value(value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    make_formula_safe(cell)
    return cell


def shown_length(value: object) -> int:
    """About how many characters a value takes on screen, for column widths."""
    if value is None:
        return 0
    if isinstance(value, Number):
        if value.value is None:
            return 0
        places = len(value.format.partition(".")[2])
        return len(f"{float(value.value):,.{places}f}")
    if isinstance(value, datetime | date):
        return 16
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_title(sheet: Worksheet, title: str, details: Sequence[tuple[str, str]], value_column: int = 3,
                kop: Sequence[str] = ()) -> int:
    """The kop's lines (`Letterhead.kop_lines`, bold, then a blank row) when given, the title (bold, larger) in
    column A and one `label  value` line per detail below it; the label spans the columns before `value_column`.
    Returns the first row after a blank line, where the table goes."""
    for row, line in enumerate(kop, start=1):
        put(sheet.cell(row=row, column=1), line).font = LABEL_FONT
    first = len(kop) + 2 if kop else 1
    put(sheet.cell(row=first, column=1), title).font = TITLE_FONT
    for row, (label, value) in enumerate(details, start=first + 1):
        put(sheet.cell(row=row, column=1), label).font = LABEL_FONT
        if value_column > 2:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=value_column - 1)
        put(sheet.cell(row=row, column=value_column), value)
    return first + len(details) + 2


def write_signature(sheet: Worksheet, top: int, left: int, right: int, lines: Sequence[tuple[str | None, Font | None]]
                    ) -> int:
    """A signature block's lines (None: an empty row, room to sign) from `top`, each centred across the columns
    `left` to `right`; returns the row after the last one."""
    for offset, (text, font) in enumerate(lines):
        if text is None:
            continue
        cell = put(sheet.cell(row=top + offset, column=left), text)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if font is not None:
            cell.font = font
        if right > left:
            sheet.merge_cells(start_row=top + offset, start_column=left, end_row=top + offset, end_column=right)
    return top + len(lines)


def write_table(
    sheet: Worksheet,
    top: int,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object] | Group],
    *,
    freeze_columns: int = 0,
    autofilter: bool = True,
) -> int:
    """A bold header row at `top`, the rows below it, column widths; the header (and the first `freeze_columns`
    columns) stay frozen and repeat on every printed page. Returns the row after the last one."""
    end, longest = write_cells(sheet, top, 1, columns, rows)
    set_widths(sheet, columns, longest)
    sheet.freeze_panes = sheet.cell(row=top + 1, column=freeze_columns + 1).coordinate
    if autofilter and end > top + 1:
        sheet.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{end - 1}"
    sheet.print_title_rows = f"{top}:{top}"
    return end


def write_cells(
    sheet: Worksheet, top: int, left: int, columns: Sequence[Column], rows: Iterable[Sequence[object] | Group]
) -> tuple[int, list[int]]:
    """The header row and the rows of a table with its left column at `left`, with gridlines; returns the row
    after the last one and the longest shown value of each column."""
    for index, column in enumerate(columns, start=left):
        cell = put(sheet.cell(row=top, column=index), column.heading)
        cell.fill, cell.font, cell.border = HEADER_FILL, HEADER_FONT, GRID
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    longest = [0] * len(columns)
    row_number = top
    for values in rows:
        row_number += 1
        if isinstance(values, Group):
            cell = put(sheet.cell(row=row_number, column=left), values.text)
            cell.font, cell.fill = GROUP_FONT, GROUP_FILL
            sheet.merge_cells(start_row=row_number, start_column=left, end_row=row_number,
                              end_column=left + len(columns) - 1)
            continue
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            cell = put(sheet.cell(row=row_number, column=left + index), value)
            cell.border = GRID
            cell.alignment = TOP_WRAPPED if column.wrap else TOP
            longest[index] = max(longest[index], shown_length(value))
    return row_number + 1, longest


def set_widths(sheet: Worksheet, columns: Sequence[Column], longest: Sequence[int]) -> None:
    for index, column in enumerate(columns, start=1):
        width = column.width
        if column.max_width is not None:
            width = min(max(width, longest[index - 1] + 2, len(column.heading) + 2), column.max_width)
        sheet.column_dimensions[get_column_letter(index)].width = width


def print_setup(sheet: Worksheet, header_text: str | None = None) -> None:
    """A4 landscape, fit to the page width (as many pages down as needed), and an optional page header."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if header_text:
        sheet.oddHeader.center.text = header_text.replace("&", "&&")  # `&` starts a header code


def sheet_title(text: str) -> str:
    """Excel's limits on sheet names: 31 characters, none of `[]:*?/\\`."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31].strip() or "Sheet"


def slug(text: str) -> str:
    """An ASCII file-name part: `Bidang Pengaduan, Kebijakan` → `bidang-pengaduan-kebijakan`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def new_workbook(title: str) -> Workbook:
    """A workbook with no sheets, its document title set."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    workbook.properties.creator = "SAKIP Bot"
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an .xlsx, the same bytes for the same content: openpyxl stamps the document's properties and
    each part of its ZIP with the moment of saving, so the same period exported twice (`/ekspor` typed, then
    pressed) would differ; here the properties and every part carry one fixed time (`DOCUMENT_TIME`)."""
    workbook.properties.created = workbook.properties.modified = DOCUMENT_TIME
    buffer = io.BytesIO()
    ExcelWriter(workbook, _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buffer.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP whose parts are stamped `DOCUMENT_TIME`, not the moment of writing (or of a temporary file's)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=DOCUMENT_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16  # what `ZipFile.writestr` gives a part written by name
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        """A part openpyxl wrote to a temporary file first (each worksheet): its bytes, stamped the same."""
        with open(filename, "rb") as part:
            self.writestr(arcname or filename, part.read(), compress_type, compresslevel)


def scope_label(scope: PeriodRef | int, language: str) -> str:
    """`Triwulan I 2026`, `Januari 2026`, `Tahun 2026`."""
    return t("workbook.scope_year", language, year=scope) if isinstance(scope, int) else scope.label(language)


def target_cell(target: Target, polarity: Polarity, decimals: int, language: str = "id") -> Number | str | None:
    """A point target as a number; a range as text `85 – 95` (Excel has no range number)."""
    if Polarity(polarity) is Polarity.RANGE:
        low, high = target.lower, target.upper
        if low is None and high is None:
            return None
        low, high = (low if low is not None else high), (high if high is not None else low)
        return f"{format_number(low, locale=language)} – {format_number(high, locale=language)}"
    return measured(target.value, decimals)


def rating_label(rating: Rating | None, language: str, *, empty: bool = False) -> str | None:
    """The rating's name; without capaian `-`, or nothing when `empty` (a form still to fill in)."""
    if rating is None:
        return None if empty else t("rating.none", language)
    return t(f"rating.{rating.value}", language)
