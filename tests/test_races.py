"""Two bot processes deciding the same thing at once: one decision wins, the other is refused as when sequential.

Each case runs two real transactions on two connections in two threads. A gate holds each thread before its
first write or row lock until both have come that far, so both have read the state before either changes it: the
interleaving that let one invitation join two people and both "Izinkan" and "Tolak" of one unlock apply; then
they are let go a moment apart, so which one wins is known.
PostgreSQL only: SQLite takes its write lock when a transaction begins (`BEGIN IMMEDIATE`), so writers never
interleave there.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.calc.clock import OFFICE_TZ, system_clock
from models.collection.form_filling import record_value
from models.collection.forms import (
    Disposition,
    DispositionDecision,
    PeriodReport,
    Review,
    UnitForm,
    UnlockRequest,
    UnlockStatus,
)
from models.collection.opening import open_period, set_period_status
from models.collection.realisasi import Realisasi
from models.collection.review import (
    approve_unit_form,
    decide_unlock,
    request_unlock,
    return_unit_form,
    submit_unit_form,
)
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import ErrorCode, InviteCode, WorkflowError
from models.exchange.pk_import import import_pk
from models.measurement.cycle import (
    MeasurementCycle,
    approve_measurement,
    cycle_of,
    return_measurement,
    start_by_hand,
    submit_measurement,
    write_analysis,
    write_rencana_aksi,
)
from models.messaging.outbox import OutboxMessage
from models.office.acting_officials import ActingKind, ActingOfficial, appoint
from models.office.audit import Actor, AuditEntry
from models.office.invites import Invite, InviteError, accept_invite, create_invite
from models.office.members import set_active, toggle_role
from models.office.organisation import Member, MemberRole, Role, Unit, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from tests.conftest import empty_database, migrated_engine

NOW = system_clock()  # the moment every decision of these races is taken at
pytestmark = pytest.mark.postgresql

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|SAVEPOINT)\b|\bFOR UPDATE\b", re.IGNORECASE)
JANUARY = PeriodRef(PeriodKind.MONTH, 2026, 1)
MARCH = PeriodRef(PeriodKind.MONTH, 2026, 3)
TW1 = PeriodRef(PeriodKind.QUARTER, 2026, 1)
GATE_TIMEOUT = 3  # seconds: a thread refused before writing never comes to the gate
STAGGER = 0.2  # seconds between the threads let go at the gate: which one wins is known


@pytest.fixture
def engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    with empty_database("postgresql", tmp_path) as url:
        engine = migrated_engine(url, sqlite_template)
        yield engine
        engine.dispose()


def race(engine: Engine, *steps: Callable[[Session], object], stagger: float = STAGGER,
         writes: re.Pattern[str] = WRITE) -> list[object]:
    """Run each step in its own transaction and thread, all held before their first write (the first statement
    matching `writes`) until all have read, then let go `stagger` seconds apart in their order (the first one
    writes first); returns each step's result, or the exception it raised."""
    gate = threading.Barrier(len(steps))
    local = threading.local()

    def hold(connection, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if getattr(local, "racing", False) and writes.search(statement):
            local.racing = False
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(GATE_TIMEOUT)
            time.sleep(local.order * stagger)

    def run(order_and_step: tuple[int, Callable[[Session], object]]) -> object:
        local.order, step = order_and_step
        local.racing = True
        try:
            with session_scope(engine) as session:
                return step(session)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc
        finally:
            local.racing = False

    sa.event.listen(engine, "before_cursor_execute", hold)
    try:
        with ThreadPoolExecutor(len(steps)) as pool:
            return list(pool.map(run, enumerate(steps)))
    finally:
        sa.event.remove(engine, "before_cursor_execute", hold)


def refusals(outcomes: list[object]) -> list[Exception]:
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]


def invite(engine: Engine) -> str:
    with session_scope(engine) as session:
        return create_invite(session, Role.ADMIN, ensure_office(session, Actor.cli()), Actor.cli(), now=NOW)[1]


def join(token: str, telegram_id: int) -> Callable[[Session], object]:
    return lambda session: accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=NOW)


