"""The composition root: builds the PTB `Application` from settings and a database engine.

The application owns the inbox (updates stored before Telegram is told they arrived, and handled from the
database: `bot/inbox.py`), the poller that fills it in polling mode (`bot/polling.py`; the webhook server fills
it otherwise), the outbox delivery worker (started with the bot, stopped with it) and an error handler that
tells the member something went wrong (their answers are saved) and logs the details.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.config import Settings
from bot.delivery import Delivery
from bot.inbox import Inbox
from bot.pacing import ChatPacer
from bot.polling import Poller, PollingStopped
from bot.token_check import TokenRejected, file_url_for, rejection_reason
from handlers.common import BotData, Context
from handlers.menus import set_default_menus
from handlers.notifications import Notifications
from handlers.registry import register
from i18n import t
from models.calc.clock import Clock, system_clock
from models.collection.evidence import stored_file_paths
from models.messaging.outbox import release_every_claim
from models.store.database import session_scope
from reports.evidence_files import remove_orphans
from scheduler.service import SchedulerService

log = logging.getLogger(__name__)
# PTB 22's documented opt-in: durations such as RetryAfter.retry_after are timedelta, without deprecation noise.
os.environ.setdefault("PTB_TIMEDELTA", "true")


CLOSING_SECONDS = 1.0  # of a bounded stop, kept for releasing claims and closing connections
STOP_WITHOUT_TIMEOUT = 600.0  # a stop without a timeout waits this long, at most, for an update in hand
MB = 1024 * 1024


@dataclass
class AppData(BotData):
    """The bot's `bot_data`: what the handlers share, and the workers the composition root starts and stops."""

    delivery: Delivery = field(init=False)
    scheduler: SchedulerService = field(init=False)
    inbox: Inbox = field(init=False)
    poller: Poller | None = None  # polling mode only


def remove_orphan_evidence(engine: Engine, folder: Path) -> None:
    """At start: delete the evidence files no row names (`reports.evidence_files.remove_orphans`)."""
    with session_scope(engine) as session:
        stored = stored_file_paths(session)
    remove_orphans(folder, stored)


async def _post_init(application: Application) -> None:
    await set_default_menus(application.bot)
    await application.bot_data.scheduler.start()


async def _post_stop(application: Application, grace: float = 0.0) -> None:
    await application.bot_data.scheduler.stop(grace)


async def _on_error(update: object, context: Context) -> None:
    log.error("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        language = context.bot_data.default_language
        await context.bot.send_message(update.effective_chat.id, t("error.unexpected", language))


def build_application(settings: Settings, engine: Engine, *, rate_limiter: bool = True,
                      clock: Clock = system_clock) -> Application:
    """The bot: handlers, the outbox delivery and the scheduler (which decides whether this process delivers
    and runs scheduled work: `scheduler/leadership.py`). `clock` is the bot's one clock (handlers, scheduler and
    delivery), so tests move the bot's time."""
    builder = (ApplicationBuilder().token(settings.require_token()).context_types(ContextTypes(bot_data=AppData))
               .post_init(_post_init).post_stop(_post_stop))
    if rate_limiter:
        # just under Telegram's 30 messages/s: at exactly 30 slightly bunched requests meet 429s (bench/README.md);
        # each private chat's pace is shared with the other processes through the database (bot/pacing.py)
        builder = builder.rate_limiter(ChatPacer(engine, overall_max_rate=29, max_retries=3))
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url).base_file_url(
            file_url_for(settings.telegram_api_base_url)
        )
    application = builder.build()
    rules = settings.schedule_rules()
    letterhead = settings.letterhead()  # the documents' kop surat and signatories, the logo read once
    delivery = Delivery(application, engine, Notifications(rules, letterhead), clock=clock)
    scheduler = SchedulerService(engine, rules, delivery, clock)
    delivery.on_claimed = scheduler.changed
    data: AppData = application.bot_data
    data.engine, data.rules, data.clock = engine, rules, clock
    data.default_language, data.admin_telegram_ids = settings.default_language, list(settings.admin_telegram_ids)
    data.evidence_dir = Path(settings.evidence_dir)
    data.letterhead = letterhead
    data.evidence_max_bytes = settings.evidence_max_mb * MB
    data.evidence_quota_bytes = settings.evidence_quota_mb * MB
    data.delivery, data.scheduler, data.wake, data.schedule_changed = (delivery, scheduler, delivery.wake,
                                                                        scheduler.changed)
    data.inbox = Inbox(application, engine)
    register(application)
    application.add_error_handler(_on_error)
    return application


def _free_outbox_claims(engine: Engine) -> None:
    with session_scope(engine) as session:
        release_every_claim(session)


async def start_application(application: Application, *, polling: bool = True, timeout: int = 10,
                            on_refused: Callable[[PollingStopped], None] | None = None) -> None:
    """Start like `run_polling` does, but return (the caller owns the event loop: the runner, tests, the sandbox).
    Without `polling` the updates come from the webhook server (`bot/webhook.py`). A second polling process of
    the same database raises `PollingRefused` before anything starts; a token Telegram refuses, `TokenRejected`
    (its first request, getMe, is the token's check: no other client is made for it, each costs a start the
    loading of the certificates)."""
    data: AppData = application.bot_data
    poller = Poller(application, data.inbox, data.engine, timeout=timeout, on_refused=on_refused) if polling else None
    if poller is not None:
        await poller.lock_or_refuse()
    try:
        if poller is not None:  # the only process now: a dead predecessor's claims are given back at once
            await data.inbox.take_over()
            await asyncio.to_thread(_free_outbox_claims, data.engine)
        try:
            await application.initialize()
        except InvalidToken as exc:
            raise TokenRejected(rejection_reason(exc)) from None
        await asyncio.to_thread(remove_orphan_evidence, data.engine, data.evidence_dir)
        await _post_init(application)
        await application.start()
        data.inbox.start()
        if poller is not None:
            await poller.start()
            data.poller = poller
    except BaseException:
        if poller is not None:
            await poller.stop()
        raise


async def stop_application(application: Application, *, timeout: float | None = None) -> None:
    """Stop: take no more updates from Telegram; finish the updates in hand while the scheduler stops and the
    outbox sends in flight finish; give back the updates and the outbox rows claimed and not finished. With
    `timeout`, all of it within that many seconds: what is left then is cancelled (and given back)."""
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + max(0.0, timeout - CLOSING_SECONDS)
    data: AppData = application.bot_data
    if data.poller is not None:
        await data.poller.stop()
        data.poller = None

    def grace() -> float:
        return STOP_WITHOUT_TIMEOUT if deadline is None else max(0.0, deadline - loop.time())

    await asyncio.gather(data.inbox.stop(grace()), _post_stop(application, 0.0 if deadline is None else grace()))
    if application.running:
        await application.stop()
    await application.shutdown()
