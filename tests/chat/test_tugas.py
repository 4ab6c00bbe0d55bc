"""/tugas (/inbox): what waits for each role, with a button to the card to act on; and /status when nothing is open.

Given Oktober 2026 open (due 10 November) on Tuesday 24 November 2026 at 10:00, when units are at different steps,
then the Sekretaris sees the forms sent for review with how long each has waited against its mutu baku (90
minutes), the unlock requests and the period to report; the Kepala Dinas the report waiting for her disposition;
the Tim SAKIP the measurement to prepare and the units that have not sent; a staff member the unit's form to fill
or fix and the Kepala Dinas's follow-ups; a kabid the state of his Bidang's forms. Each button opens the very card
the notification brought, and acting on it works (approve, unlock, report, dispose, fill, write). With nothing
waiting the member is told so and what comes next; `/status` with no period open says where the last one stands.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from handlers.callbacks import Button, pack
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.forms import (
    Disposition,
    DispositionDecision,
    FollowUp,
    FollowUpIndicator,
    FormStatus,
    PeriodReport,
    UnitForm,
)
from models.collection.review import approve_unit_form, request_unlock, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.measurement.cycle import MeasurementCycle, MeasurementStatus, start_measurement
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor, AuditEntry
from models.office.invites import member_by_telegram_id
from models.office.organisation import Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World, button_data, running_world, until_button
from tests.chat.test_full_cycle import say
from tests.chat.test_measurement import archive_triwulan_i

KEPALA, SEKRETARIS, TIM = 102, 103, 104
SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN = 110, 120, 121, 130, 140
JAKARTA = ZoneInfo("Asia/Jakarta")
AT_WORK = datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)  # a Tuesday, in working hours
SENT_AT = AT_WORK - timedelta(hours=2)  # two working hours before: over the review's 90 minutes
DUE = date(2026, 11, 10)
PENGADUAN_UNIT = "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"


@pytest.fixture
async def at_work(office_engine, tmp_path, monkeypatch):
    """The bot on a working Tuesday morning; nothing opens or reminds by itself, so what the test sets up is all
    that waits."""
    monkeypatch.setenv("AUTO_OPEN_PERIODS", "false")
    monkeypatch.setenv("AUTO_REMIND", "false")
    async with running_world(office_engine, tmp_path, monkeypatch) as world:
        world.clock.now = AT_WORK
        yield world


def quiet_outbox(session: Session) -> None:
    """The notifications of the set-up went out long ago: what the test sees comes from /tugas."""
    for row in session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)):
        row.status, row.sent_at = OutboxStatus.SENT, row.created_at
        session.add(row)


def open_october(session: Session, deadline: date = DUE) -> Period:
    period = Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN, deadline=deadline,
                    opened_at=datetime(2026, 11, 2, 8, 0, tzinfo=JAKARTA))
    session.add(period)
    session.flush()
    return period


def send_form(session: Session, telegram_id: int, period: Period, at: datetime = SENT_AT) -> UnitForm:
    """The unit's form filled on target (notes where below), and sent at `at`."""
    person = member_by_telegram_id(session, telegram_id)
    form = form_for(session, person.unit_id, period.id)
    for item in form_items(session, form):
        record_value(session, person, item.indicator, period, Decimal(100), now=at)
    for item in form_items(session, form):
        if item.needs_kendala:
            record_note(session, person, item.indicator, period, "kendala", "Data terlambat", now=at)
            record_note(session, person, item.indicator, period, "tindak_lanjut", "Koordinasi", now=at)
    submit_unit_form(session, person, form.id, now=at)
    return form


def approve(session: Session, form: UnitForm, at: datetime = SENT_AT) -> None:
    approve_unit_form(session, member_by_telegram_id(session, SEKRETARIS), form.id, form.version, now=at)


def code_id(session: Session, code: str) -> int:
    return session.exec(select(Indicator.id).where(Indicator.code == code)).one()