def test_one_invitation_pressed_by_two_people_at_once_joins_one(engine: Engine):
    token = invite(engine)
    outcomes = race(engine, join(token, 501), join(token, 502))
    [refused] = refusals(outcomes)
    assert isinstance(refused, InviteError) and refused.code is InviteCode.USED
    with session_scope(engine) as session:
        [member] = session.exec(select(Member)).all()
        assert session.exec(select(Invite)).one().used_by_id == member.id
        assert session.exec(select(MemberRole)).all() == [MemberRole(member_id=member.id, role=Role.ADMIN)]
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "member.join")).all()) == 1


def test_one_person_joining_twice_at_once_becomes_one_member(engine: Engine):
    token = invite(engine)
    outcomes = race(engine, join(token, 501), join(token, 501))
    [refused] = refusals(outcomes)
    assert isinstance(refused, InviteError) and refused.code is InviteCode.ALREADY_MEMBER
    with session_scope(engine) as session:
        assert len(session.exec(select(Member)).all()) == 1


def test_one_person_joining_with_two_invitations_at_once_uses_one(engine: Engine):
    first, second = invite(engine), invite(engine)
    outcomes = race(engine, join(first, 501), join(second, 501))
    [refused] = refusals(outcomes)
    assert isinstance(refused, InviteError) and refused.code is InviteCode.ALREADY_MEMBER
    with session_scope(engine) as session:
        [member] = session.exec(select(Member)).all()
        assert [i.used_by_id for i in session.exec(select(Invite).order_by(Invite.id))].count(member.id) == 1
        assert [i.used_at is None for i in session.exec(select(Invite))].count(True) == 1


PEOPLE = {130: (Role.STAF, "Bidang Pelayanan Perizinan"), 131: (Role.STAF, "Bidang Pelayanan Perizinan"),
          103: (Role.SEKRETARIS, "Sekretariat"), 104: (Role.SEKRETARIS, "Sekretariat"), 102: (Role.KEPALA, None),
          101: (Role.ADMIN, None), 105: (Role.ADMIN, None)}
VALUES = {"P.1": 100, "P.2": 95, "P.3": 7}  # Pelayanan Perizinan's monthly indicators
QUARTERLY = {"S.2": 83}  # and its quarterly one


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The demo PK with only Pelayanan Perizinan's indicators active, two of its staf, two Sekretaris, the Kepala
    Dinas and two admins."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        office_unit = next(u for u in units.values() if u.parent_id is None)
        for telegram_id, (role, unit) in PEOPLE.items():
            _, token = create_invite(session, role, units[unit] if unit else office_unit, Actor.cli(), now=NOW)
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=NOW)
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in VALUES | QUARTERLY
            session.add(indicator)
    return engine


def approve(session: Session, ref: PeriodRef, values: dict[str, int]) -> UnitForm:
    """The period opened, its values entered by the staf, sent and approved by a Sekretaris."""
    period = Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.OPEN,
                    deadline=ref.day_after_end(10))
    session.add(period)
    session.flush()
    staf, sekretaris = person(session, 130), person(session, 103)
    for code, value in values.items():
        record_value(session, staf, indicator(session, code), period, Decimal(value), now=NOW)
    form = form_for(session, staf.unit_id, period.id)
    submit_unit_form(session, staf, form.id, form.version, now=NOW)
    approve_unit_form(session, sekretaris, form.id, form.version, now=NOW)
    return form


@pytest.fixture
def approved(office: Engine) -> tuple[int, int]:
    """Pelayanan Perizinan's January 2026 form approved; returns (form id, P.2's id)."""
    with session_scope(office) as session:
        form = approve(session, JANUARY, VALUES)
        return form.id, indicator(session, "P.2").id


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def person(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def test_an_unlock_granted_and_refused_at_once_is_decided_once(engine: Engine, approved: tuple[int, int]):
    form_id, indicator_id = approved
    with session_scope(engine) as session:
        request_id = request_unlock(session, person(session, 130), form_id, indicator_id, "salah ketik", now=NOW).id

    def decide(telegram_id: int, grant: bool) -> Callable[[Session], object]:
        return lambda session: decide_unlock(session, person(session, telegram_id), request_id, grant, now=NOW)

    outcomes = race(engine, decide(103, True), decide(104, False))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.ALREADY_DECIDED
    with session_scope(engine) as session:
        request = session.get(UnlockRequest, request_id)
        assert refused.details["by"] == request.decided_by_id
        assert refused.details["at"] == request.decided_at
        granted = UnlockStatus(request.status) is UnlockStatus.GRANTED
        assert (session.get(UnitForm, form_id).status == "returned") is granted
        decisions = session.exec(select(AuditEntry).where(AuditEntry.action.startswith("unlock.")
                                                          & (AuditEntry.action != "unlock.request"))).all()
        assert [entry.action for entry in decisions] == [f"unlock.{request.status}"]
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "unlock_decided")).all()) == 1


