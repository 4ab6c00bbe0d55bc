"""Error codes are a typed contract: every code of every enum has its text in both catalogues, every raise
site names its code by the enum, and a code outside the enum fails where it is raised, never when worded."""

import ast
import inspect
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest

import models.errors
from i18n import catalogue, placeholders
from i18n.codes import PREFIXES, text_key
from models.calc.numbers import AmbiguousNumber, InvalidNumber, NumberCode, NumberError
from models.errors import (
    WORKFLOW_PROBLEMS,
    DateWordsCode,
    ErrorCode,
    ExportCode,
    InviteCode,
    PeriodWordsCode,
    ProblemCode,
    SpreadsheetCode,
    WorkflowError,
)
from models.exchange.problems import NUMBER_PROBLEMS, RowProblem
from models.exchange.spreadsheets import SpreadsheetError
from models.office.invites import InviteError
from models.plan.period_words import PeriodWordsError
from reports.workbooks import ExportError

ROOT = Path(__file__).resolve().parents[1]
CODES = [code for enum in PREFIXES for code in enum]
# Each error class and the enum of its codes.
ERRORS = {
    "WorkflowError": ErrorCode,
    "InviteError": InviteCode,
    "SpreadsheetError": SpreadsheetCode,
    "RowProblem": ProblemCode,
    "ExportError": ExportCode,
    "InvalidNumber": NumberCode,
    "NumberError": NumberCode,
    "PeriodWordsError": PeriodWordsCode,
    "DateWordsError": DateWordsCode,
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("code", CODES, ids=lambda code: f"{type(code).__name__}.{code.name}")
def test_every_code_has_its_text(code, language):
    assert text_key(code) in catalogue(language), f"{text_key(code)} missing in {language}.toml"


def test_every_enum_of_codes_is_worded():
    """An enum of codes added to models/errors.py without a prefix in i18n/codes.py fails here."""
    enums = {value for value in vars(models.errors).values()
             if inspect.isclass(value) and issubclass(value, StrEnum) and value is not StrEnum}
    assert enums <= set(PREFIXES)
    assert set(ERRORS.values()) == set(PREFIXES)


def test_codes_are_todays_strings():
    """The values are what the catalogue keys and the audit log have always used."""
    assert ErrorCode.FORBIDDEN == "forbidden"
    assert ErrorCode("stale") is ErrorCode.STALE
    assert text_key(ErrorCode.PERIOD_CLOSED) == "error.period_closed"
    assert text_key(InviteCode.ALREADY_MEMBER) == "chat.invite_already_member"
    assert text_key(ProblemCode.WORKFLOW_FORM_APPROVED) == "import.problem.workflow_form_approved"
    assert text_key(NumberCode.AMBIGUOUS) == "fill.invalid_ambiguous"


def test_unknown_codes_fail_where_raised():
    for make in (lambda: WorkflowError("no_such_code"), lambda: InviteError("no_such_code"),
                 lambda: SpreadsheetError("no_such_code"), lambda: ExportError("no_such_code"),
                 lambda: RowProblem(2, "kode", "no_such_code"), lambda: InvalidNumber("no_such_code", "x"),
                 lambda: PeriodWordsError("no_such_code", value="x")):
        with pytest.raises(ValueError):
            make()
    assert WorkflowError("stale", form_id=1).code is ErrorCode.STALE  # a known string still becomes the member


def test_codes_carried_are_members():
    assert isinstance(WorkflowError(ErrorCode.FORBIDDEN, action="x").code, ErrorCode)
    assert isinstance(AmbiguousNumber("1.234", (Decimal(1234), Decimal("1.234"))).code, NumberCode)
    assert isinstance(NumberError(NumberCode.EMPTY, "").code, NumberCode)
    assert isinstance(RowProblem(2, "kode", ProblemCode.REQUIRED).code, ProblemCode)


def test_mapped_codes_agree():
    for error, problem in WORKFLOW_PROBLEMS.items():
        assert problem == f"workflow_{error}"
    for number, problem in NUMBER_PROBLEMS.items():
        assert problem == number


def _sources():
    for folder in ("bot", "handlers", "models", "reports", "scheduler", "i18n"):
        yield from (ROOT / folder).rglob("*.py")


def test_raise_sites_name_their_code_by_the_enum():
    """`WorkflowError("stale")` would still work (the string becomes the member), but the contract is the enum:
    a code typed as text is not found by a reader looking for its uses."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ERRORS:
                continue
            position = 2 if name == "RowProblem" else 0
            args = node.args[position:position + 1]
            if args and not isinstance(args[0], ast.Attribute | ast.Subscript | ast.Name | ast.Call):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert found == []


def test_raise_sites_give_the_details_their_text_needs():
    """`WorkflowError(ErrorCode.PERIOD_CLOSED)` without `period=` would show a broken text; the wording adds
    `column` to a row problem itself, and a number's text gets the typed `raw` from the chat."""
    enums = {enum.__name__: enum for enum in PREFIXES}
    given_by_wording = {"RowProblem": {"column"}}
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(getattr(node, "func", None), "id", None)
            if not isinstance(node, ast.Call) or name not in ERRORS or ERRORS[name] is NumberCode:
                continue
            position = 2 if name == "RowProblem" else 0
            code = node.args[position] if len(node.args) > position else None
            if not (isinstance(code, ast.Attribute) and getattr(code.value, "id", None) in enums):
                continue
            member = enums[code.value.id][code.attr]
            needed = placeholders(catalogue("id")[text_key(member)]) - given_by_wording.get(name, set())
            if needed - {keyword.arg for keyword in node.keywords}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {member!r} needs {sorted(needed)}")
    assert found == []
