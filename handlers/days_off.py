"""Wording of days off where users see them: a deadline that moved off a holiday, a weekend or an office day off."""

from __future__ import annotations

from i18n import t
from models.calc.dates import format_date
from models.calc.days_off import DayOffKind
from models.plan.periods import Period
from models.timing.schedule import ScheduleRules


def deadline_with_move(period: Period, rules: ScheduleRules, language: str) -> str:
    """The period's deadline as shown, with why it is not the settings' day when it was moved off a day off
    ("10 Maret 2026" stays as it is; "25 Maret 2026" after Idul Fitri says the 20th was cuti bersama)."""
    if period.deadline is None:
        return "–"
    shown = format_date(period.deadline, language)
    nominal = rules.nominal_deadline(period.ref)
    if nominal == period.deadline or rules.deadline_for(period.ref) != period.deadline:
        return shown  # not moved, or set to another day than the settings': nothing to explain
    day_off = rules.days_off.reason(nominal, language)
    if day_off is None:
        reason = t("days_off.weekend", language)
    elif day_off.kind is DayOffKind.OFFICE:
        reason = t("days_off.office", language)
    else:
        reason = day_off.name
    return t("days_off.deadline_moved", language, deadline=shown, nominal=format_date(nominal, language),
             reason=reason)
