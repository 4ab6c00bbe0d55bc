"""The SOP's form workflow (Procedure A steps 7 and 10): draft → submitted → returned → submitted → approved.

Given a unit with indicators and an open period, when staff enter realisasi and send the form, and the
Sekretaris returns it with arahan or approves it, then each step is allowed only from the right state, names the
version it saw (two quick presses change once), and leaves an audit entry with before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from models.calc.clock import OFFICE_TZ, system_clock
from models.collection.forms import FormStatus, Review, ReviewDecision, ReviewItem, UnitForm
from models.collection.realisasi import Realisasi
from models.collection.workflow import approve_form, enter_realisasi, form_for, return_form, submit_form
from models.demo import DEMO_PK
from models.errors import WorkflowError
from models.exchange.pk_import import import_pk
from models.office.audit import Actor, AuditEntry
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope


class Office:
    """Ids of the demo Sekretariat, its SEK.1 indicator, January 2026, a staf and the Sekretaris."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with session_scope(engine) as session:
            import_pk(session, DEMO_PK, Actor.cli())
            unit = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one()
            january = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
            staf = Member(telegram_user_id=1001, name="Staf Sekretariat", unit_id=unit.id)
            sekretaris = Member(telegram_user_id=1002, name="Sekretaris", unit_id=unit.id)
            session.add_all([january, staf, sekretaris])
            session.flush()
            self.unit_id, self.period_id = unit.id, january.id
            self.indicator_id = session.exec(select(Indicator.id).where(Indicator.code == "SEK.1")).one()
            self.staf, self.sekretaris = Actor.member(staf.id), Actor.member(sekretaris.id)

    def form(self, session: Session) -> UnitForm:
        return form_for(session, self.unit_id, self.period_id)

    def enter(self, session: Session, value: str, **fields) -> Realisasi | None:
        return enter_realisasi(session, session.get(Indicator, self.indicator_id),
                               session.get(Period, self.period_id), Decimal(value), self.staf, now=system_clock(),
                               **fields)

    def submit(self, session: Session, **kwargs) -> None:
        submit_form(session, self.form(session), self.staf, **kwargs, now=system_clock())

    def give_back(self, session: Session, **kwargs) -> Review:
        return return_form(session, self.form(session), self.sekretaris, {self.indicator_id: "lampirkan SIPD"},
                           "lengkapi data dukung", **kwargs, now=system_clock())

    def approve(self, session: Session, **kwargs) -> Review:
        return approve_form(session, self.form(session), self.sekretaris, **kwargs, now=system_clock())


@pytest.fixture
def office(engine: Engine) -> Office:
    return Office(engine)


def form_audit(session: Session, form_id: int) -> list[tuple[str, str, dict, dict]]:
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "unit_form", AuditEntry.entity_id == form_id)
        .order_by(AuditEntry.id)
    ).all()
    return [(entry.action, entry.actor, json.loads(entry.before), json.loads(entry.after)) for entry in entries]


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --------------------------------------------------------------------------------------------- the happy path


