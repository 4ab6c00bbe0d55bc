"""Every text exists in both languages with the same placeholders, and no user-facing text is written inline.

The code is read, not run: every call of `t(...)` in the project (every folder, however deep) names a key of the
catalogue, or an f-string prefix of some keys; and every string that reaches a user (a screen, a button, a
callback answer, a message, a caption, a command's description, what the command line prints) comes from the
catalogue, apart from formatting (line breaks, bullets, emoji, HTML tags around a text of the catalogue).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel import Locale

from i18n import LANGUAGES, catalogue, is_plural, placeholders, plural_form, t

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("bot", "handlers", "scheduler", "reports", "i18n", "models")
LETTER = re.compile(r"[^\W\d_]")  # a letter of any script (no digits, no underscore)
MARKUP = re.compile(r"</?[a-z]+>|&[a-z]+;|https?://\S*|[?&]\w+=")  # tags, entities and links say nothing
SYMBOLS = {"Rp"}  # the rupiah's symbol, the same in every language


def project_files() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_of(path): path for path in project_files()}


def parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


@cache
def parent_map(path: Path) -> dict[ast.AST, ast.AST]:
    return parents(parsed(path))


def scope_of(node: ast.AST, path: Path) -> ast.AST:
    """The function (or module) whose names `node` sees."""
    parent = parent_map(path)
    while node in parent:
        node = parent[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return node
    return node


def bindings(name: str, scope: ast.AST) -> Iterator[ast.expr]:
    """The expressions `name` is given in `scope`: assigned, added to (`+=`, `.append`, `.extend`, `.insert`), or
    looped over from a literal tuple or list."""
    for node in ast.walk(scope):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            yield node.value
        elif isinstance(node, ast.For | ast.comprehension) and isinstance(node.target, ast.Name) and \
                node.target.id == name and isinstance(node.iter, ast.Tuple | ast.List | ast.Set):
            yield from node.iter.elts
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == name and \
                node.func.attr in ("append", "extend", "insert"):
            yield node.args[-1]


# ------------------------------------------------------------------------------------------- keys in the code


def key_candidates(expr: ast.expr, scope: ast.AST) -> Iterator[tuple[str, bool]]:
    """(key, False) for each literal key `expr` can be, (prefix, True) for each f-string with a variable part."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr.value, False
    elif isinstance(expr, ast.JoinedStr):
        prefix = ""
        for part in expr.values:
            if not isinstance(part, ast.Constant):
                yield prefix, True
                return
            prefix += part.value
        yield prefix, False
    elif isinstance(expr, ast.IfExp):
        yield from key_candidates(expr.body, scope)
        yield from key_candidates(expr.orelse, scope)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from key_candidates(value, scope)
    elif isinstance(expr, ast.Name):
        for value in bindings(expr.id, scope):
            yield from key_candidates(value, scope)


def key_wrappers(tree: ast.Module) -> dict[str, str]:
    """Local helpers such as `def text(key): return t(f"laporan.{key}", ...)`: their name → the key's prefix."""
    wrappers = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        parameter = function.args.args[0].arg
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) and is_t(node.value) and \
                    isinstance(key := node.value.args[0], ast.JoinedStr) and len(key.values) == 2 and \
                    isinstance(key.values[0], ast.Constant) and isinstance(key.values[1], ast.FormattedValue) and \
                    isinstance(key.values[1].value, ast.Name) and key.values[1].value.id == parameter:
                wrappers[function.name] = key.values[0].value
    return wrappers


