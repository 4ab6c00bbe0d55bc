"""Every arahan, analysis and rencana aksi is filed under the question its author saw (SOP procedures A and B).

Given the Sekretaris returning two units' forms, the Kepala Dinas disposing two reported months, and the Tim
SAKIP, the Sekretaris and the Kepala Dinas on a triwulan's measurement, when a typed text replies to a question
asked before the current one (as after Telegram delivered a question late, or the member scrolled up), then it is
not filed: the member is told which question it would have answered (naming the unit, the period, the part of
the measurement) and that nothing was saved, and the question is asked again; an answer below the current
question is filed under it, and the confirmation names what it was saved under.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlmodel import select

from handlers.callbacks import Button, pack
from handlers.router import QUESTIONS, TEXT_STEPS, UNBOUND
from i18n import t
from models.collection.form_filling import record_value
from models.collection.forms import Disposition, FormStatus, Review, UnitForm
from models.collection.review import approve_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.measurement.cycle import (
    MeasurementCycle,
    MeasurementStatus,
    MeasurementText,
    approve_measurement,
    report_measurement,
    start_by_hand,
    submit_measurement,
    write_text,
)
from models.messaging.chat_state import question_of
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.report import report_to_kepala
from models.store.database import session_scope
from tests.chat.conftest import TestClock, World, month, until_button
from tests.chat.test_measurement import archive_triwulan_i

KEPALA, SEKRETARIS, TIM, PERIZINAN, PENGADUAN = 102, 103, 104, 130, 140
NOT_SAVED = "TIDAK disimpan"
MONTHLY = {130: {"P.1": 100, "P.2": 95, "P.3": 7}, 140: {"P.4": 100, "P.5": 5}}  # on target, by staf
JULY, AUGUST = month(2026, 7), month(2026, 8)
TW1 = PeriodRef(PeriodKind.QUARTER, 2026, 1)
NOW = TestClock.QUIET


# -- the office as each test needs it -------------------------------------------------------------------------------
def person(session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def all_delivered(session) -> None:
    """What the set-up queued went out long ago (no charts drawn, no replay in the chats)."""
    for row in session.exec(select(OutboxMessage)):
        row.status, row.sent_at = OutboxStatus.SENT, row.created_at
        session.add(row)


def forms_sent(world: World, refs: list[PeriodRef], approved: bool) -> dict[tuple[int, int], int]:
    """Only the monthly indicators of Pelayanan Perizinan and Pengaduan in use; each month opened, both units'
    forms filled on target and sent (and approved); returns the form ids by (staf, month)."""
    forms = {}
    with session_scope(world.engine) as session:
        codes = {code for values in MONTHLY.values() for code in values}
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in codes
            session.add(indicator)
        sekretaris = person(session, SEKRETARIS)
        for ref in refs:
            period = Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.OPEN,
                            deadline=ref.day_after_end(10))
            session.add(period)
            session.flush()
            for staf_id, values in MONTHLY.items():
                staf = person(session, staf_id)
                for code, value in values.items():
                    indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
                    record_value(session, staf, indicator, period, Decimal(value), now=NOW)
                form = form_for(session, staf.unit_id, period.id)
                submit_unit_form(session, staf, form.id, form.version, now=NOW)
                if approved:
                    approve_unit_form(session, sekretaris, form.id, form.version, now=NOW)
                forms[staf_id, ref.number] = form.id
        all_delivered(session)
    return forms


def measurement_at(world: World, status: MeasurementStatus) -> int:
    """Triwulan I 2026 archived and its measurement started by the Tim (then sent, approved, reported)."""
    archive_triwulan_i(world)
    with session_scope(world.engine) as session:
        tim, sekretaris = person(session, TIM), person(session, SEKRETARIS)
        cycle = start_by_hand(session, tim, TW1, now=NOW)
        if status is not MeasurementStatus.DRAFT:
            for part in MeasurementText:
                write_text(session, tim, cycle.id, part, f"{part.value} tertulis", now=NOW)
            submit_measurement(session, tim, cycle.id, cycle.version, now=NOW)
        if status is MeasurementStatus.REPORTED:
            approve_measurement(session, sekretaris, cycle.id, cycle.version, now=NOW)
            report_measurement(session, sekretaris, cycle.id, now=NOW)
        all_delivered(session)
        return cycle.id


def cycle_now(world: World) -> MeasurementCycle:
    with world.session() as session:
        return session.exec(select(MeasurementCycle)).one()


# -- what the members do -------------------------------------------------------------------------------------------
async def somewhere_to_press(world: World, user_id: int) -> dict:
    """A message of the bot in the member's chat, to press a button of an earlier message on (its data given);
    the question the member is asked, if any, has come again after it (`handlers.router.keeps_thread`)."""
    since = world.emu.mark()
    with world.session() as session:
        open_question = question_of(session, person(session, user_id).id)
    await world.emu.user(user_id).send_text("/bantuan")
    message = await world.emu.wait_for_bot_message(user_id, since=since)
    if open_question is not None and open_question.step in QUESTIONS:
        await world.emu.wait_for_bot_message(user_id, "Masih menunggu jawaban", since=since)
    return message


async def press_data(world: World, user_id: int, data: str, expect: str) -> dict:
    """The member presses a button with `data` (of a notification sent earlier); returns the reply with `expect`."""
    message = await somewhere_to_press(world, user_id)
    since = world.emu.mark()
    await world.emu.user(user_id).press(message, data, force=True)
    return await world.emu.wait_for_bot_message(user_id, expect, since=since)


async def press(world: World, user_id: int, label: str, expect: str) -> dict:
    message = await until_button(world.emu, user_id, label)
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)
    since = world.emu.mark()
    await world.emu.user(user_id).press(message, data)
    return await world.emu.wait_for_bot_message(user_id, expect, since=since)


async def say(world: World, user_id: int, text: str, expect: str, **options) -> dict:
    since = world.emu.mark()
    await world.emu.user(user_id).send_text(text, **options)
    return await world.emu.wait_for_bot_message(user_id, expect, since=since)


async def refused_and_asked_again(world: World, user_id: int, text: str, older: dict, ask: str) -> tuple[dict, dict]:
    """The member replies `text` to the `older` question: not saved; the current question (`ask`) comes again,
    under the notice in the same message. Returns (the notice, the question asked again)."""
    since = world.emu.mark()
    await world.emu.user(user_id).send_text(text, reply_to=older)
    notice = await world.emu.wait_for_bot_message(user_id, NOT_SAVED, since=since)
    again = await world.emu.wait_for_bot_message(
        user_id, lambda m: ask in (m.get("text") or "") and m["message_id"] >= notice["message_id"], since=since)
    assert f"'{text}'" in notice["text"] and "membalas pesan lain" in notice["text"]
    return notice, again


# -- procedure A: the Sekretaris's arahan returning a form, the Kepala Dinas's arahan on a month ---------------------
async def choose_and_ask(world: World, form_id: int, code: str, unit: str) -> dict:
    """'Kembalikan' on a form, the indicator chosen, 'Tulis arahan': returns the arahan question."""
    with world.session() as session:
        version = session.get(UnitForm, form_id).version
    await press_data(world, SEKRETARIS, pack(Button.REVIEW_RETURN, form_id, version), "Pilih indikator")
    since = world.emu.mark()
    await world.emu.user(SEKRETARIS).press_button(text=f"⬜ {code}")
    await world.emu.wait_for_call("editMessageReplyMarkup", since=since)
    question = await press(world, SEKRETARIS, "Tulis arahan ➡️", f"Tulis arahan untuk {code}")
    assert unit in question["text"] and "Juli 2026" in question["text"]
    return question


async def test_an_arahan_replying_to_another_units_return_is_not_filed_on_this_one(world: World):
    forms = forms_sent(world, [JULY], approved=False)
    pengaduan = await choose_and_ask(world, forms[PENGADUAN, 7], "P.4", "Bidang Pengaduan")
    await choose_and_ask(world, forms[PERIZINAN, 7], "P.2", "Bidang Pelayanan Perizinan")

    # The arahan typed as a reply to Pengaduan's question is not Perizinan's return.
    notice, again = await refused_and_asked_again(world, SEKRETARIS, "Lengkapi register pengaduan", pengaduan,
                                                  "Tulis arahan untuk P.2")
    assert "Bidang Pelayanan Perizinan · Juli 2026" in notice["text"] and "(P.2)" in notice["text"]
    with world.session() as session:
        assert session.exec(select(Review)).all() == []
        assert {FormStatus(session.get(UnitForm, f).status) for f in forms.values()} == {FormStatus.SUBMITTED}

    # Below the question asked now it is Perizinan's arahan, and the confirmation names the form.
    done = await say(world, SEKRETARIS, "Cek ulang P.2", "dikembalikan", reply_to=again)
    assert "Bidang Pelayanan Perizinan · Juli 2026" in done["text"] and "P.2" in done["text"]
    with world.session() as session:
        review = session.exec(select(Review)).one()
        assert (review.form_id, review.arahan) == (forms[PERIZINAN, 7], "Cek ulang P.2")
        assert FormStatus(session.get(UnitForm, forms[PENGADUAN, 7]).status) is FormStatus.SUBMITTED


async def test_a_kepala_arahan_replying_to_another_months_question_is_not_filed_on_this_one(world: World):
    forms_sent(world, [JULY, AUGUST], approved=True)
    with session_scope(world.engine) as session:
        periods = {p.number: p.id for p in session.exec(select(Period))}
        for number in (7, 8):
            report_to_kepala(session, person(session, SEKRETARIS), periods[number], now=NOW)
        all_delivered(session)
    july = await press_data(world, KEPALA, pack(Button.KEPALA_ARAHAN, periods[7]), "Tulis arahan")
    assert "Juli 2026" in july["text"]
    august = await press_data(world, KEPALA, pack(Button.KEPALA_ARAHAN, periods[8]), "Tulis arahan")
    assert "Agustus 2026" in august["text"]

    notice, _ = await refused_and_asked_again(world, KEPALA, "Percepat pengaduan Juli", july, "Agustus 2026")
    assert "arahan disposisi laporan capaian Agustus 2026" in notice["text"] and "Juli 2026" not in notice["text"]
    with world.session() as session:
        assert session.exec(select(Disposition)).all() == []

    preview = await say(world, KEPALA, "Percepat pengaduan Agustus", "Periksa arahan")
    assert "Agustus 2026" in preview["text"]
    done = await press(world, KEPALA, "📤 Kirim", "Arahan tercatat")
    assert "Agustus 2026" in done["text"]
    with world.session() as session:
        disposition = session.exec(select(Disposition)).one()
        assert (disposition.period_id, disposition.arahan) == (periods[8], "Percepat pengaduan Agustus")


# -- procedure B: the Tim's analysis and rencana aksi, the Sekretaris's and the Kepala Dinas's arahan ---------------
WRITE = {MeasurementText.ANALYSIS: ("✍️ Tulis analisis", "analisis"),
         MeasurementText.RENCANA_AKSI: ("🎯 Tulis rencana aksi", "rencana aksi")}


@pytest.mark.parametrize("part", list(MeasurementText))
async def test_a_text_replying_to_the_other_parts_question_is_not_filed_as_this_part(world: World, part):
    """The Tim asked for the other part first, then for `part`: a reply to the first question is not `part`."""
    other = next(p for p in MeasurementText if p is not part)
    cycle_id = measurement_at(world, MeasurementStatus.DRAFT)
    first = await press_data(world, TIM, pack(Button.MEASUREMENT_ANALYSIS if other is MeasurementText.ANALYSIS
                                                else Button.MEASUREMENT_RENCANA_AKSI, cycle_id),
                             "Boleh dalam beberapa pesan")
    await press_data(world, TIM, pack(Button.MEASUREMENT_ANALYSIS if part is MeasurementText.ANALYSIS
                                      else Button.MEASUREMENT_RENCANA_AKSI, cycle_id), "Boleh dalam beberapa pesan")
    label, name = WRITE[part]

    notice, _ = await refused_and_asked_again(world, TIM, "Teks untuk bagian lain", first,
                                              "Boleh dalam beberapa pesan")
    assert f"pertanyaan yang sedang ditanyakan, {name} Pengukuran Kinerja Triwulan I 2026" in notice["text"]

    # Two messages sent at once, below the question asked now: both extend the same draft.
    since = world.emu.mark()
    await world.emu.user(TIM).send_text("Bagian satu")
    await world.emu.user(TIM).send_text("Bagian dua")
    received = await world.emu.wait_for_bot_message(TIM, "Diterima: 22 dari", since=since)
    assert f"untuk {name} Triwulan I 2026" in received["text"]
    await press(world, TIM, "✅ Selesai", "tersimpan")
    cycle = cycle_now(world)
    assert getattr(cycle, part.value) == "Bagian satu\nBagian dua" and getattr(cycle, other.value) is None


async def test_a_return_arahan_replying_to_an_earlier_question_is_not_filed(world: World):
    cycle_id = measurement_at(world, MeasurementStatus.SUBMITTED)
    version = cycle_now(world).version
    first = await press_data(world, SEKRETARIS, pack(Button.MEASUREMENT_RETURN, cycle_id, version), "Tulis arahan")
    assert "Triwulan I 2026" in first["text"]
    await press_data(world, SEKRETARIS, pack(Button.MEASUREMENT_RETURN, cycle_id, version), "Tulis arahan")

    notice, again = await refused_and_asked_again(world, SEKRETARIS, "Lengkapi K.1", first, "Tulis arahan")
    assert "arahan pengembalian Pengukuran Kinerja Triwulan I 2026" in notice["text"]
    assert MeasurementStatus(cycle_now(world).status) is MeasurementStatus.SUBMITTED

    done = await say(world, SEKRETARIS, "Lengkapi K.1", "dikembalikan ke Tim SAKIP", reply_to=again)
    assert "Triwulan I 2026" in done["text"]
    cycle = cycle_now(world)
    assert (MeasurementStatus(cycle.status), cycle.return_arahan) == (MeasurementStatus.RETURNED, "Lengkapi K.1")


async def test_a_kepala_arahan_on_a_measurement_replying_to_an_earlier_question_is_not_filed(world: World):
    cycle_id = measurement_at(world, MeasurementStatus.REPORTED)
    first = await press_data(world, KEPALA, pack(Button.MEASUREMENT_ARAHAN, cycle_id), "Tulis arahan")
    assert "Triwulan I 2026" in first["text"]
    await press_data(world, KEPALA, pack(Button.MEASUREMENT_ARAHAN, cycle_id), "Tulis arahan")

    notice, _ = await refused_and_asked_again(world, KEPALA, "Promosi ulang", first, "Tulis arahan")
    assert "arahan disposisi Pengukuran Kinerja Triwulan I 2026" in notice["text"]
    assert MeasurementStatus(cycle_now(world).status) is MeasurementStatus.REPORTED

    done = await say(world, KEPALA, "Promosi ulang", "Arahan tercatat")
    assert "Triwulan I 2026" in done["text"]
    assert cycle_now(world).arahan == "Promosi ulang"


async def test_done_under_a_draft_whose_question_was_superseded_is_expired_and_saves_nothing(world: World):
    """"Selesai" under the analysis received, pressed while the rencana aksi is typed, is not the rencana aksi's."""
    emu = world.emu
    cycle_id = measurement_at(world, MeasurementStatus.DRAFT)
    await press_data(world, TIM, pack(Button.MEASUREMENT_ANALYSIS, cycle_id), "Boleh dalam beberapa pesan")
    analysis = await say(world, TIM, "Analisis setengah jadi", "untuk analisis")
    await press_data(world, TIM, pack(Button.MEASUREMENT_RENCANA_AKSI, cycle_id), "Boleh dalam beberapa pesan")
    await say(world, TIM, "Forum bisnis April", "untuk rencana aksi")
    sent = len(emu.sent_by_bot(TIM))

    since = emu.mark()
    query_id = await emu.user(TIM).press(analysis, data_of(analysis, "✅ Selesai"))
    again = await emu.wait_for_bot_message(TIM, "Masih menunggu jawaban", since=since)
    answer = emu.callback_answer(query_id)
    await asyncio.sleep(0.3)
    assert (answer["text"], answer["show_alert"]) == (t("common.expired_button", "id"), True)
    # the rencana aksi being typed is asked again (its draft kept), nothing else is sent
    assert "rencana aksi" in again["text"] and len(emu.sent_by_bot(TIM)) == sent + 1
    cycle = cycle_now(world)
    assert (cycle.analysis, cycle.rencana_aksi) == (None, None)

    # The current draft's own "Selesai" saves it, as the rencana aksi.
    await press(world, TIM, "✅ Selesai", "Rencana aksi Triwulan I 2026 tersimpan")
    cycle = cycle_now(world)
    assert (cycle.analysis, cycle.rencana_aksi) == (None, "Forum bisnis April")


def data_of(message: dict, label: str) -> str:
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)


def test_every_free_text_step_is_bound_to_its_question():
    """A step added to a journey's typed answers without saying how its question is named and asked again fails
    here, not in a member's chat."""
    assert set(TEXT_STEPS) - UNBOUND == set(QUESTIONS)