def test_form_goes_draft_submitted_returned_submitted_approved(office):
    """Given an open January, when staf enter and send, the Sekretaris returns, staf correct and send again, and
    the Sekretaris approves, then the form is approved at version 5 with every step audited."""
    staf, sekretaris = office.staf.label, office.sekretaris.label
    with session_scope(office.engine) as session:
        office.enter(session, "86")
        form = office.form(session)
        assert (FormStatus(form.status), form.version, form.submitted_at) == (FormStatus.DRAFT, 1, None)
        office.submit(session, expected_version=1)
        assert (FormStatus(form.status), form.version) == (FormStatus.SUBMITTED, 2)
        assert form.submitted_at is not None
    with session_scope(office.engine) as session:
        review = office.give_back(session, expected_version=2)
        assert (FormStatus(office.form(session).status), review.decision) == (
            FormStatus.RETURNED, ReviewDecision.RETURN)
        assert review.arahan == "lengkapi data dukung"
    with session_scope(office.engine) as session:
        assert office.enter(session, "87", note="sesuai SIPD").revision == 2
        office.submit(session, expected_version=3)
    with session_scope(office.engine) as session:
        office.approve(session, expected_version=4)
    with session_scope(office.engine) as session:
        form = office.form(session)
        assert (FormStatus(form.status), form.version) == (FormStatus.APPROVED, 5)
        assert form.approved_at is not None and form.approved_at.tzinfo is not None
        reviews = session.exec(select(Review).where(Review.form_id == form.id).order_by(Review.id)).all()
        assert [(r.decision, r.reviewer_id) for r in reviews] == [
            (ReviewDecision.RETURN, office.sekretaris.member_id), (ReviewDecision.APPROVE, office.sekretaris.member_id)]
        [item] = session.exec(select(ReviewItem)).all()
        assert (item.review_id, item.indicator_id, item.arahan) == (reviews[0].id, office.indicator_id,
                                                                     "lampirkan SIPD")
        assert form_audit(session, form.id) == [
            ("form.submitted", staf, {"status": "draft", "version": 1}, {"status": "submitted", "version": 2}),
            ("form.returned", sekretaris, {"status": "submitted", "version": 2},
             {"status": "returned", "version": 3}),
            ("form.submitted", staf, {"status": "returned", "version": 3}, {"status": "submitted", "version": 4}),
            ("form.approved", sekretaris, {"status": "submitted", "version": 4},
             {"status": "approved", "version": 5}),
        ]
        values = session.exec(select(Realisasi).order_by(Realisasi.revision)).all()
        assert [(row.revision, row.value, row.note) for row in values] == [
            (1, Decimal("86"), None), (2, Decimal("87"), "sesuai SIPD")]


# --------------------------------------------------------------------------------------------- refusals


def to_state(office: Office, session: Session, status: FormStatus) -> None:
    """Drive the form from draft along the SOP's path to `status`."""
    office.enter(session, "86")
    path = {
        FormStatus.DRAFT: [],
        FormStatus.SUBMITTED: [office.submit],
        FormStatus.RETURNED: [office.submit, office.give_back],
        FormStatus.APPROVED: [office.submit, office.approve],
    }[status]
    for step in path:
        step(session)


STEPS: dict[str, Callable[[Office, Session], object]] = {
    "submit": lambda office, session: office.submit(session),
    "return": lambda office, session: office.give_back(session),
    "approve": lambda office, session: office.approve(session),
}


@pytest.mark.parametrize(("status", "step"), [
    (FormStatus.DRAFT, "approve"),
    (FormStatus.DRAFT, "return"),
    (FormStatus.SUBMITTED, "submit"),
    (FormStatus.RETURNED, "approve"),
    (FormStatus.RETURNED, "return"),
    (FormStatus.APPROVED, "submit"),
    (FormStatus.APPROVED, "return"),
    (FormStatus.APPROVED, "approve"),
])
def test_steps_the_sop_does_not_allow_are_refused(office, status, step):
    """Given a form in `status`, when someone tries `step`, then WorkflowError("not_allowed") and no change."""
    with session_scope(office.engine) as session:
        to_state(office, session, status)
        form = office.form(session)
        version, audit_rows, reviews = form.version, count(session, AuditEntry), count(session, Review)

        with pytest.raises(WorkflowError) as refused:
            STEPS[step](office, session)

        assert refused.value.code == "not_allowed"
        assert refused.value.details["status"] == status.value
        assert (FormStatus(form.status), form.version) == (status, version)
        session.flush()
        assert (count(session, AuditEntry), count(session, Review)) == (audit_rows, reviews)


