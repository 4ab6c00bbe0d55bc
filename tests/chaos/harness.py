"""One chaos run: the emulator (with Telegram's flood limits), the office on a fresh database, the bot processes
(and the forwarder in webhook mode), the members; then waiting until everything settled, and the report."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from emulator.faults import Fault
from emulator.server import BotApiEmulator
from models.messaging.inbox import InboxUpdate
from models.messaging.outbox import OutboxMessage, OutboxStatus
from scheduler.leadership import LOCK_CLASS
from tests.chaos.fleet import Bot, Fleet, Forwarder
from tests.chaos.invariants import Report, check
from tests.chaos.members import Person, fill_forms
from tests.chaos.office import everyone, prepare_office
from tests.conftest import migrated_engine

LONG = os.environ.get("SAKIP_CHAOS_LONG") == "1"
STAFF = 40 if LONG else 12  # 3 a unit keeps the suite within about 3 minutes
FAULT_KINDS = ("429", "500", "timeout", "timeout-processed")  # each an equal share of the faulty calls


@dataclass
class Chaos:
    emu: BotApiEmulator
    engine: Engine
    fleet: Fleet
    people: list[Person]
    rng: random.Random
    faults: list[Fault] = field(default_factory=list)

    async def fill_forms(self, timeout: float) -> None:
        """All members fill their forms, for at most `timeout` seconds; those not done by then are reported (and
        the end of the first one's chat printed)."""
        began = asyncio.get_running_loop().time()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await fill_forms(self.people)
        stuck = [person for person in self.people if not person.done]
        print(f"chaos: {len(self.people) - len(stuck)} of {len(self.people)} members filled their forms in "
              f"{asyncio.get_running_loop().time() - began:.1f} s")
        if stuck:
            print(self.transcript(stuck[0].chat_id))

    def transcript(self, chat_id: int, last: int = 16) -> str:
        """The end of a chat as its member sees it (both sides, buttons as their callback data)."""
        lines = [f"--- the last {last} messages of chat {chat_id} ---"]
        for message in self.emu.chat_messages(chat_id)[-last:]:
            who = "bot" if message.get("from", {}).get("is_bot") else "member"
            buttons = [b.get("callback_data") for row in (message.get("reply_markup") or {}).get(
                "inline_keyboard", []) for b in row]
            text = (message.get("text") or "").replace("\n", " | ")[:300]
            lines.append(f"{message['message_id']:>4} {who}: {text} {buttons or ''}")
        return "\n".join(lines)

    async def strike_and_replace(self, every: tuple[float, float], strike: Callable[[Bot], Awaitable[object]],
                                 keep: int = 2) -> None:
        """Every `every` seconds (a random span), `strike` a live process (every other time the leader, as its
        /healthz says) and start its replacement in the background, while at least `keep` processes live;
        until cancelled, and then the replacements under way are waited for."""
        replacing: set[asyncio.Task] = set()
        leader_next = True
        try:
            while True:
                await asyncio.sleep(self.rng.uniform(*every))
                live = self.fleet.serving  # a process still starting is left alone (its start is awaited)
                if len(live) < keep:
                    continue
                victim = await self.fleet.leader() if leader_next else None
                leader_next = not leader_next
                replacing.add(asyncio.create_task(self.fleet.start()))
                await strike(victim if victim in live else self.rng.choice(live))
        finally:
            await asyncio.gather(*replacing)

    def inject_faults(self, share: float) -> None:
        """`share` of every Bot API call the bot makes (polling and webhook set-up aside) fails: a flood wait, a
        server error, a timeout before Telegram did anything, or a timeout after it did (the message was sent)."""
        each = 1 - (1 - share) ** (1 / len(FAULT_KINDS))  # the rules are tried in turn, each with this chance
        for kind in FAULT_KINDS:
            processed = kind == "timeout-processed"
            self.faults.append(self.emu.faults.add(
                None, "timeout" if processed else kind, times=None, retry_after=1, hold=1.0, process=processed,
                when=lambda _params: self.rng.random() < each))

    def clear_faults(self) -> None:
        for fault in self.faults:
            self.emu.faults.remove(fault)

    @property
    def fault_hits(self) -> int:
        return sum(fault.hits for fault in self.faults)

    @property
    def processed_timeouts(self) -> int:
        return sum(fault.hits for fault in self.faults if fault.kind == "timeout" and fault.process)

    async def settle(self, timeout: float = 40.0) -> None:
        """Wait until Telegram holds no update, the inbox none unfinished and the outbox no pending row."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if not self.emu.state.updates and await asyncio.to_thread(self._drained):
                return
            await asyncio.sleep(0.25)

    def _drained(self) -> bool:
        with Session(self.engine) as session:
            pending = session.exec(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status == OutboxStatus.PENDING)).one()
            unfinished = session.exec(select(func.count()).select_from(InboxUpdate)
                                      .where(InboxUpdate.handled_at.is_(None), sa.not_(InboxUpdate.gave_up))).one()
        return pending == 0 and unfinished == 0

    def report(self, scenario: str) -> Report:
        report = check(self.engine, self.emu, self.people)
        print(report.line(scenario), f"kills={self.fleet.kills}", f"faults={self.fault_hits}",
              f"processed_timeouts={self.processed_timeouts}", f"not_saved={self.not_saved()}",
              f"repeated_inputs={self.repeated_inputs()}", f"duplicate_window={self.duplicate_window()}")
        for chat_id in sorted(set(report.misfiled_by) - {None}):
            print(self.transcript(chat_id, last=40))
        return report

    def not_saved(self) -> int:
        """Answers the bot did not file because they came before their question was known to be shown (each
        asks the question again: a legitimate repeat)."""
        chats = {person.chat_id for person in self.people}
        return sum(1 for message in self.emu.state.bot_messages
                   if message["chat"]["id"] in chats and "TIDAK disimpan" in (message.get("text") or ""))

    def repeated_inputs(self) -> int:
        """Messages members typed that repeat an earlier one of theirs word for word: an answer typed again after
        it was not filed or after a colleague changed the indicator, /isi typed again."""
        return sum(len(person.typed) - len({typed.text for typed in person.typed}) for person in self.people)

    def duplicate_window(self) -> int:
        """Identical messages a correct bot may still send to one chat: up to two for each input a member repeated
        (the same confirmation and the same next question, or the same "changed by a colleague" notice and the
        same question); one for each message Telegram took although the bot saw a timeout (sent again by the
        retry); and per process killed or stopped, one message in flight to each member's chat (accepted by
        Telegram, not yet recorded)."""
        return 2 * self.repeated_inputs() + self.processed_timeouts + self.fleet.kills * len(self.people)

    def lock_holder(self) -> int | None:
        """The PostgreSQL backend holding this schema's leader lock (`scheduler/leadership.py`)."""
        with self.engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND l.classid::bigint = :cls "
                "AND l.objid::bigint = (hashtext(current_schema())::bigint & 4294967295)"),
                {"cls": LOCK_CLASS}).scalar()

    def cut_session(self, pid: int) -> bool:
        with self.engine.connect() as connection:
            return bool(connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar())


@asynccontextmanager
async def chaos_run(database_url: str, sqlite_template: Path, folder: Path, *, webhook: bool, seed: int,
                    staff: int = STAFF, hasty_notes: bool = False) -> AsyncIterator[Chaos]:
    """The office with `staff` members on the database, the emulator, and a fleet (none started yet)."""
    engine = migrated_engine(database_url, sqlite_template)
    members = await asyncio.to_thread(prepare_office, engine, staff)
    rng = random.Random(seed)
    async with BotApiEmulator(enforce_rate_limits=True) as emu:
        for telegram_id, name in everyone(members).items():
            emu.user(telegram_id, name)
        fleet = Fleet(emu, database_url, folder)
        forwarder = None
        if webhook:
            forwarder = await Forwarder(lambda: fleet).start()
            fleet.webhook_url = forwarder.url
        people = [Person(emu, member, random.Random(rng.random()), hasty_notes=hasty_notes) for member in members]
        try:
            yield Chaos(emu, engine, fleet, people, rng)
        finally:
            await fleet.kill_all()
            if forwarder is not None:
                await forwarder.stop()
            engine.dispose()
