"""Writing workbooks: styled, frozen header rows, sensible widths, and formula-safe text (a cell whose text starts
with `=`, `+`, `-` or `@` is stored as a plain string with Excel's quote prefix, so Excel shows it and never
runs it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


HEADER_FILL = PatternFill("solid", fgColor="1F4E78")


HEADER_FONT = Font(bold=True, color="FFFFFF")


def make_formula_safe(cell: Cell) -> None:
    """Store text that Excel would run as a formula as a plain string with Excel's quote prefix."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    number_formats: dict[int, str] | None = None,
    widths: dict[int, int] | None = None,
) -> None:
    """Append a sheet with a styled, frozen header row, formula-safe text and sensible column widths."""
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    longest = [len(str(name)) for name in header]
    for values in rows:
        sheet.append([_excel_value(value) for value in values])
        for cell in sheet[sheet.max_row]:
            make_formula_safe(cell)
        for index, value in enumerate(values):
            longest[index] = max(longest[index], min(len(str(value)) if value is not None else 0, 60))
    for index, fmt in (number_formats or {}).items():
        for row in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell: Cell = row[0]
            cell.number_format = fmt
    for index, width in enumerate(longest):
        chosen = (widths or {}).get(index, min(max(width + 2, 8), 62))
        sheet.column_dimensions[get_column_letter(index + 1)].width = chosen
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _excel_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # openpyxl writes Decimal as a number; keep integers exact and others as float for Excel.
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date | int | float) or value is None:
        return value
    return str(value)


def new_workbook() -> Workbook:
    """A workbook with no sheets, ready for `write_sheet`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook
