"""The recap of a reporting scope: per indicator its target, realisasi and capaian.

A scope is a month (`2026-01`), a triwulan (`2026-TW1`) or a year (`2026`). Values come from the current
revision of each stored period and are combined with each indicator's aggregation (see `models.calc.capaian`):

- month: the indicators collected monthly, against the month's target;
- triwulan: monthly indicators aggregate their three months, quarterly ones take the triwulan's value;
- year: every period of the year, aggregated, against the annual target.

`approved_only=True` (the exports and the filed Laporan) takes each period's approved revision instead
(`models.collection.realisasi.approved_realisasi_of`: the values of a form as of its last approval; a form never
approved contributes nothing, as if nothing was entered). Otherwise (the chat, which reports only approved periods)
current revisions are taken, and a row any of whose values is not approved yet (its unit's form is draft,
submitted or returned) says so: `RecapRow.unapproved`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from sqlmodel import Session, select

from models.calc.capaian import CapaianResult, Target, YearTargets, aggregate, compute_capaian
from models.collection.forms import FormStatus
from models.collection.realisasi import PeriodValues, approved_values_of, current_values_of, form_statuses_of
from models.office.organisation import Unit
from models.plan.indicators import Frequency, Indicator, period_kind_of
from models.plan.periods import Period, PeriodKind, PeriodRef
from models.plan.pk import indicators_of
from models.plan.targets import load_plans, target_for


@dataclass
class RecapRow:
    indicator: Indicator
    unit_name: str
    target: Target
    realisasi: Decimal | None
    capaian: CapaianResult
    kendala: list[str] = field(default_factory=list)
    tindak_lanjut: list[str] = field(default_factory=list)
    plan: YearTargets | None = None  # the year's PK targets
    # the year's values by month (or triwulan number) up to the scope's end: a triwulan's recap knows no later month
    series: dict[int, Decimal] = field(default_factory=dict)
    unapproved: bool = False  # a value of the scope is not approved yet (its unit's form is not approved)


@dataclass
class Recap:
    scope: PeriodRef | int
    rows: list[RecapRow]
    # the PK's indicators above the rows that are not rows themselves (a quarterly sasaran above a month's
    # indicators), so the charts group each indicator under its own sasaran
    ancestors: tuple[Indicator, ...] = ()

    @property
    def last_numbers(self) -> tuple[int, int]:
        """The last month and triwulan the recap's scope reaches (`scope_end`)."""
        return scope_end(self.scope)


def scope_end(scope: PeriodRef | int) -> tuple[int, int]:
    """The last month and the last triwulan number a scope reaches (a month's triwulan only when the month ends
    it): a year 12 and 4, Triwulan I 3 and 1, February 2 and 0."""
    if isinstance(scope, int):
        return 12, 4
    if scope.kind is PeriodKind.MONTH:
        return scope.number, scope.number // 3
    return scope.months[-1], scope.number

    @property
    def year(self) -> int:
        return self.scope if isinstance(self.scope, int) else self.scope.year


def _stored_periods(session: Session, year: int) -> dict[tuple[PeriodKind, int], Period]:
    periods = session.exec(select(Period).where(Period.year == year)).all()
    return {(PeriodKind(p.kind), p.number): p for p in periods}


def _values_by_indicator(
    periods: list[Period], values: PeriodValues
) -> dict[int, dict[tuple[PeriodKind, int], Decimal]]:
    """Each indicator's value per period of the year, by (kind, number)."""
    by_indicator: dict[int, dict[tuple[PeriodKind, int], Decimal]] = defaultdict(dict)
    for period in periods:
        key = (PeriodKind(period.kind), period.number)  # one tuple per period, shared by its values
        for indicator_id, value in values.values.get(period.id, {}).items():
            by_indicator[indicator_id][key] = value
    return by_indicator


def _notes(entries: list[tuple[str, int]], indicator_id: int, values: PeriodValues, which: int,
           label: bool) -> list[str]:
    """The kendala (`which` 0) or tindak lanjut (1) of the entries (label, period id), prefixed by the period's
    label when the scope has several."""
    texts = []
    for name, period_id in entries:
        text = values.note(period_id, indicator_id)[which]
        if text:
            texts.append(f"{name}: {text}" if label else text)
    return texts


