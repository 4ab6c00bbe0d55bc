"""Restarts in the middle of a form (SOP procedure A, step 7): nothing entered is lost, nothing is asked twice.

Given the demo office with November 2026 open and Rina of Bidang Pelayanan Perizinan (P.1, P.2, P.3 monthly)
half-way through her form, when the bot stops — cleanly, or with its process killed — and a new bot starts on the
same database, then Rina continues where she was: the answer she types next is stored for the question she was
asked, `/isi` resumes at the first unanswered question, no question she already answered comes back, and a
notification queued but not yet sent when the process died is sent exactly once by the next process.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import Application

from bot.application import build_application, start_application, stop_application
from bot.config import load_settings
from emulator.server import BotApiEmulator
from models.calc.clock import system_clock
from models.collection.forms import FormStatus
from models.collection.opening import open_period
from models.collection.realisasi import Realisasi
from models.collection.workflow import form_for
from models.messaging.chat_state import get_state, question_of
from models.messaging.outbox import CLAIM_SECONDS, OutboxMessage, OutboxStatus
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import Period
from models.store.database import session_scope
from models.store.types import utcnow
from tests.chat.conftest import PEOPLE, TOKEN, TestClock, World, month, press_and_see

ADMIN, SEKRETARIS, PERIZINAN = 101, 103, 130
NOVEMBER = month(2026, 11)
ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=CLAIM_SECONDS)

KENDALA = "Server OSS gangguan"
TINDAK_LANJUT = "Koordinasi dengan Kementerian Investasi"
EVERY_QUESTION_ONCE = ["P.1", "P.2", "P.2 kendala", "P.2 tindak lanjut", "P.3"]


# -- the office ----------------------------------------------------------------------------------------------------

def open_november(engine: Engine) -> int:
    """The admin opens November 2026 (SOP step 6); returns the period id."""
    with session_scope(engine) as session:
        admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
        return open_period(session, admin, NOVEMBER, date(2026, 12, 10), now=system_clock()).id


def stored(engine: Engine) -> list[tuple[str, int, Decimal, str | None, str | None]]:
    """Every realisasi revision of November: (code, revision, value, kendala, tindak lanjut)."""
    with Session(engine) as session:
        rows = session.exec(select(Indicator.code, Realisasi).join(Indicator, Indicator.id == Realisasi.indicator_id)
                            .where(Realisasi.period_id == _november_id(session))
                            .order_by(Indicator.code, Realisasi.revision)).all()
        return [(code, r.revision, r.value, r.kendala, r.tindak_lanjut) for code, r in rows]


def waiting_for(engine: Engine, telegram_id: int) -> tuple[str | None, str | None]:
    """What the bot (any process) takes Rina's next message to be: (step, indicator code)."""
    with Session(engine) as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
        step, data = get_state(session, member.id)
        indicator = session.get(Indicator, data["indicator_id"]) if "indicator_id" in data else None
        return step, indicator.code if indicator else None


def shown(engine: Engine, telegram_id: int) -> bool:
    """Whether the bot knows that the question it asks Rina now reached her (it records the question's message
    once Telegram accepted it, a moment after the message appears in the chat)."""
    with Session(engine) as session:
        member = session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
        question = question_of(session, member.id)
        return question is not None and question.message_id is not None


def form_status(engine: Engine) -> FormStatus:
    with Session(engine) as session:
        rina = session.exec(select(Member).where(Member.telegram_user_id == PERIZINAN)).one()
        return FormStatus(form_for(session, rina.unit_id, _november_id(session)).status)


def review_requests_in_outbox(engine: Engine) -> list[OutboxStatus]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "review_request")).all()
        return [OutboxStatus(row.status) for row in rows]


