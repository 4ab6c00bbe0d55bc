"""Webhook mode: only Telegram's posts are handled, a big body is refused unread, and a load balancer can ask
whether the process is healthy.

Given `sakip-bot run` with WEBHOOK_URL and WEBHOOK_SECRET against the Bot API emulator (which posts updates to the
webhook like Telegram, with the secret), when members write to the bot, then their updates are handled; when
someone else posts an update to the webhook (the Sekretaris's user id in the attacker's own chat) without the
secret or with a wrong one, it is refused (403) and nothing is handled or sent; a body larger than 1 MiB is
refused (413) before it is read; GET /healthz answers 200 with the process's state, 503 while its database does
not answer; and SIGTERM while an update is in hand finishes it and exits 0.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3

import aiohttp
import pytest

from emulator.server import BotApiEmulator
from tests.chat.test_restart import (
    AFTER_THE_WHOLE_FORM,
    PERIZINAN,
    SEKRETARIS,
    BotProcess,
    bots_on,
    open_november,
    say,
    stored,
    until,
)

SECRET = "rahasia-kantor_2026"
PATH = "/telegram/hook"
ATTACKER = 666
FORGED = {"update_id": 990001, "message": {
    "message_id": 1, "date": 1_790_000_000, "text": "/status",
    "from": {"id": SEKRETARIS, "is_bot": False, "first_name": "Hendra"},
    "chat": {"id": ATTACKER, "type": "private", "first_name": "Hendra"}}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebhookBotProcess(BotProcess):
    """`sakip-bot run` in webhook mode, listening on a free port of 127.0.0.1."""

    def __init__(self, emu: BotApiEmulator, database_url: str, folder, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        super().__init__(emu, database_url, folder, {
            **(extra_env or {}), "WEBHOOK_URL": self.url, "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(self.port)})

    def ready(self):
        """It listens and has told Telegram its URL and secret."""
        return lambda: self.emu.state.webhook.url == self.url and self.emu.state.webhook.secret_token == SECRET


async def post(http: aiohttp.ClientSession, url: str, body: dict, secret: str | None) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status


async def raw_request(port: int, head: str, body: bytes = b"") -> str:
    """Send a request's head (and as much of its body as given) and return the status line of the answer,
    without ever sending the rest of the body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        async with asyncio.timeout(3):
            return (await reader.readline()).decode().strip()
    finally:
        writer.close()


async def health(http: aiohttp.ClientSession, port: int) -> tuple[int, dict]:
    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)  # the database's failure is staged on SQLite
async def test_webhook_mode_handles_telegram_s_posts_only_refuses_big_bodies_unread_and_reports_its_health(
        backend_url, office_engine, tmp_path):
    open_november(office_engine)
    async with bots_on(backend_url, tmp_path, WebhookBotProcess) as (emu, bots), aiohttp.ClientSession() as http:
        process = await bots.start()
        hook, port = bots.url, bots.port

        # Members' updates come by webhook, with the secret: handled as ever.
        await say(emu, PERIZINAN, "/isi", "Ketik nilai realisasi")
        assert emu.webhooks.delivered >= 1 and emu.state.webhook.last_error_message is None

        # A forged update: the Sekretaris's user id in the attacker's chat. Without the secret, or with a wrong
        # one, or to another path: refused, and nothing is handled.
        assert await post(http, hook, FORGED, None) == 403
        assert await post(http, hook, FORGED, "rahasia-kantor_2025") == 403
        assert await post(http, hook, FORGED, SECRET[:-1]) == 403
        assert await post(http, f"http://127.0.0.1:{port}/telegram/other", FORGED, SECRET) == 404
        await asyncio.sleep(1)
        assert emu.calls_to("sendMessage", chat_id=ATTACKER) == []
        # (the same post with the secret is handled: the bot answers in that chat, which Telegram knows not)
        assert await post(http, hook, FORGED, SECRET) == 200
        await until(lambda: emu.calls_to("sendMessage", chat_id=ATTACKER), "the bot answers the posted update")

        # A big body is refused by its length before it is read: the answer comes with none of it sent; and a
        # body without a length is read no further than the limit. The secret is checked first.
        big = f"POST {PATH} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n" \
              f"Content-Length: {90 * 1024 * 1024}\n"
        assert (await raw_request(port, big)).startswith("HTTP/1.1 403")
        assert (await raw_request(port, big + f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\n")).startswith(
            "HTTP/1.1 413")
        chunked = f"POST {PATH} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n" \
                  f"Transfer-Encoding: chunked\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\n"
        chunk = b"%x\r\n%s\r\n" % (256 * 1024, b" " * 256 * 1024)
        assert (await raw_request(port, chunked, chunk * 5)).startswith("HTTP/1.1 413")  # 1.25 MiB, never ended

        # Health: 200 with the process's state; 503 while the database does not answer (another program holds
        # its write lock), 200 again afterwards.
        status, body = await health(http, port)
        assert (status, body) == (200, {"status": "ok", "database": "ok", "updates": "taking", "leader": True})
        locker = sqlite3.connect(backend_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")
            status, body = await health(http, port)
            assert (status, body["status"], body["database"]) == (503, "unavailable", "unavailable")
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        status, body = await health(http, port)
        assert status == 200, body

        # SIGTERM while an update is in hand (Rina's P.1, whose reply Telegram takes a second to accept): the
        # update is finished, then the process exits 0.
        slow = emu.faults.add("sendMessage", "slow", chat_id=PERIZINAN, hold=1.0)
        await emu.user(PERIZINAN).send_text("105")
        await until(lambda: slow.hits == 1, "the bot replies to Rina's value")
        assert await bots.terminate(process, timeout=10) == 0
        assert [call.params["text"] for call in emu.calls_to("sendMessage", chat_id=PERIZINAN, ok=True)
                if "bukti dukung" in call.params["text"]]
        assert stored(office_engine) == AFTER_THE_WHOLE_FORM[:1]
    log = bots.log_of(process)
    assert "refused a webhook request without the right secret" in log
    assert "stopped before the updates in hand were handled" not in log

