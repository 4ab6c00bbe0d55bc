"""The Perjanjian Kinerja of a year: which indicators it holds, and which of its versions applies to a period.

Every January the office signs a new PK, and often a PK Perubahan mid-year that drops, adds and re-targets
indicators. An indicator belongs to a year's PK when it has a target row for that year (`IndicatorTarget`);
the rows of the PK are valid from 1 January, those of a PK Perubahan from its date, and an indicator a PK
Perubahan drops gets a row marked `dropped` from that date. So:

- a period (a month, a triwulan) is measured against the row valid at its first day: a period that starts before
  a PK Perubahan keeps the old target, and asks only the indicators in the PK on that day;
- a year is measured against its last row that is not dropped (the PK Perubahan's annual target is the year's),
  and holds every indicator that was in its PK at some time of the year (its values stay in the year's reports).

An indicator switched off entirely (`Indicator.active` false) is in no PK. Every list of "the indicators of a
unit" and every target lookup goes through this module (`indicators_of`, `versions_of`, `version_for`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from models.plan.indicators import Frequency, Indicator, IndicatorTarget, indicator_order
from models.plan.periods import PeriodRef
from models.plan.reference import TargetLine, year_lines

Scope = PeriodRef | int  # a month or a triwulan, or a whole year


def year_of(scope: Scope) -> int:
    return scope if isinstance(scope, int) else scope.year


def version_for(versions: Sequence[IndicatorTarget | TargetLine], scope: Scope) -> IndicatorTarget | TargetLine | None:
    """The row of an indicator's year (`versions`, by `valid_from`) that applies to `scope`, None when the
    indicator is not in the PK then (see the module docstring)."""
    if isinstance(scope, int):
        return next((row for row in reversed(versions) if not row.dropped), None)
    return valid_on(versions, scope.start_date)


def valid_on(versions: Sequence[IndicatorTarget | TargetLine], day: date) -> IndicatorTarget | TargetLine | None:
    """The row in force on `day` (the last one valid from it or before), None when none is or it is dropped."""
    valid = [row for row in versions if row.valid_from <= day]
    if not valid or valid[-1].dropped:
        return None
    return valid[-1]


def versions_of(
    session: Session, year: int, indicator_ids: Collection[int] | None = None
) -> dict[int, list[IndicatorTarget]]:
    """The target rows of a year by indicator id, each list by `valid_from` (one query); all indicators when
    `indicator_ids` is None."""
    query = select(IndicatorTarget).where(IndicatorTarget.year == year)
    if indicator_ids is not None:
        ids = set(indicator_ids)
        if not ids:
            return {}
        query = query.where(IndicatorTarget.indicator_id.in_(ids))
    by_indicator: dict[int, list[IndicatorTarget]] = defaultdict(list)
    for row in session.exec(query.order_by(IndicatorTarget.indicator_id, IndicatorTarget.valid_from)):
        by_indicator[row.indicator_id].append(row)
    return by_indicator


def indicators_of(
    session: Session, scope: Scope, *, unit_id: int | None = None, frequency: Frequency | None = None
) -> list[Indicator]:
    """The indicators of the PK in force for `scope` (of a unit, of a frequency, when given), in Renstra order."""
    query = _with_versions(select(Indicator, IndicatorTarget.valid_from, IndicatorTarget.dropped), scope, unit_id,
                           frequency)
    indicators: dict[int, Indicator] = {}
    versions: dict[int, list[sa.Row]] = defaultdict(list)
    for row in session.exec(query):  # one query: each indicator with its rows of the year (their dates only)
        indicators[row[0].id] = row[0]
        versions[row[0].id].append(row)
    in_force = [indicator for indicator in indicators.values()
                if version_for(versions[indicator.id], scope) is not None]
    return sorted(in_force, key=indicator_order)


def indicator_ids_of(session: Session, scope: Scope, *, frequency: Frequency | None = None) -> dict[int, list[int]]:
    """The ids of `indicators_of` by unit id, read as columns (no ORM objects; each unit's in no set order)."""
    query = _with_versions(sa.select(Indicator.id, Indicator.unit_id, IndicatorTarget.valid_from,
                                     IndicatorTarget.dropped), scope, None, frequency)
    units: dict[int, int] = {}
    versions: dict[int, list[sa.Row]] = defaultdict(list)
    for row in session.execute(query):
        units[row.id] = row.unit_id
        versions[row.id].append(row)
    by_unit: dict[int, list[int]] = defaultdict(list)
    for indicator_id, rows in versions.items():
        if version_for(rows, scope) is not None:
            by_unit[units[indicator_id]].append(indicator_id)
    return by_unit


def _with_versions(query: sa.Select, scope: Scope, unit_id: int | None, frequency: Frequency | None) -> sa.Select:
    """`query` over the active indicators joined with their target rows of the scope's year (by `valid_from`)."""
    query = (query.join_from(Indicator, IndicatorTarget, IndicatorTarget.indicator_id == Indicator.id)
             .where(IndicatorTarget.year == year_of(scope), Indicator.active == True)  # noqa: E712
             .order_by(IndicatorTarget.valid_from))
    if unit_id is not None:
        query = query.where(Indicator.unit_id == unit_id)
    if frequency is not None:
        query = query.where(Indicator.frequency == frequency)
    return query


def in_pk(session: Session, indicator: Indicator, scope: Scope) -> bool:
    """Whether the indicator is in the PK in force for `scope` (its lines from the process's cache)."""
    if not indicator.active:
        return False
    return version_for(year_lines(session, year_of(scope)).lines.get(indicator.id, ()), scope) is not None


def pk_on(session: Session, year: int, day: date) -> dict[int, IndicatorTarget]:
    """The rows of a year's PK in force on `day` (dropped ones left out), by indicator id."""
    rows = {indicator_id: valid_on(versions, day) for indicator_id, versions in versions_of(session, year).items()}
    return {indicator_id: row for indicator_id, row in rows.items() if row is not None}
