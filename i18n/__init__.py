"""Message catalogues: every user-facing text, per language, keyed by dotted names.

Texts live in `id.toml` (Bahasa Indonesia, the default) and `en.toml`; code asks for `t("import.row_error",
"id", row=3, column="tahun", problem=...)`. Placeholders use `str.format` names. A key missing in a language
falls back to Indonesian, and a test checks that both files have the same keys and placeholders.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
_DIR = Path(__file__).parent


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    with open(_DIR / f"{language}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, language: str | None = None, /, **params: object) -> str:
    """The text for `key` in `language` (Indonesian when unknown), filled with `params`."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    texts = catalogue(language)
    text = texts.get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalogue")
    return text.format(**params) if params else text
