"""The target that applies to an indicator in a month, a triwulan or a year (from its Perjanjian Kinerja)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlmodel import Session, select

from models.calc.capaian import IndicatorRule, Target, YearTargets, annual_target, month_target, quarter_target
from models.plan.indicators import IndicatorTarget, MonthlyTarget, year_targets
from models.plan.periods import PeriodKind, PeriodRef


def load_plan(session: Session, indicator_id: int, year: int) -> YearTargets:
    """An indicator's targets of a year (its PK line and any monthly targets)."""
    return load_plans(session, [indicator_id], year)[indicator_id]


def load_plans(session: Session, indicator_ids: Collection[int], year: int) -> dict[int, YearTargets]:
    """`load_plan` of many indicators at once (two queries), by indicator id; one without a PK line that year
    gets the empty plan, as from `load_plan`."""
    ids = set(indicator_ids)
    if not ids:
        return {}
    annual = {target.indicator_id: target for target in session.exec(select(IndicatorTarget).where(
        IndicatorTarget.year == year, IndicatorTarget.indicator_id.in_(ids)))}
    monthly: dict[int, list[MonthlyTarget]] = defaultdict(list)
    for row in session.exec(select(MonthlyTarget).where(MonthlyTarget.year == year,
                                                        MonthlyTarget.indicator_id.in_(ids))):
        monthly[row.indicator_id].append(row)
    return {indicator_id: year_targets(annual.get(indicator_id), monthly[indicator_id]) for indicator_id in ids}


def target_for(plan: YearTargets, rule: IndicatorRule, scope: PeriodRef | int) -> Target:
    if isinstance(scope, int):
        return annual_target(plan, rule)
    if scope.kind is PeriodKind.MONTH:
        return month_target(plan, scope.number, rule)
    return quarter_target(plan, scope.number, rule)
