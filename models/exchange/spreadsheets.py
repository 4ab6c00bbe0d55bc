"""Reading the spreadsheets offices send: XLSX (openpyxl) and CSV.

Rows come as dicts keyed by lower-cased header, with the sheet row number, so every problem can be reported as
`baris N, kolom X`. Writing workbooks is the documents' work (`reports/spreadsheet_writer.py`).

A file is read honestly or refused with a message, never a traceback:
- sizes are checked before anything is parsed (the CSV's bytes, the XLSX's uncompressed XML parts from the zip's
  directory) and while the sheet streams (rows, columns, filled cells), so a small file claiming a huge sheet is
  refused at once instead of keeping the import busy;
- the sheet's `<dimension>` tag is not trusted (openpyxl's read-only mode stops at it, so a tag that
  under-reports would silently drop rows);
- cells Excel could not compute (`#N/A`), formulas saved without a value, and overlong text are problems of
  their row and column (`ImportFailed`), like any other problem of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from models.errors import ProblemCode, SpreadsheetCode
from models.exchange.problems import ImportFailed, RowProblem, SpreadsheetError

# Generous for a real PK (a few hundred indicators) or a year of realisasi; a file over them is refused.
MAX_ROWS = 5_000  # data rows, below the header
MAX_COLUMNS = 100
MAX_CELLS = 200_000  # filled cells
MAX_XML_MB = 20  # uncompressed XML of an XLSX
MAX_CSV_MB = 10
MAX_CELL_CHARS = 2_000
MEGABYTE = 1024 * 1024
XML_PARTS = (".xml", ".rels", ".vml")


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _clean_header(values: Iterable[Any]) -> list[str]:
    return [str(value).strip().lower() if value is not None else "" for value in values]


def _is_blank(values: Iterable[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _column_name(header: Sequence[str], index: int) -> str:
    """The header of the column at `index` (0-based), or its letter when it has none."""
    name = header[index] if index < len(header) else ""
    return name or get_column_letter(index + 1)


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


# --------------------------------------------------------------------------------------------- limits

def _check_row_number(path: Path, number: int) -> None:
    if number > MAX_ROWS + 1:
        raise SpreadsheetError(SpreadsheetCode.TOO_MANY_ROWS, path=str(path), limit=MAX_ROWS)


def _check_width(path: Path, number: int, width: int) -> None:
    if width > MAX_COLUMNS:
        raise SpreadsheetError(SpreadsheetCode.TOO_MANY_COLUMNS, path=str(path), row=number,
                               column=get_column_letter(min(width, 16_384)), limit=MAX_COLUMNS)


def _check_cells(path: Path, filled: int) -> None:
    if filled > MAX_CELLS:
        raise SpreadsheetError(SpreadsheetCode.TOO_MANY_CELLS, path=str(path), limit=MAX_CELLS)


def _text_problem(number: int, header: Sequence[str], index: int, value: Any) -> RowProblem | None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return RowProblem(number, _column_name(header, index), ProblemCode.TEXT_TOO_LONG, length=len(value),
                          limit=MAX_CELL_CHARS)
    return None


# --------------------------------------------------------------------------------------------- XLSX

def _check_archive(path: Path) -> None:
    """A zip holding a workbook whose XML parts are within `MAX_XML_MB` once uncompressed.

    The sizes come from the zip's directory; `zipfile` stops at the declared size when reading (a part that
    inflates beyond it fails its check), so the directory bounds what openpyxl will parse."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError(SpreadsheetCode.CORRUPT, path=str(path)) from exc
    if "[Content_Types].xml" not in {member.filename for member in members}:
        raise SpreadsheetError(SpreadsheetCode.NOT_XLSX, path=str(path))
    size = sum(member.file_size for member in members if member.filename.lower().endswith(XML_PARTS))
    if size > MAX_XML_MB * MEGABYTE:
        raise SpreadsheetError(SpreadsheetCode.XML_TOO_LARGE, path=str(path), size=-(-size // MEGABYTE),
                               limit=MAX_XML_MB)


def _open_sheet(path: Path, preferred_sheet: str | None, data_only: bool):
    """The workbook (to close) and the sheet to read; its size tag is dropped so every row is read."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(SpreadsheetCode.UNREADABLE, path=str(path), reason=str(exc) or type(exc).__name__) \
            from exc
    if not workbook.worksheets:
        workbook.close()
        raise SpreadsheetError(SpreadsheetCode.NO_SHEETS, path=str(path))
    names = {sheet.title.lower(): sheet for sheet in workbook.worksheets}
    sheet = names.get(preferred_sheet.lower()) if preferred_sheet else None
    sheet = sheet or workbook.worksheets[0]
    sheet.reset_dimensions()
    return workbook, sheet


def _sheet_rows(path: Path, preferred_sheet: str | None, data_only: bool) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) for every row up to the last one stored, within the limits; a sheet the parser
    cannot follow is refused as unreadable."""
    workbook, sheet = _open_sheet(path, preferred_sheet, data_only)
    filled = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            _check_row_number(path, number)
            _check_width(path, number, len(cells))
            filled += sum(1 for cell in cells if cell.value is not None)
            _check_cells(path, filled)
            yield number, cells
    except SpreadsheetError:
        raise
    except Exception as exc:  # a damaged sheet: bad XML, impossible coordinates
        raise SpreadsheetError(SpreadsheetCode.UNREADABLE, path=str(path), reason=str(exc) or type(exc).__name__) \
            from exc
    finally:
        workbook.close()


def _formulas(path: Path, preferred_sheet: str | None) -> dict[tuple[int, int], str]:
    """The formulas of the sheet by (row, column). The values are read with their cached results; this pass
    (which also enforces the limits) finds the formulas saved without one, which would read as empty."""
    return {
        (number, index): str(cell.value)
        for number, cells in _sheet_rows(path, preferred_sheet, data_only=False)
        for index, cell in enumerate(cells)
        if getattr(cell, "data_type", None) == "f"
    }


def _cell_problem(number: int, header: Sequence[str], index: int, cell: Any, formula: str | None):
    if getattr(cell, "data_type", None) == "e":
        return RowProblem(number, _column_name(header, index), ProblemCode.CELL_ERROR, value=str(cell.value))
    # A formula whose saved result is empty text (`=IF(…;"";…)`) is typed "str"; one never computed is not.
    if formula is not None and cell.value is None and getattr(cell, "data_type", None) != "str":
        return RowProblem(number, _column_name(header, index), ProblemCode.FORMULA_WITHOUT_VALUE, formula=formula)
    return _text_problem(number, header, index, cell.value)


def _read_xlsx(path: Path, preferred_sheet: str | None) -> Table:
    _check_archive(path)
    with warnings.catch_warnings():  # openpyxl warns on stderr about what it skips; problems are ours to say
        warnings.simplefilter("ignore")
        formulas = _formulas(path, preferred_sheet)
        rows = _sheet_rows(path, preferred_sheet, data_only=True)
        first = next(rows, None)
        header = _clean_header(cell.value for cell in first[1]) if first else []
        if not any(header):
            rows.close()
            raise SpreadsheetError(SpreadsheetCode.NO_HEADER, path=str(path))
        table, problems = Table(header=header), []
        for number, cells in rows:
            values = [cell.value for cell in cells]
            found = [problem for index, cell in enumerate(cells) if index < len(header) and header[index]
                     if (problem := _cell_problem(number, header, index, cell, formulas.get((number, index))))]
            if _is_blank(values) and not found:  # a row of formulas never computed is not blank
                continue
            problems += found
            table.rows.append((number, {name: value for name, value in zip(header, values, strict=False) if name}))
    if problems:
        raise ImportFailed(problems)
    return table


# --------------------------------------------------------------------------------------------- CSV

def _decode_csv(path: Path, raw: bytes) -> str:
    """UTF-16 with its BOM (Excel's "Unicode text"), UTF-8 (with or without BOM) or, failing that, Windows-1252,
    as Excel on Windows saves CSV. Anything else is refused rather than read with replaced characters."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(SpreadsheetCode.CSV_ENCODING, path=str(path)) from exc
    if b"\x00" in raw:
        raise SpreadsheetError(SpreadsheetCode.CSV_BINARY, path=str(path))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(SpreadsheetCode.CSV_ENCODING, path=str(path))


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) within the limits; a line the csv module refuses is named."""
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for number, values in enumerate(reader, start=1):
            _check_row_number(path, number)
            _check_width(path, number, len(values))
            yield number, values
    except csv.Error as exc:
        raise SpreadsheetError(SpreadsheetCode.CSV_MALFORMED, path=str(path), row=reader.line_num) from exc


def _read_csv(path: Path) -> Table:
    if path.stat().st_size > MAX_CSV_MB * MEGABYTE:
        raise SpreadsheetError(SpreadsheetCode.FILE_TOO_LARGE, path=str(path),
                               size=-(-path.stat().st_size // MEGABYTE), limit=MAX_CSV_MB)
    rows = _csv_rows(path, _decode_csv(path, path.read_bytes()))
    first = next(rows, None)
    header = _clean_header(first[1]) if first else []
    if not any(header):
        rows.close()
        raise SpreadsheetError(SpreadsheetCode.NO_HEADER, path=str(path))
    table, problems = Table(header=header), []
    for number, values in rows:
        if _is_blank(values):
            continue
        problems += [problem for index, value in enumerate(values) if index < len(header) and header[index]
                     if (problem := _text_problem(number, header, index, value))]
        table.rows.append((number, {name: (value if value != "" else None)
                                    for name, value in zip(header, values, strict=False) if name}))
    if problems:
        raise ImportFailed(problems)
    return table