def the_dead_process_still_claims_its_rows(engine: Engine) -> None:
    """A worker claims the rows it sends for a while (so no other worker sends them too). The next leader takes
    them once the lease runs out (a leader that lost its lock may be finishing a send until then, and a process
    cannot tell a dead one from a cut-off one); here the dead process's claim is still on its rows, for at most
    the lease."""
    with session_scope(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
        assert any(row.claimed_until is not None for row in rows)
        for row in rows:
            if row.claimed_until is not None:
                assert row.claimed_until - utcnow() <= LEASE, f"outbox row {row.id} ({row.kind}) is held too long"


def _november_id(session: Session) -> int:
    return session.exec(select(Period.id).where(Period.kind == NOVEMBER.kind, Period.year == NOVEMBER.year,
                                                Period.number == NOVEMBER.number)).one()


AFTER_THE_WHOLE_FORM = [
    ("P.1", 1, Decimal(105), None, None),
    ("P.2", 1, Decimal("92.5"), None, None),
    ("P.2", 2, Decimal("92.5"), KENDALA, None),
    ("P.2", 3, Decimal("92.5"), KENDALA, TINDAK_LANJUT),
    ("P.3", 1, Decimal("6.5"), None, None),
]


# -- the chat ------------------------------------------------------------------------------------------------------

async def say(emu: BotApiEmulator, user_id: int, text: str, expect: str) -> dict:
    """The user types; returns the bot's next message to them containing `expect`."""
    since = emu.mark()
    await emu.user(user_id).send_text(text)
    return await emu.wait_for_bot_message(user_id, expect, since=since)


async def press(emu: BotApiEmulator, user_id: int, label: str, expect: str) -> dict:
    """The user presses the button on the newest message that has it; returns the reply containing `expect`."""
    return await press_and_see(emu, user_id, label, expect)


def asked(emu: BotApiEmulator, user_id: int) -> list[str]:
    """The questions the bot put to the user, in order: "P.1" (its value), "P.2 kendala", "P.2 tindak lanjut"…"""
    questions = []
    for message in emu.sent_by_bot(user_id):
        text = message.get("text") or ""
        if "Ketik nilai realisasi" in text:
            lines = text.splitlines()  # a resumed form says where first ("↪️ Lanjut dari …")
            header = next(n for n, line in enumerate(lines) if line.startswith("Indikator "))
            questions.append(lines[header + 1].split(" ", 1)[0])  # the line after "Indikator n dari 3 · …"
        elif found := re.search(r"Capaian (\S+) di bawah target\. Apa kendalanya\?", text):
            questions.append(f"{found[1]} kendala")
        elif found := re.search(r"Apa tindak lanjut untuk (\S+)\?", text):
            questions.append(f"{found[1]} tindak lanjut")
    return questions


async def until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (checked every few milliseconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.01)


async def start_bot(engine: Engine) -> Application:
    """A new bot in this process, on the same database and the same Telegram."""
    application = build_application(load_settings(), engine, rate_limiter=False, clock=TestClock())
    await start_application(application, timeout=1)
    return application


async def restart(application: Application, engine: Engine) -> Application:
    await stop_application(application)
    return await start_bot(engine)


# -- in-process restarts -------------------------------------------------------------------------------------------

async def test_a_restart_while_the_bot_waits_for_the_kendala_loses_nothing_and_asks_nothing_twice(world: World):
    emu, engine = world.emu, world.engine
    open_november(engine)
    bot = world.application
    try:
        # Rina enters P.1 and P.2's value; P.2 is below target, so the bot asks the kendala.
        await say(emu, PERIZINAN, "/isi", "Ketik nilai realisasi")
        await say(emu, PERIZINAN, "105", "bukti dukung")
        await press(emu, PERIZINAN, "Lewati", "P.2")
        saved = await say(emu, PERIZINAN, "92,5", "di bawah target")
        assert "Apa kendalanya?" in saved["text"]  # what was saved, and the next question, in one message

        # The bot is stopped while it waits for the kendala; a new bot starts on the same database.
        bot = await restart(bot, engine)
        assert waiting_for(engine, PERIZINAN) == ("fill.kendala", "P.2")

        # What Rina types now is P.2's kendala, and the new bot goes on to the tindak lanjut, not the value.
        reply = await say(emu, PERIZINAN, KENDALA, "P.2")
        assert "Apa tindak lanjut untuk P.2?" in reply["text"]
        assert stored(engine) == AFTER_THE_WHOLE_FORM[:3]
        await say(emu, PERIZINAN, TINDAK_LANJUT, "bukti dukung")

        # Stopped again; she types /isi while no bot runs; the next bot resumes at the first unanswered question.
        await stop_application(bot)
        await emu.user(PERIZINAN).send_text("/isi")
        since = emu.mark()
        bot = await start_bot(engine)
        question = await emu.wait_for_bot_message(PERIZINAN, "Ketik nilai realisasi", since=since)
        assert "Indikator 3 dari 3" in question["text"] and "\nP.3 " in question["text"]
        assert question["text"].startswith(  # where the form is taken up
            "↪️ Lanjut dari P.3 Rata-rata waktu penyelesaian izin (2 dari 3 indikator sudah terisi).")

        saved = await say(emu, PERIZINAN, "6,5", "tercapai")
        assert "bukti dukung" in saved["text"]  # pressed below, not P.2's evidence question (its button stays)
        summary = await press(emu, PERIZINAN, "Lewati", "Ringkasan formulir")
        assert KENDALA in summary["text"] and TINDAK_LANJUT in summary["text"]
    finally:
        await stop_application(bot)

    assert asked(emu, PERIZINAN) == EVERY_QUESTION_ONCE
    assert stored(engine) == AFTER_THE_WHOLE_FORM  # each value entered once; the notes as revisions of P.2
    assert waiting_for(engine, PERIZINAN) == (None, None)


async def test_batal_in_the_middle_loses_nothing_and_isi_resumes_at_the_first_pending_item(world: World):
    emu, engine = world.emu, world.engine
    open_november(engine)
    await say(emu, PERIZINAN, "/isi", "Ketik nilai realisasi")
    await say(emu, PERIZINAN, "105", "bukti dukung")
    await press(emu, PERIZINAN, "Lewati", "P.2")
    saved = await say(emu, PERIZINAN, "92,5", "di bawah target")
    assert "Apa kendalanya?" in saved["text"]  # typed before it is asked, it would not count
    await say(emu, PERIZINAN, KENDALA, "Apa tindak lanjut untuk P.2?")

    # /batal while the tindak lanjut is asked: everything answered stays; a stray message is not taken as an answer.
    await say(emu, PERIZINAN, "/batal", "Semua jawaban yang sudah diberikan tetap tersimpan")
    await say(emu, PERIZINAN, "Rapat koordinasi", "tidak saya pahami")
    assert stored(engine) == AFTER_THE_WHOLE_FORM[:3]

    # /isi asks P.2's tindak lanjut again (its first pending item), not P.1, not P.2's value or kendala.
    await say(emu, PERIZINAN, "/isi", "Apa tindak lanjut untuk P.2?")
    await say(emu, PERIZINAN, TINDAK_LANJUT, "bukti dukung")
    await press(emu, PERIZINAN, "Lewati", "P.3")
    await say(emu, PERIZINAN, "6,5", "tercapai")
    await press(emu, PERIZINAN, "Lewati", "Ringkasan formulir")

    assert asked(emu, PERIZINAN) == ["P.1", "P.2", "P.2 kendala", "P.2 tindak lanjut", "P.2 tindak lanjut", "P.3"]
    assert stored(engine) == AFTER_THE_WHOLE_FORM


# -- a killed process ----------------------------------------------------------------------------------------------

class BotProcess:
    """`sakip-bot run` as a real process (migrations, then long polling), its output kept in a log file."""

    # the process runs on the real clock: no reminders or openings unless a test asks for them
    QUIET = {"AUTO_REMIND": "false", "AUTO_OPEN_PERIODS": "false"}

    def __init__(self, emu: BotApiEmulator, database_url: str, folder: Path, extra_env: dict | None = None) -> None:
        self.emu, self.database_url, self.folder = emu, database_url, folder
        self.extra_env = self.QUIET if extra_env is None else extra_env
        self.started: list[tuple[asyncio.subprocess.Process, Path]] = []

    async def start(self) -> asyncio.subprocess.Process:
        """Start a process and wait until it polls Telegram for updates."""
        log = self.folder / f"bot-{len(self.started) + 1}.log"
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.emu.base_url,
               "DATABASE_URL": self.database_url, "EVIDENCE_DIR": str(self.folder / "evidence"),
               "PYTHONPATH": str(ROOT), **self.extra_env}
        ready = self.ready()
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=self.folder, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT)
        self.started.append((process, log))
        try:
            await until(lambda: ready() or process.returncode is not None, f"{log.name} takes updates", timeout=30)
            assert process.returncode is None, f"the bot process exited with {process.returncode}"
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- {log.name} ---\n{log.read_text(errors='replace')}") from None
        return process

    def ready(self) -> Callable[[], bool]:
        """What shows that a process started now takes updates: it asks Telegram for them (long polling)."""
        polls = self.emu.state.poll_generation  # counts getUpdates requests as they arrive (before they answer)
        return lambda: self.emu.state.poll_generation > polls

    def log_of(self, process: asyncio.subprocess.Process) -> str:
        return next(log for started, log in self.started if started is process).read_text(errors="replace")

    async def terminate(self, process: asyncio.subprocess.Process, timeout: float) -> int:
        """SIGTERM, as a service manager stops the bot; its exit code, which it must give within `timeout` s."""
        process.terminate()
        try:
            async with asyncio.timeout(timeout):
                return await process.wait()
        except TimeoutError:
            raise AssertionError(f"the bot did not exit within {timeout} s of SIGTERM\n{self.log_of(process)}") \
                from None

    async def kill(self, process: asyncio.subprocess.Process) -> None:
        """SIGKILL: no clean-up, no last getUpdates, no outbox round."""
        if process.returncode is None:
            process.kill()
        await process.wait()

    async def kill_all(self) -> None:
        for process, _ in self.started:
            await self.kill(process)