def test_one_item_asked_to_unlock_twice_at_once_is_asked_once(engine: Engine, approved: tuple[int, int]):
    form_id, indicator_id = approved

    def ask(session: Session) -> object:
        return request_unlock(session, person(session, 130), form_id, indicator_id, "salah ketik", now=NOW).id

    outcomes = race(engine, ask, ask)
    assert not refusals(outcomes) and outcomes[0] == outcomes[1]
    with session_scope(engine) as session:
        assert len(session.exec(select(UnlockRequest)).all()) == 1
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "unlock_request")).all()) == 2


def test_an_unlock_granted_as_the_month_is_reported_leaves_no_returned_form_in_the_report(
        engine: Engine, approved: tuple[int, int]):
    form_id, indicator_id = approved
    with session_scope(engine) as session:
        request_id = request_unlock(session, person(session, 130), form_id, indicator_id, "salah ketik", now=NOW).id
        period_id = session.get(UnitForm, form_id).period_id

    outcomes = race(engine, lambda session: decide_unlock(session, person(session, 103), request_id, True, now=NOW),
                    lambda session: report_to_kepala(session, person(session, 104), period_id, now=NOW))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError)
    assert refused.code in (ErrorCode.NOT_ALL_APPROVED, ErrorCode.ALREADY_REPORTED_LOCKED)
    with session_scope(engine) as session:
        reported = session.exec(select(PeriodReport)).first() is not None
        assert (session.get(UnitForm, form_id).status == "approved") is reported


def test_a_form_approved_and_returned_at_once_moves_once(office: Engine):
    """Already safe before: the form is re-read under a row lock and the version each button was made for checked."""
    with session_scope(office) as session:
        period = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        staf = person(session, 130)
        for code, value in VALUES.items():
            record_value(session, staf, indicator(session, code), period, Decimal(value), now=NOW)
        form = form_for(session, staf.unit_id, period.id)
        submit_unit_form(session, staf, form.id, form.version, now=NOW)
        form_id, version, p2 = form.id, form.version, indicator(session, "P.2").id

    outcomes = race(office, lambda session: approve_unit_form(session, person(session, 103), form_id, version, now=NOW),
                    lambda session: return_unit_form(session, person(session, 104), form_id, version, [p2], "cek",
                                                     now=NOW))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.STALE
    with session_scope(office) as session:
        assert session.get(UnitForm, form_id).version == version + 1
        assert len(session.exec(select(Review).where(Review.form_id == form_id)).all()) == 1


def test_a_month_reported_twice_at_once_is_reported_once(engine: Engine, approved: tuple[int, int]):
    """Already safe before: the period is locked before its report is looked for."""
    with session_scope(engine) as session:
        period_id = session.get(UnitForm, approved[0]).period_id

    def report(telegram_id: int) -> Callable[[Session], object]:
        return lambda session: report_to_kepala(session, person(session, telegram_id), period_id, now=NOW)

    outcomes = race(engine, report(103), report(104))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.ALREADY_REPORTED
    with session_scope(engine) as session:
        assert len(session.exec(select(PeriodReport)).all()) == 1
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "kepala_report")).all()) == 1


def test_a_month_closed_by_hand_as_it_is_disposed_stays_archived(engine: Engine, approved: tuple[int, int]):
    with session_scope(engine) as session:
        period_id = session.get(UnitForm, approved[0]).period_id
        report_to_kepala(session, person(session, 103), period_id, now=NOW)

    def close(session: Session) -> object:
        return set_period_status(session, person(session, 101), period_id, PeriodStatus.CLOSED, now=NOW)

    def agree(session: Session) -> object:
        return dispose(session, person(session, 102), period_id, DispositionDecision.AGREE, now=NOW)

    outcomes = race(engine, agree, close)
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.PERIOD_ARCHIVED
    with session_scope(engine) as session:
        assert PeriodStatus(session.get(Period, period_id).status) is PeriodStatus.ARCHIVED