def lines_of(message: dict) -> list[str]:
    return message["text"].split("\n")


def labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def open_from_list(world: World, user_id: int, label: str, expect: str, timeout: float = 10) -> dict:
    """Press `label` on the newest /tugas list; the card that comes (containing `expect`)."""
    message = await until_button(world.emu, user_id, label)
    since = world.emu.screens_shown()
    await world.emu.user(user_id).press(message, button_data(message, label))
    return await world.emu.wait_for_bot_screen(user_id, expect, since=since, timeout=timeout)


async def test_the_sekretaris_sees_forms_to_review_with_their_mutu_baku_and_approves_from_the_list(at_work: World):
    world = at_work
    with session_scope(world.engine) as session:
        period = open_october(session)
        send_form(session, PERIZINAN, period)
        send_form(session, MODAL, period, at=AT_WORK - timedelta(minutes=30))
        quiet_outbox(session)

    listing = await say(world, SEKRETARIS, "/tugas", "Yang menunggu Anda")
    lines = lines_of(listing)
    assert "Sekretaris" in lines
    # The oldest first; over the 90 minutes of SOP step 10 is marked, within it is not.
    assert "⚠️ Formulir Bidang Pelayanan Perizinan · Oktober 2026: menunggu 2 jam · baku 1 jam 30 menit" in lines
    assert "⏳ Formulir Bidang Penanaman Modal · Oktober 2026: menunggu 30 menit · baku 1 jam 30 menit" in lines
    # The Sekretaris is a member of the Sekretariat too: its form to fill is another section.
    assert "Formulir Sekretariat" in lines
    assert "• Oktober 2026: belum diisi (0/1) · ⚠️ batas 10 November 2026 terlewat" in lines
    assert labels(listing) == ["Periksa Oktober 2026 · Bidang Pelayanan Perizinan",
                               "Periksa Oktober 2026 · Bidang Penanaman Modal", "Isi Oktober 2026"]

    # The button opens the review card the notification brought; its Setujui approves.
    card = await open_from_list(world, SEKRETARIS, "Periksa Oktober 2026 · Bidang Pelayanan Perizinan",
                                "menunggu pemeriksaan Anda")
    assert card["text"].startswith("📥 Formulir Bidang Pelayanan Perizinan · Oktober 2026 menunggu pemeriksaan")
    assert "✅ Setujui" in labels(card) and "Kembalikan" in " ".join(labels(card))
    # opened twice (the list pressed again while the card is open): the first copy is decided with the second
    first = card
    card = await open_from_list(world, SEKRETARIS, "Periksa Oktober 2026 · Bidang Pelayanan Perizinan",
                                "menunggu pemeriksaan Anda")
    assert card["message_id"] != first["message_id"]
    since = world.emu.screens_shown()
    await world.emu.user(SEKRETARIS).press(card, button_data(card, "✅ Setujui"))
    # the card opened from the list is a copy like the notification's: edited to the outcome, its buttons gone
    shown = await world.emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh Pak Sekretaris ·", since=since)
    assert shown["text"].startswith("✅ Disetujui oleh Pak Sekretaris ·")
    assert "\n\n📥 Formulir Bidang Pelayanan Perizinan · Oktober 2026" in shown["text"]
    assert not {"✅ Setujui", "↩️ Kembalikan"} & set(labels(shown))
    first = await world.emu.wait_for_bot_screen(
        SEKRETARIS, lambda m: m["message_id"] == first["message_id"] and "Disetujui oleh" in m["text"], since=since)
    assert not {"✅ Setujui", "↩️ Kembalikan"} & set(labels(first))
    with world.session() as session:
        form = session.exec(select(UnitForm).join(Unit, Unit.id == UnitForm.unit_id)
                            .where(Unit.name == "Bidang Pelayanan Perizinan")).one()
        assert FormStatus(form.status) is FormStatus.APPROVED

    # The list's button pressed again says who handled it and when; the list asked again no longer has it.
    again = await open_from_list(world, SEKRETARIS, "Periksa Oktober 2026 · Bidang Pelayanan Perizinan",
                                 "ditangani oleh")
    assert again["text"].startswith("Sudah ditangani oleh Pak Sekretaris pada 24 Nov 2026")
    listing = await say(world, SEKRETARIS, "/tugas", "Yang menunggu Anda")
    assert "Perizinan" not in listing["text"]
    assert "Formulir Bidang Penanaman Modal · Oktober 2026" in listing["text"]


