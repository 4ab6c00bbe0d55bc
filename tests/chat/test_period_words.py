"""Periods as people say them, in chat.

Given the demo office's Triwulan I 2026 (January to March and the triwulan, imported) and the bot's clock in
November 2026, when a member types `/rekap april`, `/laporan tw1`, `/ekspor 2026` or `/pengukuran triwulan 1`,
then the bot answers for that period as it does for its code; a month without a year is the latest one (April
2026); words that name no period are refused with the forms accepted. When the member types the command alone,
the bot offers buttons of the recent periods that make sense for it, and pressing one gives what typing it gives.
"""

from __future__ import annotations

import asyncio

from sqlmodel import select

from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World
from tests.chat.test_measurement import archive_triwulan_i
from tests.chat.test_recap_album import labels, speaks
from tests.chat.test_status_language import SEKRETARIS, TIM, import_demo_realisasi, say

RECENT = ["Triwulan I 2026", "Maret 2026", "Januari 2026", "Februari 2026"]  # newest first, a triwulan after its months


def recap_header(text: str):
    return lambda m: (m.get("text") or "").startswith(text)


async def typed(world: World, user_id: int, command: str, header: str) -> dict:
    """The member types `command`; the message of the recap (after its album) that starts with `header`."""
    since = world.emu.mark()
    await world.emu.user(user_id).send_text(command)
    return await world.emu.wait_for_bot_message(user_id, recap_header(header), since=since, timeout=DRAWING)


async def choice(world: World, user_id: int, command: str, question: str) -> dict:
    """The member types the command alone; the bot's question with its buttons."""
    reply = await say(world, user_id, command, question)
    assert labels(reply), reply
    return reply


async def pressed(world: World, user_id: int, message: dict, label: str, predicate, count: int = 1) -> list[dict]:
    """The member presses `label` on `message`; the `count` messages (or documents) that match `predicate`."""
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)
    before = len(world.emu.sent_by_bot(user_id))
    query = await world.emu.user(user_id).press(message, data)

    def found() -> list[dict] | None:
        matching = [m for m in world.emu.sent_by_bot(user_id)[before:] if predicate(m)]
        return matching if len(matching) >= count else None

    matching = await world.emu._wait_until(found, DRAWING)
    assert matching, f"nothing came of pressing {label}"
    assert await world.emu._wait_until(lambda: world.emu.callback_answer(query), 5), "the button keeps spinning"
    return matching


async def documents(world: World, user_id: int, command: str, count: int) -> list[str]:
    """The member types `command`; the names of the `count` files the bot sends."""
    before = len(world.emu.sent_by_bot(user_id))
    await world.emu.user(user_id).send_text(command)

    def enough() -> list[dict] | None:
        found = [m for m in world.emu.sent_by_bot(user_id)[before:] if "document" in m]
        return found if len(found) >= count else None

    return sorted(m["document"]["file_name"] for m in await world.emu._wait_until(enough, DRAWING))


def is_document(message: dict) -> bool:
    return "document" in message


def text_of(message: dict) -> str:
    return message.get("text") or ""


# -- /rekap ------------------------------------------------------------------------------------------------------
async def test_rekap_april_is_the_latest_april_and_words_read_as_their_codes(world: World):
    import_demo_realisasi(world)
    april = await typed(world, TIM, "/rekap april", "Rekap capaian April 2026")
    assert "/ekspor 2026-04" in april["text"]  # a month not stored: named by its code
    march = await typed(world, TIM, "/rekap Maret", "Rekap capaian Maret 2026")
    assert march["text"] == (await typed(world, TIM, "/rekap 2026-03", "Rekap capaian Maret 2026"))["text"]
    quarter = await typed(world, TIM, "/rekap triwulan 1", "Rekap capaian Triwulan I 2026")
    assert quarter["text"] == (await typed(world, TIM, "/rekap TW1", "Rekap capaian Triwulan I 2026"))["text"]
    assert quarter["text"] == (await typed(world, TIM, "/rekap tw 1 2026", "Rekap capaian Triwulan I 2026"))["text"]

    refused = await say(world, TIM, "/rekap kemarin", "kemarin")
    assert refused["text"].startswith("Periode 'kemarin' tidak dikenal. Tulis bulan (april, april 2026, 2026-04)")


async def test_rekap_alone_offers_the_periods_with_data_and_pressing_one_is_typing_it(world: World):
    import_demo_realisasi(world)
    offered = await choice(world, TIM, "/rekap", "Rekap periode mana?")
    assert sorted(labels(offered)) == sorted([*RECENT, "Tahun 2026"])
    assert labels(offered)[0] == "Triwulan I 2026" and labels(offered)[-1] == "Tahun 2026"

    [by_button] = await pressed(world, TIM, offered, "Maret 2026", recap_header("Rekap capaian Maret 2026"))
    by_typing = await typed(world, TIM, "/rekap maret", "Rekap capaian Maret 2026")
    assert by_button["text"] == by_typing["text"]
    # the choice stays: another period, pressed on the same message
    [year] = await pressed(world, TIM, offered, "Tahun 2026", recap_header("Rekap capaian 2026"))
    assert year["text"] == (await typed(world, TIM, "/rekap 2026", "Rekap capaian 2026"))["text"]


async def test_rekap_alone_before_any_period_says_there_is_none(world: World):
    reply = await say(world, TIM, "/rekap")
    assert reply["text"] == "Belum ada periode." and not labels(reply)


