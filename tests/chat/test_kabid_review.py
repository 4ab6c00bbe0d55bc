"""The kabid in the loop, in chat (SOP A7: the Bidang hands in its form, its head answers for it).

Given October 2026 open and Bidang Penanaman Modal's staff (Dewi) with her form filled: without KABID_REVIEW her
kabid gets one "form sent" notice and the Sekretaris reviews as before; with it, the kabid gets the review card
first, returns K.3 with an arahan, Dewi sees it, fixes K.3 and sends again, the kabid approves and only then the
Sekretaris gets the card; a unit without a kabid (Pelayanan Perizinan) goes straight to the Sekretaris; /status
shows the form waiting for the kabid and the mutu baku his step.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlmodel import select

from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import EntrySource
from models.collection.workflow import enter_realisasi
from models.office.audit import Actor
from models.office.invites import member_by_telegram_id
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import World, alert_of, button_data, has_button, running_world, until_button
from tests.chat.test_full_cycle import press, say

SEKRETARIS, MODAL, KABID_MODAL, PERIZINAN = 103, 120, 121, 130
FILLED = {MODAL: {"S.1": "70000000000", "K.3": "6"}, PERIZINAN: {"P.1": "100", "P.2": "95", "P.3": "6"}}
ARAHAN = "Cocokkan dengan <OSS> & lampirkan daftar proyek"  # HTML characters: shown as typed
MODAL_CARD = "Formulir Bidang Penanaman Modal · Oktober 2026"


@pytest.fixture
async def kabid_world(office_engine, tmp_path, monkeypatch):
    """The bot with KABID_REVIEW on."""
    monkeypatch.setenv("KABID_REVIEW", "true")
    async with running_world(office_engine, tmp_path, monkeypatch) as world:
        yield world


def fill_october(world: World, *staff: int) -> None:
    """October 2026 is open and each staff's unit form is complete (values with kendala and tindak lanjut)."""
    with session_scope(world.engine) as session:
        period = Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        for telegram_id in staff:
            member = member_by_telegram_id(session, telegram_id)
            for code, value in FILLED[telegram_id].items():
                indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
                enter_realisasi(session, indicator, period, Decimal(value), Actor.member(member.id),
                                kendala="Data OSS terlambat", tindak_lanjut="Koordinasi", source=EntrySource.CHAT,
                                now=world.clock.now)


async def send_form(world: World, staff: int, told: str, to: str = "Sekretaris") -> dict:
    """The staff opens the summary and sends the form: 'Kirim' and its question name where it goes (`to`)."""
    await say(world, staff, "/isi", "Ringkasan formulir")
    await press(world, staff, f"📤 Kirim ke {to}", f"Kirim formulir ke {to}?")
    return await press(world, staff, "Ya, kirim", told)


def modal_form_status(world: World) -> FormStatus:
    with world.session() as session:
        unit_id = member_by_telegram_id(session, MODAL).unit_id
        return FormStatus(session.exec(select(UnitForm).where(UnitForm.unit_id == unit_id)).one().status)


def texts(world: World, chat: int) -> list[str]:
    return [message.get("text", "") for message in world.emu.sent_by_bot(chat)]


async def test_without_the_rule_the_kabid_is_told_once_and_the_sekretaris_reviews_as_before(world: World):
    emu = world.emu
    fill_october(world, MODAL)
    sent = await send_form(world, MODAL, "terkirim ke Sekretaris")
    assert "Kabid" not in sent["text"]

    told = await emu.wait_for_bot_message(KABID_MODAL, "dikirim")
    assert told["text"] == "📤 Formulir Bidang Penanaman Modal · Oktober 2026 dikirim Dewi Modal ke Sekretaris."
    assert not told.get("reply_markup")  # news, nothing to decide
    card = await until_button(emu, SEKRETARIS, "✅ Setujui")
    assert card["text"].startswith(f"📥 {MODAL_CARD} menunggu pemeriksaan Anda.")
    await emu.user(SEKRETARIS).press(card, button_data(card, "✅ Setujui"))
    await emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh Pak Sekretaris")  # his card shows it
    await emu.wait_for_bot_message(KABID_MODAL, "disetujui Sekretaris")  # a unit member, as before
    await asyncio.sleep(0.3)
    assert sum("dikirim" in text for text in texts(world, KABID_MODAL)) == 1  # once, not again on approval
    assert modal_form_status(world) is FormStatus.APPROVED


