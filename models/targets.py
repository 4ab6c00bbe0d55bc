"""The target that applies to an indicator in a month, a triwulan or a year (from its Perjanjian Kinerja)."""

from __future__ import annotations

from sqlmodel import Session, select

from models.capaian import IndicatorRule, Target, YearTargets, annual_target, month_target, quarter_target
from models.indicators import IndicatorTarget, MonthlyTarget, year_targets
from models.periods import PeriodKind, PeriodRef


def load_plan(session: Session, indicator_id: int, year: int) -> YearTargets:
    target = session.exec(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator_id, IndicatorTarget.year == year)
    ).first()
    monthly = session.exec(
        select(MonthlyTarget).where(MonthlyTarget.indicator_id == indicator_id, MonthlyTarget.year == year)
    ).all()
    return year_targets(target, list(monthly))


def target_for(plan: YearTargets, rule: IndicatorRule, scope: PeriodRef | int) -> Target:
    if isinstance(scope, int):
        return annual_target(plan, rule)
    if scope.kind is PeriodKind.MONTH:
        return month_target(plan, scope.number, rule)
    return quarter_target(plan, scope.number, rule)