async def test_in_english_recap_takes_english_words_and_offers_english_labels(world: World):
    import_demo_realisasi(world)
    speaks(world, TIM, "en")
    quarter = await typed(world, TIM, "/recap quarter 1", "Capaian recap Quarter I 2026")
    assert quarter["text"] == (await typed(world, TIM, "/recap Q1 2026", "Capaian recap Quarter I 2026"))["text"]
    await typed(world, TIM, "/recap may", "Capaian recap May 2026")
    offered = await choice(world, TIM, "/recap", "Recap of which period?")
    assert "March 2026" in labels(offered) and "Year 2026" in labels(offered)
    refused = await say(world, TIM, "/recap yesterday", "yesterday")
    assert refused["text"].startswith("Period 'yesterday' not recognised. Write a month (april, april 2026")


# -- /ekspor and /laporan ------------------------------------------------------------------------------------------
async def test_ekspor_2026_and_the_year_pressed_send_the_same_workbooks(world: World):
    import_demo_realisasi(world)
    before = len(world.emu.sent_by_bot(TIM))
    typed_files = await documents(world, TIM, "/ekspor 2026", 1)
    assert typed_files == ["SAKIP-Dinas-Tahun-2026.zip"]  # the Kertas Kerja and the Rekapitulasi in one ZIP
    [typed_zip] = [m for m in world.emu.sent_by_bot(TIM)[before:] if is_document(m)]
    await asyncio.sleep(1.1)  # the clock's second turns: nothing in the file may depend on it
    offered = await choice(world, TIM, "/ekspor", "Ekspor periode mana?")
    assert sorted(labels(offered)) == sorted([*RECENT, "Tahun 2026"])
    [pressed_zip] = await pressed(world, TIM, offered, "Tahun 2026", is_document)
    assert pressed_zip["document"]["file_name"] == typed_files[0]
    bytes_of = world.emu.file_bytes  # the same data, the same file (a second or more later)
    assert bytes_of(pressed_zip["document"]["file_id"]) == bytes_of(typed_zip["document"]["file_id"])

    # what else was typed goes with the button: /ekspor formulir offers months and triwulan only
    formulir = await choice(world, TIM, "/ekspor formulir", "Ekspor periode mana?")
    assert sorted(labels(formulir)) == sorted(RECENT)
    [by_button, *_] = await pressed(world, TIM, formulir, "Triwulan I 2026", is_document)
    assert by_button["document"]["file_name"].startswith("formulir-2026-TW1-")


async def test_laporan_tw1_and_the_triwulan_pressed_send_the_same_pdf(world: World):
    import_demo_realisasi(world)
    assert await documents(world, SEKRETARIS, "/laporan tw1", 1) == ["laporan-2026-TW1.pdf"]
    offered = await choice(world, SEKRETARIS, "/laporan", "Laporan periode mana?")
    assert sorted(labels(offered)) == sorted(RECENT)  # a Laporan is of a month or a triwulan, not a year
    [pdf] = await pressed(world, SEKRETARIS, offered, "Triwulan I 2026", is_document)
    assert pdf["document"]["file_name"] == "laporan-2026-TW1.pdf"
    measurement = await choice(world, SEKRETARIS, "/laporan pengukuran", "Laporan periode mana?")
    assert labels(measurement) == ["Triwulan I 2026"]  # the Pengukuran's Laporan is of a triwulan
    refused = await say(world, SEKRETARIS, "/laporan 2026", "Di sini perlu")
    assert refused["text"].startswith("Di sini perlu bulan atau triwulan, bukan tahun '2026'")


# -- /pengukuran ---------------------------------------------------------------------------------------------------
async def test_pengukuran_triwulan_1_and_the_choice_of_triwulan(world: World):
    archive_triwulan_i(world)
    with session_scope(world.engine) as session:  # April opened: Triwulan II has data too
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=4, status=PeriodStatus.CLOSED))
    by_typing = await say(world, TIM, "/pengukuran triwulan 1", "Pengukuran Kinerja Triwulan I 2026")
    assert by_typing["text"] == (await say(world, TIM, "/pengukuran 2026-TW1", "Triwulan I 2026"))["text"]

    offered = await choice(world, TIM, "/pengukuran", "Pengukuran triwulan mana?")
    assert labels(offered) == ["Triwulan I 2026 · jatuh tempo", "Triwulan II 2026"]
    [by_button] = await pressed(world, TIM, offered, "Triwulan I 2026 · jatuh tempo",
                                lambda m: "Pengukuran Kinerja Triwulan I 2026" in text_of(m))
    assert by_button["text"] == by_typing["text"] and labels(by_button) == labels(by_typing)
    [waiting] = await pressed(world, TIM, offered, "Triwulan II 2026", lambda m: "Triwulan II 2026" in text_of(m))
    assert "Triwulan II 2026 belum dapat dimulai" in waiting["text"]
    assert waiting["text"] == (await say(world, TIM, "/pengukuran tw2", "Triwulan II 2026"))["text"]

    refused = await say(world, TIM, "/pengukuran maret", "Di sini perlu")
    assert refused["text"].startswith("Di sini perlu triwulan, bukan 'maret'")


async def test_pengukuran_alone_with_one_triwulan_shows_it_at_once(world: World):
    archive_triwulan_i(world)
    shown = await say(world, TIM, "/pengukuran", "Pengukuran Kinerja Triwulan I 2026")
    assert "▶️ Mulai pengukuran" in labels(shown)
    with world.session() as session:
        assert session.exec(select(Period).where(Period.number == 4)).first() is None
