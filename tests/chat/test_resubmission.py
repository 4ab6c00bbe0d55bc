"""A resubmitted form on the Sekretaris's card (SOP step 10 again): only what changed since the return.

Given Rina's November 2026 form sent (P.1 105 NIB, P.2 96%, P.3 6,5 hari) and returned with all three, when she
types P.1 again as "105,0", types 97 for P.2 and keeps P.3 adding a photo, then the card of the form sent again
says "P.1: tidak ada perubahan", "P.2: 96% → 97%" and "P.3: +1 bukti (foto)", and lists no unchanged value as
"old → new"."""

from __future__ import annotations

from tests.chat.conftest import World, button_data
from tests.chat.test_evidence import PNG, RINA, SEKRETARIS, at_evidence_question, press, say, send_form


async def test_the_card_of_a_form_sent_again_shows_only_what_changed(world: World):
    emu = world.emu
    await at_evidence_question(world)
    card = await send_form(world, go_on="Lewati")
    await emu.user(SEKRETARIS).press(card, button_data(card, "↩️ Kembalikan"))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    for code in ("P.1", "P.2", "P.3"):
        since = emu.mark()
        await emu.user(SEKRETARIS).press_button(text=f"⬜ {code}")
        await emu.wait_for_call("editMessageReplyMarkup", since=since)
    await press(world, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.1, P.2, P.3")
    since = emu.mark()
    await emu.user(SEKRETARIS).send_text("Periksa lagi")
    await emu.wait_for_bot_message(SEKRETARIS, "dikembalikan", since=since)

    await press(world, RINA, "Perbaiki sekarang", "P.1")
    await say(world, "105,0", "bukti dukung")
    await press(world, RINA, "Lewati", "P.2")
    await say(world, "97", "bukti dukung")
    await press(world, RINA, "Lewati", "P.3")
    await press(world, RINA, "Tetap", "bukti dukung")
    since = emu.mark()
    await emu.user(RINA).send_photo(PNG)
    await emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas", since=since)
    since = emu.mark()
    await send_form(world)
    again = await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang", since=since)
    changes = again["text"].split("Perubahan sejak dikembalikan:")[1]
    assert "P.1: tidak ada perubahan" in changes
    assert "P.2: 96% → 97%" in changes
    assert "P.3: +1 bukti (foto)" in changes
    assert "105 NIB → 105 NIB" not in again["text"] and "→ 6,5" not in again["text"]