async def test_the_sekretaris_decides_an_unlock_request_from_the_list(at_work: World):
    world = at_work
    with session_scope(world.engine) as session:
        period = open_october(session)
        form = send_form(session, PERIZINAN, period)
        approve(session, form)
        request_unlock(session, member_by_telegram_id(session, PERIZINAN), form.id, code_id(session, "P.2"),
                       "Salah ketik", now=AT_WORK - timedelta(minutes=10))
        quiet_outbox(session)

    listing = await say(world, SEKRETARIS, "/tugas", "Yang menunggu Anda")
    assert ("⏳ 🔓 Rina Perizinan minta buka kunci P.2 (Bidang Pelayanan Perizinan · Oktober 2026): menunggu 10 menit "
            "· baku 1 jam 30 menit") in lines_of(listing)
    card = await open_from_list(world, SEKRETARIS, "🔓 P.2 · Oktober 2026 · Bidang Pelayanan Perizinan",
                                "meminta buka kunci")
    assert "Alasan: Salah ketik" in card["text"]
    since = world.emu.screens_shown()
    await world.emu.user(SEKRETARIS).press(card, button_data(card, "Izinkan"))
    await world.emu.wait_for_bot_screen(SEKRETARIS, "Diizinkan oleh Pak Sekretaris ·", since=since)
    with world.session() as session:
        assert FormStatus(session.get(UnitForm, form.id).status) is FormStatus.RETURNED
    # The unit now has its form to fix, with the button that opens it.
    listing = await say(world, PERIZINAN, "/tugas", "Yang menunggu Anda")
    assert "• ↩️ Oktober 2026: dikembalikan Sekretaris untuk P.2; perbaiki lalu kirim lagi" in lines_of(listing)
    question = await open_from_list(world, PERIZINAN, "Perbaiki Oktober 2026", "Ketik nilai realisasi")
    assert "P.2" in question["text"]


async def test_the_report_goes_from_the_sekretaris_list_to_the_kepala_list_and_is_disposed(at_work: World):
    world = at_work
    with session_scope(world.engine) as session:
        period = open_october(session)
        for staff in (SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN):
            approve(session, send_form(session, staff, period))
        quiet_outbox(session)
        period_id = period.id

    nothing = await say(world, KEPALA, "/tugas", "Tidak ada yang menunggu Anda")
    assert "Anda akan diberi tahu" in nothing["text"]

    listing = await say(world, SEKRETARIS, "/tugas", "Yang menunggu Anda")
    assert ("⚠️ Semua unit Oktober 2026 disetujui, laporkan ke Kepala Dinas: menunggu 2 jam · baku 40 menit"
            in lines_of(listing))
    card = await open_from_list(world, SEKRETARIS, "📤 Laporan Oktober 2026", "sudah disetujui")
    since = world.emu.screens_shown()
    await world.emu.user(SEKRETARIS).press(card, button_data(card, "📤 Laporkan ke Kepala Dinas"))
    await world.emu.wait_for_bot_screen(SEKRETARIS, "Dilaporkan ke Kepala Dinas oleh Pak Sekretaris ·", since=since)

    listing = await say(world, KEPALA, "/tugas", "Yang menunggu Anda")
    # The disposition's standard is one working day (07:00–20:00 outside quiet hours).
    assert lines_of(listing)[2:] == ["Kepala Dinas: laporan menunggu disposisi",
                                     "⏳ Laporan Oktober 2026: menunggu 0 menit · baku 13 jam"]
    card = await open_from_list(world, KEPALA, "Disposisi Oktober 2026",
                                lambda m: "✅ Setuju" in labels(m), timeout=DRAWING)
    since = world.emu.screens_shown()
    await world.emu.user(KEPALA).press(card, button_data(card, "✅ Setuju"))
    await world.emu.wait_for_bot_screen(KEPALA, "Disposisi tercatat", since=since, timeout=DRAWING)
    world.clock.now += timedelta(minutes=11)  # past the minutes "Setuju" may be undone in
    await world.run_scheduled_work()
    with world.session() as session:
        assert session.exec(select(Disposition).where(Disposition.period_id == period_id)).one()
        assert PeriodStatus(session.get(Period, period_id).status) is PeriodStatus.ARCHIVED
    await say(world, KEPALA, "/tugas", "Tidak ada yang menunggu Anda")


