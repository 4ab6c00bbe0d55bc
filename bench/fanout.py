"""Fan-out benchmark: N reminders through the outbox delivery worker against the emulator enforcing Telegram's limits.

    .venv/bin/python -m bench.fanout [--n 1000] [--database sqlite|postgresql://...] [--with-opened] [--no-baseline]

A fresh database (a SQLite file in a temporary folder, or a fresh schema of the given PostgreSQL database, dropped
afterwards) gets the demo Perjanjian Kinerja and N staff members in the units with monthly indicators, each with a
private chat in the emulator. The domain then opens October 2026 (due Thursday 12 November) and, run as of Monday
9 November 08:00 (three days before), queues one `reminder` row per member. Opening the period also queued one
`period_opened` row per member: those are marked sent before the clock starts (`--with-opened` delivers them too).

Then the real application (`bot.application`, PTB's AIORateLimiter) starts against `BotApiEmulator(
enforce_rate_limits=True)` and the time runs until no benchmarked row is pending. The scheduler's clock stands at
the reminder moment, so its re-runs during delivery are the ones a real 08:00 fan-out causes (finding nothing new).

Beside it runs a baseline: a bare PTB bot with the same AIORateLimiter sending N messages to N chats of a fresh
emulator (no database, no outbox), up to 30 requests in flight. Telegram's own floor is N/30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.application import build_application, start_application, stop_application  # also sets PTB_TIMEDELTA
from bot.config import load_settings
from emulator.server import BotApiEmulator
from models.collection.opening import open_scheduled_period
from models.collection.progress import period_units
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role
from models.plan.periods import Period, PeriodKind, PeriodRef
from models.store.database import create_db_engine, normalise_url, session_scope
from models.store.migrating import migrate
from models.store.types import utcnow
from models.timing.reminders import run_scheduled_work
from models.timing.schedule import ScheduleRules

TOKEN = "123456:" + "B" * 35
TELEGRAM_RATE = 30.0  # messages per second, Telegram's overall limit for a bot
FIRST_USER_ID = 7_000_000
JAKARTA = ZoneInfo("Asia/Jakarta")
PERIOD = PeriodRef(PeriodKind.MONTH, 2026, 10)
OPENED_AT = datetime(2026, 11, 2, 8, 0, tzinfo=JAKARTA)  # Monday
DEADLINE = date(2026, 11, 12)  # Thursday
REMIND_AT = datetime(2026, 11, 9, 8, 0, tzinfo=JAKARTA)  # Monday 08:00, three days before the deadline
DELIVERED = ("sendMessage", "editMessageText")  # the calls that put a notification in front of its reader
POLL_SECONDS = 0.05


@dataclasses.dataclass
class Run:
    """What one run measured."""

    messages: int
    elapsed: float
    too_many: int = 0  # 429 answers the emulator gave
    lost: int = 0  # expected messages that never arrived
    duplicated: int = 0  # messages that arrived more than once
    failed: int = 0  # rows the worker gave up on
    pending: int = 0  # rows still pending when the run stopped (timeout)
    expected: dict[int, int] = dataclasses.field(default_factory=dict)  # chat → messages it should get
    unanswered: int = 0  # messages that arrived without a 200 answer to the bot (processed, then timed out)
    retries: int | None = None  # extra attempts the outbox worker made (a 429 the rate limiter gave up on, ...)
    first: float | None = None  # seconds from the start until the first message arrived (start-up)


# -- the database -----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def empty_database(database: str) -> Iterator[str]:
    """A SQLite file in a temporary folder, or a fresh schema of the PostgreSQL database (as tests/conftest.py)."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sakip-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'sakip.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(database)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = normalise_url(database)
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_world(engine: sa.Engine, n: int, rules: ScheduleRules,
                with_opened: bool) -> tuple[dict[int, int], dict[int, str]]:
    """The demo office with `n` staff members and their reminders queued; returns {telegram id: messages
    expected} and {telegram id: name}."""
    migrate(engine)
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    with session_scope(engine) as session:
        units = period_units(session, Period(kind=PERIOD.kind, year=PERIOD.year, number=PERIOD.number))
        names = {}
        for index in range(n):
            telegram_id, name = FIRST_USER_ID + index, f"Pegawai {index + 1}"
            _, token = create_invite(session, Role.STAF, units[index % len(units)], Actor.cli(), now=OPENED_AT)
            accept_invite(session, token, telegram_id, name, "id", now=OPENED_AT)
            names[telegram_id] = name
    with session_scope(engine) as session:
        open_scheduled_period(session, PERIOD, DEADLINE, OPENED_AT)
    if not with_opened:
        with session_scope(engine) as session:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.kind == "period_opened")
                            .values(status=OutboxStatus.SENT, sent_at=utcnow()))
    with session_scope(engine) as session:
        reminded = run_scheduled_work(session, REMIND_AT, rules).reminded
    if reminded != n:
        raise SystemExit(f"expected {n} reminders queued, the scheduler's run queued {reminded}")
    with session_scope(engine) as session:
        rows = session.exec(select(Member.telegram_user_id).join(OutboxMessage, OutboxMessage.member_id == Member.id)
                            .where(OutboxMessage.status == OutboxStatus.PENDING)).all()
    return dict(Counter(rows)), names


