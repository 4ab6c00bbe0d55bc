"""Never lose the thread (SOP procedure A, step 7, and every free-text question).

Given November 2026 open and Rina of Bidang Pelayanan Perizinan (P.1, P.2, P.3) in the middle of her form, when
she types a command, presses a stale button, sends a photo where a value is asked, a sticker or a voice note,
then the bot answers that and asks her open question again as the newest message, naming the indicator and the
value saved so far; her next answer is filed under that question (once, under the right indicator), and an
answer to the message that asked it before is not. When she leaves with /batal and comes back with /isi, she is
told where she takes the form up. The Kepala Dinas's arahan comes back after a command too.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlmodel import select

from handlers.callbacks import Button, pack
from models.collection.realisasi import Evidence
from models.office.organisation import Member
from models.plan.periods import Period
from models.reporting.report import report_to_kepala
from models.store.database import session_scope
from tests.chat.conftest import World
from tests.chat.test_bound_answers import JULY, KEPALA, SEKRETARIS, all_delivered, forms_sent, person, press_data
from tests.chat.test_questions import NOT_SAVED, RINA, open_november, press, say, stored

STILL = "Masih menunggu jawaban"
P1, P2 = "P.1 Jumlah NIB terbit", "P.2 Persentase perizinan selesai tepat waktu"
ASK_VALUE = "Ketik nilai realisasi"


async def start_form(world: World) -> dict:
    """November opened; Rina types /isi: returns P.1's value question."""
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    return await say(world, "/isi", ASK_VALUE)


async def at_p2_kendala(world: World) -> dict:
    """P.1 = 105 (no evidence), P.2 = 92,5, below target: returns P.2's kendala question."""
    await start_form(world)
    await say(world, "105", "bukti dukung")
    await press(world, "Lewati", P2)
    return await say(world, "92,5", "Apa kendalanya?")


async def answered_then_asked_again(world: World, send, expect: str) -> tuple[dict, dict]:
    """Rina does something (`send`, awaited); returns (the bot's answer with `expect`, the question asked again
    after it)."""
    emu = world.emu
    since = emu.mark()
    await send()
    answer = await emu.wait_for_bot_message(RINA, expect, since=since)
    again = await emu.wait_for_bot_message(RINA, STILL, since=since)
    assert again["message_id"] > answer["message_id"]  # the question is the newest message
    return answer, again


async def quiet(world: World, user_id: int = RINA) -> int:
    """What the bot has sent to the member once nothing more comes (the count of messages)."""
    await asyncio.sleep(0.4)
    return len(world.emu.sent_by_bot(user_id))


async def test_status_in_the_middle_of_a_value_question_then_the_question_again(world: World):
    first = await start_form(world)
    status, again = await answered_then_asked_again(
        world, lambda: world.emu.user(RINA).send_text("/status"), "Sisa isian unit Anda")
    assert "November 2026" in status["text"]
    assert P1 in again["text"] and ASK_VALUE in again["text"]

    # An answer to the question's earlier message is not filed; below the question asked now it is.
    notice = await say(world, "105", NOT_SAVED, reply_to=first)
    assert "membalas pesan lain" in notice["text"] and stored(world.engine) == []
    saved = await say(world, "105", "Tersimpan")
    assert saved["text"].startswith(f"Tersimpan: {P1} = 105 NIB")
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]


async def test_a_stale_button_in_the_middle_of_a_question_is_answered_then_the_question_comes_again(world: World):
    first = await start_form(world)
    emu = world.emu
    since = emu.mark()
    query_id = await emu.user(RINA).press(first, "zz|1|2", force=True)  # a button of an older version of the bot
    again = await emu.wait_for_bot_message(RINA, STILL, since=since)
    answer = emu.callback_answer(query_id)
    assert answer["show_alert"] is True and "tidak berlaku" in answer["text"]
    assert P1 in again["text"] and ASK_VALUE in again["text"]
    await say(world, "96", "Tersimpan: P.1")
    assert stored(world.engine) == [("P.1", Decimal(96), None, None)]


async def test_a_photo_where_a_value_is_asked_is_not_saved_and_the_question_comes_again(world: World):
    await start_form(world)
    told, again = await answered_then_asked_again(
        world, lambda: world.emu.user(RINA).send_photo(b"\x89PNG early"), "ketik nilainya dulu")
    assert "bukti dukung diminta setelahnya" in told["text"] and "/isi" not in told["text"]
    assert P1 in again["text"] and ASK_VALUE in again["text"]
    with world.session() as session:
        assert session.exec(select(Evidence)).all() == []
    await say(world, "105", "Tersimpan: P.1")

    # At the evidence question the same photo is evidence, and nothing is asked again after it.
    before = len(world.emu.sent_by_bot(RINA))
    since = world.emu.mark()
    await world.emu.user(RINA).send_photo(b"\x89PNG now")
    await world.emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas", since=since)
    assert await quiet(world) == before + 1
    with world.session() as session:
        assert len(session.exec(select(Evidence)).all()) == 1


async def test_a_document_where_a_kendala_is_asked_says_the_evidence_comes_after_it(world: World):
    await at_p2_kendala(world)
    told, again = await answered_then_asked_again(
        world, lambda: world.emu.user(RINA).send_document(b"%PDF-1.4", "bukti.pdf"), "jawab pertanyaannya dulu")
    assert f"{P2} — nilai tersimpan: 92,5%" in again["text"] and "Apa kendalanya?" in again["text"]
    with world.session() as session:
        assert session.exec(select(Evidence)).all() == []


