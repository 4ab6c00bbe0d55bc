"""A leader that loses its lock stops sending before another leader takes its rows: nothing arrives twice (beyond
the one message per chat in flight at the cut), nothing out of order.

Given two bots on one PostgreSQL database, one leading, and a backlog of notices for eight members (fifteen each)
that Telegram answers a little slowly, when the leader's lock session is cut (`pg_terminate_backend`, as a
failover or an administrator does) while it sends, and again once the other has taken over, then each time the
leader learns it at its next lease renewal and steps down, the other leads with a new term and delivers the rest;
every row ends sent, each member receives each of their notices once (a message that was in flight at a cut may
come twice, next to itself), and in the order queued.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import Application

from bot.application import stop_application
from bot.fence import RENEW_SECONDS, SEND_MARGIN_SECONDS
from models.calc.dates import MONTHS_ID
from models.messaging.notices import PeriodOpened
from models.messaging.outbox import OutboxStatus, enqueue
from models.office.organisation import Member
from models.plan.periods import Period, PeriodKind
from models.store.database import create_db_engine, session_scope
from tests.chat.conftest import World
from tests.chat.test_delivery import ADMIN, UNIT_MEMBERS, accepted, leading, outbox, start_second_bot, until
from tests.test_fencing import cut_the_lock_session

CHATS = (*UNIT_MEMBERS, ADMIN)
NOTICES = 15  # per chat: at Telegram's pace of one message a second per chat, longer than a cut takes to notice
CUTS = 2


def queue_backlog(engine: Engine) -> dict[int, list[str]]:
    """Fifteen "form opened" notices per chat (months of 2025 and 2026, as drafts), queued in month order; for each
    chat the labels ("Januari 2025" …) in the order its rows were queued."""
    months = list(itertools.islice(itertools.product((2025, 2026), range(1, 13)), NOTICES))
    expected: dict[int, list[str]] = {}
    with session_scope(engine) as session:
        periods = []
        for year, number in months:
            period = Period(kind=PeriodKind.MONTH, year=year, number=number)
            session.add(period)
            session.flush()
            periods.append((period.id, f"{MONTHS_ID[number - 1]} {year}"))
        for (period_id, label), chat in itertools.product(periods, CHATS):  # rows of all chats interleaved
            member = session.exec(select(Member).where(Member.telegram_user_id == chat)).one()
            enqueue(session, member.id, PeriodOpened(period_id), f"test:{period_id}:{member.id}")
            expected.setdefault(chat, []).append(label)
    return expected


def labels(world: World, chat: int) -> list[str]:
    """The month of each notice the chat received, in the order Telegram accepted them."""
    return [message["text"].split("Formulir ")[1].split(" dibuka")[0]
            for message in accepted(world.emu, chat, "dibuka")]


def without_repeats(sequence: list[str]) -> list[str]:
    """The sequence with a message that came twice in a row (a send in flight at a cut) counted once."""
    return [label for label, _ in itertools.groupby(sequence)]


def the_leader(*applications: Application) -> Application | None:
    return next((app for app in applications if app.bot_data.scheduler.leading), None)


async def test_cutting_the_leaders_lock_session_while_it_sends_sends_nothing_twice_and_keeps_each_chats_order(
        backend_url, world: World):
    if not backend_url.startswith("postgresql"):
        pytest.skip("an advisory lock's session to cut is PostgreSQL's (on SQLite one process leads by a file lock)")
    emu, engine = world.emu, world.engine
    second_engine = create_db_engine(backend_url)
    second = await start_second_bot(second_engine, world.clock)
    bots = (world.application, second)
    try:
        await until(lambda: leading(*bots).count(True) == 1, "one bot leads")
        arrived: list[str] = []  # the chat of each message as it reaches Telegram (held 0.3 s, then sent)
        slow = emu.faults.add("sendMessage", "slow", times=None, hold=0.3,
                              when=lambda params: arrived.append(str(params.get("chat_id"))) is None)
        in_flight: Counter[str] = Counter()  # per chat, messages Telegram had and had not answered at a cut
        expected = queue_backlog(engine)
        world.application.bot_data.wake()
        second.bot_data.wake()
        terms = [the_leader(*bots).bot_data.scheduler.term]
        leaders = [bots.index(the_leader(*bots))]
        for _ in range(CUTS):
            sent_before = len(emu.calls_to("sendMessage", ok=True))
            await until(lambda n=sent_before: len(emu.calls_to("sendMessage", ok=True)) >= n + 8,
                        "the leader sends", timeout=30)
            old = the_leader(*bots).bot_data.scheduler
            # the old leader's stand-by round would see the lock's connection gone, and might take the lock again:
            # paused, only its failing lease renewal can stop it, and the other bot takes over
            old.scheduler.pause_job("leadership")
            with Session(engine) as session:
                cut_the_lock_session(session)
            in_flight += Counter(arrived) - Counter(str(call.chat_id) for call in emu.calls_to("sendMessage"))
            await until(lambda o=old: (leader := the_leader(*bots)) is not None and leader.bot_data.scheduler is not o,
                        "the other bot leads", timeout=10)
            # at its next lease renewal (every 3 s), which fails at once or within the margin
            await until(lambda o=old: not o.leading, "the old leader steps down",
                        timeout=RENEW_SECONDS + SEND_MARGIN_SECONDS + 2)
            old.scheduler.resume_job("leadership")
            terms.append(the_leader(*bots).bot_data.scheduler.term)
            leaders.append(bots.index(the_leader(*bots)))
        await until(lambda: all(OutboxStatus(row.status) is OutboxStatus.SENT for row in outbox(engine)),
                    "every row is sent", timeout=90, every=0.2)
        emu.faults.remove(slow)
    finally:
        await stop_application(second)
        second_engine.dispose()

    repeated = {chat: len(labels(world, chat)) - len(expected[chat]) for chat in CHATS}
    print(f"\nleaders (0: the first bot, 1: the second) {leaders}; in flight at the {CUTS} cuts: "
          f"{sum(in_flight.values())} messages, {dict(in_flight)}; received twice: {repeated}")
    for chat in CHATS:
        assert without_repeats(labels(world, chat)) == expected[chat], (chat, labels(world, chat))
        assert 0 <= repeated[chat] <= in_flight[str(chat)], (chat, labels(world, chat), dict(in_flight))
    assert len({term.token for term in terms}) == CUTS + 1 and leaders == [leaders[0], 1 - leaders[0], leaders[0]]
