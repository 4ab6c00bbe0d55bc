"""Keeps secrets (the bot token) out of every log line, traceback and error message.

The token is part of every Bot API URL (`…/bot<token>/getMe`), so it turns up in httpx's request lines, in
PTB's errors ("The token `…` was rejected by the server.") and in the tracebacks that carry them. Each entry point
that talks to Telegram calls `hide(token)` once it knows the token: from then on every log record is redacted
when it is made (its message with its args, its exception text and its stack), so whichever handler writes it,
even one added later, sees only the placeholder; and the traceback of an exception nobody caught is redacted
as well.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from pydantic import SecretStr

PLACEHOLDER = "<token>"


def forms_of(secret: str) -> list[str]:
    """The ways a token is written: whole, with its colon URL-encoded, and its secret half after the bot id (the
    bot id alone is public: it is the bot's user id)."""
    forms = [secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")]
    _, colon, tail = secret.partition(":")
    if colon and tail:
        forms.append(tail)
    return forms


class SecretRedactor(logging.Filter):
    """A filter that rewrites a record in place, every secret replaced by `PLACEHOLDER`; it never drops one.

    It can sit on a handler; `hide` runs it on every record as the record is made instead, so no handler is missed.
    """

    def __init__(self) -> None:
        super().__init__()
        self._forms: list[str] = []

    def add(self, secret: str) -> None:
        forms = {*self._forms, *forms_of(secret)}
        self._forms = sorted(forms, key=len, reverse=True)  # the whole token before its tail

    def redact(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, PLACEHOLDER)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite only what shows a secret, so other records keep their args and exception as logged."""
        if not self._forms:
            return True
        message = _message(record)
        if self.redact(message) != message:
            record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse `exc_text` once it is set, so the traceback is only ever written redacted
            trace = logging.Formatter().formatException(record.exc_info)
            if self.redact(trace) != trace:
                record.exc_text = self.redact(trace)
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    """The record's message with its args; a message that does not fit its args is kept, args beside it."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return f"{record.msg} {record.args!r}"


REDACTOR = SecretRedactor()
_installed = False


def hide(*secrets: str | SecretStr | None) -> None:
    """Redact these secrets (empty ones are skipped) in every log record and uncaught traceback of the process."""
    for secret in secrets:
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if value:
            REDACTOR.add(value)
    _install()


def redacted(text: str) -> str:
    """`text` with every hidden secret replaced (for error lines printed without logging)."""
    return REDACTOR.redact(text)


def _install() -> None:
    global _installed
    if _installed:
        return
    logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
    sys.excepthook = _redacting_excepthook(sys.excepthook)
    _installed = True


def _redacting(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_redacted(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)
        REDACTOR.filter(record)
        return record

    return make_redacted


def _redacting_excepthook(previous: Callable[..., object]) -> Callable[..., object]:
    """`sys.excepthook`: a traceback that shows a secret is printed redacted; any other goes to `previous`."""

    def print_redacted(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        if redacted(text) == text:
            previous(kind, error, trace)
        else:
            sys.stderr.write(redacted(text))

    return print_redacted
