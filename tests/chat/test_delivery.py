"""Notifications and reminders reach everyone once, in order, whatever Telegram or the bot process does meanwhile.

Given the demo office, when Telegram answers the bot's messages with flood waits (429), server errors (500),
timeouts, "blocked" (403) or "chat not found" (400), or holds a message unanswered while the bot process is killed,
then every outbox row ends sent (or failed for good, shown to admins in /status), each notification arrives exactly
once, one chat's notifications arrive in the order they were queued and paced, and a notification split into
several messages is resumed at the first part not yet sent. Reminders live in one message per person that is
edited in place, come back as a fresh message after "Ingatkan nanti", say "done" when the form is sent, and are
escalated to the unit head once. Of several bots on one database only one leads (delivers and runs scheduled
work), and another takes over when it goes away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import Application

from bot import delivery as delivery_module
from bot.application import build_application, stop_application
from bot.config import load_settings
from emulator.server import BotApiEmulator
from i18n import t
from models.calc.dates import format_datetime
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.opening import open_scheduled_period
from models.collection.review import submit_unit_form
from models.collection.workflow import form_for
from models.exchange.pk_import import import_pk
from models.messaging import outbox as outbox_module
from models.messaging.notices import PeriodOpened
from models.messaging.outbox import OutboxMessage, OutboxStatus, claim_due, enqueue
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.periods import Period, PeriodKind, PeriodRef
from models.store.database import create_db_engine, session_scope
from models.store.types import utcnow
from models.timing.reminders import Reminder
from tests.chat.conftest import World, add_people, has_button, month
from tests.chat.test_messages_arrive import INDICATORS, long_name, write_long_pk
from tests.chat.test_restart import bots_on

WIB = ZoneInfo("Asia/Jakarta")
ADMIN, SEKRETARIS, TIM_SAKIP = 101, 103, 104
SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN = 110, 120, 121, 130, 140
# the members of the four units, which all have monthly and quarterly indicators: each gets every period's form
UNIT_MEMBERS = (SEKRETARIS, TIM_SAKIP, SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN, PENGADUAN)
NOVEMBER = month(2026, 11)
TW3 = PeriodRef(PeriodKind.QUARTER, 2026, 3)
OPENED = datetime(2026, 12, 1, 8, 0, tzinfo=WIB)  # the scheduler opened November on Tuesday 1 December, 08:00
DEADLINE = date(2026, 12, 10)  # due Thursday 10 December
FILL, SNOOZE = t("notify.fill_button", "id"), t("reminder.snooze_button", "id")
REMINDER = "Pengingat: formulir November 2026"
MONTHS_1_TO_7 = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli"]
DONE = t("reminder.done", "id", period="November 2026")


# -- helpers -------------------------------------------------------------------------------------------------------

async def until(condition: Callable[[], object], what: str, timeout: float = 10.0, every: float = 0.02) -> None:
    """Wait until `condition()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        await asyncio.sleep(every)


def outbox(engine: Engine, kind: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.exec(query))


def statuses(rows: list[OutboxMessage]) -> set[OutboxStatus]:
    return {OutboxStatus(row.status) for row in rows}


async def until_delivered(engine: Engine, timeout: float = 12.0) -> list[OutboxMessage]:
    """Wait until no outbox row is pending any more (each is sent, or failed for good); returns the rows."""
    await until(lambda: OutboxStatus.PENDING not in statuses(outbox(engine)), "no outbox row is pending", timeout,
                every=0.05)
    return outbox(engine)


def wake(world: World) -> None:
    """What every handled update does: deliver what is queued now."""
    world.application.bot_data.wake()


def member_id(engine: Engine, telegram_id: int) -> int:
    with Session(engine) as session:
        return session.exec(select(Member.id).where(Member.telegram_user_id == telegram_id)).one()


def open_periods(engine: Engine, *refs: PeriodRef) -> list[int]:
    """The scheduler opens these periods, due 10 December: a `period_opened` row per unit member and period."""
    with session_scope(engine) as session:
        return [open_scheduled_period(session, ref, DEADLINE, OPENED).id for ref in refs]


def queue_notices(engine: Engine, telegram_id: int, numbers: list[int]) -> list[int]:
    """Months of 2026 exist (as drafts) and a "form opened" notice for each is queued for one member, in order."""
    with session_scope(engine) as session:
        recipient = session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
        ids = []
        for number in numbers:
            period = Period(kind=PeriodKind.MONTH, year=2026, number=number)
            session.add(period)
            session.flush()
            enqueue(session, recipient.id, PeriodOpened(period.id), f"test:{number}:{recipient.id}")
            ids.append(period.id)
        return ids


def accepted(emu: BotApiEmulator, chat_id: int, containing: str = "", since=None) -> list[dict]:
    """The messages Telegram accepted from sendMessage calls to the chat, oldest first (as sent, even when they
    were edited or deleted later)."""
    return [call.result for call in emu.calls_to("sendMessage", chat_id=chat_id, ok=True, since=since)
            if containing in call.result.get("text", "")]


def calls_to_chat(emu: BotApiEmulator, chat_id: int, since) -> list:
    """Every call the bot made about the chat since the mark (messages, edits, deletions)."""
    return [call for call in emu.calls[since.calls:] if str(call.chat_id) == str(chat_id)]


def current(emu: BotApiEmulator, chat_id: int, message_id: int) -> dict | None:
    """The message as the member sees it now (None once deleted)."""
    return next((m for m in emu.chat_messages(chat_id) if m["message_id"] == message_id), None)


def submit_form(engine: Engine, telegram_id: int, period_id: int, *, now: datetime) -> None:
    """The member's unit fills every value (100, with notes where below target) and sends the form at `now`."""
    with session_scope(engine) as session:
        person = session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
        period = session.get(Period, period_id)
        form = form_for(session, person.unit_id, period_id)
        for item in form_items(session, form):
            record_value(session, person, item.indicator, period, Decimal(100), now=now)
        for item in form_items(session, form):
            if item.needs_kendala:
                record_note(session, person, item.indicator, period, "kendala", "Data terlambat", now=now)
                record_note(session, person, item.indicator, period, "tindak_lanjut", "Koordinasi", now=now)
        submit_unit_form(session, person, form.id, now=now)


@pytest.fixture
def no_auto_opening(monkeypatch):
    """The tests open periods themselves, so a scheduler clock moved to December opens nothing else (such as
    Triwulan III). Listed before `world`, so the bot reads it."""
    monkeypatch.setenv("AUTO_OPEN_PERIODS", "false")


# -- faults from Telegram ------------------------------------------------------------------------------------------

async def test_flood_waits_server_errors_and_timeouts_delay_notices_but_each_arrives_once_in_queue_order(
        world: World):
    """Given Telegram answers the bot's first three messages with a flood wait (429, retry after 1 s), the next
    with a server error (500), and holds the one after for a second before dropping the connection,
    when November 2026 and then Triwulan III 2026 are opened (a notice per period for each of the 7 unit members),
    then every row ends sent after exactly one more attempt per fault, each member receives each notice exactly
    once, November's before Triwulan III's, as they were queued."""
    emu = world.emu
    faults = [emu.faults.add("sendMessage", "429", retry_after=1, times=3), emu.faults.add("sendMessage", "500"),
              emu.faults.add("sendMessage", "timeout", hold=1)]
    open_periods(world.engine, NOVEMBER, TW3)
    wake(world)

    rows = await until_delivered(world.engine, timeout=15)
    assert [fault.hits for fault in faults] == [3, 1, 1]
    assert len(rows) == 2 * len(UNIT_MEMBERS) and statuses(rows) == {OutboxStatus.SENT}
    assert sum(row.attempts for row in rows) == len(rows) + 5  # one retry per fault, nothing retried twice
    for chat in UNIT_MEMBERS:
        calls = emu.calls_to("sendMessage", chat_id=chat)
        for failed, retry in zip(calls, calls[1:], strict=False):
            if not failed.ok:  # the same notice again (the later one waits behind it), after the backoff
                assert retry.params["text"] == failed.params["text"]
                assert retry.timestamp - failed.timestamp >= 1.9
        texts = [message["text"] for message in accepted(emu, chat, "dibuka")]
        assert len(texts) == 2, (chat, texts)
        assert "Formulir November 2026 dibuka" in texts[0] and "Formulir Triwulan III 2026 dibuka" in texts[1]
        assert all(has_button(message, FILL) for message in accepted(emu, chat, "dibuka"))


async def test_one_chat_gets_its_notices_in_queue_order_and_paced_even_when_the_first_fails(paced_world: World):
    """Given five notices queued for Rina (July to November 2026) and Telegram failing the first one (500),
    when the delivery sends them, then she receives July, August, September, October, November in that order,
    each exactly once, July's row after one retry (the later rows wait behind it); and no more than three
    messages reach her chat within a second (a burst of three, then about one per second)."""
    world = paced_world  # the chat's pace is the rate limiter's
    emu = world.emu
    queue_notices(world.engine, PERIZINAN, [7, 8, 9, 10, 11])
    failure = emu.faults.add("sendMessage", "500", chat_id=PERIZINAN, when=lambda params: "Juli" in params["text"])
    wake(world)

    rows = await until_delivered(world.engine)
    assert failure.hits == 1
    assert statuses(rows) == {OutboxStatus.SENT}
    assert [row.attempts for row in rows] == [2, 1, 1, 1, 1]
    calls = emu.calls_to("sendMessage", chat_id=PERIZINAN)
    assert [call.ok for call in calls] == [False, True, True, True, True, True]
    labels = [call.result["text"].split("Formulir ")[1].split(" dibuka")[0] for call in calls[1:]]
    assert labels == ["Juli 2026", "Agustus 2026", "September 2026", "Oktober 2026", "November 2026"]
    times = [call.timestamp for call in calls[1:]]
    assert all(later - earlier >= 0.9 for earlier, later in zip(times, times[3:], strict=False)), times


async def test_a_long_backlog_in_one_chat_does_not_hold_back_a_notice_to_another_chat(paced_world: World):
    """Given seven notices queued for the Sekretaris (January to July 2026), paced in his chat at one a second
    after a burst of three, when a notice for Rina is queued once his first one has arrived, then hers arrives
    while his backlog is still being sent (before his sixth), and his seven still arrive in queue order, once
    each."""
    world = paced_world  # the chat's pace is the rate limiter's
    emu, engine = world.emu, world.engine
    queue_notices(engine, SEKRETARIS, list(range(1, 8)))
    wake(world)
    await until(lambda: accepted(emu, SEKRETARIS, "dibuka"), "the Sekretaris's first notice arrives")
    queue_notices(engine, PERIZINAN, [11])
    wake(world)

    rows = await until_delivered(engine, timeout=20)
    assert statuses(rows) == {OutboxStatus.SENT} and [row.attempts for row in rows] == [1] * 8
    sends = [call for call in emu.calls if call.method == "sendMessage" and call.ok
             and str(call.chat_id) in (str(SEKRETARIS), str(PERIZINAN))]
    chats = [int(call.chat_id) for call in sends]
    assert chats.index(PERIZINAN) < 5, chats  # Rina's is sent before the Sekretaris's sixth
    labels = [call.result["text"].split("Formulir ")[1].split(" 2026")[0] for call in sends
              if int(call.chat_id) == SEKRETARIS]
    assert labels == MONTHS_1_TO_7


async def test_a_backlog_longer_than_the_worker_holds_does_not_fill_its_hands(paced_world: World, monkeypatch):
    """Given a worker that holds at most 5 claimed rows, 3 of them of one chat, when six notices for the
    Sekretaris and then one for Rina are queued at once, then Rina's arrives before the Sekretaris's fourth, and
    his six arrive in queue order, once each."""
    monkeypatch.setattr(delivery_module, "CLAIM_BATCH", 5)
    monkeypatch.setattr(delivery_module, "CHAT_CLAIM", 3)
    world = paced_world  # the chat's pace is the rate limiter's
    emu, engine = world.emu, world.engine
    queue_notices(engine, SEKRETARIS, list(range(1, 7)))
    queue_notices(engine, PERIZINAN, [11])
    wake(world)

    rows = await until_delivered(engine, timeout=20)
    assert statuses(rows) == {OutboxStatus.SENT} and [row.attempts for row in rows] == [1] * 7
    chats = [int(call.chat_id) for call in emu.calls_to("sendMessage", ok=True)
             if str(call.chat_id) in (str(SEKRETARIS), str(PERIZINAN))]
    assert chats.index(PERIZINAN) < 4, chats  # Rina's is sent before the Sekretaris's fourth
    labels = [message["text"].split("Formulir ")[1].split(" 2026")[0] for message in accepted(emu, SEKRETARIS)]
    assert labels == MONTHS_1_TO_7[:6]


async def test_a_delivery_stopped_in_the_middle_of_a_backlog_leaves_nothing_running_and_the_next_start_finishes_it(
        world: World):
    """Given seven notices for the Sekretaris (January to July 2026) and Telegram holding his May notice
    unanswered, when the delivery stops while it waits for Telegram, then none of its tasks is left running and
    the notices it had claimed but not taken up yet are free at once; when it starts again, each notice arrives
    exactly once, in queue order."""
    emu, engine = world.emu, world.engine
    delivery = world.application.bot_data.scheduler.delivery
    held = emu.faults.add("sendMessage", "timeout", chat_id=SEKRETARIS, hold=30,
                          when=lambda params: "Mei" in params["text"])
    queue_notices(engine, SEKRETARIS, list(range(1, 8)))
    wake(world)
    await until(lambda: held.hits == 1, "Telegram holds the Sekretaris's May notice")

    await delivery.stop()
    ours = ("outbox-delivery", "outbox-leases", "outbox-chat-")  # the scheduler's outbox-listener is not its
    assert [task.get_name() for task in asyncio.all_tasks() if task.get_name().startswith(ours)] == []
    later = [row for row in outbox(engine) if any(f"test:{number}:" in row.dedupe_key for number in (6, 7))]
    assert [(OutboxStatus(row.status), row.claimed_until) for row in later] == [(OutboxStatus.PENDING, None)] * 2

    emu.faults.remove(held)
    scheduler = world.application.bot_data.scheduler
    delivery.start(scheduler.term, lambda term: None)  # the same leader's term: its released rows are free
    rows = await until_delivered(engine, timeout=20)
    assert statuses(rows) == {OutboxStatus.SENT}
    labels = [message["text"].split("Formulir ")[1].split(" 2026")[0] for message in accepted(emu, SEKRETARIS)]
    assert labels == MONTHS_1_TO_7


async def test_a_member_who_blocked_the_bot_and_an_unknown_chat_fail_for_good_others_get_theirs_and_admins_see_it(
        world: World):
    """Given Agus (Pengaduan) has blocked the bot (Telegram answers 403) and a new Perizinan member whose chat
    Telegram does not know (400 chat not found), when November 2026 and Triwulan III 2026 are opened, then both
    their rows fail at the first attempt with Telegram's error (not retried, and not holding back their later
    row), every other member receives both notices, and an admin's /status lists the failures."""
    emu, engine = world.emu, world.engine
    emu.user(PENGADUAN).block_bot()
    add_people(engine, {199: ("Nina Tanpa Chat", Role.STAF, "Bidang Pelayanan Perizinan")})  # never opened the bot
    open_periods(engine, NOVEMBER, TW3)
    wake(world)

    rows = await until_delivered(engine)
    blocked, unknown = member_id(engine, PENGADUAN), member_id(engine, 199)
    for row in rows:
        if row.member_id in (blocked, unknown):
            assert (OutboxStatus(row.status), row.attempts) == (OutboxStatus.FAILED, 1)
            expected = "blocked by the user" if row.member_id == blocked else "chat not found"
            assert expected in row.error.lower(), row.error
        else:
            assert OutboxStatus(row.status) is OutboxStatus.SENT
    assert len([row for row in rows if row.member_id == blocked]) == 2
    for chat in (SEKRETARIS, TIM_SAKIP, SEKRETARIAT, MODAL, KABID_MODAL, PERIZINAN):
        assert len(accepted(emu, chat, "dibuka")) == 2
    assert accepted(emu, PENGADUAN) == []

    since = emu.mark()
    await emu.user(ADMIN).send_text("/status")
    status = await emu.wait_for_bot_message(ADMIN, "Pesan gagal terkirim", since=since)
    failed = next(block for block in status["text"].split("\n\n") if block.startswith("Pesan gagal terkirim"))
    lines = failed.split("\n")[1:]
    assert sorted(lines) == sorted(f"• {name}: {row.error}" for row in rows if row.member_id in (blocked, unknown)
                                   for name in ["Agus Pengaduan" if row.member_id == blocked else "Nina Tanpa Chat"])


async def test_a_row_queued_by_an_older_version_is_delivered_and_a_row_of_an_unknown_kind_fails_loudly(
        world: World):
    """Given rows written as the outbox always stored them (a plain kind and its params as JSON): November's
    invitation for Rina, then a notice for Agus of a kind no notice type has (say, queued by a newer version),
    then Agus's November invitation, when the worker runs, then Rina's arrives worded as usual and is marked sent,
    while Agus's unknown row is not sent nor dropped: it waits to be retried, its error naming the kind, and his
    invitation waits behind it (his chat keeps its order)."""
    emu, engine = world.emu, world.engine
    rina, agus = member_id(engine, PERIZINAN), member_id(engine, PENGADUAN)
    with session_scope(engine) as session:
        period = Period(kind=PeriodKind.MONTH, year=2026, number=11)
        session.add(period)
        session.flush()
        params = f'{{"period_id": {period.id}}}'
        session.add_all([OutboxMessage(member_id=rina, kind="period_opened", params=params, dedupe_key="old:rina"),
                         OutboxMessage(member_id=agus, kind="no_such_notice", params="{}", dedupe_key="new:agus"),
                         OutboxMessage(member_id=agus, kind="period_opened", params=params, dedupe_key="old:agus")])
    wake(world)

    await until(lambda: outbox(engine, "no_such_notice")[0].attempts == 1, "the unknown row was tried")
    await until(lambda: OutboxStatus(outbox(engine)[0].status) is OutboxStatus.SENT, "Rina's row is marked sent")
    old, unknown, waiting = outbox(engine)
    assert [has_button(message, FILL) for message in accepted(emu, PERIZINAN, "Formulir November 2026 dibuka")] \
        == [True]
    assert OutboxStatus(unknown.status) is OutboxStatus.PENDING and unknown.next_attempt_at > utcnow()
    assert "unknown notice kind 'no_such_notice'" in unknown.error
    assert (OutboxStatus(waiting.status), waiting.attempts) == (OutboxStatus.PENDING, 0)
    assert accepted(emu, PENGADUAN) == []


async def test_a_long_notice_that_fails_after_its_first_part_is_resumed_with_the_remaining_parts(
        world: World, tmp_path: Path):
    """Given a unit with 60 long-named indicators, whose form reaches the Sekretaris in several messages, and
    Telegram failing the second message (500), when the unit sends its form, then the row records the one part
    sent and is retried, the retry sends only the remaining parts: the first part arrives once, every
    indicator exactly once across the parts, and Setujui/Kembalikan under the last one."""
    emu, engine = world.emu, world.engine
    unit_name = "Bidang Penanaman Modal Panjang"
    write_long_pk(tmp_path / "pk_panjang.csv", unit_name)
    emu.user(160, "Staf Panjang")
    with session_scope(engine) as session:
        import_pk(session, tmp_path / "pk_panjang.csv", Actor.cli())
        unit = session.exec(select(Unit).where(Unit.name == unit_name)).one()
        _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=world.clock.now)
        accept_invite(session, token, 160, "Staf Panjang", "id", now=world.clock.now)
    period_id = open_periods(engine, month(2026, 10))[0]
    wake(world)
    await until_delivered(engine)

    header = "menunggu pemeriksaan"
    second_part = emu.faults.add("sendMessage", "500", chat_id=SEKRETARIS,
                                 when=lambda params: "PJ." in params["text"] and header not in params["text"])
    since = emu.mark()
    submit_form(engine, 160, period_id, now=world.clock.now)
    wake(world)

    def failed_once() -> OutboxMessage | None:
        return next((row for row in outbox(engine, "review_request") if row.attempts == 1), None)

    await until(failed_once, "the review request failed once")
    row = failed_once()
    assert (OutboxStatus(row.status), row.parts_sent) == (OutboxStatus.PENDING, 1)
    assert "Internal Server Error" in row.error
    [row] = [row for row in await until_delivered(engine, timeout=15) if row.kind == "review_request"]
    assert (OutboxStatus(row.status), row.attempts, second_part.hits) == (OutboxStatus.SENT, 2, 1)

    calls = [call for call in emu.calls_to("sendMessage", chat_id=SEKRETARIS, since=since)]
    assert [call.ok for call in calls] == [True, False] + [True] * (row.parts_sent - 1)
    parts = [call.result for call in calls if call.ok]
    assert len(parts) == row.parts_sent >= 3
    assert header in parts[0]["text"] and unit_name in parts[0]["text"]
    assert sum(header in part["text"] for part in parts) == 1  # the first part was not sent again
    assert calls[1].params["text"] != calls[0].params["text"]
    for number in range(1, INDICATORS + 1):
        block = f"{number}. PJ.{number} {long_name(number)}\nTarget "
        assert sum(block in part["text"] for part in parts) == 1, f"PJ.{number} missing or repeated"
    approve, send_back = t("review.approve_button", "id"), t("review.return_button", "id")
    assert [has_button(part, approve) and has_button(part, send_back) for part in parts] == \
        [False] * (len(parts) - 1) + [True]


@pytest.fixture
def short_leases(monkeypatch):
    """A claim on a row lasts 3 seconds instead of 15, and the delivery renews the claims of rows it is still
    sending every half second instead of every 3 (a send begins up to 1.5 s after a renewal, and is cut off 0.5 s
    before its lease ends unless renewed meanwhile). Listed before `world`, whose delivery starts with it."""
    monkeypatch.setattr(outbox_module, "CLAIM_SECONDS", 3)
    monkeypatch.setattr(delivery_module, "CLAIM_SECONDS", 3)
    monkeypatch.setattr(delivery_module, "RENEW_SECONDS", 0.5)
    monkeypatch.setattr(delivery_module, "SEND_MARGIN_SECONDS", 1.5)
    monkeypatch.setattr(delivery_module, "CUTOFF_SECONDS", 0.5)


async def test_a_notice_telegram_is_slow_to_accept_stays_claimed_while_in_flight_and_arrives_once(
        short_leases, world: World):
    """Given claims that last 3 seconds and Telegram taking 4 seconds to accept a message to Rina, when her
    notice is being sent, then another worker looking for due rows after the first claim has run out still
    finds none (the claim is renewed while the request is in flight), and the notice is sent once, at the
    first attempt."""
    emu, engine = world.emu, world.engine
    _, send_message = emu.methods.lookup("sendMessage")
    started = []

    async def slow_for_rina(api, params):
        if str(params.get("chat_id")) == str(PERIZINAN):
            started.append(asyncio.get_running_loop().time())
            await asyncio.sleep(4)
        return await send_message(api, params)

    emu.register_method("sendMessage", slow_for_rina)
    queue_notices(engine, PERIZINAN, [11])
    wake(world)

    def another_worker_claims() -> list[int]:
        with Session(engine) as session:
            claimed = [row.id for row in claim_due(session, utcnow(), "another-leaders-term")]
            session.rollback()  # only looking
            return claimed

    await until(lambda: started, "the notice is being sent")
    await asyncio.sleep(max(0.0, started[0] + 3.3 - asyncio.get_running_loop().time()))  # past the first claim
    assert another_worker_claims() == []
    [row] = await until_delivered(engine)
    assert (OutboxStatus(row.status), row.attempts) == (OutboxStatus.SENT, 1)
    assert len(accepted(emu, PERIZINAN, "Formulir November 2026 dibuka")) == 1
    assert len(started) == 1


# -- reminders in chat ---------------------------------------------------------------------------------------------

async def test_reminders_are_edited_in_place_snoozed_replaced_closed_when_done_and_escalated_once(
        no_auto_opening, world: World):
    """Given November 2026 opened on 1 December, due Thursday 10 December,
    when the scheduler runs on Monday 7 December 08:00 (three days before), then every unit member gets one
    reminder with "Isi sekarang" and "⏰ Ingatkan nanti"; on Wednesday 9 December 08:00 the same messages are
    edited (nothing new is sent); when Rina presses "Ingatkan nanti" the bot says when it reminds her again,
    nothing comes before then, and then her reminder comes as a fresh message and the old one is deleted; when
    her unit sends its form, her reminder is edited to say the task is done and nothing new reaches her; after
    the fourth reminder of Penanaman Modal its kabid is told once, and not again at the next reminder."""
    emu, engine = world.emu, world.engine
    period_id = open_periods(engine, NOVEMBER)[0]
    wake(world)
    await until_delivered(engine)

    async def run_at(moment: datetime):
        world.clock.now = moment
        since = emu.mark()
        await world.run_scheduled_work()
        await until_delivered(engine)
        return since

    # Monday 7 December, 08:00: one reminder each, with both buttons.
    since = await run_at(datetime(2026, 12, 7, 8, 0, tzinfo=WIB))
    first = {}
    for chat in UNIT_MEMBERS:
        [message] = accepted(emu, chat, since=since)
        assert REMINDER in message["text"] and has_button(message, FILL) and has_button(message, SNOOZE)
        first[chat] = message["message_id"]
    assert len(outbox(engine, "reminder")) == len(UNIT_MEMBERS)

    # Wednesday 9 December, 08:00: the same message is edited; nothing new is sent.
    since = await run_at(datetime(2026, 12, 9, 8, 0, tzinfo=WIB))
    for chat in UNIT_MEMBERS:
        assert accepted(emu, chat, since=since) == []
        edits = emu.calls_to("editMessageText", chat_id=chat, since=since)
        assert [int(call.params["message_id"]) for call in edits] == [first[chat]]
        # accepted, or "not modified" when the text is the same (the countdown is worded by the wall clock)
        assert edits[0].ok or "not modified" in edits[0].error
        shown = current(emu, chat, first[chat])
        assert REMINDER in shown["text"] and has_button(shown, FILL) and has_button(shown, SNOOZE)
    assert len(outbox(engine, "reminder")) == 2 * len(UNIT_MEMBERS)

    # Rina presses "Ingatkan nanti": she is told when; nothing comes before then.
    with Session(engine) as session:
        reminder_id = session.exec(select(Reminder.id).where(Reminder.member_id == member_id(engine, PERIZINAN))).one()
    since = emu.mark()
    await emu.user(PERIZINAN).press(current(emu, PERIZINAN, first[PERIZINAN]), f"rm.snz|{reminder_id}")
    reply = await emu.wait_for_bot_message(PERIZINAN, "Baik, saya ingatkan lagi", since=since)
    until_then = datetime(2026, 12, 9, 11, 0, tzinfo=WIB)  # three hours later
    assert reply["text"] == t("reminder.snoozed", "id", when=format_datetime(until_then, "Asia/Jakarta", "id"))
    await until_delivered(engine)
    since = await run_at(until_then - timedelta(minutes=1))
    assert calls_to_chat(emu, PERIZINAN, since) == []

    # At 11:00 the reminder comes as a fresh message; the old one is deleted. Nobody else hears anything.
    # (The bot's clock runs: she pressed a moment after 08:00, so the snooze ends a moment after 11:00.)
    since = await run_at(until_then + timedelta(minutes=1))
    [fresh] = accepted(emu, PERIZINAN, since=since)
    assert REMINDER in fresh["text"] and has_button(fresh, FILL) and has_button(fresh, SNOOZE)
    deletes = emu.calls_to("deleteMessage", chat_id=PERIZINAN, ok=True, since=since)
    assert [int(call.params["message_id"]) for call in deletes] == [first[PERIZINAN]]
    assert current(emu, PERIZINAN, first[PERIZINAN]) is None and current(emu, PERIZINAN, fresh["message_id"])
    for chat in UNIT_MEMBERS:
        if chat != PERIZINAN:
            assert accepted(emu, chat, since=since) == [] and emu.calls_to("editMessageText", chat_id=chat,
                                                                          since=since) == []

    # Perizinan sends its form: Rina's reminder says the task is done, and nothing new reaches her.
    submit_form(engine, PERIZINAN, period_id, now=world.clock.now)
    since = await run_at(datetime(2026, 12, 9, 13, 0, tzinfo=WIB))
    assert accepted(emu, PERIZINAN, since=since) == []
    edits = emu.calls_to("editMessageText", chat_id=PERIZINAN, since=since)
    assert [(int(call.params["message_id"]), call.ok) for call in edits] == [(fresh["message_id"], True)]
    done = current(emu, PERIZINAN, fresh["message_id"])
    assert done["text"] == DONE and "reply_markup" not in done
    after_done = emu.mark()

    # Thursday 10 and Friday 11 December: the third and fourth reminders of Penanaman Modal; its kabid is told.
    escalation = "Unit Bidang Penanaman Modal belum mengirim formulir November 2026 setelah 4 kali pengingat"
    await run_at(datetime(2026, 12, 10, 8, 0, tzinfo=WIB))
    assert accepted(emu, KABID_MODAL, escalation) == []
    await run_at(datetime(2026, 12, 11, 8, 0, tzinfo=WIB))
    assert len(accepted(emu, KABID_MODAL, escalation)) == 1
    # Monday 14 December (the weekend's reminders moved to Monday): the fifth reminder; the kabid is not told again.
    await run_at(datetime(2026, 12, 14, 8, 0, tzinfo=WIB))
    assert len(accepted(emu, KABID_MODAL, "⚠️")) == 1
    assert accepted(emu, MODAL, "⚠️") == []
    for chat in (MODAL, KABID_MODAL):
        assert len(accepted(emu, chat, REMINDER)) == 1  # still the first message, edited
    assert calls_to_chat(emu, PERIZINAN, after_done) == []
    assert current(emu, PERIZINAN, fresh["message_id"])["text"] == DONE


# -- a killed process ----------------------------------------------------------------------------------------------

EXTRA = {150: ("Staf Satu", Role.STAF, "Bidang Pelayanan Perizinan"),
         151: ("Staf Dua", Role.STAF, "Bidang Pelayanan Perizinan"),
         152: ("Staf Tiga", Role.STAF, "Bidang Pelayanan Perizinan")}
MONTHS = ["Agustus", "September", "Oktober", "November"]


async def test_a_process_killed_while_telegram_holds_a_message_leaves_every_notice_to_the_next_exactly_once(
        backend_url, office_engine, tmp_path):
    """Given 40 queued notices (August to November 2026 opened at once for 10 unit members) and Telegram holding
    the bot's message of October to Rina without processing it, when the bot process is killed (SIGKILL) while
    Telegram holds it and a new process starts, then every row ends sent and every member received each month's
    notice exactly once, in month order: those the first process sent are not sent again, the rest come from
    the second.

    What no outbox can promise: a process killed after Telegram accepted a message but before the row is marked
    sent sends that one message again. This test kills while the held message is unprocessed, and once every
    message Telegram did accept is marked sent (Telegram stops answering meanwhile)."""
    engine = office_engine
    add_people(engine, EXTRA)
    members = (*UNIT_MEMBERS, *EXTRA)
    open_periods(engine, *(month(2026, number) for number in (8, 9, 10, 11)))
    assert len(outbox(engine)) == 40

    def answered() -> int:
        return sum(len(accepted(emu, chat, "dibuka")) for chat in members)

    def marked_sent() -> int:
        return sum(OutboxStatus(row.status) is OutboxStatus.SENT for row in outbox(engine))

    async with bots_on(backend_url, tmp_path) as (emu, bots):
        for telegram_id, (name, _, _) in EXTRA.items():
            emu.user(telegram_id, name)
        held = emu.faults.add("sendMessage", "timeout", chat_id=PERIZINAN, hold=30,
                              when=lambda params: "Oktober" in params["text"])
        first = await bots.start()
        await until(lambda: held.hits == 1, "Telegram holds the message of October to Rina")
        silent = emu.faults.add("sendMessage", "timeout", times=None, hold=30)  # nothing more gets through
        await until(lambda: answered() == marked_sent(), "every accepted message is marked sent", every=0.05)
        await bots.kill(first)
        emu.faults.remove(held)
        emu.faults.remove(silent)
        pending = [row for row in outbox(engine) if OutboxStatus(row.status) is OutboxStatus.PENDING]
        assert len(accepted(emu, PERIZINAN, "dibuka")) == 2  # August and September; October held, November behind
        assert len(pending) == 40 - answered() >= 2

        # The next process frees the claims of the one that is gone (it polls alone now) rather than wait for their
        # leases to run out (15 s). Rows whose sending timed out meanwhile wait their backoff (how many timed out
        # depends on the machine's load): each goes within 10 s of its own retry.
        last_retry = max(row.next_attempt_at for row in pending)
        await bots.start()
        await until(lambda: marked_sent() == 40, "every row is sent by the second process", every=0.1,
                    timeout=10 + max(0.0, (last_retry - utcnow()).total_seconds()))
        assert statuses(outbox(engine)) == {OutboxStatus.SENT}

    for chat in members:
        labels = [message["text"].split("Formulir ")[1].split(" 2026")[0] for message in accepted(emu, chat, "dibuka")]
        assert labels == MONTHS, (chat, labels)


# -- several bots on one database ----------------------------------------------------------------------------------

async def start_second_bot(engine: Engine, clock) -> Application:
    """Another bot process's application on the same database through its own engine (its own connections). It
    does not poll Telegram (one token has one poller: the first bot answers the chat)."""
    application = build_application(load_settings(), engine, rate_limiter=False, clock=clock)
    await application.initialize()
    await application.bot_data.scheduler.start()
    await application.start()
    return application


def leading(*applications: Application) -> list[bool]:
    return [application.bot_data.scheduler.leading for application in applications]


async def test_two_bots_on_one_database_only_one_leads_and_delivers_what_either_queues_once(
        backend_url, world: World):
    """Given two bots on one database (two engines), when both are running, then exactly one leads, and still
    the same one a few stand-by rounds later, and only it delivers; notices queued through either bot's
    database connections are delivered once each (on PostgreSQL, one queued through the other bot's connections
    wakes the idle leader at once)."""
    emu, engine = world.emu, world.engine
    second_engine = create_db_engine(backend_url)
    second = await start_second_bot(second_engine, world.clock)
    try:
        bots = (world.application, second)
        await until(lambda: leading(*bots).count(True) == 1, "one bot leads")
        first_leading = leading(*bots)
        await asyncio.sleep(2.5)  # more than one stand-by round later
        assert leading(*bots) == first_leading
        assert [bot.bot_data.scheduler.delivery.running for bot in bots] == first_leading

        open_periods(engine, NOVEMBER)  # queued through the first bot's engine
        await until_delivered(engine, timeout=8)
        loop = asyncio.get_running_loop()
        queued = loop.time()
        with session_scope(second_engine) as session:  # and through the second's
            admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
            enqueue(session, admin.id, PeriodOpened(session.exec(
                select(Period.id).where(Period.number == 11, Period.kind == PeriodKind.MONTH)).one()), "test:admin")
        await until(lambda: accepted(emu, ADMIN, "dibuka"), "the admin's notice arrives")
        if not backend_url.startswith("sqlite"):
            # the leader had just delivered and idles (it looks again every 2 s): NOTIFY woke it
            assert loop.time() - queued < 1.0
        rows = await until_delivered(engine, timeout=8)
        assert len(rows) == len(UNIT_MEMBERS) + 1 and statuses(rows) == {OutboxStatus.SENT}
        assert sum(row.attempts for row in rows) == len(rows)
        for chat in (*UNIT_MEMBERS, ADMIN):
            assert len(accepted(emu, chat, "Formulir November 2026 dibuka")) == 1
    finally:
        await stop_application(second)
        second_engine.dispose()


async def test_scheduled_work_run_on_two_bots_at_once_queues_each_reminder_once_and_each_arrives_once(
        backend_url, no_auto_opening, world: World):
    """Given two bots on one database, one leading, and November 2026 due on 10 December, when scheduled work
    runs on both at the same moment (Monday 7 December 08:00), then only the leader runs it, and each unit
    member's reminder is queued once and arrives exactly once."""
    emu, engine = world.emu, world.engine
    second_engine = create_db_engine(backend_url)
    second = await start_second_bot(second_engine, world.clock)
    try:
        bots = (world.application, second)
        await until(lambda: leading(*bots).count(True) == 1, "one bot leads")
        open_periods(engine, NOVEMBER)
        await until_delivered(engine)
        world.clock.now = datetime(2026, 12, 7, 8, 0, tzinfo=WIB)
        outcomes = await asyncio.gather(*(bot.bot_data.scheduler.run_now() for bot in bots))
        assert [outcome is not None for outcome in outcomes] == leading(*bots)
        rows = await until_delivered(engine)
        assert statuses(rows) == {OutboxStatus.SENT}
        reminders = [row for row in rows if row.kind == "reminder"]
        assert sorted(row.member_id for row in reminders) == sorted(member_id(engine, c) for c in UNIT_MEMBERS)
        for chat in UNIT_MEMBERS:
            assert len(accepted(emu, chat, REMINDER)) == 1
    finally:
        await stop_application(second)
        second_engine.dispose()


@pytest.mark.parametrize("how", ["stopped", "stopped and its connections closed"])
async def test_when_the_leading_bot_goes_away_the_other_takes_over_and_delivers_what_is_queued_afterwards(
        backend_url, world: World, how: str):
    """Given two bots on one database, one leading, when the leader stops (its process living on, or gone with
    its connections, as when the process exits), then within a few seconds the other leads, and notices queued
    afterwards through either bot's database connections each arrive exactly once."""
    emu, engine = world.emu, world.engine
    second_engine = create_db_engine(backend_url)
    second = await start_second_bot(second_engine, world.clock)
    try:
        bots = [(world.application, engine), (second, second_engine)]
        await until(lambda: leading(*(bot for bot, _ in bots)).count(True) == 1, "one bot leads")
        (leader, leader_engine), (other, _) = sorted(bots, key=lambda bot: not bot[0].bot_data.scheduler.leading)
        await stop_application(leader)
        if how != "stopped":
            leader_engine.dispose()
        await until(lambda: other.bot_data.scheduler.leading, "the other bot leads", timeout=8)

        open_periods(engine, NOVEMBER)  # queued through the first bot's engine
        with session_scope(second_engine) as session:  # and through the second's
            admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
            enqueue(session, admin.id, PeriodOpened(session.exec(
                select(Period.id).where(Period.number == 11, Period.kind == PeriodKind.MONTH)).one()), "test:admin")
        rows = await until_delivered(engine, timeout=8)
        assert len(rows) == len(UNIT_MEMBERS) + 1 and statuses(rows) == {OutboxStatus.SENT}
        for chat in (*UNIT_MEMBERS, ADMIN):
            assert len(accepted(emu, chat, "Formulir November 2026 dibuka")) == 1
    finally:
        await stop_application(second)
        second_engine.dispose()