def test_a_triwulan_whose_last_two_periods_are_disposed_at_once_gets_its_measurement(office: Engine):
    with session_scope(office) as session:
        for month in (1, 2):
            session.add(Period(kind=PeriodKind.MONTH, year=2026, number=month, status=PeriodStatus.ARCHIVED))
        march = approve(session, MARCH, VALUES).period_id
        quarter = approve(session, TW1, QUARTERLY).period_id
        for period_id in (march, quarter):
            report_to_kepala(session, person(session, 103), period_id, now=NOW)

    def disposal(period_id: int) -> Callable[[Session], object]:
        return lambda session: dispose(session, person(session, 102), period_id, DispositionDecision.AGREE, now=NOW)

    assert not refusals(race(office, disposal(march), disposal(quarter), stagger=0))
    with session_scope(office) as session:
        assert cycle_of(session, TW1) is not None


def archive_tw1(engine: Engine) -> None:
    """Triwulan I's periods archived: its measurement may start."""
    with session_scope(engine) as session:
        for ref in (*(PeriodRef(PeriodKind.MONTH, 2026, month) for month in (1, 2, 3)), TW1):
            session.add(Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.ARCHIVED))


def test_a_measurement_started_by_hand_twice_at_once_is_started_once(office: Engine):
    archive_tw1(office)
    def start(telegram_id: int) -> Callable[[Session], object]:
        return lambda session: start_by_hand(session, person(session, telegram_id), TW1, now=NOW).id

    outcomes = race(office, start(103), start(104))
    assert not refusals(outcomes) and outcomes[0] == outcomes[1]
    with session_scope(office) as session:
        assert len(session.exec(select(MeasurementCycle)).all()) == 1


def test_two_admins_deactivating_each_other_at_once_leave_an_admin(office: Engine):
    def deactivate(telegram_id: int, other: int) -> Callable[[Session], object]:
        return lambda session: set_active(session, person(session, telegram_id), person(session, other).id, False,
                                          now=NOW)

    outcomes = race(office, deactivate(101, 105), deactivate(105, 101))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code in (ErrorCode.LAST_ADMIN, ErrorCode.FORBIDDEN)
    with session_scope(office) as session:
        assert [person(session, t).active for t in (101, 105)] == [True, False]


def test_one_role_toggled_by_two_admins_at_once_is_toggled_twice_as_one_after_the_other(office: Engine):
    def toggle(telegram_id: int) -> Callable[[Session], object]:
        return lambda session: toggle_role(session, person(session, telegram_id), person(session, 130).id, Role.KABID,
                                           now=NOW)

    assert not refusals(race(office, toggle(101), toggle(105)))
    with session_scope(office) as session:
        staf = person(session, 130)
        assert session.exec(select(MemberRole.role).where(MemberRole.member_id == staf.id)).all() == [Role.STAF]
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "member.roles")).all()) == 2


def test_two_colleagues_answering_a_period_first_at_once_share_one_form(office: Engine):
    with session_scope(office) as session:
        period = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        period_id = period.id

    def answer(telegram_id: int, code: str) -> Callable[[Session], object]:
        return lambda session: record_value(session, person(session, telegram_id), indicator(session, code),
                                            session.get(Period, period_id), Decimal(VALUES[code]), now=NOW)

    # held before creating the form: both have looked for it under lock and found none, so the second's insert
    # meets the first's (a unique violation) and takes the form the first made
    creating = re.compile(r"^\s*SAVEPOINT\b")
    assert not refusals(race(office, answer(130, "P.1"), answer(131, "P.2"), writes=creating))
    with session_scope(office) as session:
        assert len(session.exec(select(UnitForm)).all()) == 1
        assert len(session.exec(select(Realisasi)).all()) == 2


def test_a_period_opened_by_hand_twice_at_once_is_created_once(office: Engine):
    def open_march(telegram_id: int) -> Callable[[Session], object]:
        return lambda session: open_period(session, person(session, telegram_id), MARCH, None, now=NOW).id

    outcomes = race(office, open_march(101), open_march(105))
    assert not refusals(outcomes) and outcomes[0] == outcomes[1]
    with session_scope(office) as session:
        assert PeriodStatus(session.exec(select(Period)).one().status) is PeriodStatus.OPEN


