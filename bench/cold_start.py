"""Cold start benchmark: from spawning the process to its first reply, SAKIP Bot beside a bare PTB echo bot.

    .venv/bin/python -m bench.cold_start [--runs 5] [--importtime]

A member's first `/isi` waits in the Bot API emulator (`BotApiEmulator`, in this event loop) before the process is
spawned; the time counted is from the spawn until the bot's reply arrives in the member's chat. SAKIP Bot is the
real `python -m bot.cli run` with long polling, on a copy of an already-migrated SQLite database with the demo
office (a staff member of Sekretariat, November 2026 open: the reply is the form's first question); the
baseline is `python -m bench.echo_bot` (an `Application` with one `MessageHandler` echoing the text), spawned the
same way, against its own fresh emulator. One warm-up run of each is not counted (it writes the byte-code
caches); then `--runs` rounds, each an echo bot run and a SAKIP Bot run, and the medians. Each process is stopped
(SIGTERM) after its reply; stopping is not counted.

Besides the total, each run is split by the Bot API calls the emulator saw: spawn → its first call (the imports,
the settings, the database's schema checked, the application built: the start's getMe) → its first getUpdates
(the menus set, the scheduler and the workers started) → the reply (the update stored, claimed and handled).
`--importtime` runs each bot once more under `python -X importtime` and lists the top-level packages by the time
their modules took to import.

Nothing is asserted; the exit status is 1 only when a bot did not reply.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.echo_bot import TOKEN
from bench.updates import QUIET, Filler, build_office, plan_members
from emulator.server import BotApiEmulator

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
REPLY_TIMEOUT = 60.0  # seconds a process gets to answer its first update
STOP_TIMEOUT = 15.0  # seconds a process gets to stop after SIGTERM, then SIGKILL
SAKIP_EXPECTS = "Ketik nilai realisasi"  # the form's first question
TOP_PACKAGES = 15


@dataclasses.dataclass(frozen=True)
class Bot:
    """A bot to start: its command line (after `python`) and environment, the text of its first update, and the
    start of the reply it gives."""

    label: str
    command: tuple[str, ...]
    env: dict[str, str]
    text: str
    expect: str


@dataclasses.dataclass(frozen=True)
class ColdStart:
    """One run's seconds from the spawn: to the first Bot API call, to the first getUpdates, to the reply."""

    first_call: float
    first_poll: float
    reply: float


def sakip_bot(folder: Path) -> Bot:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{folder / 'sakip.db'}",
           "EVIDENCE_DIR": str(folder / "evidence"), **QUIET}
    return Bot("sakip bot", ("-m", "bot.cli", "run"), env, "/isi", SAKIP_EXPECTS)


def echo_bot() -> Bot:
    return Bot("echo bot", ("-m", "bench.echo_bot"), {}, "/isi", "/isi")


def base_env(emu: BotApiEmulator) -> dict[str, str]:
    """What both bots are given: the emulator's address (each reads its own variable), nothing from a .env."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_API_BASE_URL": emu.base_url,
            "ECHO_BASE_URL": emu.base_url}


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(STOP_TIMEOUT):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


async def cold_start(bot: Bot, member: Filler, folder: Path, *, flags: tuple[str, ...] = (),
                     stderr: Path | None = None) -> ColdStart:
    """Spawn the bot with the member's first update waiting, and time its reply."""
    async with BotApiEmulator(token=TOKEN) as emu:
        replied: list[float] = []

        def heard(event: str, data: dict) -> None:
            if event == "bot_message" and int(data["chat_id"]) == member.telegram_id and not replied:
                replied.append(time.time())

        emu.add_listener(heard)
        await emu.user(member.telegram_id, member.name).send_text(bot.text)
        log = folder / f"{bot.command[-1]}.log"
        with log.open("wb") as output, (stderr or log).open("ab") as errors:
            spawned = time.time()
            process = await asyncio.create_subprocess_exec(
                sys.executable, *flags, *bot.command, cwd=folder, env={**base_env(emu), **bot.env},
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=errors if stderr else output)
        try:
            await emu.wait_for_bot_message(member.telegram_id, bot.expect, timeout=REPLY_TIMEOUT)
        except AssertionError as exc:
            raise SystemExit(f"{bot.label} did not reply: {exc}\n{log.read_text(errors='replace')[-3000:]}") from exc
        finally:
            await stop(process)
        first_call = min(call.timestamp for call in emu.calls)
        first_poll = min(call.timestamp for call in emu.calls if call.method == "getUpdates")
        return ColdStart(first_call - spawned, first_poll - spawned, replied[0] - spawned)


