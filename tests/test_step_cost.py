"""What one step of the form costs, and that what it saves on is never stale.

Given the demo office, a staf of Bidang Pelayanan Perizinan asked the first question of November 2026's form,
when she types a value, then it is stored and she is asked for its evidence in at most ten SQL statements, the
whole of `act`'s transaction: her member row with her roles and chat state, the update marked handled, the period
with the indicator and the PK's version, last month's value and the year so far in one query, the form under its
lock, its current value, the new revision, its audit entry, the evidence count, the next question; the targets
come from the process's cache.

Given the targets cached, when another process imports a PK Perubahan that re-targets the indicator, and then
imports it again with other targets on the same day (which rewrites the line in place), then each time the
next step shows the new target, as read from the database without the cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handlers.common import NOW, act_in_transaction, record_shown
from handlers.fill import flow
from handlers.router import route_message
from handlers.screens import Screen
from models.calc.capaian import Target
from models.calc.clock import system_clock
from models.calc.numbers import format_number
from models.collection.form_filling import context_for
from models.collection.realisasi import latest_revision
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.messaging.chat_state import ChatStep, get_state, question_of
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Role, Unit
from models.plan.indicators import Indicator, IndicatorTarget, MonthlyTarget, year_targets
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.plan.pk import version_for
from models.plan.targets import target_for
from models.store.database import create_db_engine, migrate, session_scope
from tests.conftest import office_moment

STAF = 130
NOVEMBER = date(2026, 11, 1)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(backend_url: str) -> Iterator[Engine]:
    """The demo PK, a staf of Bidang Pelayanan Perizinan, January to October 2026 closed and November open."""
    engine = create_db_engine(backend_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        unit = session.exec(select(Unit).where(Unit.name == "Bidang Pelayanan Perizinan")).one()
        _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=system_clock())
        accept_invite(session, token, STAF, "Rina", "id", now=system_clock())
        for number in range(1, 12):
            session.add(Period(kind=PeriodKind.MONTH, year=2026, number=number,
                               status=PeriodStatus.OPEN if number == 11 else PeriodStatus.CLOSED))
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


updates = iter(range(1, 10_000))


def step(engine: Engine, work: Callable[..., list[Screen]], *args: object) -> tuple[list[Screen], list[str]]:
    """`work` as `act` runs it for the staf's update, and the SQL statements of its whole transaction (finding the
    member, marking the update handled, the work, the commit; SQLite's `BEGIN IMMEDIATE` left out)."""
    with counting(engine) as statements, session_scope(engine) as session:
        session.info[NOW] = office_moment(date(2026, 12, 2))
        screens = act_in_transaction(session, STAF, next(updates), work, *args, answering=True,
                                     timezone="Asia/Jakarta")
    return screens, [statement for statement in statements if statement != "BEGIN IMMEDIATE"]


def shown(engine: Engine, message_id: int) -> tuple[Period, Indicator]:
    """The question asked is shown in message `message_id` (as `act` records it once sent); what it asks about."""
    with session_scope(engine) as session:
        member_id = session.exec(sa.text(f"SELECT id FROM members WHERE telegram_user_id = {STAF}")).scalar()
        question = question_of(session, member_id)
        record_shown(session, STAF, question.number, message_id)
        _, data = get_state(session, member_id)
        return session.get(Period, data["period_id"]), session.get(Indicator, data["indicator_id"])


def shown_target(engine: Engine, period: Period, indicator: Indicator) -> Target:
    with session_scope(engine) as session:
        return context_for(session, indicator, period).target


def stored_target(engine: Engine, period: Period, indicator: Indicator) -> Target:
    """The period's target as the database has it now, read without the cache."""
    with session_scope(engine) as session:
        lines = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id,
                                                           IndicatorTarget.year == 2026)
                             .order_by(IndicatorTarget.valid_from)).all()
        months = session.exec(select(MonthlyTarget).where(MonthlyTarget.indicator_id == indicator.id,
                                                          MonthlyTarget.year == 2026)).all()
        return target_for(year_targets(version_for(lines, period.ref), months), indicator.rule, period.ref)


