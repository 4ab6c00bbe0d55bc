"""Real `sakip-bot run` processes (this worktree's code: `python -m bot.cli run`), and for webhook mode the load
balancer in front of them: a round-robin forwarder that posts each update to the next live process.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from emulator.server import BotApiEmulator
from tests.chat.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
SECRET = "chaos-secret_2026"
HOOK_PATH = "/telegram/hook"
STOP_TIMEOUT = 8.0  # the processes' STOP_TIMEOUT: a SIGTERM must end in exit 0 within it
QUIET = {"AUTO_REMIND": "false", "AUTO_OPEN_PERIODS": "false", "STOP_TIMEOUT": str(STOP_TIMEOUT)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Bot:
    """One `sakip-bot run` process."""

    name: str
    process: asyncio.subprocess.Process
    log: Path
    port: int | None = None  # its webhook server (webhook mode)
    ready: bool = False  # it has taken updates since it started

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


async def until(condition: Callable[[], object], what: str, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)


@dataclass
class Fleet:
    """Bot processes on one database: long polling, or webhook mode behind `Forwarder` (`webhook_url`)."""

    emu: BotApiEmulator
    database_url: str
    folder: Path
    webhook_url: str | None = None
    bots: list[Bot] = field(default_factory=list)
    kills: int = 0
    started: int = 0

    @property
    def live(self) -> list[Bot]:
        return [bot for bot in self.bots if bot.alive]

    @property
    def serving(self) -> list[Bot]:
        """The live processes that have started taking updates."""
        return [bot for bot in self.live if bot.ready]

    def _environment(self, port: int | None) -> dict[str, str]:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.emu.base_url,
               "DATABASE_URL": self.database_url, "EVIDENCE_DIR": str(self.folder / "evidence"),
               "PYTHONPATH": str(ROOT), **QUIET}
        if port is not None:
            env |= {"WEBHOOK_URL": self.webhook_url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
                    "WEBHOOK_PORT": str(port)}
        return env

    async def start(self, count: int = 1) -> list[Bot]:
        """Start `count` processes at once and wait until each takes updates."""
        return list(await asyncio.gather(*(self._start_one() for _ in range(count))))

    async def _start_one(self) -> Bot:
        self.started += 1  # before any await: processes started together get names of their own
        name = f"bot-{self.started}"
        log = self.folder / f"{name}.log"
        port = free_port() if self.webhook_url else None
        polls = self.emu.state.poll_generation
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=self.folder, env=self._environment(port),
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT)
        bot = Bot(name, process, log, port)
        self.bots.append(bot)
        try:
            if port is None:
                await until(lambda: self.emu.state.poll_generation > polls or not bot.alive, f"{name} polls", 40)
            else:
                await until(lambda: self.emu.state.webhook.url == self.webhook_url or not bot.alive,
                            "the webhook is set", 40)
                await self._until_healthy(bot)
            assert bot.alive, f"{name} exited with {process.returncode}"
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- {log.name} ---\n{bot.output()[-4000:]}") from None
        bot.ready = True
        return bot

    async def _until_healthy(self, bot: Bot) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40
        async with aiohttp.ClientSession() as http:
            while bot.alive and loop.time() < deadline:
                try:
                    if (await self.health(http, bot))[0] == 200:
                        return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{bot.name} never answered /healthz with 200")

    @staticmethod
    async def health(http: aiohttp.ClientSession, bot: Bot) -> tuple[int, dict]:
        async with http.get(f"http://127.0.0.1:{bot.port}/healthz",
                            timeout=aiohttp.ClientTimeout(total=3)) as response:
            return response.status, await response.json()

    async def leader(self) -> Bot | None:
        """The live process that says it leads (webhook mode: its /healthz)."""
        async with aiohttp.ClientSession() as http:
            for bot in self.serving:
                try:
                    if (await self.health(http, bot))[1].get("leader"):
                        return bot
                except (aiohttp.ClientError, TimeoutError):
                    continue
        return None

    async def kill(self, bot: Bot) -> None:
        """SIGKILL: no clean-up at all."""
        if bot.alive:
            bot.process.kill()
            self.kills += 1
        await bot.process.wait()

    async def terminate(self, bot: Bot) -> tuple[int, float]:
        """SIGTERM, as a service manager stops the bot: its exit code and how long it took (at most a little
        over STOP_TIMEOUT, else the test fails)."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        bot.process.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT + 5):
                code = await bot.process.wait()
        except TimeoutError:
            raise AssertionError(f"{bot.name} did not exit after SIGTERM\n{bot.output()[-4000:]}") from None
        return code, loop.time() - began

    async def kill_all(self) -> None:
        for bot in self.bots:
            if bot.alive:
                bot.process.kill()
            await bot.process.wait()


class Forwarder:
    """The load balancer of webhook mode: each POST goes to the next live process (round robin), headers and
    status passed through; a process that does not answer (dead, refusing) is skipped for the next one."""

    def __init__(self, fleet_of: Callable[[], Fleet]) -> None:
        self._fleet_of = fleet_of
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{HOOK_PATH}"
        self.forwarded = 0
        self.failed_over = 0

    async def start(self) -> Forwarder:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(HOOK_PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True, limit=0))
        return self

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: value for name, value in request.headers.items()
                   if name.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        backends = [bot for bot in self._fleet_of().live if bot.port is not None]
        for _ in range(len(backends)):
            bot = backends[next(self._turn) % len(backends)]
            try:
                async with self._http.post(f"http://127.0.0.1:{bot.port}{HOOK_PATH}", data=body, headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=10)) as response:
                    answer = await response.read()
                    self.forwarded += 1
                    return web.Response(status=response.status, body=answer,
                                        content_type=response.content_type or "application/octet-stream")
            except (aiohttp.ClientError, TimeoutError):
                self.failed_over += 1
                continue
        return web.Response(status=502, text="no live bot process")