def worker_retries(engine: sa.Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(sa.func.coalesce(sa.func.sum(OutboxMessage.attempts - 1), 0))
                            .where(OutboxMessage.attempts > 1)).one()


def outbox_counts(engine: sa.Engine) -> Counter:
    with session_scope(engine) as session:
        return Counter(dict(session.exec(select(OutboxMessage.status, sa.func.count())
                                         .group_by(OutboxMessage.status)).all()))


# -- counting what arrived --------------------------------------------------------------------------------------
class Arrivals(Counter):
    """Per chat, the bot's messages that appeared (sent or edited) in the emulator's chats: what a reader sees,
    including a message the server processed although the bot never heard its 200 (a timeout)."""

    def __init__(self, emu: BotApiEmulator) -> None:
        super().__init__()
        emu.add_listener(self.heard)

    def heard(self, event: str, data: dict) -> None:
        if event in ("bot_message", "bot_message_edited"):
            self[int(data["chat_id"])] += 1


def tally(emu: BotApiEmulator, arrivals: Arrivals, expected: dict[int, int], run: Run) -> Run:
    """429 answers, and per chat the messages that arrived against the messages expected. The successful (200)
    sendMessage/editMessageText calls are counted too: they differ only when a call was processed unanswered."""
    run.too_many = sum(1 for call in emu.calls if call.status == 429)
    answered = Counter(int(call.params["chat_id"]) for call in emu.calls
                       if call.method in DELIVERED and call.status == 200 and call.ok)
    run.unanswered = sum(arrivals.values()) - sum(answered.values())
    arrived = Counter(arrivals)
    for chat, count in expected.items():
        got = arrived.pop(chat, 0)
        run.lost += max(0, count - got)
        run.duplicated += max(0, got - count)
    run.duplicated += sum(arrived.values())  # messages to chats that expected none
    return run


# -- the runs ---------------------------------------------------------------------------------------------------
async def deliver(database: str, n: int, with_opened: bool, timeout: float) -> Run:
    """The outbox worker of the real application delivering the queued reminders."""
    with empty_database(database) as url, tempfile.TemporaryDirectory(prefix="sakip-bench-files-") as files:
        engine = create_db_engine(url)
        try:
            async with BotApiEmulator(token=TOKEN, enforce_rate_limits=True) as emu:
                arrivals = Arrivals(emu)
                settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=emu.base_url,
                                         database_url=url, evidence_dir=str(Path(files) / "evidence"),
                                         auto_open_periods=False)
                rules = settings.schedule_rules()
                expected, names = await asyncio.to_thread(build_world, engine, n, rules, with_opened)
                for telegram_id, name in names.items():
                    emu.user(telegram_id, name)
                messages = sum(expected.values())
                application = build_application(settings, engine, clock=lambda: REMIND_AT)
                loop = asyncio.get_running_loop()
                watcher = ThreadPoolExecutor(1)  # polling must not take a thread of the worker's default pool
                started, wall = time.perf_counter(), time.time()
                await start_application(application, timeout=1)
                try:
                    counts = await loop.run_in_executor(watcher, outbox_counts, engine)
                    while counts[OutboxStatus.PENDING] and time.perf_counter() - started < timeout:
                        await asyncio.sleep(POLL_SECONDS)
                        counts = await loop.run_in_executor(watcher, outbox_counts, engine)
                    elapsed = time.perf_counter() - started
                finally:
                    await stop_application(application)
                    watcher.shutdown()
                run = Run(messages, elapsed, failed=counts[OutboxStatus.FAILED], pending=counts[OutboxStatus.PENDING],
                          expected=expected, retries=await asyncio.to_thread(worker_retries, engine))
                sends = [call.timestamp for call in emu.calls if call.method in DELIVERED]
                run.first = min(sends) - wall if sends else None
                return tally(emu, arrivals, expected, run)
        finally:
            engine.dispose()


