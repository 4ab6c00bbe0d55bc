"""The two ways to run: long polling (the embedded default) and a webhook (WEBHOOK_URL set), until SIGTERM or
Ctrl+C, then a graceful stop within STOP_TIMEOUT.

A stop first takes no more updates (the webhook server stops listening; polling stops asking), then finishes the
updates in hand and the outbox sends in flight while the scheduler stops, releases the outbox rows claimed and not
sent (the next leader sends them at once), and exits 0. Whatever is still running at STOP_TIMEOUT is cancelled,
and its rows are released too.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from sqlalchemy.engine import Engine
from telegram.ext import Application

from bot.application import build_application, start_application, stop_application
from bot.config import Settings
from bot.polling import PollingRefused, PollingStopped
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run until Ctrl+C or SIGTERM; 0 after a graceful stop."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run every 2 seconds otherwise
    application = build_application(settings, engine)
    asyncio.run(_serve(application, settings, engine))
    return 0


async def _serve(application: Application, settings: Settings, engine: Engine) -> None:
    """Serve until a signal; a polling process that Telegram refuses (409: another one polls) stops too, and
    raises `PollingRefused` once stopped."""
    stop = _stop_on_signals()
    refused: list[PollingStopped] = []

    def on_refused(reason: PollingStopped) -> None:
        refused.append(reason)
        stop.set()

    webhook = None
    if settings.webhook_url:
        webhook = WebhookServer(application, engine, url=settings.webhook_url,
                                secret=settings.require_webhook_secret(), listen=settings.webhook_listen,
                                port=settings.webhook_port)
    await start_application(application, polling=webhook is None, on_refused=on_refused)  # refused: nothing runs
    try:
        if webhook is not None:
            await webhook.start()
        await stop.wait()
        log.info("stopping (at most %s s)", settings.stop_timeout)
    finally:
        if webhook is not None:
            await webhook.stop()
        await stop_application(application, timeout=settings.stop_timeout)
    log.info("stopped")
    if refused:
        raise PollingRefused(refused[0])


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (Ctrl+C); a second signal during the stop changes nothing (it is
    bounded anyway)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        with suppress(NotImplementedError):  # Windows: Ctrl+C then stops without the graceful part
            loop.add_signal_handler(sig, stop.set)
    return stop