@asynccontextmanager
async def bots_on(database_url: str, folder: Path, process: type[BotProcess] = BotProcess,
                  extra_env: dict | None = None):
    """The emulator with the office's people, and bot processes on the database (with `extra_env` besides
    `BotProcess.QUIET`); every process is killed after, and the whole test is bounded so a lost reply fails it
    instead of hanging."""
    async with asyncio.timeout(45 + CLAIM_SECONDS), BotApiEmulator() as emu:  # a killed process's claims run out
        for telegram_id, (name, _, _) in PEOPLE.items():
            emu.user(telegram_id, name)
        bots = process(emu, database_url, folder, {**BotProcess.QUIET, **(extra_env or {})})
        try:
            yield emu, bots
        finally:
            await bots.kill_all()


async def answer_p1_and_reach_p2(emu: BotApiEmulator) -> None:
    """Rina opens her form, enters P.1 (on target), skips its evidence, and is asked P.2's value."""
    await say(emu, PERIZINAN, "/isi", "Ketik nilai realisasi")
    await say(emu, PERIZINAN, "105", "bukti dukung")
    await press(emu, PERIZINAN, "Lewati", "P.2")


async def until_confirmed(emu: BotApiEmulator) -> None:
    """Telegram forgets an update once the bot asks for the next ones; wait until it has forgotten them all."""
    await until(lambda: not emu.state.updates, "the bot confirmed every update")


