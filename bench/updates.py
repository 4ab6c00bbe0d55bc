"""The deadline benchmark: members filling their forms at once, beside a bare PTB echo bot, within Telegram's limits.

    .venv/bin/python -m bench.updates [--members 20,100,300] [--think 2.0] [--quick] [--database postgresql://...]

For each members count and configuration, a fresh database (a SQLite file in a temporary folder, or a fresh schema
of the given PostgreSQL database, dropped afterwards) with the demo Perjanjian Kinerja, one unit per member (the
demo's four units, then copies of their monthly indicators), a Sekretaris, and November 2026 open. Then real bot
processes (`python -m bench.counted_bot run`: `bot.cli run` with its SQL statements counted) serve
`BotApiEmulator(enforce_rate_limits=True)`, which runs in this event loop with the members: coroutines that fill
their form like people (`/isi`, wait for the question, answer it, skip the evidence with "Lewati", … send the
form), each pausing `--think` seconds (±50 %) after every reply.

Configurations: 1 process on SQLite with long polling; with `--database`, 1 and 2 (`--processes`) on PostgreSQL
with webhooks, behind a round-robin forwarder in this process (the emulator's webhook points at it). Beside each,
in the same run: a bare PTB echo bot (an `Application`, one `MessageHandler` answering the text, the same
AIORateLimiter) in as many processes, polling or PTB's own webhook, against a fresh emulator, with the same members
sending as many messages at the same pace. Per run: updates a second, p50/p95 reply latency, Telegram calls per
form (the emulator's log), CPU ms per update (/proc/PID/stat of the processes), SQL statements per update, and
the most messages sent within one second (and ten), all beside the echo bot's. Then the heavy-member mix: a
Kepala Bidang sends `/rekap` again and again (its charts drawn in the chart pool) while the others fill.

Last, what one typed value costs in this process, through the chat's own transaction (`bench.step_cost`): SQL
statements and CPU ms per update (200 values, 50 with `--quick`).

Nothing else is asserted: the exit status is 1 when a member's message went unanswered, a form ended wrong, or
SAKIP Bot sent more than Telegram's 30 messages within one second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import dataclasses
import itertools
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from sqlmodel import select

from bench.call_log import RECEIVING, TELEGRAM_LIMIT, busiest_second, calls_by_method
from bench.counted_bot import COUNT_FILE, WRITE_EVERY
from bench.echo_bot import HOOK_PATH, SECRET, TOKEN
from bench.fanout import empty_database
from bench.process_cost import CostSample, sample
from bench.step_cost import StepCost, typed_value_cost
from emulator.server import BotApiEmulator
from models.collection.forms import FormStatus
from models.collection.opening import open_period
from models.collection.progress import period_progress
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.messaging.inbox import InboxUpdate
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.periods import PeriodKind, PeriodRef, find_period
from models.store.database import create_db_engine, session_scope
from models.store.migrating import migrate
from models.store.types import utcnow

ROOT = Path(__file__).resolve().parents[1]
JAKARTA = ZoneInfo("Asia/Jakarta")
NOVEMBER = PeriodRef(PeriodKind.MONTH, 2026, 11)
OPENED_AT = datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA)
DEADLINE = date(2026, 12, 10)
FIRST_MEMBER = 7_100_000
ADMIN, SEKRETARIS, KABID = 7_099_000, 7_099_001, 7_099_002
MEMBERS, THINK, PROCESSES = [20, 100, 300], 2.0, [1, 2]
QUICK_MEMBERS, QUICK_THINK = 2, 1.0
AT_REST = 2.0  # seconds the processes are watched idle before the members start
REPLY_TIMEOUT = 60.0  # seconds a member waits for a reply before counting the message unanswered
RECAP_TIMEOUT = 120.0
QUIET = {"AUTO_REMIND": "false", "AUTO_OPEN_PERIODS": "false"}
SEND = "📤 Kirim ke Sekretaris"

# The demo's units, each with an on-target value for each monthly indicator (in the order the form asks them).
TEMPLATES = {
    "Sekretariat": ("Bagian Umum", ["90"]),
    "Bidang Penanaman Modal": ("Bidang Penanaman Modal", ["60.000.000.000", "5"]),
    "Bidang Pelayanan Perizinan": ("Bidang Pelayanan Perizinan", ["105", "95", "6,5"]),
    "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan": ("Bidang Pengaduan", ["100", "5"]),
}


# -- the office -------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Step:
    """One thing a member does: type `text`, or press the button `button`; then wait for a reply with `expect`."""

    expect: str
    text: str | None = None
    button: str | None = None

    @property
    def kind(self) -> str:
        """What the step is, for the latencies per kind: the command, "a value" or the button's label."""
        if self.button is not None:
            return self.button
        return self.text if self.text.startswith("/") else "a value"


