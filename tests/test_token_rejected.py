"""A wrong bot token stops the command line with one line that names the setting and never shows the token.

Given the Bot API (the emulator) that knows only the bot's own token, when the IT officer starts `sakip-bot run` as
a real process with a token Telegram does not know (401 Unauthorized) or a malformed one (404 Not Found), then it
exits 2 (a setting is wrong) with one line naming TELEGRAM_BOT_TOKEN and Telegram's answer, without a traceback,
and the token appears nowhere in what the process wrote; and `sakip-bot invite`, which asks Telegram for the bot's
name first, stops the same way and creates nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.config import Settings
from emulator.server import BotApiEmulator
from models.office.invites import Invite
from models.store.database import create_db_engine

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:" + "B" * 35
UNKNOWN = "123456:" + "Wrong_T0ken-" * 3  # well-formed, not the bot's: Telegram answers 401 Unauthorized
MALFORMED = "123456:" + "Bad~T0ken-" * 3 + "~"  # passes our settings' check, not Telegram's: 404 Not Found
REFUSED = "sakip-bot: TELEGRAM_BOT_TOKEN ditolak Telegram ({}); periksa token dari @BotFather"


def secret_parts(token: str) -> tuple[str, str]:
    """The token and its secret half (the bot id before the colon is public)."""
    return token, token.split(":", 1)[1]


def settings_environment() -> dict[str, str]:
    """This process's environment without any of our settings (the test names the ones it wants)."""
    return {name: value for name, value in os.environ.items() if name.lower() not in Settings.model_fields}


async def run_process(emu: BotApiEmulator, token: str, folder: Path) -> tuple[int, str, str]:
    """`sakip-bot run` as a real process, its stdout and stderr kept in files; returns (exit code, out, err)."""
    env = {**settings_environment(), "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": emu.base_url,
           "DATABASE_URL": f"sqlite:///{folder / 'sakip.db'}", "PYTHONPATH": str(ROOT)}
    out, err = folder / "stdout.log", folder / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=folder, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr)
    try:
        async with asyncio.timeout(60):
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return code, out.read_text(errors="replace"), err.read_text(errors="replace")


@pytest.mark.parametrize(("token", "answer"), [(UNKNOWN, "401 Unauthorized"), (MALFORMED, "404 Not Found")],
                         ids=["unknown", "malformed"])
async def test_run_with_a_refused_token_exits_2_with_one_line_and_no_token(tmp_path, token, answer):
    async with BotApiEmulator(token=TOKEN) as emu:
        code, out, err = await run_process(emu, token, tmp_path)
    assert (code, out, err.splitlines()) == (2, "", [REFUSED.format(answer)]), err
    assert "Traceback" not in err
    for part in secret_parts(token):
        assert all(part not in log.read_text(errors="replace") for log in tmp_path.glob("*.log"))


async def test_invite_with_a_refused_token_exits_2_and_creates_nothing(tmp_path, monkeypatch, capsys, caplog):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    database = f"sqlite:///{tmp_path / 'sakip.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", UNKNOWN)
    monkeypatch.chdir(tmp_path)
    caplog.set_level("DEBUG")  # whatever PTB and httpx log on the way, at any level
    async with BotApiEmulator(token=TOKEN) as emu:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        code = await asyncio.to_thread(main, ["invite", "--role", "staf"])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err.splitlines()) == (2, "", [REFUSED.format("401 Unauthorized")])
    assert "getMe" in caplog.text  # the request was logged …
    for part in secret_parts(UNKNOWN):
        assert part not in caplog.text  # … without the token
    engine = create_db_engine(database)
    with Session(engine) as session:
        assert session.exec(select(Invite)).all() == []
    engine.dispose()
