"""Telegram's ``parse_mode=HTML`` parser.

Modelled on the behaviour of Telegram's server (tdlib's ``parse_html``): only the
documented tags are accepted, every start tag needs a matching end tag, ``<`` always
starts a tag and only ``&lt; &gt; &amp; &quot;`` plus numeric entities are decoded.
The error messages match Telegram's (they follow ``can't parse entities: ``).

One deliberate difference, on by default (``strict_ampersand``): a bare ``&`` that does
not start a known entity is rejected.  Real Telegram keeps it as a literal ``&``, but an
unescaped ampersand almost always means the bot forgot ``html.escape`` on user data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .entities import TextBuilder, byte_offset, make_entity
from .errors import EntityParseError

_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    start: int
    byte_pos: int
    attributes: dict[str, str] = field(default_factory=dict)


def decode_entity(source: str, index: int) -> tuple[str | None, int]:
    """Decode the HTML entity at ``source[index] == '&'``; return (char, consumed)."""
    end = index + 1
    if end < len(source) and source[end] == "#":
        end += 1
        hexadecimal = end < len(source) and source[end] in "xX"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < len(source) and source[end] in allowed:
            end += 1
        if end == digits_start:
            return None, 0
        code = int(source[digits_start:end], 16 if hexadecimal else 10)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, 0
        char = chr(code)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        char = _NAMED_ENTITIES.get(source[index + 1 : end])
        if char is None:
            return None, 0
    if end < len(source) and source[end] == ";":
        end += 1
    return char, end - index


def _decode_value(value: str) -> str:
    result, index = [], 0
    while index < len(value):
        if value[index] == "&":
            char, consumed = decode_entity(value, index)
            if char is not None:
                result.append(char)
                index += consumed
                continue
        result.append(value[index])
        index += 1
    return "".join(result)


class _HtmlParser:
    def __init__(self, source: str, strict_ampersand: bool):
        self.source = source
        self.strict = strict_ampersand
        self.out = TextBuilder()
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []
        self.index = 0

    def error(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def byte(self, index: int) -> int:
        return byte_offset(self.source, index)

    def char(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        source = self.source
        while self.index < len(source):
            char = source[self.index]
            if char == "&":
                decoded, consumed = decode_entity(source, self.index)
                if decoded is not None:
                    self.out.append(decoded)
                    self.index += consumed
                    continue
                if self.strict:
                    raise self.error(
                        f"Unescaped '&' at byte offset {self.byte(self.index)} (emulator strict mode: use &amp;)"
                    )
            if char != "<":
                self.out.append(char)
                self.index += 1
                continue
            if self.char(self.index + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        for entity in self.entities:
            entity.pop("_language", None)
        return self.out.text(), self.entities

    def start_tag(self) -> None:
        begin = self.index
        pos = begin + 1
        while pos < len(self.source) and not self.source[pos].isspace() and self.source[pos] != ">":
            pos += 1
        if pos >= len(self.source):
            raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
        name = self.source[begin + 1 : pos].lower()
        if name not in _TAG_TYPES:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {self.byte(begin)}')
        attributes, pos = self.attributes(name, begin, pos)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte(begin)}')
        self.stack.append(_OpenTag(name, self.out.position, self.byte(begin), attributes))
        self.index = pos + 1

    def attributes(self, tag: str, begin: int, pos: int) -> tuple[dict[str, str], int]:
        source, attributes = self.source, {}
        while True:
            while pos < len(source) and source[pos].isspace():
                pos += 1
            if pos >= len(source):
                raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
            if source[pos] == ">":
                return attributes, pos
            name_start = pos
            while pos < len(source) and not source[pos].isspace() and source[pos] not in "=>":
                pos += 1
            name = source[name_start:pos].lower()
            if not name:
                raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte(begin)}')
            while pos < len(source) and source[pos].isspace():
                pos += 1
            if self.char(pos) != "=":
                if tag == "blockquote" and name == "expandable":
                    attributes[name] = ""
                    continue
                raise self.error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte(begin)}"
                )
            pos += 1
            while pos < len(source) and source[pos].isspace():
                pos += 1
            quote = self.char(pos)
            if not quote:
                raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
            if quote in "'\"":
                closing = source.find(quote, pos + 1)
                if closing < 0:
                    raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
                value, pos = source[pos + 1 : closing], closing + 1
            else:
                value_start = pos
                while pos < len(source) and (source[pos].isalnum() or source[pos] in ".-_"):
                    pos += 1
                if pos == value_start:
                    raise self.error(f"Unexpected end of name token at byte offset {self.byte(pos)}")
                value = source[value_start:pos]
            attributes[name] = _decode_value(value)

    def end_tag(self) -> None:
        begin = self.index
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {self.byte(begin)}")
        pos = begin + 2
        while pos < len(self.source) and not self.source[pos].isspace() and self.source[pos] != ">":
            pos += 1
        end_name = self.source[begin + 2 : pos].lower()
        while pos < len(self.source) and self.source[pos].isspace():
            pos += 1
        if self.char(pos) != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte(begin)}")
        open_tag = self.stack.pop()
        if end_name and end_name != open_tag.name:
            raise self.error(
                f"Unmatched end tag at byte offset {self.byte(begin)}, "
                f'expected "</{open_tag.name}>", found "</{end_name}>"'
            )
        self.index = pos + 1
        self.close(open_tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.out.position - tag.start
        if length <= 0:
            return
        kind, extra = _TAG_TYPES[tag.name], {}
        if kind == "text_link":
            url = tag.attributes.get("href", "")
            if not url:
                return
            if url.startswith("tg://user?id="):
                kind = "text_mention"
            extra["url"] = url
        elif kind == "custom_emoji":
            if "emoji-id" not in tag.attributes:
                raise self.error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {tag.byte_pos}')
            extra["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif kind == "blockquote" and "expandable" in tag.attributes:
            kind = "expandable_blockquote"
        elif kind == "code":
            language = tag.attributes.get("class", "")
            # Private marker, only used when a surrounding <pre> adopts the language.
            extra["_language"] = language[9:] if language.startswith("language-") else None
        elif kind == "pre" and self.entities:
            inner = self.entities[-1]
            if inner["type"] == "code" and (inner["offset"], inner["length"]) == (tag.start, length):
                self.entities.pop()
                extra["language"] = inner.get("_language")
        self.entities.append(make_entity(kind, tag.start, length, **extra))


def parse_html(source: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise EntityParseError."""
    return _HtmlParser(source, strict_ampersand).run()
