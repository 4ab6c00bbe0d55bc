"""One Telegram call per answered step of a form (SOP procedure A, step 7), so the bot's ~30 calls a second
serve as many members as they can.

Given November 2026 open and Rina of Bidang Pelayanan Perizinan filling her form (P.1 on target, P.2 below
target with kendala and tindak lanjut, P.3 on target, each without evidence), when she answers each question,
then each answer — a typed value, a kendala, a tindak lanjut, a "Lewati" — costs one call to her chat: what was
saved and its capaian are on top of the next question, in one message; and every answer is still saved. When she
then sends the form — "Kirim", "Batal", "Kirim" again, "Ya, kirim" — each press costs one call too: the summary's
card becomes the confirmation (the values to send), the summary again, the confirmation, then what was sent, its
buttons gone; and the form is submitted once.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlmodel import select

from emulator.inspection import Marker
from handlers.screens import Album, Screen, joined
from models.collection.forms import FormStatus, UnitForm
from tests.chat.conftest import World, until_button
from tests.chat.test_questions import RINA, data_of, open_november, stored

SETTLE = 0.3  # seconds in which a second call of the same step would have come


def chat_calls(world: World, since: Marker) -> list[str]:
    """The methods of the calls made to Rina's chat since `since` (sendMessage, editMessageReplyMarkup …)."""
    return [call.method for call in world.emu.calls[since.calls:] if str(call.params.get("chat_id")) == str(RINA)]


async def answered(world: World, answer: str, expect: str, button: bool = False) -> tuple[dict, list[str]]:
    """Rina types `answer` (or presses the button so labelled); the bot's message containing `expect`, and the
    calls made to her chat for it."""
    emu = world.emu
    message = await until_button(emu, RINA, answer) if button else None
    since = emu.mark()
    if button:
        await emu.user(RINA).press(message, data_of(message, answer))
    else:
        await emu.user(RINA).send_text(answer)
    reply = await emu.wait_for_bot_message(RINA, expect, since=since)
    await asyncio.sleep(SETTLE)
    return reply, chat_calls(world, since)


async def test_each_answered_step_costs_one_call(world: World):
    emu = world.emu
    open_november(world.engine)
    await emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    since = emu.mark()
    await emu.user(RINA).send_text("/isi")
    await emu.wait_for_bot_message(RINA, "Ketik nilai realisasi", since=since)
    start = emu.mark()

    steps = [("105", "bukti dukung", False), ("Lewati", "P.2", True), ("92,5", "kendala", False),
             ("Server OSS gangguan", "tindak lanjut", False), ("Koordinasi dengan Kementerian", "bukti dukung", False),
             ("Lewati", "P.3", True), ("6,5", "bukti dukung", False), ("Lewati", "Ringkasan formulir", True)]
    calls = {}
    for answer, expect, button in steps:
        reply, calls[answer, expect] = await answered(world, answer, expect, button)
        if not button and answer[0].isdigit():  # a value: saved, its capaian, and the next question, together
            assert "Tersimpan" in reply["text"] and "Capaian" in reply["text"]
    total = len(chat_calls(world, start))
    presses = len(emu.calls_to("answerCallbackQuery", since=start))
    print(f"\nTelegram calls to the chat per answered step: {total / len(steps):.2f} ({total} for {len(steps)} "
          f"steps, plus {presses} answerCallbackQuery)")
    assert all(methods == ["sendMessage"] for methods in calls.values()), calls
    assert total == len(steps) and presses == 3
    assert stored(world.engine) == [
        ("P.1", Decimal(105), None, None), ("P.2", Decimal("92.5"), None, None),
        ("P.2", Decimal("92.5"), "Server OSS gangguan", None),
        ("P.2", Decimal("92.5"), "Server OSS gangguan", "Koordinasi dengan Kementerian"),
        ("P.3", Decimal("6.5"), None, None)]


async def pressed_in_place(world: World, label: str, expect: str) -> tuple[dict, list[str]]:
    """Rina presses the button so labelled; the card as it then shows, and the calls made to her chat for it."""
    emu = world.emu
    card = await until_button(emu, RINA, label)
    since, shown = emu.mark(), emu.screens_shown()
    await emu.user(RINA).press(card, data_of(card, label))
    edited = await emu.wait_for_bot_screen(RINA, expect, since=shown)
    await asyncio.sleep(SETTLE)
    assert edited["message_id"] == card["message_id"], "a new message instead of the card edited"
    return edited, chat_calls(world, since)


async def test_sending_the_form_edits_its_card_one_call_a_press(world: World):
    emu = world.emu
    open_november(world.engine)
    await emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    await emu.user(RINA).send_text("/isi")
    await emu.wait_for_bot_message(RINA, "Ketik nilai realisasi")
    for answer, expect, button in [("105", "bukti dukung", False), ("Lewati", "P.2", True),
                                   ("99", "bukti dukung", False), ("Lewati", "P.3", True),
                                   ("6,5", "bukti dukung", False), ("Lewati", "Ringkasan formulir", True)]:
        await answered(world, answer, expect, button)

    confirm, first = await pressed_in_place(world, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
    assert "P.1" in confirm["text"] and "105" in confirm["text"]  # the values about to be sent
    summary, cancelled = await pressed_in_place(world, "Batal", "Belum dikirim")
    assert "Ringkasan formulir" in summary["text"] and data_of(summary, "📤 Kirim ke Sekretaris")
    _, again = await pressed_in_place(world, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
    sent, yes = await pressed_in_place(world, "Ya, kirim", "terkirim ke Sekretaris")
    assert "P.3" in sent["text"] and not sent.get("reply_markup", {}).get("inline_keyboard")
    assert [first, cancelled, again, yes] == [["editMessageText"]] * 4
    with world.session() as session:
        assert [form.status for form in session.exec(select(UnitForm))] == [FormStatus.SUBMITTED]


async def test_the_saved_value_stays_above_the_next_question(world: World):
    """The member's sense of progress: the message asking P.1's evidence begins with what P.1 saved."""
    emu = world.emu
    open_november(world.engine)
    await emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    await emu.user(RINA).send_text("/isi")
    await emu.wait_for_bot_message(RINA, "Ketik nilai realisasi")
    reply, _ = await answered(world, "105", "bukti dukung")
    saved_at, asked_at = reply["text"].index("Tersimpan: P.1"), reply["text"].index("bukti dukung")
    assert saved_at < asked_at


def test_a_notice_joins_the_question_after_it_and_nothing_else():
    """`joined`: a plain notice goes on top of the text screen after it, which keeps its buttons and question; a
    notice before a photo album, or at the end, stays a message of its own."""
    notice, question = Screen.of("Tersimpan"), Screen.of("Bukti?", [[("Lewati", "isi.next|7")]], question=7)
    assert joined([notice, question]) == [Screen(["Tersimpan", "Bukti?"], [[("Lewati", "isi.next|7")]],
                                                 question=7)]
    album = Screen([], media=Album((b"png",)))
    assert joined([notice, album, question]) == [notice, album, question]
    assert joined([question, notice]) == [question, notice]