def test_two_quick_presses_change_the_form_once(office):
    """Given a submitted form at version 2, when the Sekretaris presses approve twice, then the second is stale."""
    with session_scope(office.engine) as session:
        to_state(office, session, FormStatus.SUBMITTED)
        office.approve(session, expected_version=2)

        with pytest.raises(WorkflowError) as stale:
            office.approve(session, expected_version=2)

        assert stale.value.code == "stale"
        assert (stale.value.details["status"], stale.value.details["version"]) == ("approved", 3)
    with session_scope(office.engine) as session:
        form = office.form(session)
        assert (FormStatus(form.status), form.version) == (FormStatus.APPROVED, 3)
        assert [action for action, *_ in form_audit(session, form.id)] == ["form.submitted", "form.approved"]
        assert count(session, Review) == 1


def test_a_press_on_an_old_screen_is_stale_even_when_the_step_is_allowed(office):
    """Given the form was returned and sent again (version 4), when a screen from version 2 returns it, then stale."""
    with session_scope(office.engine) as session:
        to_state(office, session, FormStatus.RETURNED)
        office.submit(session, expected_version=3)
        with pytest.raises(WorkflowError) as stale:
            office.give_back(session, expected_version=2)
        assert stale.value.code == "stale"
        assert FormStatus(office.form(session).status) is FormStatus.SUBMITTED


def test_two_presses_handled_at_the_same_time_change_the_form_once(office, request):
    """Given a submitted form at version 2, when two approve presses are handled in two sessions at once, then
    only one of them approves: one audit entry and one review."""
    if office.engine.dialect.name == "sqlite":
        pytest.skip("SQLite transactions begin with BEGIN IMMEDIATE: a second session waits for the first to end")
    with session_scope(office.engine) as session:
        to_state(office, session, FormStatus.SUBMITTED)
        form_id = office.form(session).id
    first = Session(office.engine, expire_on_commit=False)
    second = Session(office.engine, expire_on_commit=False)
    try:
        form_a, form_b = first.get(UnitForm, form_id), second.get(UnitForm, form_id)
        assert form_a.version == form_b.version == 2
        approve_form(first, form_a, office.sekretaris, expected_version=2, now=system_clock())
        first.commit()
        try:
            approve_form(second, form_b, office.sekretaris, expected_version=2, now=system_clock())
            second.commit()
        except Exception:  # refused (stale) in any form is fine; a second approval is not
            second.rollback()
    finally:
        first.close()
        second.close()

    with session_scope(office.engine) as session:
        assert [action for action, *_ in form_audit(session, form_id)] == ["form.submitted", "form.approved"]
        assert count(session, Review) == 1
        assert office.form(session).version == 3


def test_return_without_indicators_to_complete_is_refused(office):
    """Given a submitted form, when the Sekretaris returns it naming no indicator, then it stays submitted."""
    with session_scope(office.engine) as session:
        to_state(office, session, FormStatus.SUBMITTED)
        form = office.form(session)
        audit_rows = count(session, AuditEntry)

        with pytest.raises(WorkflowError) as refused:
            return_form(session, form, office.sekretaris, {}, "lengkapi", now=system_clock())

        assert refused.value.code == "return_needs_items"
        assert (FormStatus(form.status), form.version) == (FormStatus.SUBMITTED, 2)
        session.flush()
        assert (count(session, AuditEntry), count(session, Review)) == (audit_rows, 0)


# --------------------------------------------------------------------------------------------- entering values


def test_same_value_again_makes_no_new_revision(office):
    """Given 86 was entered, when 86 (or 86,0) is entered again, then nothing is stored; a new note is a change."""
    with session_scope(office.engine) as session:
        first = office.enter(session, "86")
        assert (first.revision, first.value) == (1, Decimal("86"))

        assert office.enter(session, "86") is None
        assert office.enter(session, "86.0") is None

        assert count(session, Realisasi) == 1
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "realisasi.enter")).all()
        assert len(entries) == 1
        assert entries[0].before is None
        assert json.loads(entries[0].after) == {
            "indicator": "SEK.1", "period": "2026-01", "revision": 1, "value": "86", "note": None,
            "kendala": None, "tindak_lanjut": None, "anomaly_reason": None}
        assert entries[0].actor == office.staf.label

        second = office.enter(session, "86", note="angka SIPD")
        assert second.revision == 2
    with session_scope(office.engine) as session:
        entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (json.loads(entry.before)["note"], json.loads(entry.after)["note"]) == (None, "angka SIPD")