async def test_a_killed_bot_process_loses_nothing_and_the_next_process_sends_what_was_queued(
        backend_url, office_engine, tmp_path):
    engine = office_engine
    open_november(engine)
    async with bots_on(backend_url, tmp_path) as (emu, bots):
        # Rina enters P.1 and P.2's value; the bot asks the kendala; then its process is killed.
        first = await bots.start()
        await answer_p1_and_reach_p2(emu)
        saved = await say(emu, PERIZINAN, "92,5", "di bawah target")
        assert "Apa kendalanya?" in saved["text"]  # what was saved, and the next question, in one message
        await until(lambda: shown(engine, PERIZINAN), "the bot knows the kendala question reached Rina")
        await until_confirmed(emu)
        await bots.kill(first)
        assert stored(engine) == AFTER_THE_WHOLE_FORM[:2]
        assert waiting_for(engine, PERIZINAN) == ("fill.kendala", "P.2")

        # A second process on the same database: her next message is P.2's kendala, then on to the end.
        second = await bots.start()
        await say(emu, PERIZINAN, KENDALA, "Apa tindak lanjut untuk P.2?")
        await say(emu, PERIZINAN, TINDAK_LANJUT, "bukti dukung")
        await press(emu, PERIZINAN, "Lewati", "P.3")
        await say(emu, PERIZINAN, "6,5", "tercapai")
        await press(emu, PERIZINAN, "Lewati", "Ringkasan formulir")
        await press(emu, PERIZINAN, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")

        # She sends the form; the review request to the Sekretaris is queued, but Telegram does not answer
        # the bot's attempt to send it before the process is killed.
        hang = emu.faults.add("sendMessage", "timeout", chat_id=SEKRETARIS, times=None, hold=60)
        await press(emu, PERIZINAN, "Ya, kirim", "terkirim ke Sekretaris")
        await until(lambda: hang.hits > 0, "the bot tried to send the review request")
        await until_confirmed(emu)
        await bots.kill(second)
        emu.faults.remove(hang)
        assert form_status(engine) is FormStatus.SUBMITTED
        assert review_requests_in_outbox(engine) == [OutboxStatus.PENDING]
        assert not [m for m in emu.sent_by_bot(SEKRETARIS) if "menunggu pemeriksaan" in m["text"]]

        # The dead process's claim is still on the row; the third process sends it, once, when the lease runs out.
        the_dead_process_still_claims_its_rows(engine)
        await bots.start()
        request = await emu.wait_for_bot_message(SEKRETARIS, "menunggu pemeriksaan", timeout=10 + CLAIM_SECONDS)
        assert "Bidang Pelayanan Perizinan" in request["text"] and KENDALA in request["text"]
        await until(lambda: review_requests_in_outbox(engine) == [OutboxStatus.SENT], "the outbox row is sent")

    requests = [m for m in emu.sent_by_bot(SEKRETARIS) if "menunggu pemeriksaan" in m["text"]]
    assert len(requests) == 1
    assert asked(emu, PERIZINAN) == EVERY_QUESTION_ONCE
    assert stored(engine) == AFTER_THE_WHOLE_FORM


async def test_a_message_handled_just_before_the_kill_is_not_handled_again_by_the_next_process(
        backend_url, office_engine, tmp_path):
    engine = office_engine
    open_november(engine)
    async with bots_on(backend_url, tmp_path) as (emu, bots):
        first = await bots.start()
        await answer_p1_and_reach_p2(emu)

        # Rina types P.2's value; the bot stores it and asks the kendala, but Telegram is unreachable for its
        # next getUpdates (which would confirm the value's update) until the process is killed.
        unreachable = emu.faults.add("getUpdates", "timeout", times=None, hold=60)
        saved = await say(emu, PERIZINAN, "92,5", "di bawah target")
        assert "Apa kendalanya?" in saved["text"]  # what was saved, and the next question, in one message
        assert [u["message"]["text"] for u in emu.state.updates] == ["92,5"]  # delivered, not confirmed
        await until(lambda: shown(engine, PERIZINAN), "the bot knows the kendala question reached Rina")
        await bots.kill(first)
        emu.faults.remove(unreachable)
        assert stored(engine) == AFTER_THE_WHOLE_FORM[:2]

        # The next process gets the value's update again; the kendala Rina types is still P.2's kendala.
        await bots.start()
        await say(emu, PERIZINAN, KENDALA, "Apa tindak lanjut untuk P.2?")
        assert stored(engine) == AFTER_THE_WHOLE_FORM[:3]
    assert asked(emu, PERIZINAN) == EVERY_QUESTION_ONCE[:4]