@dataclasses.dataclass(frozen=True)
class Filler:
    """A member who fills their unit's form."""

    telegram_id: int
    name: str
    unit: str
    steps: tuple[Step, ...]


def form_steps(values: list[str]) -> tuple[Step, ...]:
    """A form whose values are all on target: /isi, then value and "Lewati" per indicator, then send it."""
    steps = [Step("Ketik nilai realisasi", text="/isi")]
    for index, value in enumerate(values):
        steps.append(Step("bukti dukung", text=value))
        steps.append(Step("Ketik nilai realisasi" if index < len(values) - 1 else "Ringkasan formulir",
                          button="Lewati"))
    steps += [Step("Kirim formulir ke Sekretaris?", button=SEND), Step("terkirim ke Sekretaris", button="Ya, kirim")]
    return tuple(steps)


def plan_members(n: int) -> list[Filler]:
    """Member i fills the unit of template i % 4: the demo's own unit first, then copies (`<name> 2`, …)."""
    members = []
    for index, (demo_unit, (copy_name, values)) in zip(range(n), itertools.cycle(TEMPLATES.items())):
        copy = index // len(TEMPLATES)
        unit = demo_unit if copy == 0 else f"{copy_name} {copy + 1}"
        members.append(Filler(FIRST_MEMBER + index, f"Pegawai {index + 1}", unit, form_steps(values)))
    return members


def office_csv(members: list[Filler], folder: Path) -> Path:
    """The demo Perjanjian Kinerja, then its monthly indicators again for each copied unit (codes suffixed, no
    parent), in one file: an import is the year's whole PK, so a file of the copies alone would drop the demo's
    own indicators (bot/cli.py: import-pk)."""
    with DEMO_PK.open(encoding="utf-8") as source:
        reader = csv.DictReader(source, delimiter=";")
        fields, demo_rows = reader.fieldnames, list(reader)
    monthly = [row for row in demo_rows if row["frekuensi"] == "bulanan"]
    copies = [(m.unit, demo) for m in members if m.unit not in TEMPLATES
              for demo, (name, _) in TEMPLATES.items() if m.unit.startswith(name + " ")]
    path = folder / "office.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=fields, delimiter=";")
        writer.writeheader()
        writer.writerows(demo_rows)
        for unit, demo in copies:
            number = unit.rsplit(" ", 1)[1]
            for row in monthly:
                if row["unit"] == demo:
                    writer.writerow({**row, "kode": f"{row['kode']}-{number}", "induk": "", "unit": unit})
    return path


def build_office(url: str, members: list[Filler], folder: Path) -> None:
    """Migrated, the demo PK and its copies, the members, a Sekretaris and a Kepala Bidang, November open (its
    period_opened notices marked sent, so the first message a member gets is a reply)."""
    engine = create_db_engine(url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            import_pk(session, office_csv(members, folder), Actor.cli())
        with session_scope(engine) as session:
            units = {unit.name: unit for unit in session.exec(select(Unit))}
            office = next(unit for unit in units.values() if unit.parent_id is None)
            people = [(m.telegram_id, m.name, Role.STAF, units[m.unit]) for m in members]
            people += [(ADMIN, "Budi Admin", Role.ADMIN, office),
                       (SEKRETARIS, "Pak Sekretaris", Role.SEKRETARIS, units["Sekretariat"]),
                       (KABID, "Kabid Modal", Role.KABID, units["Bidang Penanaman Modal"])]
            for telegram_id, name, role, unit in people:
                _, token = create_invite(session, role, unit, Actor.cli(), now=OPENED_AT)
                accept_invite(session, token, telegram_id, name, "id", now=OPENED_AT)
        with session_scope(engine) as session:
            admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
            open_period(session, admin, NOVEMBER, DEADLINE, now=OPENED_AT)
        with session_scope(engine) as session:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                            .values(status=OutboxStatus.SENT, sent_at=utcnow()))
    finally:
        engine.dispose()