async def test_the_tim_sees_the_measurement_to_prepare_and_the_units_missing(at_work: World):
    world = at_work
    archive_triwulan_i(world)
    with session_scope(world.engine) as session:
        start_measurement(session, PeriodRef(PeriodKind.QUARTER, 2026, 1), Actor.cli(), now=SENT_AT)
        period = open_october(session)
        send_form(session, PERIZINAN, period)
        quiet_outbox(session)

    listing = await say(world, TIM, "/tugas", "Yang menunggu Anda")
    lines = lines_of(listing)
    assert "Tim SAKIP" in lines
    assert ("⚠️ Pengukuran Kinerja Triwulan I 2026: periksa, tulis analisis dan rencana aksi, lalu kirim: menunggu "
            "2 jam · baku 40 menit") in lines
    assert (f"• Oktober 2026: 3 unit belum mengirim (Bidang Penanaman Modal, {PENGADUAN_UNIT}, Sekretariat) "
            "· ⚠️ batas 10 November 2026 terlewat") in lines
    card = await open_from_list(world, TIM, "Pengukuran Triwulan I 2026", lambda m: "✍️ Tulis analisis" in labels(m))
    since = world.emu.screens_shown()
    await world.emu.user(TIM).press(card, button_data(card, "✍️ Tulis analisis"))
    await world.emu.wait_for_bot_screen(TIM, "Boleh dalam beberapa pesan", since=since)
    await say(world, TIM, "Promosi investasi tertunda", "Diterima")


