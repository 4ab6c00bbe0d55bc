"""One pace per chat across bot processes, and no reply given up.

Given two bot processes on one database (SQLite and PostgreSQL), each with the production rate limiter
(`bot/pacing.py`), and Telegram enforcing its flood limits (the emulator answers 429 beyond a burst of three
messages and one a second in a private chat), when both reply in the Sekretaris's chat at the same moment while
the leader delivers his queued notices, then every message arrives once, each sender's in its order, and never
more than Telegram allows in a second. And when Telegram keeps refusing a reply (429) beyond the limiter's
retries, then the reply is not lost: it comes later through the outbox, a reply given meanwhile comes after it,
and the question it asked is answered as shown.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlmodel import Session, select
from telegram.ext import Application, CallbackContext

from bot.application import build_application, start_application, stop_application
from bot.config import load_settings
from handlers.screens import Screen, send_screens
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.store.database import create_db_engine
from tests.chat.conftest import TestClock, World, people_emulator
from tests.chat.test_delivery import accepted, leading, queue_notices, until, until_delivered
from tests.chat.test_questions import RINA, open_november, stored

SEKRETARIS = 103
SENDERS = 2  # conversations answered at once by each process
REPLIES = 5  # messages each of them sends, one after another
NOTICES = [1, 2, 3, 4]  # months of 2026 whose "form opened" notice is queued for the Sekretaris


async def start_production_bot(settings, engine, clock: TestClock, *, polling: bool) -> Application:
    application = build_application(settings, engine, rate_limiter=True, clock=clock)
    await start_application(application, polling=polling, timeout=1)
    return application


@pytest.fixture
async def emulator(tmp_path, monkeypatch):
    async with people_emulator(tmp_path, monkeypatch, enforce_rate_limits=True) as emu:
        yield emu


@pytest.fixture
async def two_bots(backend_url, office_engine, emulator):
    """Two production bots on one database, each through its own engine; the first takes the chat's updates."""
    clock = TestClock()
    second_engine = create_db_engine(backend_url)
    first = await start_production_bot(load_settings(), office_engine, clock, polling=True)
    second = await start_production_bot(load_settings(), second_engine, clock, polling=False)
    try:
        await until(lambda: leading(first, second).count(True) == 1, "one bot leads")
        yield emulator, office_engine, first, second
    finally:
        await stop_application(second)
        await stop_application(first)
        second_engine.dispose()


def label(message: dict) -> str:
    return message["text"]


async def reply(application: Application, sender: str) -> None:
    """A direct reply of several messages (as `act` sends a flow's screens), in the Sekretaris's chat."""
    screens = [Screen.of(f"{sender}-{number}") for number in range(1, REPLIES + 1)]
    await send_screens(CallbackContext(application), SEKRETARIS, screens)


async def test_two_processes_replying_in_one_chat_at_once_keep_its_pace_and_lose_nothing(two_bots):
    emu, engine, first, second = two_bots
    queue_notices(engine, SEKRETARIS, NOTICES)
    senders = {application: [f"{name}{index}" for index in range(1, SENDERS + 1)]
               for application, name in ((first, "A"), (second, "B"))}
    for application in (first, second):
        application.bot_data.wake()
    await asyncio.gather(*(reply(application, sender) for application, names in senders.items()
                           for sender in names))
    rows = await until_delivered(engine, timeout=40)

    expected = 2 * SENDERS * REPLIES + len(NOTICES)
    assert statuses_of(rows) == {OutboxStatus.SENT} and [row.kind for row in rows] == ["period_opened"] * 4
    calls = emu.calls_to("sendMessage", chat_id=SEKRETARIS)
    messages = [call.result for call in calls if call.ok]
    assert len(messages) == expected, [label(message) for message in messages]
    texts = [label(message) for message in messages]
    for names in senders.values():
        for sender in names:
            assert [text for text in texts if text.startswith(f"{sender}-")] == [
                f"{sender}-{number}" for number in range(1, REPLIES + 1)]
    months = [text.split("Formulir ")[1].split(" 2026")[0] for text in texts if "dibuka" in text]
    assert months == ["Januari", "Februari", "Maret", "April"]
    # Telegram's limit held: never four messages within a second (a burst of three, then one a second) ...
    times = sorted(call.timestamp for call in calls if call.ok)
    assert all(later - earlier >= 0.9 for earlier, later in zip(times, times[3:], strict=False)), times
    # ... and the pace was kept before Telegram had to refuse: at most a stray flood wait, retried
    refused = [call for call in calls if not call.ok]
    assert len(refused) <= 1, [(call.timestamp, call.error) for call in refused]


