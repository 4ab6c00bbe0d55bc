"""Evidence stays in the reviewer's hand: on /rekap and on the card once the form is decided (SOP steps 10–11).

Given November 2026 open and Rina of Bidang Pelayanan Perizinan sending her form with a link as P.3's evidence:
/rekap shows the Sekretaris, the Tim SAKIP and the Kepala Dinas "📎 Bukti Bidang Pelayanan Perizinan (1)", whose
press brings the link, while the Kabid of another unit and the Admin, who may not see that form, get no button.
When the Sekretaris approves, Setujui and Kembalikan leave the card and 📎 stays and still works; when he returns
the form instead, the card shows the return and its 📎 still brings the evidence.
"""

from __future__ import annotations

from tests.chat.conftest import DRAWING, World, until_button
from tests.chat.test_evidence import (
    ADMIN,
    APPROVE,
    KEPALA,
    LINK,
    SEKRETARIS,
    at_evidence_question,
    button_data,
    press,
    say,
    send_form,
)

TIM_SAKIP, KABID_MODAL = 104, 121
UNIT_BUTTON = "📎 Bukti Bidang Pelayanan Perizinan (1)"
CARD_BUTTON = "📎 Bukti (1)"
RETURN = "↩️ Kembalikan"


async def form_with_a_link(world: World) -> dict:
    """Rina's form sent with a link as P.3's evidence; the Sekretaris's review card."""
    await at_evidence_question(world)
    await say(world, LINK, "Tautan disimpan")
    return await send_form(world)


def labels(message: dict) -> list[str]:
    return [button["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for button in row]


def current(world: World, chat_id: int, message: dict) -> dict:
    """The message as the chat shows it now (after edits)."""
    return next(m for m in world.emu.sent_by_bot(chat_id) if m["message_id"] == message["message_id"])


async def evidence_from(world: World, user_id: int, message: dict, label: str) -> dict:
    since = world.emu.mark()
    await world.emu.user(user_id).press(message, button_data(message, label))
    return await world.emu.wait_for_bot_message(user_id, "Tautan dan keterangan", since=since)


async def test_rekap_carries_a_button_per_unit_form_with_evidence_for_whoever_may_see_it(world: World):
    emu = world.emu
    await form_with_a_link(world)
    recaps = {}
    for user_id in (SEKRETARIS, TIM_SAKIP, KEPALA):
        await emu.user(user_id).send_command("/rekap", "november")
        recaps[user_id] = await until_button(emu, user_id, UNIT_BUTTON, timeout=DRAWING)
        assert labels(recaps[user_id]) == ["🏢 Rincian per unit", UNIT_BUTTON]  # only the unit with evidence
    last_line = recaps[SEKRETARIS]["text"].splitlines()[-1]
    for user_id in (KABID_MODAL, ADMIN):  # may see the recap, not that unit's form
        since = emu.mark()
        await emu.user(user_id).send_command("/rekap", "november")
        recap = await emu.wait_for_bot_message(user_id, lambda m: m.get("text", "").endswith(last_line),
                                               since=since, timeout=DRAWING)
        assert labels(recap) == ["🏢 Rincian per unit"]
        await emu.user(user_id).press(recap, button_data(recap, "🏢 Rincian per unit"))
        detail = await emu.wait_for_bot_message(
            user_id, lambda m: (m.get("text") or "").startswith("Rincian per unit · "), since=since)
        assert "Bidang Pelayanan Perizinan" in detail["text"]  # the unit's line, without its form's 📎
        assert not any("📎" in label for m in emu.sent_by_bot(user_id) for label in labels(m))

    texts = await evidence_from(world, TIM_SAKIP, recaps[TIM_SAKIP], UNIT_BUTTON)
    assert LINK in texts["text"] and "P.3" in texts["text"]


async def test_the_approved_card_keeps_its_evidence_button_and_loses_the_decision_buttons(world: World):
    emu = world.emu
    card = await form_with_a_link(world)
    assert labels(card) == [APPROVE, RETURN, CARD_BUTTON]
    await emu.user(SEKRETARIS).press(card, button_data(card, APPROVE))
    await emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh")
    approved = current(world, SEKRETARIS, card)
    assert labels(approved) == [CARD_BUTTON]
    texts = await evidence_from(world, SEKRETARIS, approved, CARD_BUTTON)
    assert LINK in texts["text"]
    assert labels(current(world, SEKRETARIS, card)) == [CARD_BUTTON]  # looking decides nothing


async def test_a_card_without_evidence_loses_every_button_once_approved(world: World):
    await at_evidence_question(world)
    card = await send_form(world, "Lewati")
    await press(world, SEKRETARIS, APPROVE, "Disetujui oleh")
    assert labels(current(world, SEKRETARIS, card)) == []


async def test_the_returned_cards_evidence_stays_reachable(world: World):
    emu = world.emu
    card = await form_with_a_link(world)
    await emu.user(SEKRETARIS).press(card, button_data(card, RETURN))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.3")
    await emu.wait_for_call("editMessageReplyMarkup")
    await press(world, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.3")
    since = emu.mark()
    await emu.user(SEKRETARIS).send_text("Lampirkan daftar hadir")
    await emu.wait_for_bot_message(SEKRETARIS, "dikembalikan", since=since)
    await emu.wait_for_bot_screen(SEKRETARIS, "Dikembalikan oleh")  # the card shows the return, 📎 stays
    returned = current(world, SEKRETARIS, card)
    assert labels(returned) == [CARD_BUTTON]
    texts = await evidence_from(world, SEKRETARIS, returned, CARD_BUTTON)
    assert LINK in texts["text"]