async def test_staff_fill_their_form_from_the_list_and_see_the_kepala_follow_up(at_work: World):
    world = at_work
    with session_scope(world.engine) as session:
        september = Period(kind=PeriodKind.MONTH, year=2026, number=9, status=PeriodStatus.ARCHIVED)
        session.add(september)
        session.flush()
        session.add(PeriodReport(period_id=september.id, reported_at=SENT_AT))
        disposition = Disposition(period_id=september.id, decision=DispositionDecision.ARAHAN,
                                  arahan="Percepat <layanan> & jemput bola", created_at=SENT_AT)
        session.add(disposition)
        session.flush()
        modal = member_by_telegram_id(session, MODAL)
        follow_up = FollowUp(disposition_id=disposition.id, unit_id=modal.unit_id, arahan=disposition.arahan)
        session.add(follow_up)
        session.flush()
        session.add(FollowUpIndicator(follow_up_id=follow_up.id, indicator_id=code_id(session, "S.1")))
        period = open_october(session)
        form = send_form(session, PENGADUAN, period)
        return_unit_form(session, member_by_telegram_id(session, SEKRETARIS), form.id, form.version,
                         [code_id(session, "P.4")], "Lampirkan bukti", now=SENT_AT)
        quiet_outbox(session)

    listing = await say(world, MODAL, "/tugas", "Yang menunggu Anda")
    lines = lines_of(listing)
    assert "Formulir Bidang Penanaman Modal" in lines
    assert "• Oktober 2026: belum diisi (0/2) · ⚠️ batas 10 November 2026 terlewat" in lines
    assert "📌 Tindak lanjut arahan Kepala Dinas (September 2026; S.1): Percepat <layanan> & jemput bola" in lines
    assert labels(listing) == ["Isi Oktober 2026", "✅ Sudah ditindaklanjuti"]
    await open_from_list(world, MODAL, "✅ Sudah ditindaklanjuti", "catatan singkat")
    await say(world, MODAL, "Jemput bola tiap Selasa", "Tercatat")
    listing = await say(world, MODAL, "/tugas", "Yang menunggu Anda")
    assert not [line for line in lines_of(listing) if line.startswith("📌")]
    assert labels(listing) == ["Isi Oktober 2026"]
    question = await open_from_list(world, MODAL, "Isi Oktober 2026", "Ketik nilai realisasi")
    assert "S.1" in question["text"]
    await say(world, MODAL, "Rp 90.000.000.000", "Tersimpan")
    listing = await say(world, MODAL, "/tugas", "Yang menunggu Anda")
    assert "• Oktober 2026: draf (1/2), belum dikirim · ⚠️ batas 10 November 2026 terlewat" in lines_of(listing)

    returned = await say(world, PENGADUAN, "/tugas", "Yang menunggu Anda")
    assert "• ↩️ Oktober 2026: dikembalikan Sekretaris untuk P.4; perbaiki lalu kirim lagi" in lines_of(returned)
    assert labels(returned) == ["Perbaiki Oktober 2026"]


async def test_a_kabid_sees_his_bidang_forms_and_nothing_waiting_is_said_with_what_comes_next(at_work: World):
    world = at_work
    with session_scope(world.engine) as session:
        period = open_october(session, deadline=date(2026, 11, 30))
        send_form(session, MODAL, period)
        quiet_outbox(session)

    reply = await say(world, KABID_MODAL, "/tugas", "Tidak ada yang menunggu Anda")
    lines = lines_of(reply)
    assert lines[0] == "✅ Tidak ada yang menunggu Anda."
    assert "Formulir Bidang Penanaman Modal" in lines
    assert "• Oktober 2026: dikirim, menunggu verifikasi Sekretaris" in lines
    assert "Batas pengisian Oktober 2026: 30 November 2026." in lines
    assert lines[-1] == "Anda akan diberi tahu begitu ada yang perlu dikerjakan."
    assert not labels(reply)


async def test_nothing_waiting_names_the_next_opening_and_inbox_is_the_english_name(world: World):
    reply = await say(world, KEPALA, "/tugas", "Tidak ada yang menunggu Anda")
    assert lines_of(reply) == ["✅ Tidak ada yang menunggu Anda.", "",
                               "Periode berikutnya, November 2026, dibuka 1 Desember 2026.",
                               "Anda akan diberi tahu begitu ada yang perlu dikerjakan."]
    with session_scope(world.engine) as session:
        member_by_telegram_id(session, PERIZINAN).language = "en"
    reply = await say(world, PERIZINAN, "/inbox", "Nothing is waiting for you")
    assert "The next period, November 2026, opens on December 1, 2026." in reply["text"]
    help_text = (await say(world, PERIZINAN, "/help", "/inbox"))["text"]
    assert "/inbox – What is waiting for you" in help_text


