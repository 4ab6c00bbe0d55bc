"""Wording of import problems: `baris N, kolom X: …` in the user's language."""

from __future__ import annotations

from decimal import Decimal

from i18n import t
from i18n.codes import text_key
from models.calc.numbers import format_number
from models.exchange.problems import RowProblem


def render_problem(problem: RowProblem, language: str = "id") -> str:
    details = {
        key: format_number(value, None, language) if isinstance(value, Decimal) else value
        for key, value in problem.details.items()
    }
    details.setdefault("column", problem.column)
    text = t(text_key(problem.code), language, **details)
    return t("import.row_error", language, row=problem.row, column=problem.column, problem=text)
