"""The two ways to run: long polling (the embedded default) and a webhook (WEBHOOK_URL set)."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from sqlalchemy.engine import Engine
from telegram import Update

from bot.application import build_application
from bot.config import Settings


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run until Ctrl+C or SIGTERM."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run every 2 seconds otherwise
    application = build_application(settings, engine)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
