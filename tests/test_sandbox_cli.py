"""`sakip-bot run` without a token starts the sandbox with a banner that says so (and what its story is, dated
from today), serves the browser page with the demo people, makes no office database (`./dev.sh run` neither), and
stops cleanly on Ctrl+C (SIGINT), as a person would run it from a fresh checkout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from models.demo.sandbox import story_at
from tests.test_cli import sakip_bot

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_banner(process: subprocess.Popen, timeout: float = 60.0) -> list[str]:
    """Lines printed until the banner's last one ("Ctrl+C")."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "Ctrl+C" in line:
            return lines
    raise AssertionError(f"no banner; printed {lines}, errors: {process.stderr.read() if process.poll() else ''}")


def test_run_without_a_token_starts_the_sandbox_and_says_so(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    env.update(SANDBOX_PORT=str(port), DEFAULT_LANGUAGE="id")
    process = subprocess.Popen([*sakip_bot(), "run"], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        banner = read_banner(process)
        text = "\n".join(banner)
        assert "SANDBOX" in banner[0]
        assert "TELEGRAM_BOT_TOKEN belum diisi" in text
        url = f"http://127.0.0.1:{port}/sandbox/"
        story = story_at(datetime.now(ZoneInfo("Asia/Jakarta")).date())
        assert url in text and story.open_month.label("id") in text and story.archived.label("id") in text
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        with urllib.request.urlopen(f"{url}api/people", timeout=10) as answer:
            people = json.load(answer)["people"]
        assert len(people) == 11 and {"Ratna (Kepala Dinas)", "Hendra (Sekretaris)"} <= {p["name"] for p in people}
        assert (tmp_path / "data" / "sandbox" / "sandbox.db").exists()
        assert not (tmp_path / "data" / "sakip.db").exists()  # the office's database is not made for nothing
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_sandbox_never_takes_the_office_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///kantor/sandbox.db")
    own = tmp_path / "kantor" / "sandbox.db"
    own.parent.mkdir()
    own.write_bytes(b"the office's data")
    assert main(["sandbox", "--folder", "kantor"]) == 2
    assert "basis data kantor Anda" in capsys.readouterr().err
    assert own.read_bytes() == b"the office's data"


def test_a_taken_port_is_named_with_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} sedang dipakai" in err and "SANDBOX_PORT" in err


def fake_checkout(folder: Path) -> Path:
    """dev.sh, pyproject.toml and .env.example in `folder`, with a `.venv` already set up (its stamp matching)
    whose python and sakip-bot are this test's interpreter and this checkout's code."""
    for name in ("dev.sh", "pyproject.toml", ".env.example"):
        shutil.copy(REPO / name, folder / name)
    bin_folder = folder / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    scripts = {"python": f'exec "{sys.executable}" "$@"', "sakip-bot": f'exec "{sys.executable}" -m bot.cli "$@"'}
    for name, line in scripts.items():
        script = bin_folder / name
        script.write_text(f"#!/bin/sh\nPYTHONPATH=\"{REPO}\" {line}\n")
        script.chmod(0o755)
    stamp = subprocess.run(["sha256sum", "pyproject.toml"], cwd=folder, capture_output=True, text=True, check=True)
    (folder / ".venv" / ".installed").write_text(stamp.stdout.split()[0] + "\n")
    return folder


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("sha256sum") is None, reason="dev.sh needs bash")
def test_dev_sh_run_without_a_token_makes_only_the_sandbox_database(tmp_path):
    checkout = fake_checkout(tmp_path)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env.update(SANDBOX_PORT=str(port), DEFAULT_LANGUAGE="id")
    process = subprocess.Popen(["bash", "dev.sh", "run"], cwd=checkout, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "TELEGRAM_BOT_TOKEN belum diisi" in "\n".join(read_banner(process))
        assert (checkout / ".env").exists()  # copied from .env.example, as on a fresh checkout
        assert (checkout / "data" / "sandbox" / "sandbox.db").exists()
        assert not (checkout / "data" / "sakip.db").exists()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
