"""The kabid in the loop: a Bidang's head hears when his staff send the form, and (KABID_REVIEW) approves it on
to the Sekretaris or returns it first; the form's transitions, their version checks and the mutu baku step."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from handlers.review.notices import form_sent
from models.collection.form_filling import record_value
from models.collection.forms import FormStatus, Review, ReviewDecision, UnitForm
from models.collection.kabid_review import approve_as_kabid, check_kabid_review, return_as_kabid
from models.collection.review import approve_unit_form, return_unit_form, send_for_review, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import ErrorCode, WorkflowError
from models.exchange.pk_import import import_pk
from models.messaging.notices import decode
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor, AuditEntry
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from models.timing.steps import Step
from tests.conftest import office_moment
from tests.test_races import race, refusals

PERIZINAN = "Bidang Pelayanan Perizinan"
STAF, KABID, SEKRETARIS, KABID_MODAL = 130, 131, 103, 121
PEOPLE = {STAF: (Role.STAF, PERIZINAN), KABID: (Role.KABID, PERIZINAN), SEKRETARIS: (Role.SEKRETARIS, "Sekretariat"),
          KABID_MODAL: (Role.KABID, "Bidang Penanaman Modal")}
VALUES = {"P.1": 100, "P.2": 95, "P.3": 7}
MONDAY = office_moment(datetime(2026, 2, 2).date())  # a working day, 09:00


def build_office(engine, people: dict) -> None:
    """The demo PK with only Pelayanan Perizinan's indicators active (a one-unit month), `people`, and January
    2026 open."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        for telegram_id, (role, unit) in people.items():
            _, token = create_invite(session, role, units[unit], Actor.cli(), now=MONDAY)
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=MONDAY)
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in VALUES
            session.add(indicator)
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN, opened_at=MONDAY))


@pytest.fixture
def office(engine):
    build_office(engine, PEOPLE)
    return engine


def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def indicator_id(session: Session, code: str) -> int:
    return session.exec(select(Indicator).where(Indicator.code == code)).one().id


def filled_form(session: Session, by: int = STAF, at: datetime = MONDAY) -> UnitForm:
    staff = member(session, by)
    period = session.exec(select(Period)).one()
    for code, value in VALUES.items():
        record_value(session, staff, session.get(Indicator, indicator_id(session, code)), period, Decimal(value),
                     now=at)
    return form_for(session, staff.unit_id, period.id)


def notices(session: Session) -> list[tuple[int, str, dict]]:
    """(telegram id, kind, params) of every queued notice, in order."""
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [(session.get(Member, row.member_id).telegram_user_id, row.kind, json.loads(row.params)) for row in rows]


def take_notices(session: Session) -> list[tuple[int, str, dict]]:
    """The notices queued so far, then forgotten (so a test reads what each step queued)."""
    queued = notices(session)
    for row in session.exec(select(OutboxMessage)):
        session.delete(row)
    session.flush()
    return queued


def form_moves(session: Session, form: UnitForm) -> list[tuple[str, int | None]]:
    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "unit_form", AuditEntry.entity_id == form.id,
                                                    AuditEntry.action.startswith("form."))
                           .order_by(AuditEntry.id)).all()
    return [(entry.action, session.get(Member, entry.actor_member_id).telegram_user_id) for entry in entries]


# -- the rule off (the default): the kabid hears, the Sekretaris reviews -------------------------------------------
def test_without_the_rule_the_kabid_is_told_once_and_the_form_goes_to_the_sekretaris(office):
    with session_scope(office) as session:
        form = filled_form(session)
        take_notices(session)
        submit_unit_form(session, member(session, STAF), form.id, now=MONDAY)
        assert FormStatus(form.status) is FormStatus.SUBMITTED
        staff_id = member(session, STAF).id
        assert take_notices(session) == [
            (SEKRETARIS, "review_request", {"form_id": form.id, "version": form.version, "resubmission": False}),
            (KABID, "form_sent", {"form_id": form.id, "version": form.version, "sender_id": staff_id}),
        ]  # the kabid of another Bidang hears nothing


def test_a_form_the_kabid_sends_himself_tells_nobody_of_it_but_the_sekretaris(office):
    with session_scope(office) as session:
        form = filled_form(session, by=KABID)
        take_notices(session)
        submit_unit_form(session, member(session, KABID), form.id, now=MONDAY, kabid_review=True)
        assert FormStatus(form.status) is FormStatus.SUBMITTED  # no step of his own form to himself
        assert [(who, kind) for who, kind, _ in take_notices(session)] == [(SEKRETARIS, "review_request")]