async def baseline(expected: dict[int, int], concurrency: int = 30) -> Run:
    """The same messages (per chat, in order) from a bare PTB bot with the same AIORateLimiter: no database, no
    outbox, no wording; a 429 that outlasts the limiter's retries is waited out and retried here."""
    async with BotApiEmulator(token=TOKEN, enforce_rate_limits=True) as emu:
        arrivals = Arrivals(emu)
        for chat in expected:
            emu.user(chat, f"Pegawai {chat - FIRST_USER_ID + 1}")
        bot = ExtBot(TOKEN, base_url=emu.base_url, rate_limiter=AIORateLimiter(max_retries=3),
                     request=HTTPXRequest(connection_pool_size=256))
        slots = asyncio.Semaphore(concurrency)

        async def send(chat: int, number: int) -> None:
            text = f"Pengingat <b>Oktober 2026</b> ({number + 1}): tenggat 3 hari lagi"
            while True:
                try:
                    async with slots:
                        await bot.send_message(chat, text, parse_mode="HTML")
                    return
                except RetryAfter as exc:
                    wait = exc.retry_after
                    await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)

        async def serve(chat: int, count: int) -> None:
            for number in range(count):
                await send(chat, number)

        async with bot:
            started = time.perf_counter()
            await asyncio.gather(*(serve(chat, count) for chat, count in expected.items()))
            elapsed = time.perf_counter() - started
        return tally(emu, arrivals, expected, Run(sum(expected.values()), elapsed))


# -- the report -------------------------------------------------------------------------------------------------
def line(label: str, run: Run, ideal: float) -> str:
    text = (f"{label:<9} {run.elapsed:8.2f} s  ratio to ideal {run.elapsed / ideal:5.2f}  "
            f"429s {run.too_many}  lost {run.lost}  duplicated {run.duplicated}")
    if run.unanswered:
        text += f"  (arrived unanswered {run.unanswered})"
    if run.retries is not None:
        text += f"  worker retries {run.retries}"
    if run.first is not None:
        text += f"  start-up {run.first:.2f} s"
    if run.failed or run.pending:
        text += f"  failed rows {run.failed}  still pending {run.pending}"
    return text


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="reminders (= members = private chats), default 1000")
    parser.add_argument("--database", default="sqlite",
                        help="sqlite (a temporary file, the default) or a PostgreSQL URL (a fresh schema in it)")
    parser.add_argument("--with-opened", action="store_true",
                        help="also deliver the period_opened notice each member got (2 messages per chat)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare-PTB baseline run")
    parser.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with_opened = args.with_opened
    timeout = args.timeout or 120 + 10 * args.n * (2 if with_opened else 1) / TELEGRAM_RATE

    run = await deliver(args.database, args.n, with_opened, timeout)
    ideal = run.messages / TELEGRAM_RATE
    backend = "sqlite" if args.database == "sqlite" else "postgresql"
    opened = "delivered too" if with_opened else "marked sent beforehand, not counted"
    print(f"fan-out: N={args.n} reminders to {args.n} private chats ({args.n} period_opened notices {opened}): "
          f"{run.messages} messages, {backend}")
    print(f"ideal     {ideal:8.2f} s  ({run.messages}/30: Telegram's overall 30 messages per second)")
    print(line("delivery", run, ideal))
    if not args.no_baseline:
        base = await baseline(run.expected)
        print(line("baseline", base, ideal) + "  (bare PTB bot + AIORateLimiter, no outbox)")
        print(f"delivery / baseline {run.elapsed / base.elapsed:5.2f}")
    return 0 if not (run.lost or run.duplicated or run.failed or run.pending) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