async def test_with_the_rule_the_kabid_returns_approves_and_only_then_the_sekretaris_reviews(kabid_world: World):
    world, emu = kabid_world, kabid_world.emu
    fill_october(world, MODAL)
    sent = await send_form(world, MODAL, "terkirim ke Kabid", to="Kabid")
    assert sent["text"].startswith("📤 Formulir Oktober 2026 terkirim ke Kabid")
    assert modal_form_status(world) is FormStatus.WAITING_KABID

    # The kabid gets the review card; the Sekretaris nothing yet; everyone's /status says where the form is.
    card = await until_button(emu, KABID_MODAL, "↩️ Kembalikan")
    assert card["text"].startswith(f"📥 {MODAL_CARD} dari staf Anda menunggu pemeriksaan Anda sebelum ke Sekretaris.")
    assert "Data OSS terlambat" in card["text"]  # the whole form, as the Sekretaris sees it
    listing = await say(world, KABID_MODAL, "/tugas", "Yang menunggu Anda")  # and it waits in his list
    assert f"⏳ {MODAL_CARD} dari staf Anda, periksa sebelum ke Sekretaris" in listing["text"]
    opened = await press(world, KABID_MODAL, "Periksa Oktober 2026 · Bidang Penanaman Modal", "sebelum ke Sekretaris")
    assert opened["text"] == card["text"] and has_button(opened, "✅ Setujui")
    status = await say(world, SEKRETARIS, "/status", "Mutu baku")
    assert "Bidang Penanaman Modal: menunggu Kabid" in status["text"]
    assert "7. Pemeriksaan Kabid" in status["text"]
    assert not any(has_button(m, "✅ Setujui") for m in emu.sent_by_bot(SEKRETARIS))
    waiting = await say(world, MODAL, "/isi", "menunggu pemeriksaan Kabid")  # locked while the kabid checks it
    assert waiting["text"] == "Formulir Oktober 2026 sudah dikirim dan menunggu pemeriksaan Kabid."

    # He returns K.3 with an arahan, with the Sekretaris's toggles.
    await emu.user(KABID_MODAL).press(card, button_data(card, "↩️ Kembalikan"))
    await emu.wait_for_bot_message(KABID_MODAL, "Pilih indikator")
    await emu.user(KABID_MODAL).press_button(text="⬜ K.3")
    await emu.wait_for_call("editMessageReplyMarkup")
    await press(world, KABID_MODAL, "Tulis arahan ➡️", "Tulis arahan untuk K.3")
    done = await say(world, KABID_MODAL, ARAHAN, "dikembalikan")
    assert done["text"] == ("↩️ Formulir Bidang Penanaman Modal · Oktober 2026 dikembalikan dengan arahan Anda "
                            "untuk K.3.")

    # Dewi sees who returned it and why, fixes K.3 and sends again.
    returned = await emu.wait_for_bot_message(MODAL, "dikembalikan Kabid")
    assert returned["text"] == (f"↩️ Formulir Oktober 2026 dikembalikan Kabid (Kabid Modal).\nIndikator: K.3\n"
                                f"Arahan: {ARAHAN}")
    question = await press(world, MODAL, "Perbaiki sekarang", "K.3")
    assert f"↩️ Dikembalikan Kabid (Kabid Modal). Arahan: {ARAHAN}" in question["text"]  # not "Sekretaris"
    await say(world, MODAL, "7", "bukti dukung")
    await press(world, MODAL, "Lewati", "Ringkasan formulir")
    await press(world, MODAL, "📤 Kirim ke Kabid", "Kirim formulir ke Kabid?")
    await press(world, MODAL, "Ya, kirim", "terkirim ke Kabid")

    # The kabid sees old → new and approves; a second press of his first card is refused, naming who decided last.
    again = await emu.wait_for_bot_message(KABID_MODAL, "dikirim ulang")
    assert again["text"].startswith(f"📥 {MODAL_CARD} dikirim ulang staf Anda setelah diperbaiki")
    assert again["text"].endswith("Perubahan sejak dikembalikan:\n• K.3: 6 → 7 proyek")
    assert not any(has_button(m, "✅ Setujui") for m in emu.sent_by_bot(SEKRETARIS))
    shown = emu.screens_shown()
    await emu.user(KABID_MODAL).press(again, button_data(again, "✅ Setujui"))
    approved = await emu.wait_for_bot_screen(KABID_MODAL, "Anda setujui", since=shown)  # the card turns into it
    assert approved["text"] == f"✅ {MODAL_CARD} Anda setujui dan diteruskan ke Sekretaris."
    query = await emu.user(KABID_MODAL).press(card, button_data(card, "✅ Setujui"))  # his first card, late
    assert (await alert_of(emu, query)).startswith("Sudah ditangani oleh Kabid Modal")

    # Now the Sekretaris gets the card (with what changed since the return), and decides as before.
    review = await until_button(emu, SEKRETARIS, "✅ Setujui")
    assert review["text"].startswith(f"📥 {MODAL_CARD} dikirim ulang setelah diperbaiki.")
    assert modal_form_status(world) is FormStatus.SUBMITTED
    await emu.user(SEKRETARIS).press(review, button_data(review, "✅ Setujui"))
    await emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh Pak Sekretaris")
    assert modal_form_status(world) is FormStatus.APPROVED
    assert not any("dikirim Dewi Modal ke Sekretaris" in text for text in texts(world, KABID_MODAL))  # the card was it


async def test_with_the_rule_a_unit_without_a_kabid_goes_straight_to_the_sekretaris(kabid_world: World):
    world, emu = kabid_world, kabid_world.emu
    fill_october(world, PERIZINAN)
    await send_form(world, PERIZINAN, "terkirim ke Sekretaris")
    card = await until_button(emu, SEKRETARIS, "✅ Setujui")
    assert card["text"].startswith("📥 Formulir Bidang Pelayanan Perizinan · Oktober 2026 menunggu pemeriksaan Anda.")
    assert not texts(world, KABID_MODAL)  # another Bidang's head hears nothing