def is_t(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "t" and bool(call.args)


def keys_used() -> Iterator[tuple[str, int, str, bool, set[str] | None]]:
    """(file, line, key or prefix, is a prefix, the keyword arguments given (None with **params)) of every lookup."""
    for path in project_files():
        tree = parsed(path)
        wrappers = key_wrappers(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            given = None if any(keyword.arg is None for keyword in node.keywords) else \
                {keyword.arg for keyword in node.keywords}
            prefix = wrappers.get(node.func.id) if isinstance(node.func, ast.Name) else None
            if is_t(node) or prefix is not None:
                for key, is_prefix in key_candidates(node.args[0], scope_of(node, path)):
                    yield str(path.relative_to(ROOT)), node.lineno, (prefix or "") + key, is_prefix, given


def test_the_scan_sees_every_folder_and_many_keys():
    used = list(keys_used())
    folders = {file.split("/")[0] for file, *_ in used}
    assert folders >= {"bot", "handlers", "reports", "i18n"}
    assert any(file.count("/") >= 2 for file, *_ in used), "keys in sub-folders (handlers/fill/...) are seen"
    assert len({key for _, _, key, is_prefix, _ in used if not is_prefix}) > 250


def test_keys_used_in_code_exist_with_their_placeholders():
    """Every literal key passed to t() (or to a local wrapper of it) is in the catalogue, and the call gives every
    placeholder its text needs; every f-string key's prefix starts some key."""
    texts = catalogue("id")
    problems = []
    for file, line, key, is_prefix, given in keys_used():
        if is_prefix:
            if not any(name.startswith(key) for name in texts):
                problems.append(f"{file}:{line}: no key starts with {key!r}")
        elif key not in texts:
            problems.append(f"{file}:{line}: no key {key!r}")
        elif given is not None and not placeholders(texts[key]) <= given:
            problems.append(f"{file}:{line}: {key!r} needs {sorted(placeholders(texts[key]) - given)}")
        elif given is not None and "count" not in given and any(is_plural(catalogue(language)[key])
                                                                for language in LANGUAGES):
            problems.append(f"{file}:{line}: {key!r} has plural forms and needs a count")
    assert problems == []


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


# ------------------------------------------------------------------------------------------------- plurals


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_texts_have_exactly_the_forms_of_their_language(language):
    """English has "one" and "other"; Indonesian words a noun the same for any number, so it has no tables."""
    forms = {*Locale.parse(language).plural_form.tags, "other"}
    tables = {key: text for key, text in catalogue(language).items() if isinstance(text, dict)}
    assert {key: set(text) for key, text in tables.items() if set(text) != forms} == {}
    assert all("count" in placeholders(text) for text in tables.values())
    if language == "id":
        assert tables == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_hedges_a_plural_with_brackets(language):
    texts = [form for text in catalogue(language).values() for form in (text.values() if isinstance(text, dict)
                                                                          else [text])]
    assert [text for text in texts if re.search(r"\w\((s|es)\)", text)] == []


def test_a_count_chooses_the_plural_form():
    assert plural_form("en", 1) == "one" and plural_form("en", 0) == plural_form("en", 2) == "other"
    assert t("cli.import_failed", "en", count=1) == "File not imported: 1 problem."
    assert t("cli.import_failed", "en", count=2) == "File not imported: 2 problems."
    assert t("cli.import_failed", "en", count=0) == "File not imported: 0 problems."
    assert t("workbook.evidence", "en", count=1, names="foto") == "1 file: foto"
    assert t("workbook.evidence", "en", count=3, names="a, b, c") == "3 files: a, b, c"
    assert (t("reminder.overdue", "en", count=1), t("reminder.overdue", "en", count=4)) == ("1 day late",
                                                                                         "4 days late")
    assert t("cli.import_failed", "id", count=1) == "Berkas tidak diimpor: ada 1 masalah."
    assert t("workbook.evidence", "id", count=2, names="a, b") == "2 berkas: a, b"
    with pytest.raises(KeyError, match="needs a count"):
        t("workbook.evidence", "en", names="foto")


# ------------------------------------------------------------------------------------------- no inline texts

# Where a text reaches a user: the argument positions (or keywords) that are shown, and those that are buttons
# (rows of (label, callback data)).
SHOWN_BY_CALL = {  # a function or class called by name
    "Screen": ({0}, {"blocks"}),
    "Album": ({1}, {"caption"}),
    "Document": ({2}, {"caption"}),
    "BotCommand": ({1}, {"description"}),
    "InlineKeyboardButton": ({0}, {"text"}),
    "InputMediaPhoto": (set(), {"caption"}),
    "print": ({0}, set()),
    "_say": ({0}, set()),
}
SHOWN_BY_METHOD = {  # a method
    "of": ({0}, {"text"}),  # Screen.of
    "answer": ({0}, {"text"}),  # a callback query's answer
    "answer_callback_query": ({1}, {"text"}),
    "reply_text": ({0}, {"text"}),
    "reply_html": ({0}, {"text"}),
    "send_message": ({1}, {"text"}),
    "edit_message_text": ({0}, {"text"}),
    "edit_text": ({0}, {"text"}),
    "edit_caption": ({0}, {"caption"}),
    "edit_message_caption": (set(), {"caption"}),
    "send_document": (set(), {"caption"}),
    "send_photo": (set(), {"caption"}),
    "reply_document": (set(), {"caption"}),
    "reply_photo": (set(), {"caption"}),
}
BUTTONS = {"Screen": 1, "of": 1}  # the positional argument that holds buttons
MAX_DEPTH = 6  # how far a text is followed through variables and the project's own functions


def function_index() -> dict[str, dict[str, ast.FunctionDef]]:
    return {module: {node.name: node for node in parsed(path).body
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
            for module, path in modules().items()}


FUNCTIONS: dict[str, dict[str, ast.FunctionDef]] = {}


def imported(path: Path) -> dict[str, str]:
    """Names imported by a module → the project's module (for `from pkg import module`) or `module:function`."""
    names: dict[str, str] = {}
    for node in parsed(path).body if path.exists() else []:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                names[alias.asname or alias.name] = target if target in modules() else f"{node.module}:{alias.name}"
    return names


def resolve(func: ast.expr, path: Path) -> tuple[ast.FunctionDef, Path] | None:
    """The project function a call goes to, when it is named directly (`f(...)`, `views.f(...)`)."""
    if not FUNCTIONS:
        FUNCTIONS.update(function_index())
    module = module_of(path)
    names = imported(path)
    if isinstance(func, ast.Name):
        if func.id in FUNCTIONS.get(module, {}):
            return FUNCTIONS[module][func.id], path
        module, _, name = names.get(func.id, "").partition(":")
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in names:
        module, name = names[func.value.id], func.attr
    else:
        return None
    if name in FUNCTIONS.get(module, {}):
        return FUNCTIONS[module][name], modules()[module]
    return None


def inline_texts(expr: ast.expr | None, path: Path, scope: ast.AST, buttons: bool = False, depth: int = 0,
                 seen: set | None = None) -> Iterator[tuple[Path, ast.Constant]]:
    """String literals with letters that `expr` puts into what is shown (catalogue lookups excluded)."""
    seen = set() if seen is None else seen
    if expr is None or depth > MAX_DEPTH or (id(expr), buttons) in seen:
        return
    seen.add((id(expr), buttons))

    def inner(node: ast.expr | None, *, as_buttons: bool = buttons, deeper: int = depth,
              where: ast.AST = scope, file: Path = path) -> Iterator[tuple[Path, ast.Constant]]:
        return inline_texts(node, file, where, as_buttons, deeper, seen)

    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str) and expr.value not in SYMBOLS and LETTER.search(MARKUP.sub("", expr.value)):
            yield path, expr
    elif isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            yield from inner(part.value if isinstance(part, ast.FormattedValue) else part)
    elif isinstance(expr, ast.BinOp):
        yield from inner(expr.left)
        yield from inner(expr.right)
    elif isinstance(expr, ast.IfExp):
        yield from inner(expr.body)
        yield from inner(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from inner(value)
    elif isinstance(expr, ast.Tuple) and buttons and len(expr.elts) == 2:
        yield from inner(expr.elts[0], as_buttons=False)  # the label; the callback data is never shown
    elif isinstance(expr, ast.List | ast.Tuple | ast.Set):
        for element in expr.elts:
            yield from inner(element)
    elif isinstance(expr, ast.Starred):
        yield from inner(expr.value)
    elif isinstance(expr, ast.ListComp | ast.GeneratorExp):
        yield from inner(expr.elt)
    elif isinstance(expr, ast.Name):
        for value in bindings(expr.id, scope):
            yield from inner(value, deeper=depth + 1)
    elif isinstance(expr, ast.Call) and not is_t(expr):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in ("join", "format", "strip", "upper", "lower",
                                                                       "capitalize", "title", "replace"):
            yield from inner(expr.func.value)
            for argument in expr.args:
                yield from inner(argument)
        elif (target := resolve(expr.func, path)) is not None:
            function, file = target
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and scope_of(node, file) is function:
                    yield from inner(node.value, deeper=depth + 1, where=function, file=file)


def shown_arguments(call: ast.Call) -> Iterator[tuple[ast.expr, bool]]:
    """(argument, holds buttons) for each argument of a call that reaches a user."""
    if isinstance(call.func, ast.Name):
        name = call.func.id
        positions, keywords = SHOWN_BY_CALL.get(name, (set(), set()))
    elif isinstance(call.func, ast.Attribute):
        name = call.func.attr
        positions, keywords = SHOWN_BY_METHOD.get(name, (set(), set()))
    else:
        return
    for index, argument in enumerate(call.args):
        if index in positions:
            yield argument, False
        elif BUTTONS.get(name) == index:
            yield argument, True
    for keyword in call.keywords:
        if keyword.arg in keywords:
            yield keyword.value, False
        elif keyword.arg in ("buttons", "reply_markup"):
            yield keyword.value, True


def inline_user_texts() -> list[str]:
    offenders = set()
    for path in project_files():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Call):
                for argument, buttons in shown_arguments(node):
                    for file, literal in inline_texts(argument, path, scope_of(node, path), buttons):
                        offenders.add(f"{file.relative_to(ROOT)}:{literal.lineno}: {literal.value!r}")
    return sorted(offenders)


def test_no_user_facing_text_is_written_inline():
    """Screens, buttons, callback answers, messages, captions, command descriptions and the command line's output
    take their words from the catalogue."""
    assert inline_user_texts() == []


def test_the_inline_text_scan_sees_through_variables_views_and_buttons(tmp_path):
    """The scan itself: literals reach it through a variable, a view function of another module and a button."""
    source = ast.parse(
        "def view(language):\n"
        "    lines = [t('a.b', language)]\n"
        "    lines.append('Halo ' + name)\n"
        "    return Screen.of('\\n'.join(lines), [[('Kirim', pack('x.y'))]])\n"
        "async def answer(query):\n"
        "    await query.answer(text=f'<b>Selesai</b> {count}')\n"
        "    await query.answer('✅')\n")
    found = [literal.value for node in ast.walk(source) if isinstance(node, ast.Call)
             for argument, buttons in shown_arguments(node)
             for _, literal in inline_texts(argument, ROOT / "handlers" / "x.py", scope(source, node), buttons)]
    assert sorted(found) == sorted(["Halo ", "Kirim", "<b>Selesai</b> "])


def scope(tree: ast.Module, node: ast.AST) -> ast.AST:
    parent = parents(tree)
    while node in parent:
        node = parent[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return tree
