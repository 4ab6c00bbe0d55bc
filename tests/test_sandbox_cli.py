"""`sakip-bot run` without a token starts the sandbox with a banner that says so, serves the browser page with
the demo people, and stops cleanly on Ctrl+C (SIGINT), as a person would run it from a fresh checkout."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from bot.cli import main
from tests.test_cli import sakip_bot


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
        assert url in text and "April 2026" in text
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        with urllib.request.urlopen(f"{url}api/people", timeout=10) as answer:
            people = json.load(answer)["people"]
        assert len(people) == 11 and {"Ratna (Kepala Dinas)", "Hendra (Sekretaris)"} <= {p["name"] for p in people}
        assert (tmp_path / "data" / "sandbox" / "sandbox.db").exists()
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
