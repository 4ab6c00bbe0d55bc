"""The recap read as columns gives exactly what the ORM path gave.

`compute_recap` reads each period's realisasi as plain columns (`PeriodValues`, a Core select) and the PK's
membership with only the target rows' dates; the progress reads the indicators' ids by unit as columns. The
functions below are the ORM path they replaced, kept here as the reference.

Given varied offices made from a seed (positive, negative 2T-R and T/R and range polarities, every aggregation,
monthly and quarterly indicators, missing targets and bounds, monthly targets, a PK Perubahan that re-targets or
drops indicators mid-year, an inactive indicator, months and triwulan without a stored period, missing values,
up to three revisions with kendala and tindak lanjut, forms in every state approved before, between or after the
revisions), when every month's, triwulan's and the year's recap is read, current and approved-only, then every
row equals the reference's (its indicator, unit, target, realisasi, capaian, notes, plan, series and whether it
is unapproved, compared by their exact text), in the same order; and each period's indicators by unit are those
the reference's `indicators_of` gives.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.calc.capaian import Aggregation, NegativeFormula, Polarity, aggregate, compute_capaian
from models.collection.forms import FormStatus, UnitForm
from models.collection.progress import _period_indicators
from models.collection.realisasi import (
    Realisasi,
    approved_realisasi_of,
    current_realisasi_of,
    form_statuses_of,
)
from models.collection.recap import Recap, RecapRow, compute_recap, scope_end
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import (
    Frequency,
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    IndicatorTarget,
    MonthlyTarget,
    frequency_of,
    indicator_order,
    period_kind_of,
)
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import version_for, year_of
from models.plan.targets import load_plans, target_for
from models.store.database import session_scope

YEAR = 2026
SEEDS = range(4)
PERUBAHAN = date(YEAR, 7, 1)
SCOPES = ([PeriodRef(PeriodKind.MONTH, YEAR, month) for month in range(1, 13)]
          + [PeriodRef(PeriodKind.QUARTER, YEAR, quarter) for quarter in range(1, 5)] + [YEAR])


# -- the reference: the ORM path the column reads replaced ------------------------------------------------------
def reference_indicators_of(session: Session, scope: PeriodRef | int,
                            frequency: Frequency | None = None) -> list[Indicator]:
    query = (select(Indicator, IndicatorTarget).join(IndicatorTarget, IndicatorTarget.indicator_id == Indicator.id)
             .where(IndicatorTarget.year == year_of(scope), Indicator.active == True)  # noqa: E712
             .order_by(IndicatorTarget.valid_from))
    if frequency is not None:
        query = query.where(Indicator.frequency == frequency)
    indicators: dict[int, Indicator] = {}
    versions: dict[int, list[IndicatorTarget]] = defaultdict(list)
    for indicator, row in session.exec(query):
        indicators[indicator.id] = indicator
        versions[indicator.id].append(row)
    return sorted((indicator for indicator in indicators.values()
                   if version_for(versions[indicator.id], scope) is not None), key=indicator_order)


def reference_recap(session: Session, scope: PeriodRef | int, approved_only: bool) -> Recap:
    year = year_of(scope)
    stored = {(PeriodKind(p.kind), p.number): p for p in session.exec(select(Period).where(Period.year == year))}
    revisions = approved_realisasi_of if approved_only else current_realisasi_of
    current = revisions(session, [period.id for period in stored.values()])
    values: dict[int, dict[tuple[PeriodKind, int], Realisasi]] = defaultdict(dict)
    for period in stored.values():
        for indicator_id, row in current.get(period.id, {}).items():
            values[indicator_id][(PeriodKind(period.kind), period.number)] = row
    statuses = {} if approved_only else form_statuses_of(session, [period.id for period in stored.values()])
    units = {unit.id: unit.name for unit in session.exec(select(Unit)).all()}
    monthly = isinstance(scope, PeriodRef) and scope.kind is PeriodKind.MONTH
    indicators = reference_indicators_of(session, scope, Frequency.MONTHLY if monthly else None)
    plans = load_plans(session, [indicator.id for indicator in indicators], scope)
    rows = []
    last_month, last_quarter = scope_end(scope)  # the series stops at the scope's end
    for indicator in indicators:
        rule, plan = indicator.rule, plans[indicator.id]
        by_period = values.get(indicator.id, {})
        kind = period_kind_of(indicator.frequency)
        if isinstance(scope, int):
            numbers = range(1, 13) if kind is PeriodKind.MONTH else range(1, 5)
        elif scope.kind is PeriodKind.MONTH:
            numbers = [scope.number]
        else:
            numbers = scope.months if kind is PeriodKind.MONTH else [scope.number]
        target = target_for(plan, rule, scope)
        entries = [(PeriodRef(kind, year, number).label("id"), by_period[kind, number]) for number in numbers
                   if (kind, number) in by_period]
        realisasi = aggregate([row.value for _, row in entries], rule)
        several = len(numbers) > 1

        def notes(attribute: str, entries: list = entries, several: bool = several) -> list[str]:
            return [f"{name}: {getattr(row, attribute)}" if several else getattr(row, attribute)
                    for name, row in entries if getattr(row, attribute)]

        rows.append(RecapRow(
            indicator=indicator, unit_name=units.get(indicator.unit_id, ""), target=target, realisasi=realisasi,
            capaian=compute_capaian(realisasi, target, rule), kendala=notes("kendala"),
            tindak_lanjut=notes("tindak_lanjut"), plan=plan,
            series={number: row.value for (period_kind, number), row in sorted(by_period.items())
                    if period_kind is kind
                    and number <= (last_month if kind is PeriodKind.MONTH else last_quarter)},
            unapproved=any(statuses.get((indicator.unit_id, row.period_id)) is not FormStatus.APPROVED
                           for _, row in entries) if not approved_only else False))
    return Recap(scope=scope, rows=rows)


# -- a varied office --------------------------------------------------------------------------------------------
def _number(rng: random.Random, decimals: int, low: int = 0, high: int = 200) -> Decimal:
    return Decimal(rng.randint(low * 10**decimals, high * 10**decimals)).scaleb(-decimals)


def _maybe(rng: random.Random, value: Decimal, missing: float = 0.15) -> Decimal | None:
    return None if rng.random() < missing else value


def _line(rng: random.Random, indicator: Indicator, **extra: object) -> IndicatorTarget:
    decimals = indicator.decimals
    if Polarity(indicator.polarity) is Polarity.RANGE:
        low = _number(rng, decimals, 10, 80)
        return IndicatorTarget(indicator_id=indicator.id, year=YEAR, target_min=_maybe(rng, low),
                               target_max=_maybe(rng, low + _number(rng, decimals, 0, 20)), **extra)
    quarters = {f"tw{q}": _maybe(rng, _number(rng, decimals, 0, 120)) for q in range(1, 5)}
    return IndicatorTarget(indicator_id=indicator.id, year=YEAR, annual=_maybe(rng, _number(rng, decimals, 0, 400)),
                           **quarters, **extra)


def varied_office(session: Session, seed: int) -> None:
    rng = random.Random(seed)
    office = Unit(name="Dinas", kind=UnitKind.OFFICE)
    session.add(office)
    session.flush()
    indicators: list[Indicator] = []
    for number in range(1, rng.randint(2, 4) + 1):
        unit = Unit(name=f"Bidang {number}", kind=UnitKind.BIDANG, parent_id=office.id)
        session.add(unit)
        session.flush()
        for index in range(rng.randint(3, 8)):
            polarity = rng.choice(list(Polarity))
            indicator = Indicator(
                code=f"K.{number}.{index}", name=f"Indikator {number}.{index}", level=rng.choice(list(IndicatorLevel)),
                kind=IndicatorKind.OTHER, satuan=rng.choice(("%", "dokumen", "hari", "Rp")), polarity=polarity,
                negative_formula=rng.choice(list(NegativeFormula)), aggregation=rng.choice(list(Aggregation)),
                decimals=rng.choice((0, 1, 2)), unit_id=unit.id,
                frequency=Frequency.MONTHLY if rng.random() < 0.7 else Frequency.QUARTERLY,
                active=rng.random() > 0.05)
            session.add(indicator)
            session.flush()
            indicators.append(indicator)
            if rng.random() < 0.05:
                continue  # in no PK of the year
            session.add(_line(rng, indicator))
            change = rng.random()
            if change < 0.15:  # a PK Perubahan re-targets it
                session.add(_line(rng, indicator, valid_from=PERUBAHAN))
            elif change < 0.25:  # a PK Perubahan drops it
                session.add(IndicatorTarget(indicator_id=indicator.id, year=YEAR, valid_from=PERUBAHAN, dropped=True))
            if Frequency(indicator.frequency) is Frequency.MONTHLY and rng.random() < 0.3:
                for month in rng.sample(range(1, 13), rng.randint(1, 12)):
                    session.add(MonthlyTarget(indicator_id=indicator.id, year=YEAR, month=month,
                                              value=_number(rng, indicator.decimals, 0, 60)))
    session.flush()
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    for kind, count in ((PeriodKind.MONTH, 12), (PeriodKind.QUARTER, 4)):
        for number in range(1, count + 1):
            if rng.random() < 0.1:
                continue  # never opened
            period = Period(kind=kind, year=YEAR, number=number, status=PeriodStatus.ARCHIVED)
            session.add(period)
            session.flush()
            moment = start + timedelta(days=31 * number)
            entered: dict[int, list[datetime]] = defaultdict(list)
            for indicator in indicators:
                if period_kind_of(indicator.frequency) is not kind or rng.random() < 0.15:
                    continue  # no value this period
                for revision in range(1, rng.choice((1, 1, 1, 2, 3)) + 1):
                    at = moment + timedelta(hours=revision * 3 + rng.randint(0, 2))
                    entered[indicator.unit_id].append(at)
                    session.add(Realisasi(
                        indicator_id=indicator.id, period_id=period.id, revision=revision, entered_at=at,
                        value=_number(rng, indicator.decimals, -5 if rng.random() < 0.05 else 0, 150),
                        kendala=rng.choice((None, None, "", f"Kendala {revision}")),
                        tindak_lanjut=rng.choice((None, None, f"Tindak lanjut {revision}"))))
            for unit_id, moments in entered.items():
                status = rng.choice(list(FormStatus))
                approved = rng.choice((None, min(moments) + timedelta(hours=1), max(moments) + timedelta(hours=1)))
                session.add(UnitForm(unit_id=unit_id, period_id=period.id, status=status,
                                     approved_at=approved if status is FormStatus.APPROVED or rng.random() < 0.5
                                     else None))
    session.flush()


def exact(row: RecapRow) -> tuple:
    """Every field of a row, as text: equal numbers of another exponent (85.3 and 85.30) differ."""
    return (row.indicator.id, row.indicator.code, row.unit_name, repr(row.target), repr(row.realisasi),
            repr(row.capaian), row.kendala, row.tindak_lanjut, repr(row.plan), repr(row.series), row.unapproved)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_column_recap_equals_the_orm_recap(engine: Engine, seed: int) -> None:
    with session_scope(engine) as session:
        varied_office(session, seed)
    checked = 0
    with session_scope(engine) as session:
        for scope in SCOPES:
            for approved_only in (False, True):
                new = compute_recap(session, scope, approved_only=approved_only)
                old = reference_recap(session, scope, approved_only)
                assert new.scope == old.scope
                assert [exact(row) for row in new.rows] == [exact(row) for row in old.rows], (scope, approved_only)
                checked += len(new.rows)
        for period in session.exec(select(Period)):
            reference: dict[int, set[int]] = defaultdict(set)
            for indicator in reference_indicators_of(session, period.ref, frequency_of(period.kind)):
                reference[indicator.unit_id].add(indicator.id)
            assert {unit: set(ids) for unit, ids in _period_indicators(session, period).items()} == reference
    assert checked > 100  # the office is not empty


def test_the_varied_office_has_what_the_comparison_needs(engine: Engine) -> None:
    """The seeds make every case the comparison is about: without them an equal recap proves little."""
    with session_scope(engine) as session:
        varied_office(session, SEEDS[0])
        recap = compute_recap(session, YEAR)
        approved = compute_recap(session, YEAR, approved_only=True)
        revised = session.exec(select(Realisasi).where(Realisasi.revision > 1)).all()
        polarities = {Polarity(row.indicator.polarity) for row in recap.rows}
        rules = {row.capaian.rule for row in recap.rows}
        missing = [row for scope in SCOPES for row in compute_recap(session, scope).rows if row.realisasi is None]
    assert polarities == set(Polarity)
    assert revised and any(row.kendala for row in recap.rows) and any(row.unapproved for row in recap.rows)
    assert missing
    assert len(rules) >= 4, rules
    assert [row.realisasi for row in recap.rows] != [row.realisasi for row in approved.rows]
