"""Message catalogues: every user-facing text, per language, keyed by dotted names.

Texts live in `id.toml` (Bahasa Indonesia, the default) and `en.toml`; code asks for `t("import.row_error",
"id", row=3, column="tahun", problem=...)`. Placeholders use `str.format` names. A key missing in a language
falls back to Indonesian, and a test checks that both files have the same keys and placeholders.

A text that counts something may have plural forms, chosen by its `count` placeholder with the language's CLDR
plural rules (Babel): a table of the forms the language has, `other` always among them, e.g. in English
`evidence = { one = "{count} file: {names}", other = "{count} files: {names}" }`. Indonesian words a noun the
same for any number, so its texts stay plain strings.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

from babel import Locale

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})  # CLDR's plural categories
_DIR = Path(__file__).parent

Message = str | dict[str, str]  # a text, or its plural forms by CLDR category


def is_plural(value: object) -> bool:
    """A table of plural forms (rather than a group of keys)."""
    return isinstance(value, dict) and "other" in value and set(value) <= PLURAL_FORMS


def _flatten(table: dict, prefix: str = "") -> dict[str, Message]:
    flat: dict[str, Message] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if is_plural(value):
            flat[name] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, Message]:
    with open(_DIR / f"{language}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def placeholders(text: Message) -> set[str]:
    """The placeholders of a text (of all its plural forms)."""
    forms = text.values() if isinstance(text, dict) else [text]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


@cache
def plural_rule(language: str):
    return Locale.parse(language).plural_form


def plural_form(language: str, count: object) -> str:
    """The CLDR plural category of `count` in `language` ("one", "other", ...)."""
    return plural_rule(language)(count)


def t(key: str, language: str | None = None, /, **params: object) -> str:
    """The text for `key` in `language` (Indonesian when unknown), filled with `params`; a text with plural
    forms takes the one its `count` asks for."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    texts = catalogue(language)
    text = texts.get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalogue")
    if isinstance(text, dict):
        if "count" not in params:
            raise KeyError(f"the message {key!r} has plural forms: it needs a count")
        text = text.get(plural_form(language, params["count"]), text["other"])
    return text.format(**params) if params else text
