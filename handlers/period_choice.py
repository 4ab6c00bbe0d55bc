"""Periods typed after a command, and the choice of recent periods a command offers without one.

`/rekap april`, `/laporan tw1`, `/ekspor 2026`, `/pengukuran triwulan 1` read their words with
`models.plan.period_words`; `/rekap`, `/ekspor`, `/laporan` and `/pengukuran` alone answer with buttons of the
recent periods that make sense for the command, each carrying its period as one id (`scope_id`): pressing one
does what typing that period does. The choice stays under its message (nothing is decided by a press), so
another period can be pressed after the first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from handlers.screens import Buttons, Screen
from i18n import t
from i18n.codes import text_key
from models.plan.period_words import FIRST_YEAR, LAST_YEAR, PeriodWordsError, parse_period_words
from models.plan.periods import PeriodKind, PeriodRef
from reports.wording import esc

PER_ROW = 2
_QUARTER_OFFSET = 20  # a scope id's last two digits: 00 the year, 01-12 a month, 21-24 a triwulan


def scope_id(scope: PeriodRef | int) -> int:
    """A month, a triwulan or a year as one button id: 202604 April 2026, 202621 Triwulan I 2026, 202600 2026."""
    if isinstance(scope, int):
        return scope * 100
    return scope.year * 100 + scope.number + (_QUARTER_OFFSET if scope.kind is PeriodKind.QUARTER else 0)


def scope_of(value: int) -> PeriodRef | int | None:
    """`scope_id` read back; None for an id that names no period (the press is answered as expired)."""
    year, rest = divmod(value, 100)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if rest == 0:
        return year
    if 1 <= rest <= 12:
        return PeriodRef(PeriodKind.MONTH, year, rest)
    if 1 <= rest - _QUARTER_OFFSET <= 4:
        return PeriodRef(PeriodKind.QUARTER, year, rest - _QUARTER_OFFSET)
    return None


def scope_name(scope: PeriodRef | int, language: str) -> str:
    return t("period_choice.year", language, year=scope) if isinstance(scope, int) else scope.label(language)


def typed_scope(text: str, today: date) -> PeriodRef | int:
    """The period typed after a command (its words joined), by the injected clock's `today`."""
    return parse_period_words(text, today)


def refusal(error: PeriodWordsError, language: str) -> list[Screen]:
    """A typed period refused: what was typed and the forms accepted."""
    return [Screen.of(t(text_key(error.code), language, value=esc(error.value)))]


def choice_screen(key: str, choices: list[tuple[str, str]], language: str) -> list[Screen]:
    """The command's question (`period_choice.<key>`) with one button per (label, callback data), `PER_ROW`
    a row, in the order given (the most recent first)."""
    rows: Buttons = [choices[i:i + PER_ROW] for i in range(0, len(choices), PER_ROW)]
    return [Screen.of(t(f"period_choice.{key}", language), rows)]


def scope_choices(scopes: list[PeriodRef | int], language: str,
                  data: Callable[[int], str]) -> list[tuple[str, str]]:
    """One (label, callback data) per scope; `data` packs the scope's id (`scope_id`) into the command's button
    with what else the command was told (e.g. /ekspor's kind of workbook)."""
    return [(scope_name(scope, language), data(scope_id(scope))) for scope in scopes]


def with_years(periods: list[PeriodRef], years: int = 1) -> list[PeriodRef | int]:
    """The periods, then the latest `years` years they belong to."""
    found = sorted({ref.year for ref in periods}, reverse=True)[:years]
    return [*periods, *found]
