"""The bot token never reaches a log line, a traceback or an error message.

Given a token, when a record carries it in its message (as httpx writes a Bot API URL, `…/bot<token>/getMe`), in
its args, in its exception (as PTB's "The token `…` was rejected by the server.") or in its stack, then what any
handler writes shows the placeholder instead; once `hide(token)` ran this holds for every handler, even one added
afterwards, and for the traceback of an exception nobody caught. The sandbox hides the token it makes at each start.
"""

from __future__ import annotations

import io
import logging
import sys

import pytest
from pydantic import SecretStr

from bot.config import load_settings
from bot.redaction import PLACEHOLDER, SecretRedactor, forms_of, hide, redacted
from bot.sandbox import running_sandbox

TOKEN = "987654:" + "S3cr3t-T0ken_" * 3
SECRET_HALF = TOKEN.split(":", 1)[1]
URL = f"http://127.0.0.1:8081/bot{TOKEN}/getMe"


def rejected() -> BaseException:
    """An exception as PTB raises it for a refused token, chained to the one that carries the URL."""
    try:
        try:
            raise OSError(f"POST {URL} failed")
        except OSError as exc:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.") from exc
    except RuntimeError as exc:
        return exc


def record_with_the_token_everywhere() -> logging.LogRecord:
    error = rejected()
    return logging.LogRecord("httpx", logging.ERROR, __file__, 1, "HTTP Request: POST %s %r (token %s)",
                             (URL, {"token": TOKEN}, SECRET_HALF), (type(error), error, error.__traceback__),
                             sinfo=f'  File "x.py", line 1, in <module>\n    Bot("{TOKEN}")')


def written(record: logging.LogRecord) -> str:
    return logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)


def test_the_filter_redacts_message_args_exception_and_stack():
    redactor = SecretRedactor()
    redactor.add(TOKEN)
    record = record_with_the_token_everywhere()
    assert TOKEN in written(record_with_the_token_everywhere())  # without the filter, it is all there

    assert redactor.filter(record) is True  # a record is rewritten, never dropped
    text = written(record)
    assert TOKEN not in text and SECRET_HALF not in text
    assert text.startswith(f"ERROR httpx: HTTP Request: POST http://127.0.0.1:8081/bot{PLACEHOLDER}/getMe ")
    assert f"The token `{PLACEHOLDER}` was rejected by the server." in text  # the exception's own message
    assert f"POST http://127.0.0.1:8081/bot{PLACEHOLDER}/getMe failed" in text  # and the one it was raised from
    assert "Traceback (most recent call last)" in text and f'Bot("{PLACEHOLDER}")' in text


def test_the_token_is_found_in_every_form_it_is_written():
    assert forms_of("1:abc") == ["1:abc", "1%3Aabc", "1%3aabc", "abc"]
    redactor = SecretRedactor()
    redactor.add(TOKEN)
    quoted = f"http://127.0.0.1:8081/bot{TOKEN.replace(':', '%3A')}/getMe"
    assert redactor.redact(quoted) == f"http://127.0.0.1:8081/bot{PLACEHOLDER}/getMe"
    assert redactor.redact(f"secret={SECRET_HALF}") == f"secret={PLACEHOLDER}"
    assert redactor.redact("987654 is the bot's id, which is public") == "987654 is the bot's id, which is public"


def test_a_message_that_does_not_fit_its_args_is_still_redacted():
    redactor = SecretRedactor()
    redactor.add(TOKEN)
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%d calls", (TOKEN,), None)
    redactor.filter(record)
    assert TOKEN not in record.getMessage() and PLACEHOLDER in record.getMessage()


def test_a_record_without_the_token_is_left_as_it_was_logged():
    redactor = SecretRedactor()
    redactor.add(TOKEN)
    error = ValueError("no secret here")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "%s of %d", ("one", 2), (ValueError, error, None))
    redactor.filter(record)
    assert (record.msg, record.args, record.exc_text) == ("%s of %d", ("one", 2), None)


def test_once_hidden_every_handler_writes_the_placeholder_even_one_added_later():
    hide(SecretStr(TOKEN), None)  # as the settings hold it; an unset secret is skipped
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction.later")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", URL)
        error = rejected()
        logger.error("polling failed", exc_info=error)
    finally:
        logger.removeHandler(handler)
    assert TOKEN not in stream.getvalue() and SECRET_HALF not in stream.getvalue()
    assert f"calling http://127.0.0.1:8081/bot{PLACEHOLDER}/getMe" in stream.getvalue()
    assert f"The token `{PLACEHOLDER}` was rejected" in stream.getvalue()
    assert redacted(f"error: {URL}") == f"error: http://127.0.0.1:8081/bot{PLACEHOLDER}/getMe"


def test_once_hidden_an_uncaught_traceback_is_redacted(capsys: pytest.CaptureFixture[str]):
    hide(TOKEN)
    error = rejected()
    sys.excepthook(type(error), error, error.__traceback__)
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and f"The token `{PLACEHOLDER}` was rejected" in err
    assert TOKEN not in err and SECRET_HALF not in err



async def test_the_sandbox_hides_the_token_it_makes(tmp_path):
    async with running_sandbox(load_settings(), tmp_path / "sandbox", port=0) as sandbox:
        url = sandbox.emulator.base_url
        assert redacted(f"{url}{sandbox.emulator.token}/getMe") == f"{url}{PLACEHOLDER}/getMe"
