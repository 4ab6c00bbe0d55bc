"""Every answer is filed under the question its author saw (SOP procedure A, step 7).

Given November 2026 open and Rina of Bidang Pelayanan Perizinan (P.1, P.2, P.3) filling her form, when a message
of hers was sent before the question it would answer appeared, replies to another question's message, or comes
while the question is not known to have reached her, then it is not filed: she is told which question it would
have answered and that it was not saved, and the question is asked again; when she presses a button of a question
asked before the current one, it is answered as expired and changes nothing; and every confirmation names the
indicator its value was saved under.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from i18n import t
from models.calc.clock import system_clock
from models.collection.opening import open_period
from models.collection.realisasi import Evidence, Realisasi
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.store.database import session_scope
from tests.chat.conftest import World, month, running_world, until_button
from tests.conftest import office_moment

ADMIN, RINA = 101, 130
NOT_SAVED = "TIDAK disimpan"
KENDALA = "Server OSS gangguan"


def open_november(engine: Engine) -> None:
    with session_scope(engine) as session:
        admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
        open_period(session, admin, month(2026, 11), date(2026, 12, 10), now=system_clock())


def stored(engine: Engine) -> list[tuple[str, Decimal, str | None, str | None]]:
    """Every realisasi revision: (code, value, kendala, tindak lanjut), in the order they were entered."""
    with Session(engine) as session:
        rows = session.exec(select(Indicator.code, Realisasi).join(Indicator, Indicator.id == Realisasi.indicator_id)
                            .order_by(Realisasi.id)).all()
        return [(code, r.value, r.kendala, r.tindak_lanjut) for code, r in rows]


async def say(world: World, text: str, expect: str, **options) -> dict:
    """Rina types (`reply_to` a message, optionally); returns the bot's next message to her containing `expect`."""
    since = world.emu.mark()
    await world.emu.user(RINA).send_text(text, **options)
    return await world.emu.wait_for_bot_message(RINA, expect, since=since)


def data_of(message: dict, label: str) -> str:
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)


async def press(world: World, label: str, expect: str) -> dict:
    message = await until_button(world.emu, RINA, label)
    since = world.emu.mark()
    await world.emu.user(RINA).press(message, data_of(message, label))
    return await world.emu.wait_for_bot_message(RINA, expect, since=since)


async def reach_p1_evidence(world: World) -> dict:
    """Rina starts her form and answers P.1; returns P.1's question."""
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")  # the notice comes first
    question = await say(world, "/isi", "Ketik nilai realisasi")
    await say(world, "105", "bukti dukung")
    return question


async def test_an_answer_typed_twice_is_not_filed_under_the_question_asked_after_the_first(world: World):
    """(a) Two answers typed before the second question is shown: P.2's value twice, and 92,5 before P.2 shows."""
    emu = world.emu
    await reach_p1_evidence(world)

    # She presses Lewati and types P.2's value at once, before P.2's question appears.
    message = await until_button(emu, RINA, "Lewati")
    since = emu.mark()
    await emu.user(RINA).press(message, data_of(message, "Lewati"))
    await emu.user(RINA).send_text("92,5")
    notice = await emu.wait_for_bot_message(RINA, NOT_SAVED, since=since)
    assert "'92,5'" in notice["text"] and "P.2 Persentase perizinan selesai tepat waktu (nilai realisasi)" in \
        notice["text"]
    assert "Ketik nilai realisasi" in notice["text"]  # the question again, under the notice in one message
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]

    # Below P.2's question she types 92,5 twice, impatient: the second is not P.2's kendala.
    since = emu.mark()
    await emu.user(RINA).send_text("92,5")
    await emu.user(RINA).send_text("92,5")
    notice = await emu.wait_for_bot_message(RINA, NOT_SAVED, since=since)
    assert "P.2 Persentase perizinan selesai tepat waktu (kendala)" in notice["text"]
    asked = await emu.wait_for_bot_message(RINA, "Apa kendalanya?", since=since)
    assert asked["message_id"] < notice["message_id"] and "Apa kendalanya?" in notice["text"]  # asked again
    await say(world, KENDALA, "Apa tindak lanjut untuk P.2?")
    assert stored(world.engine) == [("P.1", Decimal(105), None, None), ("P.2", Decimal("92.5"), None, None),
                                    ("P.2", Decimal("92.5"), KENDALA, None)]


