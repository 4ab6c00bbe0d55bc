"""A running bot for chat tests: the real PTB Application over real HTTP against the Bot API emulator.

`office` loads the demo Perjanjian Kinerja and people for every role; `bot` starts the application with long
polling on a fresh database (SQLite, and PostgreSQL when SAKIP_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.application import build_application, start_application, stop_application
from bot.config import load_settings
from emulator.inspection import WAIT_SECONDS
from emulator.server import BotApiEmulator
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.periods import PeriodKind, PeriodRef
from models.store.database import create_db_engine, session_scope
from models.store.migrating import migrate
from tests.conftest import built_engine

TOKEN = "123456:" + "A" * 35
DRAWING = 30.0  # seconds to wait for charts or a PDF: a few seconds each, more on a busy 2-core CI machine
os.environ.setdefault("PTB_TIMEDELTA", "true")

PEOPLE = {  # telegram id: (name, role, unit)
    101: ("Budi Admin", Role.ADMIN, None),
    102: ("Ibu Kepala", Role.KEPALA, None),
    103: ("Pak Sekretaris", Role.SEKRETARIS, "Sekretariat"),
    104: ("Tim SAKIP", Role.TIM_SAKIP, "Sekretariat"),
    110: ("Sari Sekretariat", Role.STAF, "Sekretariat"),
    120: ("Dewi Modal", Role.STAF, "Bidang Penanaman Modal"),
    121: ("Kabid Modal", Role.KABID, "Bidang Penanaman Modal"),
    130: ("Rina Perizinan", Role.STAF, "Bidang Pelayanan Perizinan"),
    140: ("Agus Pengaduan", Role.STAF, "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"),
}


class TestClock:
    """The bot's one clock in chat tests (handlers, scheduler and delivery), which the test reads too. It starts
    at a quiet moment (Sunday night), so no reminder or opening happens unless a test moves it (`clock.now = ...`,
    then `await world.run_scheduled_work()`); from the moment set it runs as a wall clock does, so what the bot
    does one step after another happens one moment after another."""

    __test__ = False  # a clock, not a class of tests

    QUIET = datetime(2026, 11, 22, 23, 0, tzinfo=ZoneInfo("Asia/Jakarta"))

    def __init__(self) -> None:
        self.now = self.QUIET

    @property
    def now(self) -> datetime:
        return self._set + timedelta(seconds=time.monotonic() - self._set_at)

    @now.setter
    def now(self, moment: datetime) -> None:
        self._set, self._set_at = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    emu: BotApiEmulator
    engine: Engine
    application: object
    clock: TestClock = field(default_factory=TestClock)

    async def run_scheduled_work(self):
        """Run the scheduler's work now, as of `clock.now` (as its timer would)."""
        return await self.application.bot_data.scheduler.run_now()

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def member(self, telegram_id: int) -> Member:
        with self.session() as session:
            return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def add_people(engine: Engine, people: dict = PEOPLE) -> None:
    """Members for every role, joined through real invitations."""
    with session_scope(engine) as session:
        units = {unit.name: unit for unit in session.exec(select(Unit))}
        office = next(unit for unit in units.values() if unit.parent_id is None)
        for telegram_id, (name, role, unit_name) in people.items():
            _, token = create_invite(session, role, units[unit_name] if unit_name else office, Actor.cli(),
                                     now=TestClock.QUIET)
            accept_invite(session, token, telegram_id, name, "id", now=TestClock.QUIET)


def seed_office(engine: Engine) -> None:
    """The demo office on a migrated database: its PK and `PEOPLE`."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    add_people(engine)


def build_office(engine: Engine) -> None:
    """The demo office on an empty database."""
    migrate(engine)
    seed_office(engine)


@pytest.fixture(scope="session")
def office_template(sqlite_template, tmp_path_factory) -> Path:
    """One SQLite file holding the demo office; each chat test gets a copy (see `tests.conftest.built_engine`)."""
    path = tmp_path_factory.mktemp("office") / "sakip.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_db_engine(f"sqlite:///{path}")
    seed_office(engine)
    engine.dispose()
    return path


@pytest.fixture
def office_engine(backend_url, office_template) -> Engine:
    engine = built_engine(backend_url, office_template, "office", build_office)
    yield engine
    engine.dispose()


@asynccontextmanager
async def people_emulator(tmp_path, monkeypatch, *, enforce_rate_limits: bool = False):
    """The Bot API emulator with a private chat for each of `PEOPLE` (each has opened the bot when joining), and
    the environment a bot started in the test reads (token, the emulator's address, the evidence folder)."""
    async with BotApiEmulator(enforce_rate_limits=enforce_rate_limits) as emu:
        for telegram_id, (name, _, _) in PEOPLE.items():
            emu.user(telegram_id, name)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
        monkeypatch.chdir(tmp_path)
        yield emu


@asynccontextmanager
async def running_world(office_engine, tmp_path, monkeypatch, *, rate_limiter: bool = False,
                        enforce_rate_limits: bool = False):
    """The office's bot running against the emulator (long polling), stopped afterwards."""
    async with people_emulator(tmp_path, monkeypatch, enforce_rate_limits=enforce_rate_limits) as emu:
        clock = TestClock()
        application = build_application(load_settings(), office_engine, rate_limiter=rate_limiter, clock=clock)
        await start_application(application, timeout=1)
        try:
            yield World(emu, office_engine, application, clock)
        finally:
            await stop_application(application)


@pytest.fixture
async def world(office_engine, tmp_path, monkeypatch):
    async with running_world(office_engine, tmp_path, monkeypatch) as world:
        yield world


@pytest.fixture
async def paced_world(office_engine, tmp_path, monkeypatch):
    """The bot as in production: its rate limiter paces each chat through the database (`bot/pacing.py`) and
    retries flood waits, against an emulator that enforces Telegram's flood limits (429 beyond them)."""
    async with running_world(office_engine, tmp_path, monkeypatch, rate_limiter=True,
                             enforce_rate_limits=True) as world:
        yield world


def month(year: int, number: int) -> PeriodRef:
    return PeriodRef(PeriodKind.MONTH, year, number)


TODAY = date(2026, 11, 24)


def has_button(message: dict | None, label: str) -> bool:
    keyboard = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
    return any(button.get("text") == label for row in keyboard for button in row)


async def until_button(emu: BotApiEmulator, chat_id: int, label: str, timeout: float = WAIT_SECONDS) -> dict:
    """Wait for the newest bot message that carries the button (screens and notifications arrive in any order;
    the bot closes the keyboard of a pressed message, or its buttons expire with the question they answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        message = next((m for m in reversed(emu.sent_by_bot(chat_id)) if has_button(m, label)), None)
        if message is not None:
            return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"no button {label!r} on the newest message of chat {chat_id}:\n{emu.dump_recent()}")


def button_data(message: dict, label: str) -> str:
    """The callback data of the message's button so labelled."""
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)


async def press_and_see(emu: BotApiEmulator, user_id: int, label: str, expect: str | None = None) -> dict:
    """The user presses the button on the newest message that has it; what the bot shows next matching `expect`:
    a new message, or the pressed card edited (sending the form edits it in place)."""
    message = await until_button(emu, user_id, label)
    since = emu.screens_shown()
    await emu.user(user_id).press(message, button_data(message, label))
    return await emu.wait_for_bot_screen(user_id, expect, since=since)
