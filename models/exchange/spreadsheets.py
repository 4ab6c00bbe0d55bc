"""Reading the spreadsheets offices send: XLSX (openpyxl) and CSV.

Rows come as dicts keyed by lower-cased header, with the sheet row number, so every problem can be reported as
`baris N, kolom X`. Writing workbooks is the documents' work (`reports/spreadsheet_writer.py`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from models.errors import SpreadsheetCode


class SpreadsheetError(Exception):
    """The file cannot be read as a table; `.code` keys the message."""

    def __init__(self, code: SpreadsheetCode, **details: object) -> None:
        code = SpreadsheetCode(code)
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
        raise SpreadsheetError(SpreadsheetCode.FILE_MISSING, path=str(path))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, preferred_sheet)
    if suffix == ".csv":
        return _read_csv(path)
    raise SpreadsheetError(SpreadsheetCode.UNSUPPORTED_FORMAT, path=str(path))


def _read_xlsx(path: Path, preferred_sheet: str | None) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(SpreadsheetCode.UNREADABLE, path=str(path), reason=str(exc)) from exc
    try:
        names = {name.lower(): name for name in workbook.sheetnames}
        sheet = workbook[names[preferred_sheet.lower()]] if preferred_sheet and preferred_sheet.lower() in names \
            else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = _clean_header(next(rows, ()))
        if not any(header):
            raise SpreadsheetError(SpreadsheetCode.NO_HEADER, path=str(path))
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
        raise SpreadsheetError(SpreadsheetCode.NO_HEADER, path=str(path))
    table = Table(header=header)
    for number, values in enumerate(reader, start=2):
        if _is_blank(values):
            continue
        table.rows.append((number, {name: (value if value != "" else None)
                                    for name, value in zip(header, values, strict=False) if name}))
    return table