async def test_a_reply_to_an_earlier_question_is_not_filed_under_the_current_one(world: World):
    """(b) A reply to P.1's question while P.2 is asked is not P.2's value; a reply to P.2's question is."""
    p1 = await reach_p1_evidence(world)
    p2 = await press(world, "Lewati", "Ketik nilai realisasi")

    notice = await say(world, "110", NOT_SAVED, reply_to=p1)
    assert "'110'" in notice["text"] and "membalas pesan lain" in notice["text"]
    assert "P.2 Persentase perizinan selesai tepat waktu (nilai realisasi)" in notice["text"]
    assert "Ketik nilai realisasi" in notice["text"]  # the question again, under the notice
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]

    # P.2's first question was asked again since: a reply to it is not filed either; a reply to the question
    # asked now is its answer.
    again = await say(world, "96", NOT_SAVED, reply_to=p2)
    assert "Ketik nilai realisasi" in again["text"]
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]
    await say(world, "96", "Tersimpan: P.2", reply_to=again)
    assert stored(world.engine) == [("P.1", Decimal(105), None, None), ("P.2", Decimal(96), None, None)]


async def test_every_confirmation_names_the_indicator_and_its_value(world: World):
    """(c) "Tersimpan: P.1 Jumlah NIB terbit = 105 NIB", not "Tersimpan: 105 NIB"."""
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    await say(world, "/isi", "Ketik nilai realisasi")
    saved = await say(world, "105", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.1 Jumlah NIB terbit = 105 NIB. Capaian")
    await press(world, "Lewati", "P.2")
    saved = await say(world, "92,5", "Tersimpan")
    assert saved["text"].startswith("Tersimpan: P.2 Persentase perizinan selesai tepat waktu = 92,5%. Capaian")


async def test_a_button_of_a_superseded_question_is_expired_and_changes_nothing(world: World):
    """(d) Two ambiguous numbers asked back in turn: a reading of the first question is not applied to the
    second (it would file 7,25, a number Rina never chose)."""
    emu = world.emu
    await reach_p1_evidence(world)
    await press(world, "Lewati", "P.2")
    saved = await say(world, "96", "tercapai")
    assert "bukti dukung" in saved["text"]  # what was saved, and the next question, in one message
    await press(world, "Lewati", "P.3")
    first = await say(world, "6.500", "maksudnya yang mana")
    second = await say(world, "7.250", "maksudnya yang mana")
    before, sent = stored(world.engine), len(emu.sent_by_bot(RINA))

    since = emu.mark()
    query_id = await emu.user(RINA).press(first, data_of(first, "6,5"))
    again = await emu.wait_for_bot_message(RINA, "Masih menunggu jawaban", since=since)
    answer = emu.callback_answer(query_id)
    await asyncio.sleep(0.3)
    assert stored(world.engine) == before and len(emu.sent_by_bot(RINA)) == sent + 1
    assert (answer["text"], answer["show_alert"]) == (t("common.expired_button", "id"), True)
    # the open question (the second reading) comes again, as the newest message: its buttons are the ones now
    assert "7.250" in again["text"] and "maksudnya yang mana" in again["text"]

    # The re-asked question's own button applies.
    since = emu.mark()
    await emu.user(RINA).press(again, data_of(again, "7,25"))
    await emu.wait_for_bot_message(RINA, "Tersimpan: P.3", since=since)
    assert stored(world.engine)[-1] == ("P.3", Decimal("7.25"), None, None)
    assert "P.3" in first["text"] and "P.3" in second["text"]  # each reading question names its indicator


async def test_an_answer_while_the_question_is_not_delivered_is_not_filed_under_it(world: World):
    """(e) P.2's question is held by Telegram (a timeout; it arrives late); what Rina types meanwhile is not P.2's
    value; P.2 is asked again and her next answer is filed."""
    emu = world.emu
    await reach_p1_evidence(world)
    held = emu.faults.add("sendMessage", "timeout", chat_id=RINA, hold=1.0, process=True,
                          when=lambda params: "P.2" in params.get("text", "") and "Ketik nilai" in params["text"])
    message = await until_button(emu, RINA, "Lewati")
    since = emu.mark()
    await emu.user(RINA).press(message, data_of(message, "Lewati"))
    for _ in range(200):
        if held.hits:
            break
        await asyncio.sleep(0.01)
    assert held.hits == 1
    await emu.user(RINA).send_text("92,5")  # while P.2's question is still on its way

    notice = await emu.wait_for_bot_message(RINA, NOT_SAVED, since=since, timeout=10)
    assert "'92,5'" in notice["text"] and "P.2 Persentase perizinan selesai tepat waktu (nilai realisasi)" in \
        notice["text"]
    assert "Ketik nilai realisasi" in notice["text"]
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]
    await say(world, "96", "Tersimpan: P.2")
    assert stored(world.engine) == [("P.1", Decimal(105), None, None), ("P.2", Decimal(96), None, None)]


