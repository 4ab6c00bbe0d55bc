"""Asking Telegram who the bot is, which is also how a wrong token is found before anything starts.

Telegram answers 401 Unauthorized for a well-formed token it does not know and 404 Not Found for a malformed one;
PTB raises `InvalidToken` for both, with a message that contains the token. `TokenRejected` says which of the
two it was, and nothing more, so the command line can stop with one line that does not show the token.
"""

from __future__ import annotations

from http import HTTPStatus

from telegram import Bot
from telegram.error import InvalidToken

from bot.config import Settings
from bot.redaction import redacted


class TokenRejected(Exception):
    """Telegram refused TELEGRAM_BOT_TOKEN; `reason` is its answer, e.g. `401 Unauthorized` (never the token)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def file_url_for(base_url: str) -> str:
    """`http://host/bot` → `http://host/file/bot` (where a Bot API server serves files)."""
    head, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot"


async def bot_username(settings: Settings) -> str:
    """Ask the Bot API who the bot is (getMe); raises `TokenRejected` when it refuses the token."""
    kwargs = {}
    if settings.telegram_api_base_url:
        kwargs = {"base_url": settings.telegram_api_base_url,
                  "base_file_url": file_url_for(settings.telegram_api_base_url)}
    try:
        async with Bot(settings.require_token(), **kwargs) as bot:
            return bot.username
    except InvalidToken as exc:
        raise TokenRejected(rejection_reason(exc)) from None


def rejection_reason(exc: InvalidToken) -> str:
    """`401 Unauthorized` or `404 Not Found`. PTB keeps Telegram's description, not the status, on the error it
    raised first (the one `Bot.initialize` wraps into a message with the token)."""
    first = exc.__cause__ if isinstance(exc.__cause__, InvalidToken) else exc
    for status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND):
        if first.message == status.phrase:
            return f"{status.value} {status.phrase}"
    return redacted(first.message)
