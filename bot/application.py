"""The composition root: builds the PTB `Application` from settings and a database engine."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.config import Settings
from handlers.common import ENGINE_KEY, SETTINGS_KEY
from handlers.registry import register


def file_url_for(base_url: str) -> str:
    """`http://host/bot` → `http://host/file/bot` (where a Bot API server serves files)."""
    head, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot"


def build_application(settings: Settings, engine: Engine) -> Application:
    builder = ApplicationBuilder().token(settings.require_token()).rate_limiter(AIORateLimiter(max_retries=3))
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url).base_file_url(
            file_url_for(settings.telegram_api_base_url)
        )
    application = builder.build()
    application.bot_data[ENGINE_KEY] = engine
    application.bot_data[SETTINGS_KEY] = settings
    register(application)
    return application
