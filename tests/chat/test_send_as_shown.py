"""What you see is what you send (SOP procedure A, step 7).

Given November 2026 open and Rina of Bidang Pelayanan Perizinan looking at her complete form's summary (P.2 at
85,3%), when her Kabid changes P.2 to 90% and Rina presses "Kirim ke Sekretaris" on the summary she saw, then
nothing is sent: she is shown what changed and by whom, and the summary again with a fresh button; the
confirmation lists the values being sent, and a confirmation made stale by a change is refused the same way.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from i18n import t
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.forms import FormStatus, UnitForm
from models.collection.opening import open_period
from models.office.organisation import Member, Role
from models.plan.indicators import Indicator
from models.plan.periods import Period
from models.store.database import session_scope
from tests.chat.conftest import World, add_people, has_button, month, until_button

ADMIN, SEKRETARIS, RINA, KABID = 101, 103, 130, 131
SEND, YES = "📤 Kirim ke Sekretaris", "Ya, kirim"
NOT_SENT = "belum ada yang dikirim"
EXPIRED = t("common.expired_button", "id")


def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def enter(world: World, telegram_id: int, code: str, value: Decimal) -> None:
    """`telegram_id` enters `code`'s value of November (with kendala and tindak lanjut when below target)."""
    with session_scope(world.engine) as session:
        who = member(session, telegram_id)
        period = session.exec(select(Period)).one()
        indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
        record_value(session, who, indicator, period, value, now=world.clock.now)
        item = next(i for i in form_items(session, form_of(session)) if i.indicator.id == indicator.id)
        if item.needs_kendala:
            record_note(session, who, indicator, period, "kendala", "Server OSS gangguan", now=world.clock.now)
        if item.needs_tindak_lanjut:
            record_note(session, who, indicator, period, "tindak_lanjut", "Koordinasi", now=world.clock.now)


def form_of(session: Session) -> UnitForm:
    rina = member(session, RINA)
    return session.exec(select(UnitForm).where(UnitForm.unit_id == rina.unit_id)).one()


def status(world: World) -> FormStatus:
    with world.session() as session:
        return FormStatus(form_of(session).status)


async def on_summary(world: World) -> dict:
    """November open, Rina's form complete (P.2 at 85,3%), Rina's summary on her screen."""
    add_people(world.engine, {KABID: ("Kabid Perizinan", Role.KABID, "Bidang Pelayanan Perizinan")})
    world.emu.user(KABID, "Kabid Perizinan")
    with session_scope(world.engine) as session:
        open_period(session, member(session, ADMIN), month(2026, 11), date(2026, 12, 10), now=world.clock.now)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    for code, value in (("P.1", Decimal(105)), ("P.2", Decimal("85.3")), ("P.3", Decimal(4))):
        enter(world, RINA, code, value)
    await world.emu.user(RINA).send_command("/isi")
    summary = await until_button(world.emu, RINA, SEND)
    assert "85,3%" in summary["text"]
    return summary


async def press(world: World, message: dict, label: str, expect: str) -> dict:
    since = world.emu.screens_shown()
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)
    await world.emu.user(RINA).press(message, data)
    return await world.emu.wait_for_bot_screen(RINA, expect, since=since)  # a new message, or the card edited


async def test_a_send_pressed_after_a_colleague_changed_a_value_sends_nothing_and_shows_the_change(world: World):
    """The issue's scenario: the Kabid changes P.2 to 90% while Rina looks at 85,3%; her Kirim sends nothing,
    shows the change and who made it, then the new summary, whose Kirim sends 90% once confirmed."""
    summary = await on_summary(world)
    enter(world, KABID, "P.2", Decimal(90))

    notice = await press(world, summary, SEND, NOT_SENT)
    assert "P.2" in notice["text"] and "85,3% → 90%" in notice["text"] and "Kabid Perizinan" in notice["text"]
    fresh = await world.emu.wait_for_bot_message(RINA, lambda m: has_button(m, SEND)
                                                 and m["message_id"] > notice["message_id"])
    assert "90%" in fresh["text"] and "85,3%" not in fresh["text"]
    assert status(world) is FormStatus.DRAFT

    confirmation = await press(world, fresh, SEND, "Kirim formulir ke Sekretaris?")
    assert "P.2 Persentase perizinan selesai tepat waktu: 90%" in confirmation["text"]
    await press(world, confirmation, YES, "terkirim ke Sekretaris")
    assert status(world) is FormStatus.SUBMITTED
    card = await world.emu.wait_for_bot_message(SEKRETARIS, "Bidang Pelayanan Perizinan")
    assert "90%" in card["text"] and "85,3%" not in card["text"]


async def test_the_confirmation_lists_the_values_and_a_stale_one_is_refused(world: World):
    """'Ya, kirim' of a confirmation shown before a change sends nothing: the change, then the summary again."""
    summary = await on_summary(world)
    confirmation = await press(world, summary, SEND, "Kirim formulir ke Sekretaris?")
    for row in ("P.1 Jumlah NIB terbit: 105 NIB", "P.2 Persentase perizinan selesai tepat waktu: 85,3%", "P.3 "):
        assert row in confirmation["text"]

    enter(world, KABID, "P.1", Decimal(110))
    notice = await press(world, confirmation, YES, NOT_SENT)
    assert "P.1" in notice["text"] and "105 NIB → 110 NIB" in notice["text"] and "Kabid Perizinan" in notice["text"]
    await world.emu.wait_for_bot_message(RINA, lambda m: has_button(m, SEND) and "110 NIB" in m["text"]
                                         and m["message_id"] > notice["message_id"])
    assert status(world) is FormStatus.DRAFT


async def test_a_send_button_of_the_older_version_is_answered_as_expired(world: World):
    """'Kirim' and 'Ya, kirim' shown by the bot before this version (the form's id and version) change nothing."""
    summary = await on_summary(world)
    with world.session() as session:
        form = form_of(session)
    for data in (f"isi.send|{form.id}|{form.version}", f"isi.sendok|{form.id}|{form.version}"):
        query_id = await world.emu.user(RINA).press(summary, data, force=True)
        for _ in range(250):
            if (answer := world.emu.callback_answer(query_id)) is not None:
                break
            await asyncio.sleep(0.02)
        assert answer is not None and answer["text"] == EXPIRED, data
    assert status(world) is FormStatus.DRAFT
