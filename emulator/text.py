"""A message's text as the message methods take it: the parse-mode dispatcher, the length
limits and the automatic detection of ``/command`` entities.

The UTF-16 arithmetic and the entity helpers the parsers share live in :mod:`.entities`.
"""

from __future__ import annotations

import re
from typing import Any

from .entities import make_entity, sort_entities, utf16_len
from .errors import EntityParseError, bad_request
from .html_parser import parse_html
from .markdown_parser import parse_markdown, parse_markdown_v2

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def detect_bot_commands(text: str) -> list[dict[str, Any]]:
    """Find ``/command`` and ``/command@bot`` entities the way Telegram clients do."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append(make_entity("bot_command", offset, utf16_len(match.group())))
    return entities


def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict_html: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Turn ``text`` + ``parse_mode``/``entities`` into plain text and entity list.

    Raises :class:`~emulator.errors.ApiError` with Telegram's ``can't parse entities``
    description when the markup is invalid.
    """
    if entities is not None:
        if not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return text, sort_entities([dict(e) for e in entities])
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    parsers = {
        "html": lambda source: parse_html(source, strict_ampersand=strict_html),
        "markdownv2": parse_markdown_v2,
        "markdown": parse_markdown,
    }
    parser = parsers.get(mode)
    if parser is None:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"')
    try:
        plain, found = parser(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return plain, sort_entities(found)


def check_text_length(text: str) -> None:
    """Validate a message text after entity parsing (1..4096 UTF-16 code units)."""
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def check_caption_length(caption: str | None) -> None:
    """Validate a media caption after entity parsing (0..1024 UTF-16 code units)."""
    if caption is not None and utf16_len(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
