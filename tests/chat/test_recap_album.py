"""/rekap and the measurement report to the Kepala Dinas at regency scale: one album and one screen.

Given the demo office with 40 more units (built as `bench.recap` builds them, 5 monthly indicators each), when the
Tim SAKIP asks for /rekap, then one album of at most ten pictures arrives and one message within one screen with
the per-unit detail's button (which gives every unit's line on request), in the member's language, its words
from the catalogue; while it is drawn (held under way), ten staff members typing /isi are answered (the recap is
read in a transaction that ends before anything is drawn: on SQLite no write lock is held meanwhile). When the
Sekretaris reports the triwulan's measurement, the Kepala Dinas gets one album, one message with the disposition
buttons (the Tim's long analysis cut to a preview) and the Laporan DRAF as a PDF: nothing else.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from bench.recap import add_units
from handlers import recap_views
from handlers.callbacks import Button, pack
from handlers.recap_views import RECAP_LIMIT
from handlers.render import telegram_length
from i18n import t
from models.measurement.cycle import MeasurementCycle, MeasurementStatus
from models.messaging.notices import MeasurementReport
from models.messaging.outbox import enqueue
from models.office.organisation import Member, Unit
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope
from reports.recap_album import MAX_PICTURES
from tests.chat.conftest import DRAWING, World, has_button, month
from tests.chat.test_kepala_drawing import STAFF, HeldDrawing, assert_answered_while_drawing

KEPALA, TIM = 102, 104
ANALYSIS = "Capaian perizinan tertinggal karena sistem OSS sempat terganggu. " * 30  # ~2000 characters


def plain(text: str) -> str:
    """A catalogue text as the chat shows it (its HTML tags become entities)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def forty_units(world: World, months: int) -> list[str]:
    """40 more units with `months` months of 2026 filled (the last one open); their names."""
    with session_scope(world.engine) as session:
        office = session.exec(select(Unit).where(Unit.parent_id == None)).one()  # noqa: E711  (SQL)
        add_units(session, office, units=40, per_unit=5, months=months, seed=2026, first=101)
        return [unit.name for unit in session.exec(select(Unit).where(Unit.name.like("% 1__")))]


def speaks(world: World, telegram_id: int, language: str) -> Member:
    with session_scope(world.engine) as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
        member.language = language
        session.add(member)
        return member


def labels(message: dict) -> list[str]:
    return [button["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for button in row]


@pytest.mark.parametrize("language, command", [("id", "/rekap februari"), ("en", "/recap february")])
async def test_a_40_unit_recap_is_one_album_and_one_message_with_the_unit_detail_on_request(
        world: World, language: str, command: str):
    emu = world.emu
    names = forty_units(world, months=2)
    assert len(names) == 40
    speaks(world, TIM, language)
    label = month(2026, 2).label(language)
    header = plain(t("recap.header", language, period=label))
    before = len(emu.sent_by_bot(TIM))
    await emu.user(TIM).send_text(command)
    recap = await emu.wait_for_bot_message(TIM, lambda m: (m.get("text") or "").startswith(header), timeout=DRAWING)

    sent = emu.sent_by_bot(TIM)[before:]
    album = [m for m in sent if "photo" in m]
    assert sent == [*album, recap]  # one album, one message: nothing else
    assert 5 <= len(album) <= MAX_PICTURES and len({m["media_group_id"] for m in album}) == 1
    assert album[0]["caption"] == header
    assert telegram_length(recap["text"]) <= RECAP_LIMIT
    assert recap["text"].endswith(plain(t("recap.detail_hint", language, code="2026-02")))
    assert plain(t("mutu_baku.header", language)) in recap["text"]  # the SOP clock fits beside the counts
    assert labels(recap) == [t("kepala.units_button", language)]

    with world.session() as session:
        february = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).one()
    since = emu.mark()
    await emu.user(TIM).press(recap, pack(Button.KEPALA_UNITS, february.id))
    units_header = plain(t("kepala.units_header", language, period=label))
    await emu.wait_for_bot_message(TIM, lambda m: (m.get("text") or "").startswith(units_header), since=since)

    def detail() -> str | None:
        text = "\n".join(m.get("text") or "" for m in emu.sent_by_bot(TIM)[len(sent) + before:])
        return text if all(name in text for name in names) else None

    assert await emu._wait_until(detail, 10)  # every unit's line, split in messages as long as it needs


async def test_ten_members_are_answered_while_a_40_unit_recap_is_drawn(world: World, monkeypatch):
    if world.engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's write lock (PostgreSQL's readers take none); the recap's shape is checked on "
                    "both above")
    emu = world.emu
    forty_units(world, months=2)
    for telegram_id in STAFF:
        emu.user(telegram_id, f"Staf {telegram_id}")
    drawing = HeldDrawing(recap_views.draw_recap)
    monkeypatch.setattr(recap_views, "draw_recap", drawing)
    await emu.user(TIM).send_text("/rekap februari")
    await assert_answered_while_drawing(emu, drawing)
    recap = await emu.wait_for_bot_message(TIM, lambda m: "Rekap capaian" in (m.get("text") or ""), timeout=DRAWING)
    assert has_button(recap, "🏢 Rincian per unit")


@pytest.mark.parametrize("language", ["id", "en"])
async def test_a_40_unit_measurement_report_is_one_album_one_message_and_the_pdf(world: World, language: str):
    emu = world.emu
    forty_units(world, months=3)  # Triwulan I
    kepala = speaks(world, KEPALA, language)
    quarter = PeriodRef(PeriodKind.QUARTER, 2026, 1)
    with session_scope(world.engine) as session:
        cycle = MeasurementCycle(year=2026, quarter=1, status=MeasurementStatus.REPORTED, version=5,
                                 analysis=ANALYSIS, rencana_aksi="Pendampingan OSS tiap pekan.",
                                 ready_at=world.clock.now, submitted_at=world.clock.now,
                                 approved_at=world.clock.now, reported_at=world.clock.now)
        session.add(cycle)
        session.flush()
        enqueue(session, kepala.id, MeasurementReport(cycle.id, cycle.version), f"measurement_report:{cycle.id}")
    before = len(emu.sent_by_bot(KEPALA))
    world.application.bot_data.wake()

    period = quarter.label(language)
    agree, arahan = t("notify.agree_button", language), t("notify.arahan_button", language)
    recap = await emu.wait_for_bot_message(KEPALA, lambda m: has_button(m, agree), timeout=DRAWING)
    pdf = await emu.wait_for_bot_message(KEPALA, lambda m: "document" in m, timeout=4 * DRAWING)
    sent = emu.sent_by_bot(KEPALA)[before:]
    album = [m for m in sent if "photo" in m]
    assert sent == [*album, recap, pdf]  # one album, one message with the buttons, the PDF: nothing else
    assert 4 <= len(album) <= MAX_PICTURES and len({m["media_group_id"] for m in album}) == 1
    assert album[0]["caption"] == plain(t("measurement.header", language, period=period,
                                          status=t("measurement.status_reported", language)))

    text = recap["text"]
    assert telegram_length(text) <= RECAP_LIMIT and labels(recap) == [agree, arahan]
    assert text.startswith(plain(t("measurement.notify_report", language, period=period)) + "\n")
    assert plain(t("measurement.levels_header", language)) in text
    assert ANALYSIS[:100] in text and ANALYSIS.strip() not in text  # a preview: whole in the PDF
    assert text.endswith(plain(t("measurement.detail_hint", language)))
    assert pdf["document"]["file_name"] == "laporan-pengukuran-2026-TW1.pdf"
    assert pdf["caption"] == plain(t("measurement.pdf_caption", language, period=period))
