"""Pengukuran Kinerja of a triwulan (SOP procedure B), read like the LKjIP's analysis.

Given the demo PK and the demo Triwulan I realisasi, when the Tim SAKIP measures a triwulan, then each
indicator's capaian comes from its monthly values with its own aggregation, is compared with the previous
triwulan, the same triwulan last year and the annual target, and is summarised per tujuan, sasaran, program and
kegiatan; and the measurement starts by itself once every period of the triwulan is archived.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from handlers.measurement.views import row_block
from models.calc.clock import system_clock
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.measurement.cycle import (
    MeasurementCycle,
    MeasurementStatus,
    due_measurement,
    quarter_archived,
    start_measurement,
    start_when_quarter_archived,
)
from models.measurement.results import measure_quarter
from models.office.audit import Actor
from models.plan.indicators import Indicator, IndicatorLevel, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope
from tests.conftest import office_moment

TW1, TW2 = PeriodRef(PeriodKind.QUARTER, 2026, 1), PeriodRef(PeriodKind.QUARTER, 2026, 2)


@pytest.fixture
def recorded(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    with session_scope(engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 11, 24)))
    return engine


def realisasi_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "realisasi.csv"
    path.write_text("kode;periode;realisasi;catatan;kendala;tindak_lanjut\n" + "\n".join(lines) + "\n")
    return path


def by_code(engine: Engine, ref: PeriodRef):
    with session_scope(engine) as session:
        measurement = measure_quarter(session, ref)
    return measurement, {item.row.indicator.code: item for item in measurement.rows}


def test_triwulan_capaian_with_progress_to_the_annual_target(recorded):
    measurement, rows = by_code(recorded, TW1)
    s1 = rows["S.1"]  # cumulative: 114,75 M of the TW target 120 M, of the year's 600 M
    assert s1.row.capaian.rounded == Decimal("95.63")
    assert s1.year_realisasi == Decimal("114750000000") and s1.year_progress.rounded == Decimal("19.13")
    assert s1.previous.value is None and s1.last_year.value is None  # no TW IV 2025, no 2026's year before
    assert rows["K.1"].row.capaian.rounded == Decimal("50.00") and rows["K.1"].year_progress.rounded == Decimal(
        "12.50")  # quarterly, cumulative: 1 of 8 kegiatan in the year
    path = s1.year_path  # TW I is 120 M of the year's 600 M: 19,13% of the year is 95,63% of its path
    assert (path.share, path.path.rounded, path.rating.value) == (Decimal(20), Decimal("95.63"), "sangat_tinggi")
    assert rows["K.1"].year_path.path.rounded == Decimal("50.00")  # 1 of TW I's 2: behind its path too
    assert "Capaian tahunan s.d. Triwulan I 2026: 19,13% dari target setahun (sesuai jalur: 20,00%) 🟢" in \
        row_block(s1, TW1, "id")
    assert "Annual progress to Quarter I 2026: 12.50% of the year's target (on track: 25.00%) 🔴" in \
        row_block(rows["K.1"], TW1, "en")
    levels = {level.level: level for level in measurement.levels}
    assert [level.level for level in measurement.levels] == [IndicatorLevel.TUJUAN, IndicatorLevel.SASARAN,
                                                              IndicatorLevel.PROGRAM, IndicatorLevel.KEGIATAN]
    assert (levels[IndicatorLevel.SASARAN].indicators, levels[IndicatorLevel.SASARAN].tercapai) == (2, 1)
    assert levels[IndicatorLevel.SASARAN].average == Decimal("98.54")  # (95,625 + 101,456) ÷ 2
    assert (levels[IndicatorLevel.KEGIATAN].measured, levels[IndicatorLevel.KEGIATAN].tercapai) == (4, 2)


def test_a_later_triwulan_is_compared_with_the_previous_one_and_last_year(recorded, tmp_path):
    with session_scope(recorded) as session:
        s1 = session.exec(select(Indicator).where(Indicator.code == "S.1")).one()
        session.add(IndicatorTarget(indicator_id=s1.id, year=2025, annual=Decimal(480e9), tw1=Decimal(100e9),
                                    tw2=Decimal(120e9), tw3=Decimal(120e9), tw4=Decimal(140e9)))
    with session_scope(recorded) as session:
        import_realisasi(session, realisasi_file(tmp_path, [
            "S.1;2026-04;50.000.000.000;;;", "S.1;2026-05;50.000.000.000;;;", "S.1;2026-06;50.000.000.000;;;",
            "S.1;2025-04;40.000.000.000;;;", "S.1;2025-05;40.000.000.000;;;", "S.1;2025-06;40.000.000.000;;;",
        ]), Actor.cli(), office_moment(date(2026, 11, 24)))
    _, rows = by_code(recorded, TW2)
    s1 = rows["S.1"]
    assert s1.row.capaian.rounded == Decimal("100.00")  # 150 M of 150 M
    assert s1.previous.rounded == Decimal("95.63")  # Triwulan I
    assert s1.last_year.rounded == Decimal("100.00")  # 120 M of 120 M in Triwulan II 2025
    assert s1.year_progress.rounded == Decimal("44.13")  # (114,75 M + 150 M) ÷ 600 M
    assert rows["K.1"].row.capaian.value is None  # no TW II value: counted, not measured


def test_the_measurement_starts_when_the_whole_triwulan_is_archived(recorded):
    with session_scope(recorded) as session:
        assert not quarter_archived(session, TW1)
        periods = session.exec(select(Period).where(Period.year == 2026)).all()
        assert {p.code for p in periods} == {"2026-01", "2026-02", "2026-03", "2026-TW1"}
        for period in periods:
            if period.code != "2026-TW1":
                period.status = PeriodStatus.ARCHIVED
                session.add(period)
        session.flush()
        march = next(p for p in periods if p.code == "2026-03")
        assert start_when_quarter_archived(session, march, Actor("test"),
                                           now=system_clock()) is None  # the TW's own data is open
        tw1 = next(p for p in periods if p.code == "2026-TW1")
        tw1.status = PeriodStatus.ARCHIVED
        session.add(tw1)
        session.flush()
        cycle = start_when_quarter_archived(session, tw1, Actor("test"), now=system_clock())
        assert cycle is not None and MeasurementStatus(cycle.status) is MeasurementStatus.DRAFT
        assert start_when_quarter_archived(session, tw1, Actor("test"), now=system_clock()) is None  # once
        assert len(session.exec(select(MeasurementCycle)).all()) == 1


def test_the_triwulan_due_is_the_oldest_started_or_ready_else_what_it_waits_for(recorded):
    today = date(2026, 11, 24)
    with session_scope(recorded) as session:
        due = due_measurement(session, today)  # Triwulan I collected, nothing archived yet
        assert due.quarter is None and due.waiting == TW1
        assert PeriodStatus.DRAFT not in {part.status for part in due.missing}  # opened (by the import)
        assert [part.ref.code for part in due.missing] == ["2026-01", "2026-02", "2026-03", "2026-TW1"]
        for period in session.exec(select(Period).where(Period.year == 2026)):
            period.status = PeriodStatus.ARCHIVED
            session.add(period)
        session.flush()
        due = due_measurement(session, today)
        assert (due.quarter, due.cycle) == (TW1, None)  # ready, to be started
        cycle = start_measurement(session, TW1, Actor("test"), now=system_clock())
        assert due_measurement(session, today).cycle is cycle
        cycle.status = MeasurementStatus.ARCHIVED
        session.add(cycle)
        session.flush()
        due = due_measurement(session, today)  # then the last ended triwulan, with no period opened yet
        assert due.quarter is None and due.waiting == PeriodRef(PeriodKind.QUARTER, 2026, 3)
        assert {part.status for part in due.missing} == {PeriodStatus.DRAFT} and len(due.missing) == 4
        session.add(MeasurementCycle(year=2026, quarter=3, status=MeasurementStatus.ARCHIVED))
        session.flush()
        due = due_measurement(session, today)
        assert (due.quarter, due.waiting, due.done) == (None, None, PeriodRef(PeriodKind.QUARTER, 2026, 3))