def test_a_typed_value_takes_at_most_ten_statements_in_all(office: Engine) -> None:
    started, _ = step(office, flow.start)
    assert started, "no screens"
    period, indicator = shown(office, 500)
    target = shown_target(office, period, indicator)
    typed = format_number(target.value, None, "id")
    screens, statements = step(office, route_message, typed, 501, None)
    with session_scope(office) as session:
        stored = latest_revision(session, indicator.id, period.id)
        step_now, _ = get_state(session, stored.entered_by_id)
    assert stored is not None and stored.value == target.value, screens
    assert step_now is ChatStep.FILL_EVIDENCE, screens
    assert len(statements) <= 10, "\n".join(statements)


def import_elsewhere(url: str, path: Path, valid_from: date) -> None:
    """Import a PK Perubahan in another process (as the CLI's `import-pk` does)."""
    code = ("import sys, datetime\nfrom pathlib import Path\n"
            "from models.store.database import create_db_engine, session_scope\n"
            "from models.exchange.pk_import import import_pk\nfrom models.office.audit import Actor\n"
            "engine = create_db_engine(sys.argv[1])\n"
            "with session_scope(engine) as session:\n"
            "    import_pk(session, Path(sys.argv[2]), Actor.cli(), "
            "valid_from=datetime.date.fromisoformat(sys.argv[3]))\n")
    subprocess.run([sys.executable, "-c", code, url, str(path), valid_from.isoformat()], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def retargeted(path: Path, annual: str, quarter: str) -> Path:
    """The demo PK with P.1 (Jumlah NIB terbit, monthly, of Pelayanan Perizinan) given other targets."""
    text = DEMO_PK.read_text(encoding="utf-8")
    old = ";2026;1.200;300;300;300;300;"
    assert old in text
    path.write_text(text.replace(old, f";2026;{annual};{quarter};{quarter};{quarter};{quarter};"), encoding="utf-8")
    return path


def test_the_cached_targets_are_never_stale_after_another_process_imports(office: Engine, backend_url: str,
                                                                           tmp_path: Path) -> None:
    with session_scope(office) as session:
        period = session.exec(select(Period).where(Period.number == 11)).one()
        indicator = session.exec(select(Indicator).where(Indicator.code == "P.1")).one()
    before = shown_target(office, period, indicator)
    with counting(office) as statements:
        assert shown_target(office, period, indicator) == before  # from the cache now
    assert not any("indicator_targets" in statement for statement in statements), statements

    import_elsewhere(backend_url, retargeted(tmp_path / "perubahan.csv", "2.400", "600"), NOVEMBER)
    after = shown_target(office, period, indicator)
    assert after != before
    assert after == stored_target(office, period, indicator)

    import_elsewhere(backend_url, retargeted(tmp_path / "koreksi.csv", "3.600", "900"), NOVEMBER)  # in place
    corrected = shown_target(office, period, indicator)
    assert corrected not in (before, after)
    assert corrected == stored_target(office, period, indicator)


def test_targets_read_by_an_import_that_is_rolled_back_are_not_kept(office: Engine, backend_url: str,
                                                                    tmp_path: Path) -> None:
    """Given an import not yet committed, when its own transaction reads the new target and then rolls back, then
    the next step shows the target as it was; and after another process imports other targets (on SQLite its
    audit entries take the rolled-back ones' ids again), the next step shows those."""
    with session_scope(office) as session:
        period = session.exec(select(Period).where(Period.number == 11)).one()
        indicator = session.exec(select(Indicator).where(Indicator.code == "P.1")).one()
    before = shown_target(office, period, indicator)
    with Session(office) as session:
        import_pk(session, retargeted(tmp_path / "draft.csv", "2.400", "600"), Actor.cli(), valid_from=NOVEMBER)
        assert context_for(session, indicator, period).target != before  # its own, uncommitted, lines
        session.rollback()
    assert shown_target(office, period, indicator) == before

    import_elsewhere(backend_url, retargeted(tmp_path / "other.csv", "3.600", "900"), NOVEMBER)
    assert shown_target(office, period, indicator) == stored_target(office, period, indicator) != before
