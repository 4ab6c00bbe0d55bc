"""Imports are at the top of each module: none inside a function, none hidden under `if TYPE_CHECKING:`.

An import that has to be deferred hides a cycle between modules; the cure is to move the code the two modules
share to where it belongs (import-linter's contracts in pyproject.toml then keep the modules acyclic).

The one exception is a module loaded late on purpose, because the start does not need it (matplotlib, openpyxl,
fpdf2, Alembic, aiohttp): `reports/heavy.py` is the one place that imports later (`importlib.import_module`), and
names only modules its layer may import.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from reports import heavy

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("bot", "handlers", "scheduler", "reports", "i18n", "models", "emulator", "bench", "tests")
LATE_LOADER = Path("reports/heavy.py")
CHECKS_THE_LOADER = Path("tests/test_imports.py")  # this module loads what the loader names, to check it
LATE_IMPORTS = {"import_module", "__import__"}
OURS = ("bot", "handlers", "scheduler", "reports", "i18n", "models", "emulator")
BELOW_THE_LOADER = ("reports", "i18n", "models", "emulator")  # its own layer, the layers below, the emulator


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


def late_imports(source: str) -> list[int]:
    """Lines that import by a computed name: `importlib.import_module(…)`, `__import__(…)`, or `import_module`
    imported to call it; and lines that take a name out of `reports.heavy` at the top (that loads it at once)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in LATE_IMPORTS:
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (
                (node.module == "importlib" and any(alias.name in LATE_IMPORTS for alias in node.names))
                or node.module == "reports.heavy"):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_check_sees_late_imports():
    assert late_imports("import importlib\nm = importlib.import_module('reports.charts')\n") == [2]
    assert late_imports("from importlib import import_module\n") == [1]
    assert late_imports("x = __import__('matplotlib')\n") == [1]
    assert late_imports("from reports.heavy import export_files\n") == [1]
    assert late_imports("from importlib import resources\nfrom reports import heavy\nheavy.export_files()\n") == []


def test_only_the_loader_imports_late():
    """Deferred imports are not scattered: `reports/heavy.py` is the one module that loads others on first use."""
    paths = [path for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))
             if path.relative_to(ROOT) not in (LATE_LOADER, CHECKS_THE_LOADER)]
    found = [f"{path.relative_to(ROOT)}:{line}" for path in paths for line in late_imports(path.read_text())]
    assert found == []
    assert late_imports((ROOT / LATE_LOADER).read_text())  # the check would see it there


def test_the_loader_names_what_its_layer_may_import():
    """import-linter sees no import made from a string, so this holds the loader to the layers: it names modules
    of `reports` and below (and the stand-alone emulator) or a library, never `bot`, `handlers` or `scheduler`;
    and each name it promises is there."""
    modules = [*heavy.LOADED_ON_FIRST_USE, *heavy.MODULES_ON_FIRST_USE.values()]
    assert [name for name in modules if name.split(".")[0] in OURS and not name.startswith(BELOW_THE_LOADER)] == []
    for module, names in heavy.LOADED_ON_FIRST_USE.items():
        loaded = importlib.import_module(module)
        assert [name for name in names if not hasattr(loaded, name)] == [], module
        assert [getattr(heavy, name) for name in names] == [getattr(loaded, name) for name in names]
    for name, module in heavy.MODULES_ON_FIRST_USE.items():
        assert getattr(heavy, name) is importlib.import_module(module)


def test_each_domain_sub_package_says_what_it_holds():
    """A newcomer reads the domain from its sub-packages: each `__init__` says in one line what it holds."""
    packages = sorted((ROOT / "models").glob("*/__init__.py"))
    assert len(packages) >= 10
    silent = [init.parent.name for init in packages if not ast.get_docstring(ast.parse(init.read_text()))]
    assert silent == []