# -- the rule on: the kabid first ----------------------------------------------------------------------------------
def test_with_the_rule_the_form_waits_for_the_kabid_locked_and_out_of_the_sekretaris_reach(office):
    with session_scope(office) as session:
        form = filled_form(session)
        take_notices(session)
        submit_unit_form(session, member(session, STAF), form.id, now=MONDAY, kabid_review=True)
        assert FormStatus(form.status) is FormStatus.WAITING_KABID
        assert form.submitted_at is None  # handed in to the Sekretaris only once the kabid approves
        assert take_notices(session) == [
            (KABID, "kabid_review_request", {"form_id": form.id, "version": form.version, "resubmission": False})]
        period = session.exec(select(Period)).one()
        with pytest.raises(WorkflowError) as locked:
            record_value(session, member(session, STAF), session.get(Indicator, indicator_id(session, "P.1")),
                         period, Decimal(99), now=MONDAY)
        assert locked.value.code is ErrorCode.FORM_AT_KABID
        sekretaris = member(session, SEKRETARIS)
        for decide in (lambda: approve_unit_form(session, sekretaris, form.id, form.version, now=MONDAY),
                       lambda: return_unit_form(session, sekretaris, form.id, form.version,
                                                [indicator_id(session, "P.1")], "x", now=MONDAY)):
            with pytest.raises(WorkflowError) as refused:
                decide()
            assert refused.value.code is ErrorCode.NOT_ALLOWED
        assert FormStatus(form.status) is FormStatus.WAITING_KABID


def test_the_kabid_returns_an_indicator_the_staff_resubmit_and_his_approval_sends_it_on(office):
    with session_scope(office) as session:
        staff, kabid, sekretaris = member(session, STAF), member(session, KABID), member(session, SEKRETARIS)
        form = filled_form(session)
        submit_unit_form(session, staff, form.id, now=MONDAY, kabid_review=True)
        take_notices(session)
        p1 = indicator_id(session, "P.1")

        review = return_as_kabid(session, kabid, form.id, form.version, [p1], "Cek register", now=MONDAY)
        assert FormStatus(form.status) is FormStatus.RETURNED
        assert (review.decision, review.reviewer_id, review.arahan) == (ReviewDecision.RETURN, kabid.id,
                                                                         "Cek register")
        assert take_notices(session) == [(STAF, "form_returned", {"form_id": form.id, "review_id": review.id})]

        period = session.exec(select(Period)).one()
        record_value(session, staff, session.get(Indicator, p1), period, Decimal(101), now=MONDAY)
        submit_unit_form(session, staff, form.id, now=MONDAY, kabid_review=True)
        assert FormStatus(form.status) is FormStatus.WAITING_KABID
        assert take_notices(session) == [
            (KABID, "kabid_review_request", {"form_id": form.id, "version": form.version, "resubmission": True})]

        later = MONDAY + timedelta(hours=1)
        approve_as_kabid(session, kabid, form.id, form.version, now=later)
        assert FormStatus(form.status) is FormStatus.SUBMITTED and form.submitted_at == later
        assert take_notices(session) == [
            (SEKRETARIS, "review_request", {"form_id": form.id, "version": form.version, "resubmission": True})]
        approve_unit_form(session, sekretaris, form.id, form.version, now=later)
        assert FormStatus(form.status) is FormStatus.APPROVED
        assert form_moves(session, form) == [("form.at_kabid", STAF), ("form.returned", KABID),
                                             ("form.at_kabid", STAF), ("form.submitted", KABID),
                                             ("form.approved", SEKRETARIS)]
        # the kabid's approval is no Review of the Sekretaris's: the only approval recorded is hers
        assert [r.decision for r in session.exec(select(Review).order_by(Review.id))] == [ReviewDecision.RETURN,
                                                                                          ReviewDecision.APPROVE]


def test_two_presses_of_the_kabid_change_the_form_once(office):
    with session_scope(office) as session:
        staff, kabid = member(session, STAF), member(session, KABID)
        form = filled_form(session)
        submit_unit_form(session, staff, form.id, now=MONDAY, kabid_review=True)
        seen = form.version
        approve_as_kabid(session, kabid, form.id, seen, now=MONDAY)
        for again in (lambda: approve_as_kabid(session, kabid, form.id, seen, now=MONDAY),
                      lambda: return_as_kabid(session, kabid, form.id, seen, [indicator_id(session, "P.1")], "x",
                                              now=MONDAY),
                      lambda: check_kabid_review(session, kabid, form.id, seen)):
            with pytest.raises(WorkflowError) as refused:
                again()
            assert refused.value.code is ErrorCode.STALE and refused.value.details["form_id"] == form.id
        with pytest.raises(WorkflowError) as refused:  # no version named: the state decides
            approve_as_kabid(session, kabid, form.id, None, now=MONDAY)
        assert refused.value.code is ErrorCode.NOT_ALLOWED
        assert [action for action, _ in form_moves(session, form)] == ["form.at_kabid", "form.submitted"]


