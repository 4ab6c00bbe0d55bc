"""Every text exists in both languages with the same placeholders, and handlers hold no inline texts."""

import ast
from pathlib import Path

import pytest

from i18n import LANGUAGES, catalogue, placeholders, t

ROOT = Path(__file__).resolve().parents[1]


def test_both_languages_have_every_key():
    indonesian, english = catalogue("id"), catalogue("en")
    assert set(indonesian) - set(english) == set(), "keys missing in en.toml"
    assert set(english) - set(indonesian) == set(), "keys missing in id.toml"


@pytest.mark.parametrize("key", sorted(catalogue("id")))
def test_placeholders_agree_between_languages(key):
    assert placeholders(catalogue("id")[key]) == placeholders(catalogue("en")[key])


def test_unknown_language_falls_back_to_indonesian():
    assert t("rating.tinggi", "fr") == "Tinggi"
    assert t("rating.tinggi", "en") == "High"
    assert LANGUAGES == ("id", "en")


def test_texts_keys_used_in_code_exist():
    """Every literal key passed to t()/text() in the code is in the catalogue."""
    keys = set(catalogue("id"))
    missing = []
    for path in [*ROOT.glob("bot/*.py"), *ROOT.glob("handlers/*.py"), *ROOT.glob("models/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("t", "text"):
                literal = next((a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                                and "." in a.value), None)
                if literal is not None and literal.value not in keys:
                    missing.append(f"{path.name}: {literal.value}")
    assert missing == []


def test_handlers_send_no_inline_texts():
    """Replies in handlers/ come from the catalogue: no string literal is passed to reply_* or send_*."""
    offenders = []
    for path in ROOT.glob("handlers/*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr.startswith(("reply_", "send_", "edit_message")):
                offenders += [f"{path.name}:{node.lineno}" for arg in node.args
                              if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    assert offenders == []
