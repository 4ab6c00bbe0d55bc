"""Acting officials in chat: the admin names a Plh Sekretaris with /plt, who then acts as the Sekretaris for
those days and no longer.

Given the demo office and October 2026 open, when the admin names Kabid Modal Plh Sekretaris from 22 to 24
November with /plt (a day typed wrong first: told, nothing lost), then a form submitted meanwhile reaches Kabid
Modal too, his approval is worded "Plh. Sekretaris Kabid Modal" on his card, the unit's and in the audit; on
25 November, without anyone ending it, the reminder of the form still waiting goes to the Sekretaris only and his
press on its card is refused. An acting official can be ended early from the /plt list.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from models.office.acting_officials import ActingOfficial
from models.office.audit import AuditEntry
from tests.chat.conftest import World, alert_of, button_data
from tests.chat.test_full_cycle import fill_simple, press, say

ADMIN, KEPALA, SEKRETARIS, KABID_MODAL = 101, 102, 103, 121
SEKRETARIAT, PENGADUAN = 110, 140
JAKARTA = ZoneInfo("Asia/Jakarta")
PLH = "Plh. Sekretaris Kabid Modal"


async def name_plh_sekretaris(world: World) -> None:
    await say(world, ADMIN, "/plt", "Tidak ada Plt/Plh")
    choice = await press(world, ADMIN, "➕ Tunjuk Plt/Plh Sekretaris", "Siapa yang ditunjuk sebagai Plt/Plh Sekretaris")
    offered = {b["text"] for row in choice["reply_markup"]["inline_keyboard"] for b in row}
    assert "Kabid Modal" in offered and "Tim SAKIP" in offered
    assert not offered & {"Pak Sekretaris", "Ibu Kepala", "Budi Admin"}  # the office's own, the other office, admin
    await press(world, ADMIN, "Kabid Modal", "Kabid Modal sebagai Plt atau Plh Sekretaris?")
    await press(world, ADMIN, "Plh (Pelaksana Harian)", f"Mulai tanggal berapa {PLH}?")
    refused = await say(world, ADMIN, "kemarin sore", "tidak dikenal")
    assert "'kemarin sore'" in refused["text"]
    await say(world, ADMIN, "22 November 2026", "Sampai tanggal berapa")
    await say(world, ADMIN, "2026-11-24", "ditunjuk sebagai")
    confirmation = world.emu.last_bot_message(ADMIN)["text"]
    assert confirmation.startswith(
        "✅ Kabid Modal ditunjuk sebagai Plh. Sekretaris, 22 November 2026 s.d. 24 November 2026")


async def card_for(world: World, user_id: int, unit: str) -> dict:
    """The review card of the unit's form in the member's chat (cards arrive in any order)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        found = [m for m in world.emu.sent_by_bot(user_id) if f"📥 Formulir {unit} ·" in (m.get("text") or "")]
        if found:
            return found[-1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no review card of {unit} for {user_id}:\n{world.emu.dump_recent()}")


async def test_a_plh_sekretaris_reviews_in_range_named_as_plh_and_not_after(world: World):
    emu = world.emu
    await say(world, ADMIN, "/periode", "Periode")
    await press(world, ADMIN, "Buka Oktober 2026", "anggota akan diberi tahu")
    await press(world, ADMIN, "Ya, buka", "dibuka")
    await name_plh_sekretaris(world)

    await fill_simple(world, PENGADUAN, ["100", "5"])
    await fill_simple(world, SEKRETARIAT, ["90"])
    card = await card_for(world, KABID_MODAL, "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan")
    await card_for(world, SEKRETARIS, "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan")  # the Sekretaris too
    await emu.user(KABID_MODAL).press(card, button_data(card, "✅ Setujui"))
    await emu.wait_for_bot_screen(KABID_MODAL, f"Disetujui oleh {PLH} ·")  # his card shows it, with his office
    await emu.wait_for_bot_message(PENGADUAN, f"disetujui {PLH}.")
    kabid_id, admin_id = world.member(KABID_MODAL).id, world.member(ADMIN).id
    with world.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "form.approved")).one()
        assert entry.actor_member_id == kabid_id and entry.acting_as == "plh.sekretaris"
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "acting.appoint")).one().actor == \
            f"member:{admin_id}"

    # 25 November: the range has ended by itself. The form still waiting is the Sekretaris's to remind, not his;
    # his press on its card is refused.
    seen = len(emu.sent_by_bot(KABID_MODAL))
    world.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA)
    await world.run_scheduled_work()
    await emu.wait_for_bot_message(SEKRETARIS, "Menunggu verifikasi Anda")
    await asyncio.sleep(0.5)  # the outbox has had its moment: a reminder for him would be there by now
    assert not [m for m in emu.sent_by_bot(KABID_MODAL)[seen:] if "Menunggu verifikasi" in (m.get("text") or "")]
    still_open = await card_for(world, KABID_MODAL, "Sekretariat")
    query = await emu.user(KABID_MODAL).press(still_open, button_data(still_open, "✅ Setujui"))
    assert await alert_of(emu, query) == "Anda tidak berwenang untuk tindakan ini."
    with world.session() as session:
        refusal = session.exec(select(AuditEntry).where(AuditEntry.action == "permission.refused")).one()
        assert refusal.actor_member_id == kabid_id
    await say(world, ADMIN, "/plt", "Tidak ada Plt/Plh yang sedang atau akan menjabat")


async def test_an_acting_official_is_ended_early_from_the_list(world: World):
    await name_plh_sekretaris(world)
    listing = await say(world, ADMIN, "/plt", "Plt/Plh Sekretaris dan Kepala Dinas")
    assert "• Plh. Sekretaris: Kabid Modal · 22 November 2026 s.d. 24 November 2026 (sedang menjabat)" \
        in listing["text"]
    await press(world, ADMIN, f"⏹ Akhiri {PLH}", f"Penunjukan {PLH} diakhiri")
    with world.session() as session:
        acting = session.exec(select(ActingOfficial)).one()
        assert acting.ended_at is not None and acting.ends_at <= world.clock.now
    await say(world, ADMIN, "/plt", "Tidak ada Plt/Plh yang sedang atau akan menjabat")


async def test_overlapping_days_are_refused_and_asked_again(world: World):
    await name_plh_sekretaris(world)
    await say(world, ADMIN, "/plt", "Plt/Plh Sekretaris dan Kepala Dinas")
    await press(world, ADMIN, "➕ Tunjuk Plt/Plh Sekretaris", "Siapa yang ditunjuk")
    await press(world, ADMIN, "Tim SAKIP", "sebagai Plt atau Plh")
    await press(world, ADMIN, "Plt (Pelaksana Tugas)", "Mulai tanggal berapa Plt. Sekretaris Tim SAKIP?")
    await say(world, ADMIN, "24 Nov 2026", "Sampai tanggal berapa")
    refused = await say(world, ADMIN, "30/11/2026", "bertumpang tindih")
    assert "Plh. Sekretaris Kabid Modal (22 November 2026 – 24 November 2026)" in refused["text"]
    await world.emu.wait_for_bot_message(ADMIN, "Mulai tanggal berapa Plt. Sekretaris Tim SAKIP?")
    await say(world, ADMIN, "25 November 2026", "Sampai tanggal berapa")
    await say(world, ADMIN, "30 November 2026", "✅ Tim SAKIP ditunjuk sebagai Plt. Sekretaris")