def indicators_in_scope(session: Session, scope: PeriodRef | int) -> list[Indicator]:
    """The indicators of the scope's PK (`models.plan.pk`); a month has only the monthly ones."""
    monthly = isinstance(scope, PeriodRef) and scope.kind is PeriodKind.MONTH
    return indicators_of(session, scope, frequency=Frequency.MONTHLY if monthly else None)


def compute_recap(session: Session, scope: PeriodRef | int, locale: str = "id", *,
                  approved_only: bool = False) -> Recap:
    year = scope if isinstance(scope, int) else scope.year
    stored = _stored_periods(session, year)
    period_ids = [period.id for period in stored.values()]
    read = (approved_values_of if approved_only else current_values_of)(session, period_ids)
    values = _values_by_indicator(list(stored.values()), read)
    statuses = {} if approved_only else form_statuses_of(session, period_ids)
    units = {unit.id: unit.name for unit in session.exec(select(Unit)).all()}
    indicators = indicators_in_scope(session, scope)
    plans = load_plans(session, [indicator.id for indicator in indicators], scope)
    labels = _labels(year, locale)
    last_month, last_quarter = scope_end(scope)  # the series stop there: no later month

    rows = []
    for indicator in indicators:
        rule = indicator.rule
        plan = plans[indicator.id]
        by_period = values.get(indicator.id, {})
        kind = period_kind_of(indicator.frequency)
        monthly = kind is PeriodKind.MONTH
        last = last_month if monthly else last_quarter
        if isinstance(scope, int):
            numbers = range(1, 13) if monthly else range(1, 5)
        elif scope.kind is PeriodKind.MONTH:
            numbers = [scope.number]
        else:
            numbers = scope.months if monthly else [scope.number]
        target = target_for(plan, rule, scope)
        present = [number for number in numbers if (kind, number) in by_period]  # in period order
        entries = [(labels[kind, number], stored[kind, number].id) for number in present]
        realisasi = aggregate([by_period[kind, number] for number in present], rule)
        several = len(numbers) > 1
        series = {number: value for (period_kind, number), value in sorted(by_period.items())
                  if period_kind is kind and number <= last}
        rows.append(RecapRow(
            indicator=indicator,
            unit_name=units.get(indicator.unit_id, ""),
            target=target,
            realisasi=realisasi,
            capaian=compute_capaian(realisasi, target, rule),
            kendala=_notes(entries, indicator.id, read, 0, several),
            tindak_lanjut=_notes(entries, indicator.id, read, 1, several),
            plan=plan,
            series=series,
            unapproved=any(statuses.get((indicator.unit_id, period_id)) is not FormStatus.APPROVED
                           for _, period_id in entries) if not approved_only else False,
        ))
    return Recap(scope=scope, rows=rows, ancestors=_ancestors(session, indicators))


def _ancestors(session: Session, indicators: list[Indicator]) -> tuple[Indicator, ...]:
    """The indicators above `indicators` in the PK (`parent_id`, up to the tujuan) that are not among them: one
    query per level missing, none when every parent is in the scope."""
    known = {indicator.id for indicator in indicators}
    found: list[Indicator] = []
    wanted = {i.parent_id for i in indicators if i.parent_id is not None} - known
    while wanted:
        parents = list(session.exec(select(Indicator).where(Indicator.id.in_(sorted(wanted)))))
        found += parents
        known |= {parent.id for parent in parents}
        wanted = {p.parent_id for p in parents if p.parent_id is not None} - known
    return tuple(found)


@lru_cache(maxsize=64)
def _labels(year: int, locale: str) -> dict[tuple[PeriodKind, int], str]:
    """Each period's name in the year (`PeriodRef.label`: Babel), worded once per process; read only."""
    return {(kind, number): PeriodRef(kind, year, number).label(locale)
            for kind, count in ((PeriodKind.MONTH, 12), (PeriodKind.QUARTER, 4)) for number in range(1, count + 1)}
