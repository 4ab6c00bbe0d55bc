"""The target that applies to an indicator in a month, a triwulan or a year (from its Perjanjian Kinerja).

Which PK row applies (the PK or a PK Perubahan, by the period's first day) is `models.plan.pk`'s rule; every
target lookup goes through `load_plans`, which reads a year's lines from the process's cache
(`models.plan.reference`: read again whenever a PK is imported).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session

from models.calc.capaian import IndicatorRule, Target, YearTargets, annual_target, month_target, quarter_target
from models.plan.indicators import year_targets
from models.plan.periods import PeriodKind, PeriodRef
from models.plan.pk import Scope, version_for, year_of
from models.plan.reference import year_lines


def load_plan(session: Session, indicator_id: int, scope: Scope) -> YearTargets:
    """An indicator's targets in force for `scope` (its PK line and any monthly targets of the year)."""
    return load_plans(session, [indicator_id], scope)[indicator_id]


def load_plans(session: Session, indicator_ids: Collection[int], scope: Scope) -> dict[int, YearTargets]:
    """`load_plan` of many indicators at once, by indicator id; one without a PK line in force gets the empty
    plan, as from `load_plan`. The year's lines come from the process's cache (no query while no PK changed)."""
    ids = set(indicator_ids)
    if not ids:
        return {}
    year = year_lines(session, year_of(scope))
    return {indicator_id: year_targets(version_for(year.lines.get(indicator_id, ()), scope),
                                       year.monthly.get(indicator_id, ()))
            for indicator_id in ids}


def target_for(plan: YearTargets, rule: IndicatorRule, scope: PeriodRef | int) -> Target:
    if isinstance(scope, int):
        return annual_target(plan, rule)
    if scope.kind is PeriodKind.MONTH:
        return month_target(plan, scope.number, rule)
    return quarter_target(plan, scope.number, rule)
