"""Problems found in an imported file, as data: the row, the column, a code and its details; and a file that
cannot be read as a table at all (`SpreadsheetError`).

The domain never words a problem; `i18n` turns `import.problem.<code>` into `baris N, kolom X: …` in the
user's language. `cell_number` reads a number from a cell the way staff type it (`85,5`, `1.234.567`), within the
bound of what can be stored (`models.calc.bounds`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from models.calc.bounds import INTEGER_DIGITS, SCALE, too_large
from models.calc.numbers import AmbiguousNumber, NumberCode, NumberError, format_number, parse_number, plain
from models.errors import ProblemCode, SpreadsheetCode

# Number errors worded on their own; any other is "not a number".
NUMBER_PROBLEMS = {
    NumberCode.TOO_MANY_DECIMALS: ProblemCode.TOO_MANY_DECIMALS,
    NumberCode.BAD_GROUPING: ProblemCode.BAD_GROUPING,
    NumberCode.AMBIGUOUS_UNIT: ProblemCode.AMBIGUOUS_UNIT,
    NumberCode.TOO_LARGE: ProblemCode.TOO_LARGE,
    NumberCode.TOO_PRECISE: ProblemCode.TOO_PRECISE,
    NumberCode.NEGATIVE: ProblemCode.NEGATIVE,
    NumberCode.NOT_WHOLE: ProblemCode.NOT_WHOLE,
}


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    code: ProblemCode
    details: dict[str, Any] = field(default_factory=dict)

    def __init__(self, row: int, column: str, code: ProblemCode, **details: Any) -> None:
        object.__setattr__(self, "row", row)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "code", ProblemCode(code))
        object.__setattr__(self, "details", details)


class SpreadsheetError(Exception):
    """The file cannot be read as a table; `.code` keys the message. Here, not beside the reading, so the command
    line catches it without loading openpyxl."""

    def __init__(self, code: SpreadsheetCode, **details: object) -> None:
        code = SpreadsheetCode(code)
        super().__init__(code, details)
        self.code = code
        self.details = details


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"problems in the file: {len(problems)}")  # for logs; i18n words them for people
        self.problems = sorted(problems, key=lambda problem: (problem.row, problem.column))


def cell_text(value: Any) -> str | None:
    """A cell as stripped text, None when empty. Whole floats from Excel lose their `.0`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def cell_number(
    value: Any,
    row: int,
    column: str,
    problems: list[RowProblem],
    *,
    decimals: int | None = None,
    satuan: str | None = None,
) -> Decimal | None:
    """A number from a cell: Excel numbers as they are, text parsed the Indonesian way. Empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(RowProblem(row, column, ProblemCode.NOT_A_NUMBER, value=str(value)))
        return None
    if isinstance(value, datetime | date | time | timedelta):  # a number cell Excel formatted as a date
        shown = value.date() if isinstance(value, datetime) and value.time() == time() else value
        problems.append(RowProblem(row, column, ProblemCode.DATE_NOT_A_NUMBER, value=str(shown)))
        return None
    if isinstance(value, int):
        if too_large(Decimal(value)):
            problems.append(RowProblem(row, column, ProblemCode.TOO_LARGE, value=format_number(value),
                                       digits=INTEGER_DIGITS))
            return None
        return Decimal(value)
    if isinstance(value, float):
        return _excel_number(value, row, column, problems, decimals)
    try:
        return parse_number(str(value), decimals=decimals, satuan=satuan)
    except AmbiguousNumber as exc:
        grouping, decimal = exc.candidates
        problems.append(RowProblem(row, column, ProblemCode.AMBIGUOUS_NUMBER, value=str(value).strip(),
                                   grouping=format_number(grouping), decimal=format_number(decimal)))
    except NumberError as exc:
        code = NUMBER_PROBLEMS.get(exc.code, ProblemCode.NOT_A_NUMBER)
        details = {"value": str(value).strip(), "decimals": decimals} | exc.details  # the limit, when beyond it
        problems.append(RowProblem(row, column, code, **details))
    return None


def _excel_number(value: float, row: int, column: str, problems: list[RowProblem], decimals: int | None):
    """An Excel number: float noise beyond 8 decimals dropped, then held to the indicator's decimals like text."""
    number = Decimal(repr(value))
    if not number.is_finite():
        problems.append(RowProblem(row, column, ProblemCode.NOT_A_NUMBER, value=str(value)))
        return None
    if too_large(number):
        problems.append(RowProblem(row, column, ProblemCode.TOO_LARGE, value=format_number(number),
                                   digits=INTEGER_DIGITS))
        return None
    number = plain(number.quantize(Decimal(1).scaleb(-SCALE)))  # within the bound: at most 28 digits, exact
    if decimals is not None and number.as_tuple().exponent < -decimals:
        problems.append(RowProblem(row, column, ProblemCode.TOO_MANY_DECIMALS, value=format_number(number),
                                   decimals=decimals))
        return None
    return number