async def test_resuming_after_batal_asks_the_question_again_as_a_new_message(world: World):
    """After /batal, /isi asks P.2's kendala again as a new message: a reply to the old message files nothing, an
    older question's button is expired, and what she types below the new message is P.2's kendala."""
    emu = world.emu
    await reach_p1_evidence(world)
    lewati = await until_button(emu, RINA, "Lewati")
    await press(world, "Lewati", "P.2")
    old = await say(world, "92,5", "di bawah target")
    assert "Apa kendalanya?" in old["text"]  # what was saved, and the next question, in one message
    await say(world, "/batal", "tetap tersimpan")
    new = await say(world, "/isi", "Apa kendalanya?")
    assert new["message_id"] > old["message_id"]

    query_id = await emu.user(RINA).press(lewati, data_of(lewati, "Lewati"), force=True)
    for _ in range(200):
        if (answer := emu.callback_answer(query_id)) is not None:
            break
        await asyncio.sleep(0.02)
    assert answer["show_alert"] is True
    assert "Apa kendalanya?" in (await say(world, KENDALA, NOT_SAVED, reply_to=old))["text"]
    assert stored(world.engine) == [("P.1", Decimal(105), None, None), ("P.2", Decimal("92.5"), None, None)]
    await say(world, KENDALA, "Apa tindak lanjut untuk P.2?")
    assert stored(world.engine)[-1] == ("P.2", Decimal("92.5"), KENDALA, None)


async def test_files_sent_together_below_the_evidence_question_all_count(world: World):
    """Two photos sent at once below P.1's evidence question both answer it (the question shown again with its
    count is the same question), and neither is refused."""
    emu = world.emu
    await reach_p1_evidence(world)
    since = emu.mark()
    await emu.user(RINA).send_photo(b"\x89PNG first")
    await emu.user(RINA).send_photo(b"\x89PNG second")
    await emu.wait_for_bot_message(RINA, "Tersimpan: 2 berkas", since=since)
    await asyncio.sleep(0.3)
    assert not any(NOT_SAVED in (m.get("text") or "") for m in emu.sent_by_bot(RINA))
    with Session(world.engine) as session:
        assert len(session.exec(select(Evidence)).all()) == 2


@pytest.fixture
async def limited_world(office_engine, tmp_path, monkeypatch):
    """The bot as in production: PTB's rate limiter retries a 429 after its `retry_after` (the late question)."""
    async with running_world(office_engine, tmp_path, monkeypatch, rate_limiter=True) as world:
        yield world


async def test_an_answer_typed_while_the_rate_limiter_holds_the_question_back_is_not_filed(limited_world: World):
    """(e) Telegram answers P.2's question with 429 (retry after 2 s); the rate limiter sends it again later. What
    Rina types in between (she still sees P.1's evidence question) is not P.2's value."""
    world, emu = limited_world, limited_world.emu
    await reach_p1_evidence(world)
    flood = emu.faults.add("sendMessage", "429", chat_id=RINA, retry_after=2,
                           when=lambda params: "P.2" in params.get("text", "") and "Ketik nilai" in params["text"])
    message = await until_button(emu, RINA, "Lewati")
    since = emu.mark()
    await emu.user(RINA).press(message, data_of(message, "Lewati"))
    for _ in range(200):
        if flood.hits:
            break
        await asyncio.sleep(0.01)
    await emu.user(RINA).send_text("105")  # P.1's value again: she has not seen P.2 yet

    question = await emu.wait_for_bot_message(RINA, "Ketik nilai realisasi", since=since, timeout=10)
    reply = await emu.wait_for_bot_message(RINA, lambda m: m["message_id"] > question["message_id"], timeout=10)
    await asyncio.sleep(0.3)
    assert stored(world.engine) == [("P.1", Decimal(105), None, None)]
    assert flood.hits == 1 and NOT_SAVED in reply["text"]
    assert "'105'" in reply["text"] and "sebelum pertanyaan" in reply["text"]
    assert "Ketik nilai realisasi" in reply["text"]  # asked again, under the notice


async def test_the_question_judges_the_year_so_far_against_its_path(world: World, tmp_path):
    """P.1 (1.200 NIB a year, 300 a triwulan) at 100 a month from January to October: 83,33% of the year's
    target is exactly its path, so the year so far is green, not judged against the whole year."""
    path = tmp_path / "realisasi.csv"
    path.write_text("kode;periode;realisasi;catatan;kendala;tindak_lanjut\n"
                    + "".join(f"P.1;2026-{m:02d};100;;;\n" for m in range(1, 11)))
    with session_scope(world.engine) as session:
        import_realisasi(session, path, Actor.cli(), office_moment(date(2026, 11, 2)))
    open_november(world.engine)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    question = await say(world, "/isi", "Ketik nilai realisasi")
    assert "Capaian tahunan s.d. Oktober 2026: 83,33% dari target setahun (sesuai jalur: 83,33%) 🟢" in \
        question["text"]