def inbox_times(url: str) -> list[float]:
    """Seconds each handled update spent in the bot: from stored in the inbox until finished (its reply sent)."""
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            rows = session.exec(select(InboxUpdate.received_at, InboxUpdate.handled_at)
                                .where(InboxUpdate.handled_at.is_not(None))).all()
        return sorted((handled - received).total_seconds() for received, handled in rows)
    finally:
        engine.dispose()


def forms_ended_wrong(url: str, members: list[Filler]) -> list[str]:
    """The members' units whose November form is not submitted with every indicator filled."""
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            period = find_period(session, NOVEMBER)
            if period is None:
                return ["November 2026 is not there"]
            progress = {row.unit.name: row for row in period_progress(session, period, DEADLINE)}
        wrong = []
        for member in members:
            row = progress.get(member.unit)
            if row is None or row.status != FormStatus.SUBMITTED or row.answered != row.total:
                wrong.append(f"{member.unit}: {row and row.status} {row and row.answered}/{row and row.total}")
        return wrong
    finally:
        engine.dispose()


# -- the members --------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Tally:
    """What the members measured in one run."""

    latencies: dict[int, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    by_kind: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    unanswered: list[str] = dataclasses.field(default_factory=list)
    updates: int = 0
    started: float = 0.0
    ended: float = 0.0

    def of(self, chats: set[int] | None = None) -> list[float]:
        return sorted(x for chat, values in self.latencies.items() if chats is None or chat in chats for x in values)


class Arrivals:
    """When each screen the bot showed appeared in each chat (perf_counter): a new message, or one whose text it
    edited (a pressed card turned into the next screen); a keyboard closed alone is no screen."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.times: dict[int, list[float]] = defaultdict(list)
        self._screens = emu.state.bot_screens
        self._seen = len(self._screens)
        emu.add_listener(self.heard)

    def heard(self, event: str, data: dict) -> None:
        if event in ("bot_message", "bot_message_edited"):
            now = time.perf_counter()
            for screen in self._screens[self._seen:]:
                self.times[int(screen["chat"]["id"])].append(now)
            self._seen = len(self._screens)


def newest_with_button(emu: BotApiEmulator, chat: int, label: str) -> dict | None:
    messages = emu.state.chats[chat].messages
    for key in sorted(messages, reverse=True):
        message = messages[key]
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if message.get("from", {}).get("id") == emu.state.bot.id and any(
                button.get("text") == label for row in keyboard for button in row):
            return message
    return None


async def act(emu: BotApiEmulator, arrivals: Arrivals, tally: Tally, chat: int, step: Step,
              timeout: float) -> bool:
    """Do one step and wait for its reply; its latency is to the bot's next screen in the chat (a new message, or
    the pressed card edited into the next screen)."""
    if step.button is not None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (message := newest_with_button(emu, chat, step.button)) is None:
            if loop.time() > deadline:
                tally.unanswered.append(f"{chat}: no button {step.button!r}")
                return False
            await asyncio.sleep(0.01)
        data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                    if b["text"] == step.button)
    since = emu.screens_shown()
    seen = len(arrivals.times[chat])
    sent = time.perf_counter()
    if step.button is not None:
        await emu.user(chat).press(message, data)
    else:
        await emu.user(chat).send_text(step.text)
    tally.updates += 1
    try:
        await emu.wait_for_bot_screen(chat, step.expect, timeout=timeout, since=since)
    except AssertionError:
        tally.unanswered.append(f"{chat}: {step.text or step.button!r} got no reply with {step.expect!r}")
        return False
    latency = arrivals.times[chat][seen] - sent
    tally.latencies[chat].append(latency)
    tally.by_kind[step.kind].append(latency)
    return True


async def member_fills(emu: BotApiEmulator, arrivals: Arrivals, tally: Tally, member: Filler, think: float,
                       rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, think))
    for step in member.steps:
        if not await act(emu, arrivals, tally, member.telegram_id, step, REPLY_TIMEOUT):
            return
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def member_echoes(emu: BotApiEmulator, arrivals: Arrivals, tally: Tally, member: Filler, think: float,
                        rng: random.Random) -> None:
    """As many text messages as the member's form takes, each waiting for its echo."""
    await asyncio.sleep(rng.uniform(0, think))
    for number in range(len(member.steps)):
        text = f"pesan {number + 1} dari {member.name}"
        if not await act(emu, arrivals, tally, member.telegram_id, Step(text, text=text), REPLY_TIMEOUT):
            return
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def kabid_recaps(emu: BotApiEmulator, arrivals: Arrivals, tally: Tally, done: asyncio.Event,
                       think: float) -> None:
    """The heavy member: `/rekap` (an album of charts, then the recap), again and again until the others are done."""
    while not done.is_set():
        recap = Step("Rekap capaian", text=f"/rekap {NOVEMBER.code}")  # alone, /rekap offers a choice
        if not await act(emu, arrivals, tally, KABID, recap, RECAP_TIMEOUT):
            return
        await asyncio.sleep(think)


