"""Where each code of the domain and the documents finds its text: one prefix per enum.

`t(text_key(error.code), language, **details)` words any refusal; `tests/test_error_codes.py` checks that every
member of every enum here has its text in both catalogues, so a code without a text fails a test, not a user.
"""

from __future__ import annotations

from enum import StrEnum

from models.calc.numbers import NumberCode
from models.errors import (
    DateWordsCode,
    ErrorCode,
    ExportCode,
    InviteCode,
    PeriodWordsCode,
    ProblemCode,
    SpreadsheetCode,
)

PREFIXES: dict[type[StrEnum], str] = {
    ErrorCode: "error.",
    InviteCode: "chat.invite_",
    SpreadsheetCode: "spreadsheet.",
    ProblemCode: "import.problem.",
    ExportCode: "workbook.error.",
    NumberCode: "fill.invalid_",
    PeriodWordsCode: "period_words.",
    DateWordsCode: "date_words.",
}


def text_key(code: StrEnum) -> str:
    """The catalogue key of `code`; a KeyError for an enum without texts."""
    return PREFIXES[type(code)] + code.value