@pytest.mark.parametrize("who", [STAF, KABID_MODAL, SEKRETARIS])
def test_only_the_kabid_of_the_unit_decides_at_his_step(office, who):
    with session_scope(office) as session:
        form = filled_form(session)
        submit_unit_form(session, member(session, STAF), form.id, now=MONDAY, kabid_review=True)
        with pytest.raises(WorkflowError) as refused:
            approve_as_kabid(session, member(session, who), form.id, form.version, now=MONDAY)
        assert refused.value.code is ErrorCode.FORBIDDEN
        assert FormStatus(form.status) is FormStatus.WAITING_KABID


def test_a_unit_without_a_kabid_goes_straight_to_the_sekretaris(engine):
    build_office(engine, {STAF: PEOPLE[STAF], SEKRETARIS: PEOPLE[SEKRETARIS], KABID_MODAL: PEOPLE[KABID_MODAL]})
    with session_scope(engine) as session:
        form = filled_form(session)
        take_notices(session)
        submit_unit_form(session, member(session, STAF), form.id, now=MONDAY, kabid_review=True)
        assert FormStatus(form.status) is FormStatus.SUBMITTED
        assert [(who, kind) for who, kind, _ in take_notices(session)] == [(SEKRETARIS, "review_request")]


# -- the mutu baku -------------------------------------------------------------------------------------------------
def test_the_timeline_shows_the_kabid_step_when_the_office_has_it(office):
    sent, forwarded = MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=3)
    with session_scope(office) as session:
        form = filled_form(session)
        submit_unit_form(session, member(session, STAF), form.id, now=sent, kabid_review=True)
        approve_as_kabid(session, member(session, KABID), form.id, form.version, now=forwarded)
        period = session.exec(select(Period)).one()
        now = MONDAY + timedelta(hours=5)

        with_kabid = {timing.step: timing for timing in timeline(session, period, now, ScheduleRules(
            kabid_review=True))}
        steps = list(with_kabid)
        assert steps.index(Step.PENGISIAN) + 1 == steps.index(Step.VERIFIKASI_KABID)
        assert (with_kabid[Step.PENGISIAN].started_at, with_kabid[Step.PENGISIAN].ended_at) == (MONDAY, sent)
        kabid_step = with_kabid[Step.VERIFIKASI_KABID]
        assert (kabid_step.started_at, kabid_step.ended_at, kabid_step.actual) == (sent, forwarded,
                                                                                   timedelta(hours=2))
        assert kabid_step.standard == timedelta(minutes=90) and kabid_step.overdue
        assert with_kabid[Step.VERIFIKASI].started_at == forwarded  # the Sekretaris's step from the kabid's approval

        without = [timing.step for timing in timeline(session, period, now, ScheduleRules())]
        assert Step.VERIFIKASI_KABID not in without and Step.PENGISIAN in without


# -- two presses at once, in two bot processes (PostgreSQL) ----------------------------------------------------------
def test_the_kabid_s_approval_and_return_at_once_move_the_form_once(office):
    if office.dialect.name != "postgresql":
        pytest.skip("SQLite transactions begin with BEGIN IMMEDIATE: a second one waits for the first to end")
    with session_scope(office) as session:
        form = filled_form(session)
        submit_unit_form(session, member(session, STAF), form.id, now=MONDAY, kabid_review=True)
        take_notices(session)
        form_id, version, p1 = form.id, form.version, indicator_id(session, "P.1")

    outcomes = race(office, lambda session: approve_as_kabid(session, member(session, KABID), form_id, version,
                                                             now=MONDAY),
                    lambda session: return_as_kabid(session, member(session, KABID), form_id, version, [p1], "cek",
                                                    now=MONDAY))
    [refused] = refusals(outcomes)
    assert isinstance(refused, WorkflowError) and refused.code is ErrorCode.STALE
    with session_scope(office) as session:
        form = session.get(UnitForm, form_id)
        assert (FormStatus(form.status), form.version) == (FormStatus.SUBMITTED, version + 1)
        assert session.exec(select(Review).where(Review.form_id == form_id)).all() == []
        assert [(who, kind) for who, kind, _ in notices(session)] == [(SEKRETARIS, "review_request")]


def test_a_form_sent_by_an_import_tells_the_kabid_the_tim_sent_it(office):
    """`sakip-bot import-realisasi` (no member behind it) sends a unit's form straight to the Sekretaris, as
    before; its kabid hears that the Tim SAKIP sent it."""
    with session_scope(office) as session:
        form = filled_form(session)
        take_notices(session)
        assert send_for_review(session, form, Actor.cli(), now=MONDAY) == []
        queued = take_notices(session)
        assert queued[1] == (KABID, "form_sent", {"form_id": form.id, "version": form.version})
        screens = form_sent(session, member(session, KABID), decode("form_sent", queued[1][2]), MONDAY,
                            ScheduleRules())
        assert screens[0].blocks == ["📤 Formulir Bidang Pelayanan Perizinan · Januari 2026 dikirim Tim SAKIP ke "
                                     "Sekretaris."]