async def test_in_english_a_file_where_a_value_is_asked_says_to_type_the_value_first(world: World):
    with session_scope(world.engine) as session:
        rina = session.exec(select(Member).where(Member.telegram_user_id == RINA)).one()
        rina.language = "en"
        session.add(rina)
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "November 2026")
    await say(world, "/isi", "Type the realisasi value")
    emu = world.emu
    since = emu.mark()
    await emu.user(RINA).send_photo(b"\x89PNG early")
    told = await emu.wait_for_bot_message(RINA, "type the value first", since=since)
    again = await emu.wait_for_bot_message(RINA, "Still waiting for your answer", since=since)
    assert "the evidence is asked for after it" in told["text"]
    assert "Type the realisasi value" in again["text"] and "P.1" in again["text"]


async def test_a_sticker_or_a_voice_note_is_answered_then_the_question_comes_again(world: World):
    await at_p2_kendala(world)
    for send in (lambda: world.emu.user(RINA).send_sticker(), lambda: world.emu.user(RINA).send_voice(b"OggS")):
        told, again = await answered_then_asked_again(world, send, "tidak saya pahami")
        assert f"{P2} — nilai tersimpan: 92,5%" in again["text"] and "Apa kendalanya?" in again["text"]
    await say(world, "Server OSS gangguan", "tindak lanjut")
    assert stored(world.engine)[-1] == ("P.2", Decimal("92.5"), "Server OSS gangguan", None)


async def test_a_question_asked_again_twice_files_its_answer_once_under_its_indicator(world: World):
    await at_p2_kendala(world)
    _, first = await answered_then_asked_again(world, lambda: world.emu.user(RINA).send_text("/status"),
                                               "Sisa isian unit Anda")
    _, second = await answered_then_asked_again(world, lambda: world.emu.user(RINA).send_text("/bantuan"),
                                                "/isi")
    assert first["message_id"] < second["message_id"]
    notice = await say(world, "Server OSS gangguan", NOT_SAVED, reply_to=first)  # the first re-ask, superseded
    assert f"{P2} (kendala)" in notice["text"] and "Apa kendalanya?" in notice["text"]
    before = len(world.emu.sent_by_bot(RINA))
    await say(world, "Server OSS gangguan", "tindak lanjut")
    assert await quiet(world) == before + 1  # the next question, nothing asked again
    assert stored(world.engine) == [("P.1", Decimal(105), None, None), ("P.2", Decimal("92.5"), None, None),
                                    ("P.2", Decimal("92.5"), "Server OSS gangguan", None)]


async def test_resuming_after_batal_says_where_the_form_is_taken_up(world: World):
    await at_p2_kendala(world)
    await say(world, "/batal", "tetap tersimpan")
    assert await quiet(world) == len(world.emu.sent_by_bot(RINA))
    assert STILL not in (world.emu.sent_by_bot(RINA)[-1].get("text") or "")  # nothing asked after /batal

    resumed = await say(world, "/isi", "Lanjut dari")
    assert f"↪️ Lanjut dari {P2} — nilai tersimpan: 92,5%." in resumed["text"]
    assert "Apa kendalanya?" in resumed["text"]
    await asyncio.sleep(0.3)
    assert not any(STILL in (m.get("text") or "") for m in world.emu.sent_by_bot(RINA))  # /isi asks by itself
    await say(world, "Server OSS gangguan", "tindak lanjut")
    assert stored(world.engine)[-1] == ("P.2", Decimal("92.5"), "Server OSS gangguan", None)


async def test_resuming_at_a_value_says_how_many_are_filled(world: World):
    await start_form(world)
    await say(world, "105", "bukti dukung")
    await press(world, "Lewati", P2)
    await say(world, "/batal", "tetap tersimpan")
    resumed = await say(world, "/isi", "Lanjut dari")
    assert f"↪️ Lanjut dari {P2} (1 dari 3 indikator sudah terisi)." in resumed["text"]
    assert ASK_VALUE in resumed["text"]


async def test_the_kepala_arahan_comes_again_after_a_command(world: World):
    forms_sent(world, [JULY], approved=True)
    with session_scope(world.engine) as session:
        period_id = session.exec(select(Period)).one().id
        report_to_kepala(session, person(session, SEKRETARIS), period_id, now=world.clock())
        all_delivered(session)
    asked = await press_data(world, KEPALA, pack(Button.KEPALA_ARAHAN, period_id), "Tulis arahan")
    emu = world.emu
    since = emu.mark()
    await emu.user(KEPALA).send_text("/status")
    again = await emu.wait_for_bot_message(KEPALA, STILL, since=since)
    assert "arahan disposisi laporan capaian Juli 2026" in again["text"] and "Tulis arahan" in again["text"]
    since = emu.mark()
    await emu.user(KEPALA).send_text("Percepat pengaduan", reply_to=asked)
    await emu.wait_for_bot_message(KEPALA, NOT_SAVED, since=since)
    since = emu.mark()
    await emu.user(KEPALA).send_text("Percepat pengaduan")
    done = await emu.wait_for_bot_message(KEPALA, "Arahan tercatat", since=since)
    assert "Juli 2026" in done["text"]