def statuses_of(rows: list[OutboxMessage]) -> set[OutboxStatus]:
    return {OutboxStatus(row.status) for row in rows}


def deferred(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "deferred_reply")
                                 .order_by(OutboxMessage.id)))


QUESTION = "Ketik nilai realisasi"


async def test_a_reply_refused_beyond_the_retries_arrives_through_the_outbox_before_later_replies(
        paced_world: World):
    """Given November open and Telegram refusing Rina's question with 429 five times (retry after 2 s: the
    reply's first try and the limiter's three retries, then the delivery's first try), when she types /isi, then
    the question is not lost: it is queued in the outbox and delivered; /bantuan typed while it waits is answered
    after it (queued behind it); and her value typed once the question arrived is saved under it."""
    world, emu = paced_world, paced_world.emu
    open_november(world.engine)
    await emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka", timeout=10)
    flood = emu.faults.add("sendMessage", "429", chat_id=RINA, times=5, retry_after=2,
                           when=lambda params: QUESTION in params.get("text", ""))
    since = emu.mark()
    await emu.user(RINA).send_text("/isi")
    await until(lambda: deferred(world.engine), "the question is queued in the outbox", timeout=15)
    assert flood.hits >= 4  # the reply's try and the limiter's three retries (the delivery may have tried too)
    await emu.user(RINA).send_text("/bantuan")
    await until(lambda: len(deferred(world.engine)) == 2, "the help waits behind the question", timeout=5)

    question = await emu.wait_for_bot_message(RINA, QUESTION, since=since, timeout=15)
    help_message = await emu.wait_for_bot_message(RINA, "mengumpulkan realisasi", since=since, timeout=15)
    assert flood.hits == 5
    assert question["message_id"] < help_message["message_id"]
    rows = await until_delivered(world.engine, timeout=15)
    assert [OutboxStatus(row.status) for row in rows if row.kind == "deferred_reply"] == [OutboxStatus.SENT] * 2
    assert len(accepted(emu, RINA, QUESTION)) == 1  # once: the limiter's retries were refused, not sent

    # the delivered question counts as shown: her value is saved under it
    later = emu.mark()
    await emu.user(RINA).send_text("105")
    await emu.wait_for_bot_message(RINA, "Tersimpan", since=later, timeout=10)
    assert stored(world.engine)[-1][:2] == ("P.1", Decimal(105))


async def test_a_reply_whose_part_is_refused_sends_the_rest_after_it_and_later_replies_go_direct_again(
        paced_world: World):
    """Given Telegram refusing the second message of a reply to the Sekretaris beyond the retries, when the bot
    replies with three messages, then the first arrives at once, the second and third come through the outbox in
    order, and a reply given once they arrived goes directly again (nothing waits in the outbox)."""
    world, emu = paced_world, paced_world.emu
    flood = emu.faults.add("sendMessage", "429", chat_id=SEKRETARIS, times=4, retry_after=1,
                           when=lambda params: params.get("text") == "two")
    context = CallbackContext(world.application)
    await send_screens(context, SEKRETARIS, [Screen.of("one"), Screen.of("two"), Screen.of("three")])
    assert flood.hits == 4 and [label(message) for message in accepted(emu, SEKRETARIS)] == ["one"]
    await until(lambda: [label(m) for m in accepted(emu, SEKRETARIS)] == ["one", "two", "three"],
                "the rest arrives through the outbox", timeout=10)
    await until_delivered(world.engine)
    await send_screens(context, SEKRETARIS, [Screen.of("four")])
    assert [label(message) for message in accepted(emu, SEKRETARIS)] == ["one", "two", "three", "four"]
    assert len(deferred(world.engine)) == 1


async def test_a_reply_to_a_stranger_refused_beyond_the_retries_is_dropped(paced_world: World, caplog):
    """Only members have an outbox: a reply to someone who is not one, refused beyond the retries, is logged and
    dropped (nothing queued, nothing raised)."""
    emu = paced_world.emu
    emu.user(999, "Tamu")
    flood = emu.faults.add("sendMessage", "429", chat_id=999, times=4, retry_after=1)
    assert await send_screens(CallbackContext(paced_world.application), 999, [Screen.of("halo")]) is None
    assert flood.hits == 4 and accepted(emu, 999) == []
    assert deferred(paced_world.engine) == []
    assert "not a member, so not kept" in caplog.text
