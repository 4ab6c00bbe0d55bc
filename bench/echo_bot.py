"""The baseline of `bench/updates.py`, in a process of its own: a bare PTB bot that echoes each text.

An `Application` with one `MessageHandler`, the bot's rate limiter settings (`AIORateLimiter(overall_max_rate=29,
max_retries=3)`) and as many updates in hand as the inbox (8); long polling, or PTB's own webhook server when
ECHO_WEBHOOK_URL is set (ECHO_PORT, ECHO_BASE_URL: the emulator's Bot API address).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

TOKEN = "123456:" + "U" * 35
SECRET = "bench-updates-secret"
HOOK_PATH = "/telegram/hook"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def serve_echo() -> None:
    application = (ApplicationBuilder().token(TOKEN).base_url(os.environ["ECHO_BASE_URL"]).concurrent_updates(8)
                   .rate_limiter(AIORateLimiter(overall_max_rate=29, max_retries=3)).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    hook = os.environ.get("ECHO_WEBHOOK_URL")
    if hook:
        application.run_webhook(listen="127.0.0.1", port=int(os.environ["ECHO_PORT"]), url_path=HOOK_PATH,
                                webhook_url=hook, secret_token=SECRET, allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(timeout=10, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    serve_echo()
