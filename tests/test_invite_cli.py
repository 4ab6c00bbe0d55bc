"""`sakip-bot invite`: the IT officer creates a one-time invitation link from the command line.

Given the demo office in the database and the bot reachable, when the officer runs
`sakip-bot invite --role staf --unit "Bidang Pelayanan Perizinan"`, then it prints the t.me link with the bot's
username (asked from Telegram with getMe) and the link lets one person join with that role and unit; an unknown
unit or an unreachable Telegram exit 1 with one clear line and create nothing.
"""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.application import build_application, start_application, stop_application
from bot.cli import main
from bot.config import Settings, load_settings
from emulator.server import BotApiEmulator
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor, AuditEntry
from models.office.invites import Invite, member_by_telegram_id
from models.office.organisation import Role, Unit
from models.office.permissions import roles_of_member
from models.store.database import create_db_engine, session_scope
from models.store.migrating import migrate

TOKEN = "123456:" + "B" * 35
LINK = re.compile(r"^https://t\.me/sakip_test_bot\?start=([A-Za-z0-9_-]{16,})$")
UNITS = ("Sekretariat", "Bidang Penanaman Modal", "Bidang Pelayanan Perizinan",
         "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan")


@pytest.fixture
def office(backend_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    """The demo PK loaded; the environment holds only the token and DATABASE_URL (no `.env`)."""
    engine = create_db_engine(backend_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", backend_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    yield engine
    engine.dispose()


async def invite(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Run `sakip-bot invite …` in a worker thread (it runs its own event loop) while the emulator serves here."""
    code = await asyncio.to_thread(main, ["invite", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def invites(engine: Engine) -> list[Invite]:
    with Session(engine) as session:
        return list(session.exec(select(Invite)))


async def test_the_printed_link_lets_one_person_join_with_that_role_and_unit(office, capsys, monkeypatch):
    async with BotApiEmulator() as emu:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        code, out, err = await invite(capsys, "--role", "staf", "--unit", "Bidang Pelayanan Perizinan")
        assert (code, err) == (0, [])
        assert out[0].startswith("Undangan sekali pakai untuk Staf di Bidang Pelayanan Perizinan, berlaku sampai")
        match = LINK.match(out[-1])
        assert match, out
        assert emu.calls_to("getMe", ok=True)  # the username came from Telegram

        with Session(office) as session:
            (stored,) = session.exec(select(Invite)).all()
            perizinan = session.exec(select(Unit).where(Unit.name == "Bidang Pelayanan Perizinan")).one()
            assert stored.role == Role.STAF and stored.unit_id == perizinan.id
            entry = session.exec(select(AuditEntry).where(AuditEntry.action == "invite.create")).one()
            assert entry.actor == "cli"

        application = build_application(load_settings(), office, rate_limiter=False)
        await start_application(application, timeout=1)
        try:
            await emu.user(600, "Rudi", last_name="Baru").send_command("/start", match.group(1))
            welcome = await emu.wait_for_bot_message(600, "Selamat datang")
            assert "Unit: Bidang Pelayanan Perizinan" in welcome["text"] and "Peran: Staf" in welcome["text"]
            await emu.user(601, "Orang Kedua").send_command("/start", match.group(1))
            assert "sudah dipakai" in (await emu.wait_for_bot_message(601))["text"]
        finally:
            await stop_application(application)

    with Session(office) as session:
        member = member_by_telegram_id(session, 600)
        assert member.unit_id == perizinan.id and roles_of_member(session, member) == {Role.STAF}
        assert member_by_telegram_id(session, 601) is None


async def test_the_unit_name_is_matched_without_regard_to_case(office, capsys, monkeypatch):
    async with BotApiEmulator() as emu:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        code, out, _ = await invite(capsys, "--role", "kabid", "--unit", "  bidang penanaman modal ")
    assert code == 0 and LINK.match(out[-1])
    with Session(office) as session:
        (stored,) = session.exec(select(Invite)).all()
        assert session.get(Unit, stored.unit_id).name == "Bidang Penanaman Modal" and stored.role == Role.KABID


async def test_an_unknown_unit_exits_1_and_lists_the_units(office, capsys, monkeypatch):
    async with BotApiEmulator() as emu:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        code, out, err = await invite(capsys, "--role", "staf", "--unit", "Bidang Rahasia")
    assert code == 1 and out == []
    assert len(err) == 1 and err[0].startswith("Unit 'Bidang Rahasia' tidak ditemukan. Unit yang ada: ")
    assert all(name in err[0] for name in UNITS)
    assert invites(office) == []


async def test_telegram_unreachable_exits_1_with_one_clear_line(office, capsys, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    code, out, err = await invite(capsys, "--role", "staf", "--unit", "Bidang Pelayanan Perizinan")
    assert code == 1 and out == []
    assert len(err) == 1 and err[0].startswith("Tidak dapat menghubungi Telegram untuk mengetahui nama bot: ")
    assert "Traceback" not in "\n".join(err)
    assert invites(office) == []
