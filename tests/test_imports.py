"""Imports are at the top of each module: none inside a function, none hidden under `if TYPE_CHECKING:`.

An import that has to be deferred hides a cycle between modules; the cure is to move the code the two modules
share to where it belongs (import-linter's contracts in pyproject.toml then keep the modules acyclic).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("bot", "handlers", "scheduler", "reports", "i18n", "models", "emulator", "bench", "tests")


def deferred_imports(source: str) -> list[int]:
    """Lines of imports inside a function or under `if TYPE_CHECKING:`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        hides = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or \
            (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
        if hides:
            lines += [inner.lineno for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)]
    return sorted(set(lines))


def test_the_check_sees_deferred_imports():
    assert deferred_imports("import os\ndef f():\n    from . import text\n") == [3]
    assert deferred_imports("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .server import S\n") == [3]
    assert deferred_imports("import os\nfrom .text import utf16_len\n") == []


def test_no_import_is_deferred():
    found = [f"{path.relative_to(ROOT)}:{line}" for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))
             for line in deferred_imports(path.read_text())]
    assert found == []


def test_each_domain_sub_package_says_what_it_holds():
    """A newcomer reads the domain from its sub-packages: each `__init__` says in one line what it holds."""
    packages = sorted((ROOT / "models").glob("*/__init__.py"))
    assert len(packages) >= 10
    silent = [init.parent.name for init in packages if not ast.get_docstring(ast.parse(init.read_text()))]
    assert silent == []
