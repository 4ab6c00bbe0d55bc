"""Reading and writing the spreadsheets offices exchange: XLSX (openpyxl) and CSV.

Reading gives rows as dicts keyed by lower-cased header, with the sheet row number, so every problem can be
reported as `baris N, kolom X`. Writing makes text formula-safe: a cell whose text starts with `=`, `+`, `-` or `@`
is stored as a plain string cell (type `s`, with Excel's quote prefix), so Excel shows it and never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


class SpreadsheetError(Exception):
    """The file cannot be read as a table; `.code` keys the message."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _clean_header(values: Iterable[Any]) -> list[str]:
    return [str(value).strip().lower() if value is not None else "" for value in values]


def _is_blank(values: Iterable[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def read_table(path: Path, preferred_sheet: str | None = None) -> Table:
    """Read the first sheet (or `preferred_sheet` when present) of an XLSX, or a CSV (`,` or `;`)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SpreadsheetError("file_missing", path=str(path))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, preferred_sheet)
    if suffix == ".csv":
        return _read_csv(path)
    raise SpreadsheetError("unsupported_format", path=str(path))


def _read_xlsx(path: Path, preferred_sheet: str | None) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError("unreadable", path=str(path), reason=str(exc)) from exc
    try:
        names = {name.lower(): name for name in workbook.sheetnames}
        sheet = workbook[names[preferred_sheet.lower()]] if preferred_sheet and preferred_sheet.lower() in names \
            else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = _clean_header(next(rows, ()))
        if not any(header):
            raise SpreadsheetError("no_header", path=str(path))
        table = Table(header=header)
        for number, values in enumerate(rows, start=2):
            if _is_blank(values):
                continue
            table.rows.append((number, {name: value for name, value in zip(header, values, strict=False) if name}))
        return table
    finally:
        workbook.close()


def _read_csv(path: Path) -> Table:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252, as Excel on Windows saves CSV."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = _clean_header(next(reader, []))
    if not any(header):
        raise SpreadsheetError("no_header", path=str(path))
    table = Table(header=header)
    for number, values in enumerate(reader, start=2):
        if _is_blank(values):
            continue
        table.rows.append((number, {name: (value if value != "" else None)
                                    for name, value in zip(header, values, strict=False) if name}))
    return table


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
