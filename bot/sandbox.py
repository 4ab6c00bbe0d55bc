"""`sakip-bot sandbox` (and `sakip-bot run` without a token): the real bot, without Telegram.

The bot runs exactly as in production (the same `Application`, handlers, outbox delivery and scheduler, long
polling) against the Bot API emulator on 127.0.0.1, which also serves a browser page with one chat per demo
person (`emulator/browser.py`). The office is the demo one (`models/demo/sandbox.py`) on a fresh SQLite file,
made again at every start, so trying things never touches real data and always starts from the same story.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from telegram.ext import Application

from bot.application import build_application, start_application, stop_application
from bot.config import SANDBOX_FOLDER, Settings
from bot.redaction import hide
from handlers.menus import set_member_menu
from i18n import t
from models.calc.clock import Clock, system_clock
from models.calc.dates import format_date
from models.office.invites import member_by_telegram_id
from models.office.organisation import Role
from models.office.permissions import roles_of_member
from models.store.database import create_db_engine, session_scope
from reports import heavy

SANDBOX_BOT_ID = 100200300
log = logging.getLogger(__name__)


@dataclass
class Sandbox:
    emulator: heavy.BotApiEmulator
    application: Application
    engine: Engine
    database: Path
    story: heavy.SandboxStory

    @property
    def url(self) -> str:
        return self.emulator.browser_url


def first_person() -> heavy.DemoPerson:
    """Whom the banner names and the page opens on: the staff member of the unit that has not filled its form."""
    return next(person for person in heavy.DEMO_PEOPLE
                if person.unit == heavy.UNFILLED_UNIT and person.role is Role.STAF)


async def _set_menus(application: Application, engine: Engine) -> None:
    """Every demo person's command menu at start, as if each had joined already (they did, by invitation)."""
    def read() -> list[tuple[int, set[Role], str]]:
        with session_scope(engine) as session:
            return [(person.telegram_id, roles_of_member(session, member), member.language)
                    for person in heavy.DEMO_PEOPLE
                    if (member := member_by_telegram_id(session, person.telegram_id)) is not None]

    for telegram_id, roles, language in await asyncio.to_thread(read):
        await set_member_menu(application.bot, telegram_id, roles, language)


def _subtitle(person: heavy.DemoPerson, language: str) -> str:
    role = t(f"role.{person.role}", language)
    return f"{role} · {person.unit}" if person.unit else f"{role} · {heavy.SANDBOX_OFFICE}"


class SandboxError(Exception):
    """The sandbox cannot start; `code` names the catalogue text (`sandbox.<code>`)."""

    def __init__(self, code: str, **details: object):
        super().__init__(code)
        self.code, self.details = code, details


def _fresh_database(folder: Path, settings: Settings) -> Path:
    """The sandbox's SQLite file, deleted with its journal files so every start tells the same story; never
    the office's own database, whatever folder is given."""
    database = folder / "sandbox.db"
    own = settings.sqlite_path()
    if own is not None and own.resolve() == database.resolve():
        raise SandboxError("own_database", path=str(database))
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def _seed(database: Path, now: datetime) -> Engine:
    engine = create_db_engine(f"sqlite:///{database}")
    heavy.migrate(engine)
    with session_scope(engine) as session:
        heavy.seed_sandbox(session, now)
    return engine


@asynccontextmanager
async def running_sandbox(settings: Settings, folder: Path = SANDBOX_FOLDER, *, host: str | None = None,
                          port: int | None = None, clock: Clock = system_clock
                          ) -> AsyncIterator[Sandbox]:
    """The emulator with its browser page, the demo office on a fresh database and the bot polling; stopped and
    closed on exit. Host and port default to the settings (`SANDBOX_HOST`, `SANDBOX_PORT`); 0 takes a free port.
    The bot's token is new at every start and only the emulator knows it, so nothing else can act as the bot."""
    host = host or settings.sandbox_host
    port = settings.sandbox_port if port is None else port
    database = _fresh_database(folder, settings)
    token = f"{SANDBOX_BOT_ID}:{secrets.token_urlsafe(32)}"
    hide(token)
    now = clock().astimezone(settings.timezone)
    engine = await asyncio.to_thread(_seed, database, now)
    try:
        async with heavy.BotApiEmulator(token=token, host=host, port=port, bot_username="sakip_sandbox_bot",
                                        bot_first_name="SAKIP Bot") as emulator:
            language = settings.default_language
            emulator.enable_browser([(person.telegram_id, person.name, _subtitle(person, language))
                                     for person in heavy.DEMO_PEOPLE], start=first_person().telegram_id)
            sandbox_settings = settings.model_copy(update={
                "telegram_bot_token": SecretStr(token), "telegram_api_base_url": emulator.base_url,
                "database_url": f"sqlite:///{database}", "evidence_dir": str(folder / "evidence"),
                "webhook_url": None, "auto_open_periods": False,  # the story's month is open; nothing else
                "admin_telegram_ids": [],
            })
            application = build_application(sandbox_settings, engine, clock=clock)
            await start_application(application)
            try:
                await _set_menus(application, engine)
                yield Sandbox(emulator, application, engine, database, heavy.story_at(now.date()))
            finally:
                await stop_application(application)
    finally:
        engine.dispose()


def banner(sandbox: Sandbox, language: str, *, without_token: bool) -> list[str]:
    lines = [t("sandbox.title", language)]
    if without_token:
        lines.append(t("sandbox.no_token", language))
    lines += [
        t("sandbox.open_page", language, url=sandbox.url),
        t("sandbox.story", language, triwulan=sandbox.story.archived.label(language),
          period=sandbox.story.open_month.label(language), due=format_date(sandbox.story.due, language),
          unit=heavy.UNFILLED_UNIT, person=first_person().name),
        t("sandbox.database", language, path=str(sandbox.database)),
        t("sandbox.real_telegram", language),
        t("sandbox.stop", language),
    ]
    return lines


async def _serve(settings: Settings, folder: Path, host: str, port: int, without_token: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises KeyboardInterrupt instead
            loop.add_signal_handler(signum, stop.set)
    async with running_sandbox(settings, folder, host=host, port=port) as sandbox:
        print("\n".join(banner(sandbox, settings.default_language, without_token=without_token)), flush=True)
        await stop.wait()


def run_sandbox(settings: Settings, *, folder: Path = SANDBOX_FOLDER, host: str | None = None,
                port: int | None = None, without_token: bool = False) -> int:
    """Run the sandbox until Ctrl+C or SIGTERM; 2 when it cannot start (the port taken, the folder)."""
    host = host or settings.sandbox_host
    port = settings.sandbox_port if port is None else port
    language = settings.default_language
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    try:
        asyncio.run(_serve(settings, folder, host, port, without_token))
    except KeyboardInterrupt:
        pass
    except SandboxError as exc:
        print(t(f"sandbox.{exc.code}", language, **exc.details), file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(t("sandbox.port_in_use", language, host=host, port=port), file=sys.stderr)
        else:
            print(t("sandbox.cannot_start", language, error=str(exc)), file=sys.stderr)
        return 2
    return 0
