"""The charts follow the PK's hierarchy and the report's period.

Given the demo office's PK (models/demo/pk_dpmptsp_2026.csv: S.2 is a quarterly sasaran, P.2–P.5 monthly
programs under it, K.4 a quarterly kegiatan under P.4; SEK.1 and SEK.2 have no parent), when January's recap is
charted (the Kepala Dinas's monthly chart), then P.2–P.5 stand under S.2 although S.2 is not collected monthly,
and only SEK.1 is "Lainnya". When Triwulan I is reported while April's values are in already, its trends stop at
March (TW I) and its recap knows no April.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.collection.recap import compute_recap
from models.collection.workflow import enter_realisasi
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope
from reports.chart_data import bars_from_recap, trend_of_row
from reports.recap_album import AlbumTexts, sasaran_bars
from tests.conftest import office_moment

S2 = "S.2 Indeks Kepuasan Masyarakat (IKM) pelayanan perizinan"


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def period(session: Session, kind: PeriodKind, number: int) -> Period:
    made = Period(kind=kind, year=2026, number=number, status=PeriodStatus.OPEN)
    session.add(made)
    session.flush()
    return made


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The demo PK; P.2 = 90 in January to April, S.2 = 80 in TW I and TW II."""
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        p2, s2 = indicator(session, "P.2"), indicator(session, "S.2")
        for number in (1, 2, 3, 4):
            month = period(session, PeriodKind.MONTH, number)
            enter_realisasi(session, p2, month, Decimal(90), Actor.cli(), now=office_moment(date(2026, 5, 2), 9))
        for number in (1, 2):
            quarter = period(session, PeriodKind.QUARTER, number)
            enter_realisasi(session, s2, quarter, Decimal(80), Actor.cli(), now=office_moment(date(2026, 7, 2), 9))
    return engine


def test_a_months_indicators_stand_under_their_own_sasaran(office):
    with session_scope(office) as session:
        recap = compute_recap(session, PeriodRef(PeriodKind.MONTH, 2026, 1))
    groups = {bar.code: bar.group for bar in bars_from_recap(recap, "sasaran")}
    assert "S.2" not in groups  # a quarterly sasaran: not in a month's recap
    assert {code: groups[code] for code in ("P.2", "P.3", "P.4", "P.5")} == dict.fromkeys(
        ("P.2", "P.3", "P.4", "P.5"), S2)
    assert groups["P.1"].startswith("S.1 ") and groups["S.1"].startswith("S.1 ")
    assert [code for code, group in groups.items() if group == ""] == ["SEK.1"]  # no parent: "Lainnya"

    shown = [bar.code for bar in sasaran_bars(recap, AlbumTexts.of("id"), "Lainnya")]
    assert shown == ["S.1", "S.2", "Lainnya"]


def test_a_triwulans_report_shows_no_later_month(office):
    with session_scope(office) as session:
        recap = compute_recap(session, PeriodRef(PeriodKind.QUARTER, 2026, 1))
    rows = {row.indicator.code: row for row in recap.rows}
    assert rows["P.2"].series == {1: Decimal(90), 2: Decimal(90), 3: Decimal(90)}  # April is in, not shown
    assert rows["S.2"].series == {1: Decimal(80)}
    monthly = trend_of_row(rows["P.2"], recap)
    assert [point.label for point in monthly.points] == ["Jan", "Feb", "Mar"]
    assert [point.label for point in trend_of_row(rows["S.2"], recap).points] == ["TW I"]

    with session_scope(office) as session:
        year = compute_recap(session, 2026)
    assert len(trend_of_row(next(r for r in year.rows if r.indicator.code == "P.2"), year).points) == 12