async def run_members(emu: BotApiEmulator, members: list[Filler], think: float, seed: int, echo: bool,
                      heavy: bool = False) -> Tally:
    arrivals, tally = Arrivals(emu), Tally()
    rng = random.Random(seed)
    paces = [random.Random(rng.random()) for _ in members]
    action = member_echoes if echo else member_fills
    tally.started = time.perf_counter()
    done = asyncio.Event()
    kabid = asyncio.create_task(kabid_recaps(emu, arrivals, tally, done, think)) if heavy else None
    await asyncio.gather(*(action(emu, arrivals, tally, member, think, pace)
                           for member, pace in zip(members, paces, strict=True)))
    tally.ended = time.perf_counter()
    done.set()
    if kabid is not None:
        await kabid
    return tally


# -- the processes ------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Forwarder:
    """A small load balancer: each request to it goes to the next backend in turn, answered with its answer."""

    def __init__(self, ports: list[int]) -> None:
        self.backends = itertools.cycle(ports)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{HOOK_PATH}"
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.durations: list[float] = []  # seconds each forwarded POST took (the bot's answer included)

    async def __aenter__(self) -> Forwarder:
        self._http = aiohttp.ClientSession()
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(HOOK_PATH, self.forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()
        await self._http.close()

    async def forward(self, request: web.Request) -> web.Response:
        headers = {key: value for key, value in request.headers.items()
                   if key.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        url = f"http://127.0.0.1:{next(self.backends)}{HOOK_PATH}"
        started = time.perf_counter()
        try:
            async with self._http.post(url, data=await request.read(), headers=headers) as answer:
                body = await answer.read()
            return web.Response(status=answer.status, body=body, content_type=answer.content_type)
        except aiohttp.ClientError:
            return web.Response(status=502)
        finally:
            self.durations.append(time.perf_counter() - started)


@contextlib.asynccontextmanager
async def processes(emu: BotApiEmulator, commands: list[tuple[list[str], dict]], folder: Path,
                    ) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Start each command one after the other, each once it shows it takes updates (a getUpdates, or its
    setWebhook); SIGTERM them all at the end (SIGKILL after 15 s)."""
    started: list[asyncio.subprocess.Process] = []
    try:
        for number, (command, env) in enumerate(commands, start=1):
            log = folder / f"process-{number}.log"
            polls, hooks = emu.state.poll_generation, len(emu.calls_to("setWebhook", ok=True))
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, *command, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                    stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT)
            started.append(process)
            deadline = time.perf_counter() + 60
            while not (emu.state.poll_generation > polls or len(emu.calls_to("setWebhook", ok=True)) > hooks):
                if process.returncode is not None or time.perf_counter() > deadline:
                    raise SystemExit(f"process {number} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the last one's webhook server or poll settles
        yield started
    finally:
        for process in started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


def count_files(folder: Path, count: int) -> list[Path]:
    """Where each SAKIP Bot process keeps its count of SQL statements (`bench.counted_bot`)."""
    return [folder / f"sql-count-{number}" for number in range(1, count + 1)]


def sakip_commands(emu: BotApiEmulator, url: str, folder: Path, count: int, hook: str | None,
                   ports: list[int]) -> list[tuple[list[str], dict]]:
    """`python -m bot.cli run` with its SQL statements counted (`bench.counted_bot`), one per process."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": emu.base_url, "DATABASE_URL": url,
           "EVIDENCE_DIR": str(folder / "evidence"), **QUIET}
    files = count_files(folder, count)
    if hook is None:
        return [(["-m", "bench.counted_bot", "run"], {**env, COUNT_FILE: str(files[0])})]
    return [(["-m", "bench.counted_bot", "run"], {**env, COUNT_FILE: str(path), "WEBHOOK_URL": hook,
                                                  "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
                                                  "WEBHOOK_PORT": str(port)})
            for port, path in zip(ports[:count], files, strict=True)]


def echo_commands(emu: BotApiEmulator, count: int, hook: str | None,
                  ports: list[int]) -> list[tuple[list[str], dict]]:
    env = {"ECHO_BASE_URL": emu.base_url}
    if hook is None:
        return [(["-m", "bench.echo_bot"], env)]
    return [(["-m", "bench.echo_bot"], {**env, "ECHO_WEBHOOK_URL": hook, "ECHO_PORT": str(port)})
            for port in ports[:count]]


# -- the runs -----------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Config:
    label: str
    processes: int
    webhook: bool
    database: str  # "sqlite" or the PostgreSQL URL given (a fresh schema of it per run)


@dataclasses.dataclass
class Run:
    tally: Tally
    wrong: list[str] = dataclasses.field(default_factory=list)
    too_many: int = 0  # 429 answers the emulator gave
    too_many_kabid: int = 0  # of which in the heavy member's chat
    posts: list[float] = dataclasses.field(default_factory=list)  # webhook POSTs' seconds (webhook rows)
    in_bot: list[float] = dataclasses.field(default_factory=list)  # inbox: stored → finished, seconds (SAKIP)
    calls: Counter[str] = dataclasses.field(default_factory=Counter)  # the bot's calls by method, getUpdates aside
    busiest: int = 0  # the most messages sent within one second, every process together
    busiest_ten: int = 0  # within ten seconds
    cost: CostSample | None = None  # CPU and SQL statements of the processes during the members' run
    at_rest: CostSample | None = None  # the same, before the members started (background work alone)
    forms: int = 0  # forms completed (SAKIP Bot: submitted and complete; the echo bot: members who got every echo)


async def one_run(config: Config, members: list[Filler], think: float, seed: int, *, echo: bool,
                  url: str | None = None, folder: Path, heavy: bool = False) -> Run:
    """One emulator, the configuration's processes (SAKIP Bot on `url`, or the echo bot), the members."""
    ports = [free_port() for _ in range(config.processes)]
    async with BotApiEmulator(token=TOKEN, enforce_rate_limits=True) as emu, Forwarder(ports) as forwarder:
        for member in members:
            emu.user(member.telegram_id, member.name)
        emu.user(SEKRETARIS, "Pak Sekretaris")
        emu.user(KABID, "Kabid Modal")
        hook = forwarder.url if config.webhook else None
        commands = (echo_commands(emu, config.processes, hook, ports) if echo
                    else sakip_commands(emu, url, folder, config.processes, hook, ports))
        counted = [] if echo else count_files(folder, config.processes)
        async with processes(emu, commands, folder) as started:
            pids = [process.pid for process in started]
            resting = await cost_sample(pids, counted)
            await asyncio.sleep(AT_REST)
            before = await cost_sample(pids, counted)
            first_call = len(emu.calls)
            tally = await run_members(emu, members, think, seed, echo, heavy)
            await calls_quiet(emu)  # the notices the forms queued (the Sekretaris's review requests) go out
            after = await cost_sample(pids, counted)
            calls = emu.calls[first_call:]
        refused = [call for call in emu.calls if call.status == 429]
        run = Run(tally, too_many=len(refused),
                  too_many_kabid=sum(1 for call in refused if str(call.params.get("chat_id")) == str(KABID)),
                  posts=sorted(forwarder.durations), calls=calls_by_method(calls), busiest=busiest_second(calls),
                  busiest_ten=busiest_second(calls, 10.0),
                  cost=after - before, at_rest=before - resting, forms=len(members))
    if not echo:
        run.wrong = await asyncio.to_thread(forms_ended_wrong, url, members)
        run.in_bot = await asyncio.to_thread(inbox_times, url)
        run.forms = len(members) - len(run.wrong)
    elif tally.unanswered:
        run.forms = len(members) - len({text.split(":")[0] for text in tally.unanswered})
    return run


async def cost_sample(pids: list[int], counted: list[Path]) -> CostSample:
    """The processes' CPU time and SQL statements now (once the count files caught up with the counts)."""
    await asyncio.sleep(2 * WRITE_EVERY)
    return sample(pids, counted, time.perf_counter())


async def calls_quiet(emu: BotApiEmulator, calm: float = 0.5, most: float = 10.0) -> None:
    """Wait until the bot has made no call (getUpdates aside) for `calm` seconds, at most `most` seconds."""
    loop = asyncio.get_running_loop()
    give_up, seen, calm_since = loop.time() + most, len(emu.calls), loop.time()
    while loop.time() < give_up and loop.time() - calm_since < calm:
        await asyncio.sleep(0.05)
        if any(call.method not in RECEIVING for call in emu.calls[seen:]):
            calm_since = loop.time()
        seen = len(emu.calls)


async def sakip_run(config: Config, members: list[Filler], think: float, seed: int, heavy: bool = False) -> Run:
    with (empty_database(config.database) as url, tempfile.TemporaryDirectory(prefix="sakip-bench-updates-") as folder):
        await asyncio.to_thread(build_office, url, members, Path(folder))
        return await one_run(config, members, think, seed, echo=False, url=url, folder=Path(folder), heavy=heavy)


def step_cost(database: str, member: Filler, values: int) -> StepCost:
    """A typed value's SQL statements and CPU time in-process (`bench.step_cost`), in a fresh office."""
    with (empty_database(database) as url, tempfile.TemporaryDirectory(prefix="sakip-bench-steps-") as folder):
        build_office(url, [member], Path(folder))
        return typed_value_cost(url, member.telegram_id, values)


async def echo_run(config: Config, members: list[Filler], think: float, seed: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="sakip-bench-echo-") as folder:
        return await one_run(config, members, think, seed, echo=True, folder=Path(folder))


# -- the report ---------------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def ratio(ours: float, base: float) -> float:
    return ours / base if base else float("nan")


@dataclasses.dataclass(frozen=True)
class Figures:
    """One run's figures, each comparable with the echo bot's."""

    rate: float  # updates a second
    p50: float  # seconds
    p95: float
    calls_per_form: float  # every Bot API call but getUpdates, per form completed
    cpu_ms: float  # per update, the processes together
    statements: float | None  # SQL statements per update (None: the echo bot, which has no database)
    busiest: int  # messages sent in the busiest second
    sustained: float  # messages a second in the busiest ten seconds

    @classmethod
    def of(cls, run: Run, chats: set[int] | None = None) -> Figures:
        tally = run.tally
        values = tally.of(chats)
        elapsed = tally.ended - tally.started
        updates = max(tally.updates, 1)
        cost = run.cost
        return cls(tally.updates / elapsed if elapsed > 0 else 0.0, percentile(values, 0.5), percentile(values, 0.95),
                   sum(run.calls.values()) / run.forms if run.forms else float("nan"),
                   cost.cpu * 1000 / updates if cost else float("nan"),
                   cost.statements / updates if cost and cost.statements is not None else None, run.busiest,
                   run.busiest_ten / 10)


def row(label: str, figures: Figures, run: Run) -> str:
    return (f"{label:<34} {figures.rate:8.2f} {figures.p50 * 1000:8.0f} {figures.p95 * 1000:8.0f}"
            f" {run.tally.updates:8d} {run.too_many:6d}")


def detail_row(ours: Run, base: Run) -> str:
    """Where SAKIP Bot's time goes: in the bot (the inbox's stored → finished), and the webhook POSTs."""
    text = (f"  in the bot (inbox stored -> finished) p50 {percentile(ours.in_bot, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(ours.in_bot, 0.95) * 1000:.0f} ms")
    if ours.posts:
        text += (f"; webhook POST p50 {percentile(ours.posts, 0.5) * 1000:.0f} ms, p95 "
                 f"{percentile(ours.posts, 0.95) * 1000:.0f} ms (echo bot {percentile(base.posts, 0.5) * 1000:.0f}"
                 f" / {percentile(base.posts, 0.95) * 1000:.0f} ms)")
    return text


def kinds_row(run: Run) -> str:
    """SAKIP Bot's p50 per kind of member update, slowest first."""
    kinds = sorted(((percentile(sorted(values), 0.5), kind) for kind, values in run.tally.by_kind.items()
                    if kind != "/rekap"), reverse=True)
    return "  p50 by update: " + ", ".join(f"{kind} {p50 * 1000:.0f} ms" for p50, kind in kinds)


def ratio_row(label: str, ours: Figures, base: Figures) -> str:
    return (f"{label:<34} {ratio(ours.rate, base.rate):8.2f} {ratio(ours.p50, base.p50):8.2f}"
            f" {ratio(ours.p95, base.p95):8.2f}")


def calls_row(ours: Run, base: Run, mine: Figures, theirs: Figures) -> str:
    """Every Bot API call the bot made per form completed (the emulator's log), beside the echo bot's for as
    many messages, and the bot's calls by method."""
    methods = ", ".join(f"{method} {count / ours.forms:.1f}" for method, count in ours.calls.most_common()
                        ) if ours.forms else "no form completed"
    return (f"  Telegram calls per form: {mine.calls_per_form:.1f}, echo bot {theirs.calls_per_form:.1f} for as "
            f"many messages: ratio {ratio(mine.calls_per_form, theirs.calls_per_form):.2f} ({methods})")


def cpu_row(ours: Run, base: Run, mine: Figures, theirs: Figures) -> str:
    return (f"  CPU ms per update: {mine.cpu_ms:.1f}, echo bot {theirs.cpu_ms:.1f}: ratio "
            f"{ratio(mine.cpu_ms, theirs.cpu_ms):.2f} (at rest {per_second(ours.at_rest.cpu * 1000, ours):.0f} ms "
            f"a second, echo bot {per_second(base.at_rest.cpu * 1000, base):.0f})")


def sql_row(ours: Run, mine: Figures) -> str:
    return (f"  SQL statements per update: {mine.statements:.1f}, echo bot 0: ratio - (at rest "
            f"{per_second(ours.at_rest.statements, ours):.1f} a second)")


def busiest_row(mine: Figures, theirs: Figures) -> str:
    over = " OVER THE LIMIT" if mine.busiest > TELEGRAM_LIMIT else ""
    return (f"  busiest second: {mine.busiest} messages sent, echo bot {theirs.busiest} "
            f"(Telegram's limit {TELEGRAM_LIMIT} a second){over}; busiest ten seconds: {mine.sustained:.1f} a second, "
            f"echo bot {theirs.sustained:.1f}")


def per_second(amount: float, run: Run) -> float:
    return amount / run.at_rest.at if run.at_rest.at > 0 else float("nan")


def summary_row(members: int, label: str, mine: Figures, theirs: Figures) -> str:
    return (f"{members:>5} {label:<34} {ratio(mine.rate, theirs.rate):6.2f} {ratio(mine.p50, theirs.p50):7.1f}"
            f" {ratio(mine.p95, theirs.p95):7.1f} {ratio(mine.calls_per_form, theirs.calls_per_form):6.2f}"
            f" {ratio(mine.cpu_ms, theirs.cpu_ms):6.1f} {mine.statements:6.1f} {mine.busiest:4d}/{theirs.busiest}")


SUMMARY_HEADER = (f"{'N':>5} {'configuration':<34} {'upd/s':>6} {'p50':>7} {'p95':>7} {'calls':>6} {'CPU':>6}"
                  f" {'SQL':>6} busiest")


def problems_of(label: str, run: Run) -> list[str]:
    return [f"{label}: unanswered: {text}" for text in run.tally.unanswered] + [
        f"{label}: form ended wrong: {text}" for text in run.wrong]


def configurations(args: argparse.Namespace) -> list[Config]:
    """SQLite with one polling process; with a PostgreSQL URL, its webhook processes too."""
    configs = [Config("sqlite, 1 process, polling", 1, False, "sqlite")]
    if args.database != "sqlite" and not args.quick:
        configs += [Config(f"postgresql, {n} webhook process{'es' if n > 1 else ''}", n, True, args.database)
                    for n in args.processes]
    return configs


def counts(text: str) -> list[int]:
    """A list of counts, each at least 1: "20,100,300"."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: whole numbers separated by commas, e.g. 20,100,300") from None
    if any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"{text!r}: each count must be at least 1")
    return values


def load_average() -> str:
    return " ".join(f"{load:.1f}" for load in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=counts, default=None,
                        help=f"members filling at once, one run per count, default {','.join(map(str, MEMBERS))} "
                             f"({QUICK_MEMBERS} with --quick)")
    parser.add_argument("--think", type=float, default=None,
                        help=f"seconds a member pauses after each reply (±50%%), default {THINK} ({QUICK_THINK} with "
                             "--quick)")
    parser.add_argument("--database", default="sqlite",
                        help="sqlite (a temporary file, the default) or a PostgreSQL URL: adds the webhook rows "
                             "(each in a fresh schema of it)")
    parser.add_argument("--processes", type=counts, default=PROCESSES,
                        help=f"webhook processes of the PostgreSQL rows, default {','.join(map(str, PROCESSES))}")
    parser.add_argument("--quick", action="store_true", help="a few members, the SQLite configuration only")
    parser.add_argument("--no-heavy", action="store_true", help="skip the heavy-member mix (a Kepala Bidang's /rekap)")
    parser.add_argument("--seed", type=int, default=1, help="of the members' pauses")
    args = parser.parse_args(argv)
    sizes = args.members if args.members is not None else ([QUICK_MEMBERS] if args.quick else MEMBERS)
    think = args.think if args.think is not None else (QUICK_THINK if args.quick else THINK)
    problems: list[str] = []
    summary: list[str] = []
    first: Figures | None = None
    for size in sizes:
        members = plan_members(size)
        updates = sum(len(m.steps) for m in members)
        print(f"updates bench: {size} members filling November 2026 at once ({updates} updates: /isi, values, "
              f"buttons, sending), think {think:.1f} s ±50 %, load average {load_average()} on {os.cpu_count()} "
              "CPUs")
        print(f"{'configuration':<34} {'upd/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'updates':>8} {'429s':>6}")
        for config in configurations(args):
            ours = await sakip_run(config, members, think, args.seed)
            base = await echo_run(config, members, think, args.seed)
            mine, theirs = Figures.of(ours), Figures.of(base)
            first = first or mine
            print(row(config.label, mine, ours))
            print(row("  echo bot", theirs, base))
            print(ratio_row("  ratio to the echo bot", mine, theirs))
            print(detail_row(ours, base))
            print(kinds_row(ours))
            print(calls_row(ours, base, mine, theirs))
            print(cpu_row(ours, base, mine, theirs))
            print(sql_row(ours, mine))
            print(busiest_row(mine, theirs))
            summary.append(summary_row(size, config.label, mine, theirs))
            problems += problems_of(f"{size} members, {config.label}", ours)
            problems += problems_of(f"{size} members, {config.label} (echo)", base)
            if mine.busiest > TELEGRAM_LIMIT:
                problems.append(f"{size} members, {config.label}: {mine.busiest} messages sent within one second, "
                                f"over Telegram's limit of {TELEGRAM_LIMIT}")
    if not args.no_heavy:
        config, members = configurations(args)[0], plan_members(sizes[0])
        mixed = await sakip_run(config, members, think, args.seed, heavy=True)
        others = {m.telegram_id for m in members}
        with_heavy = Figures.of(mixed, others)
        recaps = mixed.tally.latencies.get(KABID, [])
        print(f"the heavy member, {sizes[0]} members, {config.label}:")
        print(row("with a kabid's /rekap", with_heavy, mixed))
        print(f"  other members' p95: {first.p95 * 1000:.0f} ms without, {with_heavy.p95 * 1000:.0f} ms with "
              f"({len(recaps)} /rekap, median {statistics.median(recaps) if recaps else float('nan'):.1f} s to the "
              f"first message; {mixed.too_many_kabid} of the 429s in the kabid's chat): "
              f"ratio {with_heavy.p95 / first.p95:.2f} (target: within 2x)")
        problems += problems_of("heavy mix", mixed)
    cost = await asyncio.to_thread(step_cost, args.database, plan_members(1)[0], 50 if args.quick else 200)
    print(f"a typed value, in-process ({cost.values} values, {args.database.split(':')[0]}): "
          f"{cost.statements:.1f} SQL statements per update, {cost.cpu_ms:.1f} CPU ms per update")
    print("ratios to the echo bot (SQL: statements per update, the echo bot has none; busiest: messages sent in the "
          f"busiest second, SAKIP Bot/echo bot, Telegram's limit {TELEGRAM_LIMIT}):")
    print(SUMMARY_HEADER)
    for line in summary:
        print(line)
    print(f"load average at the end: {load_average()}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
