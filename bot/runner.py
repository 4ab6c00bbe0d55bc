"""The two ways to run: long polling (the embedded default) and a webhook (WEBHOOK_URL set), until SIGTERM or
Ctrl+C, then a graceful stop within STOP_TIMEOUT.

A stop first takes no more updates (the webhook server stops listening; polling stops asking), then finishes the
updates in hand and the outbox sends in flight while the scheduler stops, releases the outbox rows claimed and not
sent (the next leader sends them at once), and exits 0. Whatever is still running at STOP_TIMEOUT is cancelled,
and its rows are released too. A worker thread still inside a database call then (its transaction is not
committed, so nothing is lost) is not waited for: the process exits without it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from contextlib import suppress

from sqlalchemy.engine import Engine
from telegram.ext import Application

from bot.application import build_application, start_application, stop_application
from bot.config import Settings
from bot.polling import PollingRefused, PollingStopped
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_SLACK = 0.5  # past STOP_TIMEOUT (the graceful stop's own bound, claims given back in its last second)
EXECUTOR_WAIT = 1.0  # seconds the worker threads get to finish after the stop (the exit's bound holds anyway)


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run until Ctrl+C or SIGTERM; 0 after a graceful stop."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run every 2 seconds otherwise
    application = build_application(settings, engine)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_serve(application, settings, engine))
        with suppress(TimeoutError):  # a thread still in a database call is not waited for (the bound is)
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), EXECUTOR_WAIT))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    return 0


def _bound_the_exit(seconds: float) -> None:
    """A stop ends within STOP_TIMEOUT of the signal, whatever holds it up (a busy moment of the event loop, a
    worker thread inside a database call whose transaction was never committed, so nothing is lost): past the
    bound the process exits 0 without waiting further."""
    def exit_now() -> None:
        time.sleep(max(0.0, seconds))
        os._exit(0)

    threading.Thread(target=exit_now, name="stop-bound", daemon=True).start()


async def _serve(application: Application, settings: Settings, engine: Engine) -> None:
    """Serve until a signal; a polling process that Telegram refuses (409: another one polls) stops too, and
    raises `PollingRefused` once stopped."""
    stop = _stop_on_signals(settings.stop_timeout)
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
        try:
            async with asyncio.timeout(settings.stop_timeout):
                if webhook is not None:
                    await webhook.stop()
                await stop_application(application, timeout=settings.stop_timeout)
        except TimeoutError:
            log.warning("the stop took longer than %s s; exiting", settings.stop_timeout)
    log.info("stopped")
    if refused:
        raise PollingRefused(refused[0])


def _stop_on_signals(stop_timeout: float) -> asyncio.Event:
    """An event set by SIGTERM or SIGINT (Ctrl+C). The signal also starts the exit's bound at once, in the
    signal handler itself (not a loop callback, which waits for a busy loop); a second signal changes nothing."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signalled: list[int] = []

    def on_signal(number: int, _frame: object) -> None:
        if not signalled:
            signalled.append(number)
            _bound_the_exit(stop_timeout + EXIT_SLACK)
            loop.call_soon_threadsafe(stop.set)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    return stop
