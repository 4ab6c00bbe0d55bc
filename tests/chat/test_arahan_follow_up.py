"""A second look before the Kepala Dinas's arahan goes out, and the units' follow-ups coming back.

Given October 2026 reported to the Kepala Dinas with Bidang Pelayanan Perizinan below target on P.2 and Bidang
Pengaduan on target, when the Kepala Dinas types an arahan, then it is shown back with the units (below target
chosen) and their indicators as toggles, "Kirim" and "Ubah"; only the units chosen get the follow-up, which names the
indicators chosen. When a unit presses "✅ Sudah ditindaklanjuti" and types a short note, then it is stored, the
Kepala Dinas is told once, and the recap shows the follow-up done.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from handlers.callbacks import Button, pack
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.forms import Disposition, DispositionDecision, FollowUp, FollowUpIndicator
from models.collection.review import approve_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.office.organisation import Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodStatus
from models.reporting.follow_ups import follow_ups_of
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World, month, until_button
from tests.chat.test_admin import labels
from tests.chat.test_bound_answers import all_delivered, person, press, press_data, say

KEPALA, SEKRETARIS, PERIZINAN, PENGADUAN = 102, 103, 130, 140
OCTOBER = month(2026, 10)
VALUES = {PERIZINAN: {"P.1": 100, "P.2": 80, "P.3": 7}, PENGADUAN: {"P.4": 100, "P.5": 5}}  # P.2 below target
PERIZINAN_UNIT, PENGADUAN_UNIT = "Bidang Pelayanan Perizinan", "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"


def reported_october(world: World) -> int:
    """Only the monthly indicators of two units in use; both forms filled, approved and reported; the set-up's
    notices out long ago."""
    now = world.clock.now
    with session_scope(world.engine) as session:
        codes = {code for values in VALUES.values() for code in values}
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in codes
            session.add(indicator)
        period = Period(kind=OCTOBER.kind, year=OCTOBER.year, number=OCTOBER.number, status=PeriodStatus.OPEN,
                        deadline=OCTOBER.day_after_end(10))
        session.add(period)
        session.flush()
        sekretaris = person(session, SEKRETARIS)
        for staf_id, values in VALUES.items():
            staf = person(session, staf_id)
            for code, value in values.items():
                indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
                record_value(session, staf, indicator, period, Decimal(value), now=now)
            form = form_for(session, staf.unit_id, period.id)
            for item in form_items(session, form):
                if item.needs_kendala:
                    record_note(session, staf, item.indicator, period, "kendala", "Server OSS gangguan", now=now)
                if item.needs_tindak_lanjut:
                    record_note(session, staf, item.indicator, period, "tindak_lanjut", "Koordinasi", now=now)
            submit_unit_form(session, staf, form.id, form.version, now=now)
            approve_unit_form(session, sekretaris, form.id, form.version, now=now)
        report_to_kepala(session, sekretaris, period.id, now=now)
        all_delivered(session)
        return period.id


def follow_ups(world: World) -> dict[str, set[str]]:
    """The follow-ups stored: unit name → the codes of the indicators they name."""
    with world.session() as session:
        rows = session.exec(select(FollowUp)).all()
        return {session.get(Unit, row.unit_id).name: {
            session.get(Indicator, link.indicator_id).code
            for link in session.exec(select(FollowUpIndicator).where(FollowUpIndicator.follow_up_id == row.id))}
            for row in rows}


async def toggle(world: World, label: str, expect: str) -> dict:
    """Press a toggle of the preview; the preview is edited in place: the message as it reads then."""
    emu = world.emu
    message = await until_button(emu, KEPALA, label)
    since = emu.mark()
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)
    await emu.user(KEPALA).press(message, data)
    await emu.wait_for_call("editMessageText", lambda call: str(call.params.get("chat_id")) == str(KEPALA),
                            since=since)
    edited = next(m for m in emu.sent_by_bot(KEPALA) if m["message_id"] == message["message_id"])
    assert expect in labels(edited), labels(edited)
    return edited


async def test_the_arahan_is_shown_back_and_only_the_chosen_units_get_a_follow_up_naming_its_indicators(
        world: World):
    period_id = reported_october(world)
    await press_data(world, KEPALA, pack(Button.KEPALA_ARAHAN, period_id), "Tulis arahan")
    preview = await say(world, KEPALA, "Percepat layanan izin", "Periksa arahan")

    # Shown back: the text, the units below target chosen (Perizinan), its indicator below target (P.2).
    assert "Percepat layanan izin" in preview["text"]
    assert f"Tindak lanjut untuk unit: {PERIZINAN_UNIT}" in preview["text"] and "Indikator: P.2" in preview["text"]
    assert labels(preview) == [f"✅ {PERIZINAN_UNIT}", f"⬜ {PENGADUAN_UNIT}", "⬜ P.1", "✅ P.2", "⬜ P.3",
                               "📤 Kirim", "✏️ Ubah"]
    with world.session() as session:
        assert session.exec(select(Disposition)).all() == []  # nothing sent yet

    # Pengaduan in (its indicators offered, none below target so none chosen), P.4 chosen; Perizinan out.
    edited = await toggle(world, f"⬜ {PENGADUAN_UNIT}", f"✅ {PENGADUAN_UNIT}")
    assert "⬜ P.4" in labels(edited) and "⬜ P.5" in labels(edited)
    await toggle(world, "⬜ P.4", "✅ P.4")
    edited = await toggle(world, f"✅ {PERIZINAN_UNIT}", f"⬜ {PERIZINAN_UNIT}")
    assert "✅ P.2" not in labels(edited) and "⬜ P.1" not in labels(edited)

    # Ubah: the text asked again (the old one shown); the choice is kept for the next preview.
    again = await press(world, KEPALA, "✏️ Ubah", "Tulis arahan")
    assert "Teks sebelumnya: Percepat layanan izin" in again["text"]
    preview = await say(world, KEPALA, "Tambah jam layanan pengaduan", "Periksa arahan")
    assert "Tambah jam layanan pengaduan" in preview["text"] and "Percepat" not in preview["text"]
    assert f"Tindak lanjut untuk unit: {PENGADUAN_UNIT}" in preview["text"] and "Indikator: P.4" in preview["text"]

    await press(world, KEPALA, "📤 Kirim", "Arahan tercatat")
    assert follow_ups(world) == {PENGADUAN_UNIT: {"P.4"}}
    told = await world.emu.wait_for_bot_message(PENGADUAN, "Tindak lanjut untuk unit Anda")
    assert "Tambah jam layanan pengaduan" in told["text"] and "Indikator: P.4" in told["text"]
    assert "✅ Sudah ditindaklanjuti" in labels(told)
    other = await world.emu.wait_for_bot_message(PERIZINAN, "Disposisi Kepala Dinas")
    assert "Tindak lanjut untuk unit Anda" not in other["text"] and not labels(other)


async def test_a_unit_marks_its_follow_up_done_with_a_note_and_the_kepala_and_the_recap_see_it(world: World):
    period_id = reported_october(world)
    with session_scope(world.engine) as session:
        p2 = session.exec(select(Indicator).where(Indicator.code == "P.2")).one().id
        perizinan = person(session, PERIZINAN).unit_id
        dispose(session, person(session, KEPALA), period_id, DispositionDecision.ARAHAN, "Percepat layanan izin",
                now=world.clock.now, units=[perizinan], indicators=[p2])
    world.application.bot_data.wake()
    told = await until_button(world.emu, PERIZINAN, "✅ Sudah ditindaklanjuti")
    assert "Indikator: P.2" in told["text"]

    asked = await press(world, PERIZINAN, "✅ Sudah ditindaklanjuti", "Tulis catatan singkat")
    assert "Oktober 2026" in asked["text"]
    with world.session() as session:
        assert follow_ups_of(session, period_id=period_id, pending=True)  # nothing stored before the note
    inbox = await say(world, KEPALA, "/tugas", "Tindak lanjut arahan")  # her list: who has not followed up yet
    assert "0 dari 1 unit selesai" in inbox["text"] and f"⏳ {PERIZINAN_UNIT}: belum" in inbox["text"]
    saved = await say(world, PERIZINAN, "Antrian OSS dipercepat <2 hari>", "Tercatat")
    assert "Antrian OSS dipercepat <2 hari>" in saved["text"]

    notice = await world.emu.wait_for_bot_message(KEPALA, "sudah menindaklanjuti")
    assert PERIZINAN_UNIT in notice["text"] and "P.2" in notice["text"] and "Rina Perizinan" in notice["text"]
    with world.session() as session:
        (state,) = follow_ups_of(session, period_id=period_id)
        assert state.done and state.note == "Antrian OSS dipercepat <2 hari>" and state.done_by == "Rina Perizinan"
        assert follow_ups_of(session, pending=True) == []

    # Pressed again: already done, nothing stored twice, the Kepala Dinas told once.
    await press_data(world, PERIZINAN, pack(Button.FOLLOW_UP_DONE, state.id), "sudah ditandai selesai")
    assert len([m for m in world.emu.sent_by_bot(KEPALA) if "sudah menindaklanjuti" in (m.get("text") or "")]) == 1

    # Her list and the recap show which follow-ups are done.
    inbox = await say(world, KEPALA, "/tugas", "Tindak lanjut arahan")
    assert f"✅ {PERIZINAN_UNIT}: Antrian OSS dipercepat <2 hari>" in inbox["text"]
    await world.emu.user(KEPALA).send_text("/rekap oktober 2026")
    recap = await world.emu.wait_for_bot_message(KEPALA, "Tindak lanjut arahan", timeout=DRAWING)
    assert "1 dari 1 unit selesai" in recap["text"]
    assert f"✅ {PERIZINAN_UNIT}: Antrian OSS dipercepat <2 hari>" in recap["text"]
