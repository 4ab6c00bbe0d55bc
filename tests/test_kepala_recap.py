"""The Kepala Dinas's report at regency scale: one album and one screen, whatever the office's size.

Given an office of 40 units with 30 monthly indicators each (built as `bench.recap` builds it), when the report
of the open month is worded for the Kepala Dinas, then it is one album of at most ten pictures, one recap message
within one screen carrying the disposition and per-unit buttons, and the Laporan DRAF as a PDF sent last; and
the wording reads the database only before anything is drawn.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from bench.recap import build_world
from handlers.drawn import LaterDocumentPart, parts_later
from handlers.kepala.notices import kepala_report
from handlers.kepala.views import recap_buttons
from handlers.measurement.notices import measurement_report
from handlers.recap_views import EVIDENCE_INLINE, RECAP_LIMIT, draw_recap, recap_text
from handlers.render import telegram_length
from models.measurement.cycle import MeasurementCycle, MeasurementStatus
from models.messaging.notices import KepalaReport, MeasurementReport
from models.office.organisation import Member
from models.plan.periods import Period, PeriodStatus
from models.store.database import create_db_engine, session_scope
from models.timing.schedule import ScheduleRules
from reports.letterhead import Letterhead
from reports.recap_album import MAX_PICTURES

NOW = datetime(2026, 4, 20, 9, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(scope="module")
def regency(tmp_path_factory: pytest.TempPathFactory):
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('regency') / 'sakip.db'}")
    build_world(engine, units=40, per_unit=30, months=3, seed=2026)
    yield engine
    engine.dispose()


def test_a_40_unit_report_is_one_album_and_one_screen(regency):
    with session_scope(regency) as session:
        period = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).one()
        read = kepala_report(session, Member(name="Ibu Kepala", language="id"), KepalaReport(period.id), NOW,
                             ScheduleRules(), letterhead=Letterhead())
    # the album does not grow with the office: a sasaran each, every unit, 40 of the 80 IKU, the 15 lowest
    assert len(read.album.sasaran) == 40 and len(read.album.units) == 40
    assert read.album.iku == 80 and len(read.album.trends) == 40
    assert len(read.album.lowest) == 15

    statements = []

    def count(*_args: object) -> None:
        statements.append(1)

    event.listen(regency, "before_cursor_execute", count)
    try:
        parts = parts_later(draw_recap(read))  # the PDF is not drawn yet: it is drawn when its turn comes
    finally:
        event.remove(regency, "before_cursor_execute", count)
    assert statements == []  # drawing reads nothing: no transaction (nor SQLite's write lock) while it draws

    albums = [part for part in parts if part.photos]
    messages = [part for part in parts if not part.photos]
    assert len(albums) == 1 and 5 <= len(albums[0].photos) <= MAX_PICTURES
    assert len(messages) == 2
    recap, pdf = messages
    assert telegram_length(recap.text) <= RECAP_LIMIT
    labels = [button.text for row in recap.buttons.inline_keyboard for button in row]
    assert labels == ["✅ Setuju", "📝 Beri arahan", "🏢 Rincian per unit"]
    assert "Tercapai:" in recap.text and re.search(r"Terlambat: .* dan \d+ unit lainnya", recap.text)
    assert isinstance(pdf, LaterDocumentPart) and pdf.document is None


def test_a_40_unit_measurement_report_is_read_then_drawn_without_the_database(regency):
    with session_scope(regency) as session:
        cycle = MeasurementCycle(year=2026, quarter=1, status=MeasurementStatus.REPORTED, analysis="A" * 3000,
                                 rencana_aksi="R" * 3000, ready_at=NOW, submitted_at=NOW, approved_at=NOW,
                                 reported_at=NOW)
        session.add(cycle)
        session.flush()
        read = measurement_report(session, Member(name="Ibu Kepala", language="id"),
                                  MeasurementReport(cycle.id, cycle.version), NOW, ScheduleRules(),
                                  letterhead=Letterhead())
        session.rollback()  # the regency stays without a measurement for the other tests
    assert len(read.album.sasaran) == 40 and not read.album.units and len(read.album.trends) == 40

    statements = []

    def count(*_args: object) -> None:
        statements.append(1)

    event.listen(regency, "before_cursor_execute", count)
    try:
        parts = parts_later(draw_recap(read))
    finally:
        event.remove(regency, "before_cursor_execute", count)
    assert statements == []  # drawn from plain data: no transaction while it draws
    albums = [part for part in parts if part.photos]
    recap, pdf = [part for part in parts if not part.photos]
    assert len(albums) == 1 and 4 <= len(albums[0].photos) <= MAX_PICTURES
    assert telegram_length(recap.text) <= RECAP_LIMIT and "A" * 150 in recap.text and "A" * 250 not in recap.text
    labels = [button.text for row in recap.buttons.inline_keyboard for button in row]
    assert labels == ["✅ Setuju", "📝 Beri arahan"]
    assert isinstance(pdf, LaterDocumentPart) and pdf.document is None


def test_a_few_evidence_buttons_stay_under_the_recap_and_many_go_behind_the_unit_detail():
    evidence = [[(f"📎 Bukti Bidang {n} (1)", f"bk|{n}")] for n in range(1, 6)]
    few = recap_buttons(7, evidence[:EVIDENCE_INLINE], "id")
    assert few[1] == [("🏢 Rincian per unit", "kd.unit|7")] and few[2:] == evidence[:EVIDENCE_INLINE]
    many = recap_buttons(7, evidence, "id")
    assert len(many) == 2  # Setuju / Beri arahan, and Rincian per unit, which lists them all


def test_the_recap_keeps_to_one_screen_however_long_the_names():
    lines = ["x" * 300] * 4
    hint = "📄 Rincian lengkap menyusul sebagai PDF."

    def recap(count: int) -> str:
        return recap_text(["\n".join(["<b>Rekap capaian Maret 2026</b>", *lines[:count]])], "y" * 600, hint)

    text = recap(2)
    assert "y" * 600 in text and text.endswith(hint) and telegram_length(text) <= RECAP_LIMIT
    text = recap(4)
    assert "y" * 600 not in text and text.endswith(hint) and telegram_length(text) <= RECAP_LIMIT  # the clock goes
    lines *= 2
    text = recap(8)
    assert text.endswith("\n…\n\n" + hint) and telegram_length(text) <= RECAP_LIMIT  # then whole lines, not the hint
    assert text.startswith("<b>Rekap capaian Maret 2026</b>\n" + "x" * 300)
