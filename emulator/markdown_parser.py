"""Telegram's ``MarkdownV2`` and legacy ``Markdown`` parsers.

MarkdownV2 follows the server rules: the characters ``_*[]()~`>#+-=|{}.!`` are
reserved and must be escaped with ``\\`` outside entities (inside ``code``/``pre`` only
the backtick is special); unclosed entities fail with ``Can't find end of X entity``.
Legacy Markdown supports ``*bold*``, ``_italic_``, `` `code` ``, triple-backtick pre and
``[text](url)`` without nesting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .entities import TextBuilder, byte_offset, make_entity
from .errors import EntityParseError

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_CLOSER_WIDTH = {"underline": 2, "spoiler": 2, "pre": 3}


@dataclass
class _Open:
    kind: str
    start: int
    byte_pos: int
    language: str | None = None


def _reserved_error(char: str) -> EntityParseError:
    return EntityParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


class _MarkdownV2Parser:
    def __init__(self, source: str):
        self.source = source
        self.out = TextBuilder()
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []
        self.index = 0
        self.quote_start: int | None = None
        self.quote_end = 0
        self.quote_expandable = False

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def in_code(self) -> bool:
        return bool(self.stack) and self.stack[-1].kind in ("code", "pre")

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        line_start = True
        while self.index < len(self.source):
            if line_start and not self.in_code():
                line_start = False
                if self.handle_line_start():
                    continue
            char = self.source[self.index]
            if char == "\\" and 0 < ord(self.at(self.index + 1) or "\0") <= 126:
                self.out.append(self.source[self.index + 1])
                self.index += 2
                continue
            if self.handle_expandable_end():
                continue
            reserved = "`" if self.in_code() else _RESERVED
            if char not in reserved:
                if char == "\n":
                    self.quote_end = self.out.position
                    line_start = True
                self.out.append(char)
                self.index += 1
                continue
            if self.stack and self.is_end(self.stack[-1]):
                self.close_entity()
            else:
                self.open_entity()
        if self.stack:
            top = self.stack[-1]
            raise EntityParseError(f"Can't find end of {_TYPE_NAMES[top.kind]} entity at byte offset {top.byte_pos}")
        self.close_quote(self.out.position)
        return self.out.text(), self.entities

    def handle_line_start(self) -> bool:
        """Open/continue/close a ``>`` blockquote; True if characters were consumed."""
        if self.source.startswith("**>", self.index) and self.quote_start is None:
            self.quote_start, self.quote_expandable = self.out.position, True
            self.index += 3
            return True
        if self.source[self.index] == ">":
            if self.quote_start is None:
                self.quote_start, self.quote_expandable = self.out.position, False
            self.index += 1
            return True
        self.close_quote(self.quote_end)
        return False

    def handle_expandable_end(self) -> bool:
        if not (self.quote_expandable and self.quote_start is not None):
            return False
        if not self.source.startswith("||", self.index) or self.at(self.index + 2) not in ("", "\n"):
            return False
        if self.stack and self.stack[-1].kind == "spoiler":
            return False
        self.close_quote(self.out.position)
        self.index += 2
        return True

    def close_quote(self, end: int) -> None:
        if self.quote_start is not None and end > self.quote_start:
            kind = "expandable_blockquote" if self.quote_expandable else "blockquote"
            self.entities.append(make_entity(kind, self.quote_start, end - self.quote_start))
        self.quote_start, self.quote_expandable = None, False

    def is_end(self, top: _Open) -> bool:
        char, following = self.source[self.index], self.at(self.index + 1)
        checks = {
            "bold": char == "*",
            "italic": char == "_" and following != "_",
            "underline": char == "_" and following == "_",
            "strikethrough": char == "~",
            "spoiler": char == "|" and following == "|",
            "code": char == "`",
            "pre": self.source.startswith("```", self.index),
            "text_link": char == "]",
            "custom_emoji": char == "]",
        }
        return checks[top.kind]

    def open_entity(self) -> None:
        begin, char, following = self.index, self.source[self.index], self.at(self.index + 1)
        language = None
        if char == "_":
            kind, width = ("underline", 2) if following == "_" else ("italic", 1)
        elif char in "*~[":
            kind, width = {"*": "bold", "~": "strikethrough", "[": "text_link"}[char], 1
        elif char == "|" and following == "|":
            kind, width = "spoiler", 2
        elif char == "!" and following == "[":
            kind, width = "custom_emoji", 2
        elif char == "`" and self.source.startswith("```", begin):
            kind, width = "pre", 3
            pos = begin + 3
            while pos < len(self.source) and not self.source[pos].isspace() and self.source[pos] != "`":
                pos += 1
            if pos > begin + 3 and self.at(pos) not in ("", "`"):
                language = self.source[begin + 3 : pos]
                width = pos - begin
            if self.at(begin + width) == "\n":
                width += 1
        elif char == "`":
            kind, width = "code", 1
        else:
            raise _reserved_error(char)
        self.stack.append(_Open(kind, self.out.position, byte_offset(self.source, begin), language))
        self.index = begin + width

    def close_entity(self) -> None:
        top = self.stack.pop()
        self.index += _CLOSER_WIDTH.get(top.kind, 1)
        extra: dict[str, Any] = {}
        if top.kind in ("text_link", "custom_emoji"):
            url = self.read_url(top)
            if top.kind == "custom_emoji":
                if not url.startswith("tg://emoji?id="):
                    raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                extra["custom_emoji_id"] = url.split("=", 1)[1]
            else:
                extra["url"] = url
        elif top.kind == "pre":
            extra["language"] = top.language
        length = self.out.position - top.start
        if length > 0 and (top.kind != "text_link" or extra["url"]):
            kind = "text_mention" if extra.get("url", "").startswith("tg://user?id=") else top.kind
            self.entities.append(make_entity(kind, top.start, length, **extra))

    def read_url(self, top: _Open) -> str:
        if self.at(self.index) != "(":
            return self.out.text()[-(self.out.position - top.start) :] if self.out.position > top.start else ""
        self.index += 1
        url_begin, url = self.index, []
        while self.index < len(self.source) and self.source[self.index] != ")":
            if self.source[self.index] == "\\" and 0 < ord(self.at(self.index + 1) or "\0") <= 126:
                url.append(self.source[self.index + 1])
                self.index += 2
                continue
            url.append(self.source[self.index])
            self.index += 1
        if self.index >= len(self.source):
            raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset(self.source, url_begin)}")
        self.index += 1
        return "".join(url)


def parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 into ``(plain_text, entities)``; raise EntityParseError."""
    return _MarkdownV2Parser(source).run()


def parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown into ``(plain_text, entities)``; raise EntityParseError."""
    out, entities, index = TextBuilder(), [], 0
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while index < len(source):
        char = source[index]
        if char == "\\" and source[index + 1 : index + 2] in ("_", "*", "`", "["):
            out.append(source[index + 1])
            index += 2
            continue
        if char not in "_*`[":
            out.append(char)
            index += 1
            continue
        error = EntityParseError(f"Can't find end of the entity starting at byte offset {byte_offset(source, index)}")
        start = out.position
        if source.startswith("```", index):
            end = source.find("```", index + 3)
            if end < 0:
                raise error
            body, language = source[index + 3 : end], None
            first_line, newline, rest = body.partition("\n")
            if newline and first_line and " " not in first_line:
                body, language = rest, first_line
            out.append(body)
            entities.append(make_entity("pre", start, out.position - start, language=language))
            index = end + 3
        elif char == "[":
            close = source.find("]", index + 1)
            if close < 0 or source[close + 1 : close + 2] != "(" or source.find(")", close) < 0:
                raise error
            url_end = source.find(")", close)
            out.append(source[index + 1 : close])
            entities.append(make_entity("text_link", start, out.position - start, url=source[close + 2 : url_end]))
            index = url_end + 1
        else:
            end = source.find(char, index + 1)
            if end < 0:
                raise error
            out.append(source[index + 1 : end])
            entities.append(make_entity(kinds[char], start, out.position - start))
            index = end + 1
    return out.text(), [e for e in entities if e["length"] > 0]