def sakip_database(folder: Path, member: Filler) -> Path:
    """The migrated database with the demo office and the member, made once (copied for each run)."""
    office = folder / "office"
    office.mkdir()
    build_office(f"sqlite:///{office / 'sakip.db'}", [member], office)
    return office / "sakip.db"


async def sakip_run(template: Path, member: Filler, folder: Path, number: int, **options: object) -> ColdStart:
    """A SAKIP Bot run on its own copy of the database (the same state every time)."""
    run_folder = folder / f"run-{number}"
    run_folder.mkdir()
    shutil.copy(template, run_folder / "sakip.db")
    return await cold_start(sakip_bot(run_folder), member, run_folder, **options)


def package_times(log: Path) -> dict[str, float]:
    """Seconds of import per top-level package, from `python -X importtime`'s lines (each module's own time)."""
    totals: dict[str, float] = defaultdict(float)
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        totals[name.strip().split(".")[0]] += int(own) / 1e6
    return dict(totals)


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"rounds counted (default {RUNS})")
    parser.add_argument("--importtime", action="store_true",
                        help="also run each bot once under -X importtime and list the packages by import time")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    (member,) = plan_members(1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cold start bench: spawn -> first reply to a member's /isi (polling), median of {args.runs}, "
          f"load average {load:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="sakip-bench-cold-") as name:
        folder = Path(name)
        template = await asyncio.to_thread(sakip_database, folder, member)
        await cold_start(echo_bot(), member, folder)  # warm-up: byte-code caches, the page cache
        await sakip_run(template, member, folder, 0)
        echo: list[ColdStart] = []
        sakip: list[ColdStart] = []
        for number in range(1, args.runs + 1):
            echo.append(await cold_start(echo_bot(), member, folder))
            sakip.append(await sakip_run(template, member, folder, number))
        ours, base = median([run.reply for run in sakip]), median([run.reply for run in echo])
        print(f"{'':<12} {'reply s':>8} {'min':>7} {'max':>7}   first call s   first getUpdates s")
        for label, runs in (("sakip bot", sakip), ("echo bot", echo)):
            replies = [run.reply for run in runs]
            print(f"{label:<12} {median(replies):8.3f} {min(replies):7.3f} {max(replies):7.3f}"
                  f"   {median([run.first_call for run in runs]):12.3f}"
                  f"   {median([run.first_poll for run in runs]):18.3f}")
        print(f"ratio to the echo bot: {ours / base:.2f} (target: at most 1.5)")
        for label, runs in (("sakip bot", sakip), ("echo bot", echo)):
            print(f"{label}, medians: to the first call {median([r.first_call for r in runs]):.3f} s, then to the "
                  f"first getUpdates {median([r.first_poll - r.first_call for r in runs]):.3f} s, then the reply "
                  f"{median([r.reply - r.first_poll for r in runs]):.3f} s")
        if args.importtime:
            sakip_log, echo_log = folder / "sakip-importtime.txt", folder / "echo-importtime.txt"
            await sakip_run(template, member, folder, args.runs + 1, flags=("-X", "importtime"), stderr=sakip_log)
            await cold_start(echo_bot(), member, folder, flags=("-X", "importtime"), stderr=echo_log)
            ours_by, base_by = package_times(sakip_log), package_times(echo_log)
            print(f"imports under -X importtime (inflated by it): sakip bot {sum(ours_by.values()):.3f} s, "
                  f"echo bot {sum(base_by.values()):.3f} s; top-level packages, slowest first:")
            for package, seconds in sorted(ours_by.items(), key=lambda item: -item[1])[:TOP_PACKAGES]:
                print(f"  {package:<24} {seconds:6.3f} s   echo bot {base_by.get(package, 0.0):6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