async def test_status_with_nothing_open_says_where_the_last_period_stands_and_points_to_tugas(world: World):
    reply = await say(world, PERIZINAN, "/status", "Tidak ada periode")
    assert lines_of(reply) == ["Tidak ada periode yang sedang dibuka.", "Belum ada periode yang dibuka.",
                               "Periode berikutnya, November 2026, dibuka 1 Desember 2026.",
                               "Ketik /tugas untuk melihat apa yang menunggu Anda."]
    with session_scope(world.engine) as session:
        period = open_october(session)
        send_form(session, PERIZINAN, period, at=datetime(2026, 11, 5, 9, 0, tzinfo=JAKARTA))
        period.status = PeriodStatus.CLOSED
        session.add(period)
        period_id = period.id
    reply = await say(world, PERIZINAN, "/status", "Periode terakhir")
    assert (f"Periode terakhir: Oktober 2026, unit belum mengirim: Bidang Penanaman Modal, {PENGADUAN_UNIT}, "
            "Sekretariat.") in lines_of(reply)
    with session_scope(world.engine) as session:
        session.add(PeriodReport(period_id=period_id, reported_at=SENT_AT))
    reply = await say(world, PERIZINAN, "/status", "Periode terakhir")
    assert "Periode terakhir: Oktober 2026, menunggu disposisi Kepala Dinas." in lines_of(reply)
    with session_scope(world.engine) as session:
        session.get(Period, period_id).status = PeriodStatus.ARCHIVED
    reply = await say(world, PERIZINAN, "/status", "Periode terakhir")
    assert "Periode terakhir: Oktober 2026, sudah diarsipkan." in lines_of(reply)
    assert lines_of(reply)[-1] == "Ketik /tugas untuk melihat apa yang menunggu Anda."


async def test_a_card_of_another_role_is_refused_and_shows_nothing(at_work: World):
    """A staff member pressing a forged "Periksa" or "Disposisi" of the list is refused (and audited): the review
    card, with the unit's values, is the Sekretaris's only."""
    world = at_work
    with session_scope(world.engine) as session:
        period = open_october(session)
        form = send_form(session, PERIZINAN, period)
        quiet_outbox(session)
        form_id, period_id = form.id, period.id
    listing = await say(world, MODAL, "/tugas", "Yang menunggu Anda")
    for data in (pack(Button.INBOX_REVIEW, form_id), pack(Button.INBOX_DISPOSE, period_id)):
        since = world.emu.screens_shown()
        await world.emu.user(MODAL).press(listing, data, force=True)
        refused = await world.emu.wait_for_bot_screen(MODAL, since=since)
        assert refused["text"] == "Anda tidak berwenang untuk tindakan ini."
    assert not [m for m in world.emu.sent_by_bot(MODAL) if "menunggu pemeriksaan" in (m.get("text") or "")]
    with world.session() as session:
        refusals = session.exec(select(AuditEntry).where(AuditEntry.action == "permission.refused")).all()
        assert {entry.entity for entry in refusals} == {"unit_form", "period"}


async def test_the_kepala_disposes_a_measurement_report_from_the_list(at_work: World):
    world = at_work
    archive_triwulan_i(world)
    with session_scope(world.engine) as session:
        cycle = start_measurement(session, PeriodRef(PeriodKind.QUARTER, 2026, 1), Actor.cli(), now=SENT_AT)
        cycle.analysis, cycle.rencana_aksi = "Promosi tertunda", "Forum bisnis"
        cycle.status, cycle.approved_at, cycle.reported_at = MeasurementStatus.REPORTED, SENT_AT, SENT_AT
        session.add(cycle)
        quiet_outbox(session)
        cycle_id = cycle.id

    listing = await say(world, KEPALA, "/tugas", "Yang menunggu Anda")
    assert "⏳ Pengukuran Kinerja Triwulan I 2026: menunggu 2 jam · baku 13 jam" in lines_of(listing)
    card = await open_from_list(world, KEPALA, "Pengukuran Triwulan I 2026", lambda m: "✅ Setuju" in labels(m))
    since = world.emu.screens_shown()
    await world.emu.user(KEPALA).press(card, button_data(card, "✅ Setuju"))
    await world.emu.wait_for_bot_screen(KEPALA, "Disposisi tercatat", since=since)
    with world.session() as session:
        assert MeasurementStatus(session.get(MeasurementCycle, cycle_id).status) is MeasurementStatus.ARCHIVED
    await say(world, KEPALA, "/tugas", "Tidak ada yang menunggu Anda")