def test_archived_period_refuses_values(office):
    """Given January is archived (SOP step 12), when staf enter a value, then it is refused and nothing stored."""
    with session_scope(office.engine) as session:
        january = session.get(Period, office.period_id)
        january.status = PeriodStatus.ARCHIVED
        session.add(january)
    with session_scope(office.engine) as session:
        with pytest.raises(WorkflowError) as refused:
            office.enter(session, "86")
        assert (refused.value.code, refused.value.details["period"]) == ("period_archived", "2026-01")
        session.flush()
        assert (count(session, Realisasi), count(session, UnitForm)) == (0, 0)


@pytest.mark.parametrize(("status", "code"), [
    (FormStatus.SUBMITTED, "form_submitted"), (FormStatus.APPROVED, "form_approved")])
def test_sent_or_approved_form_refuses_new_values(office, status, code):
    """Given the form is waiting for review or approved, when staf change a value, then it is refused."""
    with session_scope(office.engine) as session:
        to_state(office, session, status)
        with pytest.raises(WorkflowError) as refused:
            office.enter(session, "90")
        assert refused.value.code == code
        assert office.enter(session, "86") is None  # the same value again is no change, so no refusal
        session.flush()
        assert count(session, Realisasi) == 1


def test_returned_form_accepts_the_correction(office):
    """Given the form was returned, when staf enter the corrected value, then it is stored as revision 2."""
    with session_scope(office.engine) as session:
        to_state(office, session, FormStatus.RETURNED)
        corrected = office.enter(session, "88")
        assert (corrected.revision, corrected.value) == (2, Decimal("88"))
        assert FormStatus(office.form(session).status) is FormStatus.RETURNED


def test_each_step_is_stamped_with_the_moment_it_is_given_not_the_wall_clock(office):
    """The domain never reads the clock: a value, a submission, a return and an approval carry the `now` of the
    call (here days of 2020, far from the machine's date), in the rows and in their audit entries."""
    moments = [datetime(2020, 2, day, 9, tzinfo=OFFICE_TZ) for day in (3, 4, 5, 6, 7)]
    with session_scope(office.engine) as session:
        indicator, period = session.get(Indicator, office.indicator_id), session.get(Period, office.period_id)
        entered = enter_realisasi(session, indicator, period, Decimal("90"), office.staf, now=moments[0]).id
    with session_scope(office.engine) as session:
        submit_form(session, office.form(session), office.staf, now=moments[1])
    with session_scope(office.engine) as session:
        return_form(session, office.form(session), office.sekretaris, {office.indicator_id: "cek"}, "lengkapi",
                    now=moments[2])
    with session_scope(office.engine) as session:
        submit_form(session, office.form(session), office.staf, now=moments[3])
    with session_scope(office.engine) as session:
        approve_form(session, office.form(session), office.sekretaris, now=moments[4])
    with session_scope(office.engine) as session:
        form = office.form(session)
        assert session.get(Realisasi, entered).entered_at == moments[0]
        assert session.exec(select(Review.created_at).order_by(Review.id)).all() == [moments[2], moments[4]]
        assert (form.submitted_at, form.approved_at, form.updated_at) == (moments[3], moments[4], moments[4])
        audit = session.exec(select(AuditEntry.at).where(AuditEntry.entity.in_(["unit_form", "realisasi"]))
                             .order_by(AuditEntry.id)).all()
        assert audit == moments
