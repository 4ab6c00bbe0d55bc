"""The webhook server (webhook mode): receives Telegram's updates, and answers a load balancer's health checks.

Our own small aiohttp server instead of PTB's `run_webhook`, so that a request is judged before its body is read:

- `POST <path of WEBHOOK_URL>`: the `X-Telegram-Bot-Api-Secret-Token` header must equal WEBHOOK_SECRET (compared in
  constant time), else 403; a body over `MAX_BODY` is refused with 413 (by its Content-Length before reading, and
  the read is capped for a body without one); a refused request's body is never read, the connection is closed.
  An accepted update is stored in the inbox (`bot/inbox.py`) and answered 200 only once it is committed, so an
  update Telegram was told about survives any crash (a database error is answered 500: Telegram delivers it
  again); it is handled from the inbox by whichever process claims it, each member's updates in order. A
  repeated delivery is stored once.
- `GET /healthz`: 200 when this process takes updates and its database answers (`SELECT 1`), else 503; the JSON
  body also says whether this process leads (runs scheduled work and delivery: `scheduler/leadership.py`).

At start the server listens first and then tells Telegram the URL and the secret (`setWebhook`); at stop it stops
listening (requests in hand finish) and leaves the webhook set, for the other processes behind the same URL.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlparse

from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application

from reports import heavy

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram's updates are a few kilobytes; a message is at most 4096 characters
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 2.0  # seconds the database may take to answer a health check
MAX_CONNECTIONS = 40  # Telegram's default: simultaneous connections it opens to deliver updates


class WebhookServer:
    def __init__(self, application: Application, engine: Engine, *, url: str, secret: str, listen: str,
                 port: int) -> None:
        self.application = application
        self.engine = engine
        self.url = url
        self.path = urlparse(url).path or "/"
        self._secret = secret.encode()
        self.listen, self.port = listen, port
        self.stopping = False
        self._runner: heavy.web.AppRunner | None = None
        self._probe: asyncio.Future | None = None

    async def start(self) -> None:
        """Listen, then tell Telegram where to post (and the secret it must send)."""
        app = heavy.web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._update)
        app.router.add_get(HEALTH_PATH, self._health)
        # lingering_time=0: the unread body of a refused request is not drained; its connection is closed
        self._runner = heavy.web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0,
                                           lingering_time=0)
        await self._runner.setup()
        await heavy.web.TCPSite(self._runner, self.listen, self.port).start()
        await self.application.bot.set_webhook(self.url, secret_token=self._secret.decode(),
                                               allowed_updates=Update.ALL_TYPES, max_connections=MAX_CONNECTIONS)
        log.info("webhook server listening on %s:%s", self.listen, self.port)

    async def stop(self) -> None:
        """Stop listening; requests in hand finish (each only queues its update). The webhook stays set."""
        self.stopping = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _secret_ok(self, request: heavy.web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _update(self, request: heavy.web.Request) -> heavy.web.Response:
        """One update from Telegram; judged by its headers before its body is read."""
        if not self._secret_ok(request):
            log.warning("refused a webhook request without the right secret from %s", request.remote)
            return heavy.web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            log.warning("refused a webhook request of %s bytes from %s", request.content_length, request.remote)
            return heavy.web.Response(status=413)
        if request.content_type != "application/json":
            return heavy.web.Response(status=415)
        try:
            data = json.loads(await request.read())  # at most client_max_size bytes are read
            update = Update.de_json(data, self.application.bot)
        except heavy.web.HTTPRequestEntityTooLarge:
            return heavy.web.Response(status=413)
        except Exception:  # noqa: BLE001  (malformed JSON or not an update: answered 400 as PTB does)
            log.warning("refused a webhook request that is not an update", exc_info=True)
            return heavy.web.Response(status=400)
        if update is not None:
            try:
                await self.application.bot_data.inbox.receive([update])
            except Exception:  # noqa: BLE001  (not stored: Telegram must deliver it again)
                log.exception("could not store update %s; Telegram will deliver it again", update.update_id)
                return heavy.web.Response(status=500)
        return heavy.web.Response(status=200)

    async def _health(self, request: heavy.web.Request) -> heavy.web.Response:
        database = await self._database_answers()
        taking_updates = self.application.running and self.application.bot_data.inbox.running and not self.stopping
        scheduler = self.application.bot_data.scheduler
        healthy = database and taking_updates
        body = {"status": "ok" if healthy else "unavailable", "database": "ok" if database else "unavailable",
                "updates": "taking" if taking_updates else "stopped", "leader": scheduler.leading}
        return heavy.web.json_response(body, status=200 if healthy else 503)

    async def _database_answers(self) -> bool:
        """`SELECT 1` within `HEALTH_TIMEOUT`. One probe at a time: checks arriving while a slow one runs share
        it, so a hung database never piles up threads."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(asyncio.to_thread(self._select_one))
            self._probe.add_done_callback(lambda probe: probe.cancelled() or probe.exception())  # no "never retrieved"
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                return await asyncio.shield(self._probe)
        except TimeoutError:
            log.warning("health check: the database did not answer within %s s", HEALTH_TIMEOUT)
        except Exception:  # noqa: BLE001  (any database error means unavailable)
            log.warning("health check: the database failed", exc_info=True)
        return False

    def _select_one(self) -> bool:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