def test_a_measurement_approved_and_returned_at_once_moves_once(office: Engine):
    """Already safe before: the measurement is re-read under a row lock and the button's version checked."""
    archive_tw1(office)
    with session_scope(office) as session:
        cycle = start_by_hand(session, person(session, 103), TW1, now=NOW)
        write_analysis(session, person(session, 103), cycle.id, "Capaian sesuai target.", now=NOW)
        write_rencana_aksi(session, person(session, 103), cycle.id, "Pertahankan layanan.", now=NOW)
        submit_measurement(session, person(session, 103), cycle.id, cycle.version, now=NOW)
        cycle_id, version = cycle.id, cycle.version

    outcomes = race(office,
                    lambda session: approve_measurement(session, person(session, 103), cycle_id, version, now=NOW),
                    lambda session: return_measurement(session, person(session, 104), cycle_id, version, "cek",
                                                       now=NOW))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.MEASUREMENT_STALE
    with session_scope(office) as session:
        assert session.get(MeasurementCycle, cycle_id).version == version + 1


def test_a_month_s_last_two_forms_approved_at_once_tell_the_sekretaris_it_is_ready(office: Engine):
    with session_scope(office) as session:
        s1 = indicator(session, "S.1")
        s1.active = True
        session.add(s1)
        _, token = create_invite(session, Role.STAF, session.get(Unit, s1.unit_id), Actor.cli(), now=NOW)
        accept_invite(session, token, 140, "member 140", "id", now=NOW)
        period = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        forms = []
        for telegram_id, values in ((130, VALUES), (140, {"S.1": 40_000_000_000})):
            staf = person(session, telegram_id)
            for code, value in values.items():
                record_value(session, staf, indicator(session, code), period, Decimal(value), now=NOW)
            form = form_for(session, staf.unit_id, period.id)
            submit_unit_form(session, staf, form.id, form.version, now=NOW)
            forms.append((form.id, form.version))

    def approval(telegram_id: int, form_id: int, version: int) -> Callable[[Session], object]:
        return lambda session: approve_unit_form(session, person(session, telegram_id), form_id, version, now=NOW)

    assert not refusals(race(office, approval(103, *forms[0]), approval(104, *forms[1]), stagger=0))
    with session_scope(office) as session:
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "report_ready")).all()) == 2


def test_a_month_disposed_twice_at_once_is_disposed_once(engine: Engine, approved: tuple[int, int]):
    """Already safe before: the period is locked before its disposition is looked for."""
    with session_scope(engine) as session:
        period_id = session.get(UnitForm, approved[0]).period_id
        report_to_kepala(session, person(session, 103), period_id, now=NOW)

    def disposal(decision: DispositionDecision, arahan: str | None) -> Callable[[Session], object]:
        return lambda session: dispose(session, person(session, 102), period_id, decision, arahan, now=NOW)

    outcomes = race(engine, disposal(DispositionDecision.AGREE, None), disposal(DispositionDecision.ARAHAN, "cek"))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.ALREADY_DISPOSED
    with session_scope(engine) as session:
        [disposition] = session.exec(select(Disposition)).all()
        assert DispositionDecision(disposition.decision) is DispositionDecision.AGREE
        assert refused.details == {"by": disposition.kepala_id, "at": disposition.created_at}


def test_two_overlapping_acting_officials_named_at_once_are_named_once(office: Engine):
    """Two admins naming a Plh Sekretaris for overlapping days at once: the second waits for the first (the admins'
    rows, as member administration) and is refused, naming the first."""
    today = NOW.astimezone(OFFICE_TZ).date()

    def name(telegram_id: int, days: int) -> Callable[[Session], object]:
        return lambda session: appoint(session, Actor.member(person(session, 101).id), Role.SEKRETARIS,
                                       person(session, telegram_id).id, ActingKind.PLH, today,
                                       today + timedelta(days=days), tz=OFFICE_TZ, now=NOW)

    outcomes = race(office, name(130, 5), name(131, 3))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.ACTING_OVERLAP
    assert refused.details["name"] == "member 130"
    with session_scope(office) as session:
        assert [a.member_id for a in session.exec(select(ActingOfficial))] == [person(session, 130).id]
