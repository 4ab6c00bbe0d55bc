"""One message per event per person: a whole cycle counted, no duplicate and no echo.

Given the demo office with two Sekretaris, when a month goes through the SOP in chat (opened, each unit sends its
form, one form is returned and sent again, every form approved, reported, the Kepala Dinas agrees), then at each
event every person gets exactly the messages it concerns them with (new messages: sendMessage, sendPhoto,
sendDocument, sendMediaGroup; edits of a card are not messages): the actor none about their own action (their
pressed card shows it), the other Sekretaris none about a card decided by a colleague (their copy is edited), and
nobody the same text twice.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlmodel import select

from models.office.organisation import Role
from models.plan.periods import Period, PeriodKind, PeriodRef
from tests.chat.conftest import PEOPLE, World, press_and_see
from tests.chat.test_cards import OTHER_SEKRETARIS, add_member, settled
from tests.chat.test_permissions import fill_form

ADMIN, KEPALA, SEKRETARIS, TIM = 101, 102, 103, 104
SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN = 110, 120, 121, 130, 140
EVERYONE = (*PEOPLE, OTHER_SEKRETARIS)
UNITS = {SEKRETARIAT: "Sekretariat", MODAL: "Bidang Penanaman Modal", PERIZINAN: "Bidang Pelayanan Perizinan",
         PENGADUAN: "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"}
MEMBERS = {SEKRETARIAT: (SEKRETARIS, TIM, SEKRETARIAT, OTHER_SEKRETARIS), MODAL: (MODAL, KABID_MODAL),
           PERIZINAN: (PERIZINAN,), PENGADUAN: (PENGADUAN,)}
SENDING = frozenset({"sendmessage", "sendphoto", "senddocument", "sendmediagroup"})


class Counted:
    """The messages each chat got during one event (from the action to the outbox at rest)."""

    def __init__(self, world: World) -> None:
        self.world, self.start = world, len(world.emu.calls)

    async def messages(self) -> dict[int, list[str]]:
        await settled(self.world)
        await asyncio.sleep(0.3)  # a direct reply still on its way
        await settled(self.world)
        got: dict[int, list[str]] = {}
        for call in self.world.emu.calls[self.start:]:
            if call.method.lower() in SENDING and call.ok:
                chat = int(call.params["chat_id"])
                got.setdefault(chat, []).append(str(call.params.get("text") or call.params.get("caption")
                                                    or call.method))
        return got


async def check(event: str, counted: Counted, expected: dict[int, int]) -> None:
    got = await counted.messages()
    counts = {chat: len(got.get(chat, [])) for chat in EVERYONE}
    wanted = {chat: expected.get(chat, 0) for chat in EVERYONE}
    assert counts == wanted, f"{event}: messages per person {counts}, expected {wanted}; got {got}"
    for chat, texts in got.items():
        twice = [text for text, times in Counter(texts).items() if times > 1]
        assert not twice, f"{event}: chat {chat} got the same message twice: {twice}"


async def send_form(world: World, staff: int) -> None:
    """The staff member sends the unit's complete form from /isi's summary."""
    await world.emu.user(staff).send_command("/isi")
    await world.emu.wait_for_bot_message(staff, "Ringkasan formulir")
    await press_and_see(world.emu, staff, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")


async def confirm_send(world: World, staff: int) -> None:
    await press_and_see(world.emu, staff, "Ya, kirim", "terkirim ke Sekretaris")


async def test_every_event_of_a_cycle_reaches_each_person_once_and_never_echoes(world: World):
    emu = world.emu
    add_member(world, OTHER_SEKRETARIS, "Bu Sekretaris Dua", Role.SEKRETARIS)
    today = world.clock.now.date()
    due = PeriodRef(PeriodKind.MONTH, today.year, today.month).previous()  # the month that has ended
    month = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"][due.number - 1]

    # SOP step 6: the admin opens the month that is due (her confirmation); every unit member gets the form,
    # nobody else anything.
    await emu.user(ADMIN).send_command("/periode")
    await emu.wait_for_bot_message(ADMIN, "Periode")
    await press_and_see(emu, ADMIN, f"Buka {month} {due.year}", "anggota akan diberi tahu")
    counted = Counted(world)
    await press_and_see(emu, ADMIN, "Ya, buka", "dibuka")
    await check("opened", counted, {ADMIN: 1, **{chat: 1 for members in MEMBERS.values() for chat in members}})

    # Step 7: each unit sends its form (values entered beforehand): every Sekretaris gets it, once.
    with world.session() as session:
        period = session.exec(select(Period).where(Period.year == due.year, Period.number == due.number,
                                                   Period.kind == "bulan")).one()
    with world.session() as session:
        for staff in UNITS:
            fill_form(session, staff, period.id, world.clock.now)
        session.commit()
    for staff in UNITS:
        await send_form(world, staff)
        counted = Counted(world)
        await confirm_send(world, staff)
        told = {KABID_MODAL: 1} if staff == MODAL else {}  # the Bidang's head hears his staff sent it
        await check(f"{UNITS[staff]} sent", counted, {SEKRETARIS: 1, OTHER_SEKRETARIS: 1, **told})

    # Step 10: Pengaduan's form returned for P.4: the unit is told; the Sekretaris's reply; his colleague's card
    # is edited (no message).
    card = await emu.wait_for_bot_message(SEKRETARIS, lambda m: UNITS[PENGADUAN] in (m.get("text") or "")
                                          and "Setujui" in str(m.get("reply_markup")))
    await emu.user(SEKRETARIS).press(card, next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"]
                                                for b in row if "Kembalikan" in b["text"]))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.4")
    await emu.wait_for_call("editMessageReplyMarkup")
    await press_and_see(emu, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.4")
    counted = Counted(world)
    await emu.user(SEKRETARIS).send_text("Lampirkan register pengaduan")
    await emu.wait_for_bot_message(SEKRETARIS, "dikembalikan dengan arahan Anda")
    await check("returned", counted, {SEKRETARIS: 1, PENGADUAN: 1})

    # The unit sends it again: every Sekretaris gets the form again (old → new), once.
    await press_and_see(emu, PENGADUAN, "Perbaiki sekarang", "Lampirkan register pengaduan")
    await press_and_see(emu, PENGADUAN, "Tetap", "bukti dukung")
    await press_and_see(emu, PENGADUAN, "Lewati", "Ringkasan formulir")
    await press_and_see(emu, PENGADUAN, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
    counted = Counted(world)
    await confirm_send(world, PENGADUAN)
    await check("sent again", counted, {SEKRETARIS: 1, OTHER_SEKRETARIS: 1})

    # Every form approved by the Sekretaris: each unit's members are told, but not the Sekretaris himself of his
    # own Sekretariat's form; after the last, both Sekretaris are asked to report.
    order = [SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN]
    for staff in order:
        card = next(m for m in reversed(emu.sent_by_bot(SEKRETARIS)) if UNITS[staff] in (m.get("text") or "")
                    and "Setujui" in str(m.get("reply_markup")))
        counted = Counted(world)
        await emu.user(SEKRETARIS).press(card, next(b["callback_data"] for row in card["reply_markup"]
                                                    ["inline_keyboard"] for b in row if "Setujui" in b["text"]))
        await emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh Pak Sekretaris")
        expected = {chat: 1 for chat in MEMBERS[staff] if chat != SEKRETARIS}
        if staff == order[-1]:
            expected.update({SEKRETARIS: 1, OTHER_SEKRETARIS: 1})  # "Laporkan ke Kepala Dinas"
        await check(f"{UNITS[staff]} approved", counted, expected)

    # Step 11: reported; the Kepala Dinas gets the album, the recap with its buttons and the PDF; no Sekretaris
    # gets a message (the pressed card and the colleague's copy show it).
    counted = Counted(world)
    await press_and_see(emu, SEKRETARIS, "📤 Laporkan ke Kepala Dinas", "Dilaporkan ke Kepala Dinas oleh")
    await check("reported", counted, {KEPALA: 3})

    # The Kepala Dinas agrees: nobody is told while she may still take it back; once archived, everyone involved
    # is told once, but not she (her card shows it); the Tim SAKIP also gets the filed Laporan.
    counted = Counted(world)
    await press_and_see(emu, KEPALA, "✅ Setuju", "Disetujui Kepala Dinas")
    await check("agreed, may still be undone", counted, {})
    counted = Counted(world)
    world.clock.now += timedelta(minutes=11)
    await world.run_scheduled_work()
    involved = {chat for members in MEMBERS.values() for chat in members} | {SEKRETARIS, OTHER_SEKRETARIS}
    await check("disposed", counted, {**{chat: 1 for chat in involved}, TIM: 2})
