"""The recap's queries do not grow with the office.

Given a small synthetic office (the recap benchmark's: each unit with monthly indicators, three months of filled
forms, the last month's forms in every state, some returned with arahan), when the last month's progress and the
month's, triwulan's and year's recaps are read for 2 units and for 6 units, then the same number of SQL
statements is issued for both, and each unit's progress counts what its form shows (`form_items`); a unit
without a form, or with a draft and no value, has not started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from bench.recap import YEAR, build_world
from models.calc.capaian import Aggregation, Polarity
from models.collection.form_filling import form_items, unit_indicators
from models.collection.forms import FormStatus, UnitForm
from models.collection.progress import NOT_STARTED, period_progress
from models.collection.recap import compute_recap
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodRef, default_deadline
from models.store.database import create_db_engine

MONTHS = 3
LAST = PeriodRef(PeriodKind.MONTH, YEAR, MONTHS)


@contextmanager
def office(tmp_path: Path, units: int) -> Iterator[sa.Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / f'office-{units}.db'}")
    try:
        build_world(engine, units=units, per_unit=4, months=MONTHS, seed=7)
        yield engine
    finally:
        engine.dispose()


def statements(engine: sa.Engine, read: Callable[[Session], object]) -> int:
    """The SQL statements `read` issues in a fresh session."""
    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    with Session(engine) as session:
        sa.event.listen(engine, "before_cursor_execute", counted)
        try:
            read(session)
        finally:
            sa.event.remove(engine, "before_cursor_execute", counted)
    return count[0]


def last_month(session: Session) -> Period:
    return session.exec(select(Period).where(Period.kind == LAST.kind, Period.year == LAST.year,
                                             Period.number == LAST.number)).one()


def progress(session: Session) -> object:
    return period_progress(session, last_month(session), default_deadline(LAST) + timedelta(days=3))


READS = {
    "period_progress": progress,
    "recap month": lambda session: compute_recap(session, LAST),
    "recap triwulan": lambda session: compute_recap(session, PeriodRef(PeriodKind.QUARTER, YEAR, LAST.quarter)),
    "recap year": lambda session: compute_recap(session, YEAR),
}


def test_statements_of_the_progress_and_the_recaps_do_not_grow_with_the_units(tmp_path: Path) -> None:
    counts = {}
    for units in (2, 6):
        with office(tmp_path, units) as engine:
            counts[units] = {name: statements(engine, read) for name, read in READS.items()}
    assert counts[6] == counts[2], counts
    assert counts[2]["period_progress"] <= 6, counts  # BEGIN, the period, indicators, units, forms, values


def unit_with_one_indicator(session: Session, name: str) -> Unit:
    unit = Unit(name=name, kind=UnitKind.BIDANG)
    session.add(unit)
    session.flush()
    indicator = Indicator(code=f"K.{unit.id}", name="Jumlah dokumen", level=IndicatorLevel.KEGIATAN,
                          kind=IndicatorKind.OTHER, satuan="dokumen", polarity=Polarity.POSITIVE,
                          aggregation=Aggregation.CUMULATIVE, unit_id=unit.id, frequency=Frequency.MONTHLY)
    session.add(indicator)
    session.flush()
    session.add(IndicatorTarget(indicator_id=indicator.id, year=YEAR, annual=Decimal(12)))  # in the year's PK
    return unit


def test_each_units_progress_counts_what_its_form_shows(tmp_path: Path) -> None:
    with office(tmp_path, 6) as engine, Session(engine) as session:
        period = last_month(session)
        unit_with_one_indicator(session, "Bidang Tanpa Formulir")  # not started: no form at all
        empty = unit_with_one_indicator(session, "Bidang Draf Kosong")  # not started: a draft without values
        session.add(UnitForm(unit_id=empty.id, period_id=period.id, status=FormStatus.DRAFT))
        session.flush()
        rows = period_progress(session, period, default_deadline(LAST) + timedelta(days=3))
        assert len(rows) == 8
        assert {(row.unit.name, row.status, row.answered, row.total) for row in rows if row.total == 1} == {
            ("Bidang Tanpa Formulir", NOT_STARTED, 0, 1), ("Bidang Draf Kosong", NOT_STARTED, 0, 1)}
        assert [row.unit.name for row in rows] == sorted(row.unit.name for row in rows)
        for row in rows:
            form = session.exec(select(UnitForm).where(UnitForm.unit_id == row.unit.id,
                                                       UnitForm.period_id == period.id)).first()
            items = form_items(session, form) if form else []
            answered = sum(1 for item in items if item.current is not None)
            status = FormStatus(form.status).value if form else NOT_STARTED
            assert row.form is form
            assert (row.answered, row.total) == (answered, len(unit_indicators(session, row.unit.id, period)))
            assert row.status == (NOT_STARTED if status == FormStatus.DRAFT.value and answered == 0 else status)
