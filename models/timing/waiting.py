"""What waits for a member, by role (`/tugas`): one list of typed items per role, each with how long it has waited in
working time against the standard of its SOP step (mutu baku), and what comes next when nothing waits.

- Sekretaris: forms sent for review (A10), unlock requests, periods whose every unit is approved and not yet
  reported to the Kepala Dinas (A11), a measurement to review or report (B8, B9);
- Kepala Dinas: reported periods and measurements waiting for her disposition;
- Tim SAKIP: a measurement to check and send (B7), and per open period the units that have not sent their form;
- a member of a unit (staff, kabid, and the Sekretaris or Tim where their unit has indicators): the unit's forms to
  fill or fix, and the Kepala Dinas's follow-ups (tindak lanjut) for the unit; a kabid also sees the state of the
  unit's forms already with the Sekretaris.

The roles are read through `inbox_roles` only, the one place to add a role someone holds for a while (an acting
Plt/Plh). The same facts drive the reminders (`models/timing/reminders.py`); this says them to the member who asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from models.calc.working_time import working_time_between
from models.collection.form_filling import fillable_periods, unresolved_returns
from models.collection.forms import (
    Disposition,
    FormStatus,
    PeriodReport,
    Review,
    ReviewDecision,
    UnitForm,
    UnlockRequest,
    UnlockStatus,
)
from models.collection.kabid_review import check_kabid_review
from models.collection.progress import UnitProgress, period_fully_approved, period_progress
from models.errors import ErrorCode, WorkflowError
from models.measurement.cycle import MeasurementCycle, MeasurementStatus, last_submitted_at, preparers
from models.office.audit import AuditEntry
from models.office.organisation import Member, Role, Unit
from models.office.permissions import Action, require, roles_of_member
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.follow_ups import follow_ups_of
from models.timing.mutu_baku import cycle_moments
from models.timing.schedule import ScheduleRules
from models.timing.standing import NOT_SENT, NextUp, live_periods, next_up
from models.timing.steps import Step


def inbox_roles(session: Session, member: Member, today: date) -> set[Role]:
    """The roles whose work waits for the member on `today`: their own. The one place to add a role held for a
    while (a Plt/Plh acting as Sekretaris or Kepala Dinas)."""
    return roles_of_member(session, member)


@dataclass(frozen=True)
class Waited:
    """How long an item has waited, in working time, against the standard of its step."""

    step: Step
    actual: timedelta
    standard: timedelta

    @property
    def overdue(self) -> bool:
        return self.actual > self.standard


@dataclass(frozen=True)
class FormToReview:
    """A unit's form sent to the Sekretaris (again, after a return, when `resubmission`)."""

    form_id: int
    unit: str
    period: PeriodRef
    resubmission: bool
    waited: Waited
    kabid: bool = False  # waiting for the unit's kabid (KABID_REVIEW), before the Sekretaris


@dataclass(frozen=True)
class UnlockToDecide:
    """A unit asks to change an approved value."""

    request_id: int
    unit: str
    period: PeriodRef
    code: str
    requester: str
    waited: Waited


@dataclass(frozen=True)
class PeriodToReport:
    """Every unit's form of the period is approved: the Sekretaris reports it to the Kepala Dinas."""

    period_id: int
    period: PeriodRef
    waited: Waited


@dataclass(frozen=True)
class ReportToDispose:
    """A period reported to the Kepala Dinas, waiting for her disposition."""

    period_id: int
    period: PeriodRef
    waited: Waited


class MeasurementTask(StrEnum):
    PREPARE = "prepare"  # the Tim checks, writes the analysis and rencana aksi, and sends it (B7)
    REVIEW = "review"  # the Sekretaris approves or returns it (B8)
    REPORT = "report"  # the Sekretaris reports it to the Kepala Dinas (B9)
    DISPOSE = "dispose"  # the Kepala Dinas's disposition


@dataclass(frozen=True)
class MeasurementToDo:
    """A triwulan's measurement at a step of the member's."""

    cycle_id: int
    quarter: PeriodRef
    task: MeasurementTask
    returned: bool  # returned by the Sekretaris (PREPARE)
    waited: Waited


@dataclass(frozen=True)
class UnitsMissing:
    """An open period whose units have not all sent their form."""

    period_id: int
    period: PeriodRef
    deadline: date | None
    late: bool
    units: tuple[str, ...]


@dataclass(frozen=True)
class FormToFill:
    """The member's unit's form of a period, still to fill or to fix (returned)."""

    period_id: int
    period: PeriodRef
    unit: str
    status: str  # not_started | draft | returned (`models.collection.progress`)
    answered: int
    total: int
    deadline: date | None
    late: bool
    returned_codes: tuple[str, ...]


@dataclass(frozen=True)
class FormSent:
    """A form of the kabid's unit that is with the Sekretaris or approved (its state, nothing to do)."""

    period_id: int
    period: PeriodRef
    status: str  # submitted | approved


@dataclass(frozen=True)
class FollowUpToDo:
    """The Kepala Dinas's arahan on a period, as the unit's tindak lanjut for the next stage."""

    follow_up_id: int
    period: PeriodRef
    arahan: str
    codes: tuple[str, ...]  # the indicators it concerns


Item = (FormToReview | UnlockToDecide | PeriodToReport | ReportToDispose | MeasurementToDo | UnitsMissing | FormToFill
        | FormSent | FollowUpToDo)
WAITING_ITEMS = (FormToReview, UnlockToDecide, PeriodToReport, ReportToDispose, MeasurementToDo, UnitsMissing,
                 FormToFill, FollowUpToDo)  # a `FormSent` says a state: nothing waits


class SectionKind(StrEnum):
    KEPALA = "kepala"
    SEKRETARIS = "sekretaris"
    TIM_SAKIP = "tim_sakip"
    UNIT = "unit"  # the member's unit's forms (staff, kabid, and anyone whose unit fills a form)


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    items: tuple[Item, ...]
    unit: str | None = None  # of a UNIT section

    @property
    def waiting(self) -> bool:
        return any(isinstance(item, WAITING_ITEMS) for item in self.items)


@dataclass(frozen=True)
class Inbox:
    sections: tuple[Section, ...]
    next_up: NextUp

    @property
    def empty(self) -> bool:
        return not any(section.waiting for section in self.sections)


def _waited(since: datetime | None, step: Step, now: datetime, rules: ScheduleRules) -> Waited:
    actual = working_time_between(since, now, rules.hours, rules.tz) if since is not None else timedelta()
    return Waited(step, actual, rules.standards[step])


# -- the Sekretaris ---------------------------------------------------------------------------------------
def forms_to_review(session: Session, now: datetime, rules: ScheduleRules) -> list[FormToReview]:
    rows = session.exec(select(UnitForm, Period, Unit).join(Period, Period.id == UnitForm.period_id)
                        .join(Unit, Unit.id == UnitForm.unit_id)
                        .where(UnitForm.status == FormStatus.SUBMITTED, Period.status != PeriodStatus.ARCHIVED)
                        .order_by(UnitForm.submitted_at, UnitForm.id)).all()
    if not rows:
        return []
    returned = set(session.exec(select(Review.form_id).where(
        Review.decision == ReviewDecision.RETURN, Review.form_id.in_([form.id for form, _, _ in rows]))))
    return [FormToReview(form.id, unit.name, period.ref, form.id in returned,
                         _waited(form.submitted_at, Step.VERIFIKASI, now, rules)) for form, period, unit in rows]


def forms_for_kabid(session: Session, unit_id: int, now: datetime, rules: ScheduleRules) -> list[FormToReview]:
    """The unit's forms its staff sent to its kabid first (KABID_REVIEW), waiting since they were sent to him."""
    rows = session.exec(select(UnitForm, Period, Unit).join(Period, Period.id == UnitForm.period_id)
                        .join(Unit, Unit.id == UnitForm.unit_id)
                        .where(UnitForm.unit_id == unit_id, UnitForm.status == FormStatus.WAITING_KABID,
                               Period.status != PeriodStatus.ARCHIVED)
                        .order_by(UnitForm.id)).all()
    if not rows:
        return []
    ids = [form.id for form, _, _ in rows]
    sent = dict(session.exec(select(AuditEntry.entity_id, sa.func.max(AuditEntry.at))
                             .where(AuditEntry.entity == "unit_form", AuditEntry.entity_id.in_(ids),
                                    AuditEntry.action == f"form.{FormStatus.WAITING_KABID.value}")
                             .group_by(AuditEntry.entity_id)).all())
    returned = set(session.exec(select(Review.form_id).where(
        Review.decision == ReviewDecision.RETURN, Review.form_id.in_(ids))))
    return [FormToReview(form.id, unit.name, period.ref, form.id in returned,
                         _waited(sent.get(form.id), Step.VERIFIKASI_KABID, now, rules), kabid=True)
            for form, period, unit in rows]


def unlocks_to_decide(session: Session, now: datetime, rules: ScheduleRules) -> list[UnlockToDecide]:
    """Pending unlock requests; they wait against the review's standard (a change of approved data is reviewed)."""
    rows = session.exec(select(UnlockRequest, Period, Unit, Indicator.code, Member.name)
                        .join(UnitForm, UnitForm.id == UnlockRequest.form_id)
                        .join(Period, Period.id == UnitForm.period_id).join(Unit, Unit.id == UnitForm.unit_id)
                        .join(Indicator, Indicator.id == UnlockRequest.indicator_id)
                        .join(Member, Member.id == UnlockRequest.requested_by_id)
                        .where(UnlockRequest.status == UnlockStatus.PENDING)
                        .order_by(UnlockRequest.created_at, UnlockRequest.id)).all()
    return [UnlockToDecide(request.id, unit.name, period.ref, code, name,
                           _waited(request.created_at, Step.VERIFIKASI, now, rules))
            for request, period, unit, code, name in rows]


def periods_to_report(session: Session, now: datetime, rules: ScheduleRules) -> list[PeriodToReport]:
    reported = set(session.exec(select(PeriodReport.period_id)))
    found = []
    for period in live_periods(session):
        if period.id not in reported and period_fully_approved(session, period):
            since = cycle_moments(session, period)["all_approved"]
            found.append(PeriodToReport(period.id, period.ref, _waited(since, Step.LAPORAN_KEPALA, now, rules)))
    return found


# -- the Kepala Dinas -------------------------------------------------------------------------------------
def reports_to_dispose(session: Session, now: datetime, rules: ScheduleRules) -> list[ReportToDispose]:
    rows = session.exec(select(Period, PeriodReport.reported_at).join(PeriodReport, PeriodReport.period_id == Period.id)
                        .outerjoin(Disposition, Disposition.period_id == Period.id)
                        .where(Disposition.id == None)  # noqa: E711
                        .order_by(PeriodReport.reported_at)).all()
    return [ReportToDispose(period.id, period.ref, _waited(reported_at, Step.DISPOSISI, now, rules))
            for period, reported_at in rows]


# -- procedure B ------------------------------------------------------------------------------------------
MEASUREMENT_TASKS = {  # a measurement's status → what it waits for, and that step
    MeasurementStatus.DRAFT: (MeasurementTask.PREPARE, Step.UKUR_LAPORAN),
    MeasurementStatus.RETURNED: (MeasurementTask.PREPARE, Step.UKUR_LAPORAN),
    MeasurementStatus.SUBMITTED: (MeasurementTask.REVIEW, Step.UKUR_VERIFIKASI),
    MeasurementStatus.APPROVED: (MeasurementTask.REPORT, Step.UKUR_LAPORAN_KEPALA),
    MeasurementStatus.REPORTED: (MeasurementTask.DISPOSE, Step.UKUR_DISPOSISI),
}


def _measurement_since(session: Session, cycle: MeasurementCycle) -> datetime | None:
    status = MeasurementStatus(cycle.status)
    if status is MeasurementStatus.DRAFT:
        return cycle.ready_at
    if status is MeasurementStatus.RETURNED:
        return cycle.decided_at
    if status is MeasurementStatus.SUBMITTED:
        return last_submitted_at(session, cycle)
    return cycle.approved_at if status is MeasurementStatus.APPROVED else cycle.reported_at


def measurements_to_do(session: Session, tasks: set[MeasurementTask], now: datetime,
                       rules: ScheduleRules) -> list[MeasurementToDo]:
    """The measurements not archived whose step is one of `tasks`, oldest triwulan first."""
    cycles = session.exec(select(MeasurementCycle).where(MeasurementCycle.status != MeasurementStatus.ARCHIVED)
                          .order_by(MeasurementCycle.year, MeasurementCycle.quarter)).all()
    found = []
    for cycle in cycles:
        task, step = MEASUREMENT_TASKS[MeasurementStatus(cycle.status)]
        if task in tasks:
            found.append(MeasurementToDo(cycle.id, cycle.ref, task,
                                         MeasurementStatus(cycle.status) is MeasurementStatus.RETURNED,
                                         _waited(_measurement_since(session, cycle) or cycle.ready_at, step, now,
                                                 rules)))
    return found


# -- the Tim SAKIP and the units --------------------------------------------------------------------------
def _progress(session: Session, period: Period, now: datetime, rules: ScheduleRules,
              memo: dict[int, list[UnitProgress]]) -> list[UnitProgress]:
    if period.id not in memo:
        memo[period.id] = period_progress(session, period, now.astimezone(rules.tz).date(), rules.tz)
    return memo[period.id]


def units_missing(session: Session, now: datetime, rules: ScheduleRules,
                  memo: dict[int, list[UnitProgress]]) -> list[UnitsMissing]:
    found = []
    for period in live_periods(session):
        if PeriodStatus(period.status) is not PeriodStatus.OPEN:
            continue
        missing = [unit for unit in _progress(session, period, now, rules, memo) if unit.status in NOT_SENT]
        if missing:
            found.append(UnitsMissing(period.id, period.ref, period.deadline, any(unit.late for unit in missing),
                                      tuple(unit.unit.name for unit in missing)))
    return found


def unit_forms(session: Session, member: Member, now: datetime, rules: ScheduleRules,
               memo: dict[int, list[UnitProgress]], *, with_sent: bool) -> list[FormToFill | FormSent]:
    """The member's unit's forms still to fill or fix; `with_sent` (a kabid) those with the Sekretaris or approved
    too, of the periods not archived."""
    fillable = {period.id for period in fillable_periods(session, member.unit_id)}
    found: list[FormToFill | FormSent] = []
    for period in live_periods(session):
        own = next((unit for unit in _progress(session, period, now, rules, memo) if unit.unit.id == member.unit_id),
                   None)
        if own is None:
            continue
        if own.status in NOT_SENT and period.id in fillable:
            codes = ()
            if own.form is not None and own.status == FormStatus.RETURNED.value:
                returned = unresolved_returns(session, own.form)
                codes = tuple(session.get(Indicator, indicator_id).code for indicator_id in sorted(returned))
            found.append(FormToFill(period.id, period.ref, own.unit.name, own.status, own.answered, own.total,
                                    period.deadline, own.late, codes))
        elif with_sent and own.status not in NOT_SENT | {FormStatus.WAITING_KABID.value}:  # his own: to review
            found.append(FormSent(period.id, period.ref, own.status))
    return found


def follow_ups(session: Session, unit_id: int) -> list[FollowUpToDo]:
    """The Kepala Dinas's arahan for the unit on the latest archived period of each kind (the next stage is the
    one running now), not reported done yet."""
    pending = follow_ups_of(session, unit_id=unit_id, pending=True)
    if not pending:
        return []
    latest = {}
    for kind in PeriodKind:
        archived = session.exec(select(Period).where(Period.kind == kind, Period.status == PeriodStatus.ARCHIVED)).all()
        if archived:
            latest[kind] = max(archived, key=lambda period: period.sort_key).id
    return [FollowUpToDo(state.id, state.period, state.arahan, tuple(code for code, _ in state.indicators))
            for state in sorted(pending, key=lambda state: state.period.sort_key)
            if latest.get(state.period.kind) == state.period_id]


# -- the whole inbox --------------------------------------------------------------------------------------
def inbox(session: Session, member: Member, now: datetime, rules: ScheduleRules) -> Inbox:
    """Every section of what waits for the member, one per role (the unit's when their unit fills a form)."""
    require(session, member, Action.VIEW_STATUS)
    roles = inbox_roles(session, member, now.astimezone(rules.tz).date())
    preparing = member.id in {person.id for person in preparers(session)}
    memo: dict[int, list[UnitProgress]] = {}
    sections = []
    if Role.KEPALA in roles:
        sections.append(Section(SectionKind.KEPALA, (
            *reports_to_dispose(session, now, rules),
            *measurements_to_do(session, {MeasurementTask.DISPOSE}, now, rules))))
    if Role.SEKRETARIS in roles:
        tasks = {MeasurementTask.REVIEW, MeasurementTask.REPORT}
        if preparing and Role.TIM_SAKIP not in roles:  # an office without a Tim: the Sekretaris prepares too
            tasks.add(MeasurementTask.PREPARE)
        sections.append(Section(SectionKind.SEKRETARIS, (
            *forms_to_review(session, now, rules), *unlocks_to_decide(session, now, rules),
            *periods_to_report(session, now, rules), *measurements_to_do(session, tasks, now, rules))))
    if Role.TIM_SAKIP in roles:
        prepare = measurements_to_do(session, {MeasurementTask.PREPARE}, now, rules) if preparing else []
        sections.append(Section(SectionKind.TIM_SAKIP, (*prepare, *units_missing(session, now, rules, memo))))
    if roles & {Role.STAF, Role.KABID, Role.SEKRETARIS, Role.TIM_SAKIP}:
        forms = unit_forms(session, member, now, rules, memo, with_sent=Role.KABID in roles)
        if Role.KABID in roles:
            forms = [*forms_for_kabid(session, member.unit_id, now, rules), *forms]
        follow = follow_ups(session, member.unit_id)
        if forms or follow or roles & {Role.STAF, Role.KABID}:
            sections.append(Section(SectionKind.UNIT, (*forms, *follow), session.get(Unit, member.unit_id).name))
    return Inbox(tuple(sections), next_up(session, now, rules))


# -- the card behind an item's button: still waiting? -----------------------------------------------------
def form_waiting_review(session: Session, member: Member, form_id: int) -> tuple[UnitForm, bool]:
    """The form to show for review, and whether it is a resubmission; refused when it no longer waits (who
    handled it and when is said by the caller from the form)."""
    require(session, member, Action.REVIEW_FORM, entity="unit_form", entity_id=form_id)
    form = session.get(UnitForm, form_id)
    if form is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if FormStatus(form.status) is not FormStatus.SUBMITTED:
        raise WorkflowError(ErrorCode.STALE, form_id=form.id)
    resubmission = session.exec(select(Review.id).where(Review.form_id == form.id,
                                                        Review.decision == ReviewDecision.RETURN)).first()
    return form, resubmission is not None


def form_waiting_kabid(session: Session, member: Member, form_id: int) -> tuple[UnitForm, bool]:
    """The form its kabid is to approve on or return, and whether it is a resubmission; refused when the member
    does not head its unit, or it no longer waits for him."""
    form = check_kabid_review(session, member, form_id, None)
    resubmission = session.exec(select(Review.id).where(Review.form_id == form.id,
                                                        Review.decision == ReviewDecision.RETURN)).first()
    return form, resubmission is not None


def unlock_waiting(session: Session, member: Member, request_id: int) -> UnlockRequest:
    require(session, member, Action.GRANT_UNLOCK, entity="unlock_request", entity_id=request_id)
    request = session.get(UnlockRequest, request_id)
    if request is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if UnlockStatus(request.status) is not UnlockStatus.PENDING:
        raise WorkflowError(ErrorCode.ALREADY_DECIDED, by=request.decided_by_id, at=request.decided_at)
    return request


def report_waiting(session: Session, member: Member, period_id: int) -> Period:
    """The period the Sekretaris is to report: every unit approved, not reported yet."""
    require(session, member, Action.REPORT_TO_KEPALA, entity="period", entity_id=period_id)
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    report = session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first()
    if report is not None:
        raise WorkflowError(ErrorCode.ALREADY_REPORTED, by=report.reported_by_id, at=report.reported_at)
    if not period_fully_approved(session, period):
        raise WorkflowError(ErrorCode.NOT_ALL_APPROVED)
    return period


def disposition_waiting(session: Session, member: Member, period_id: int) -> Period:
    """The reported period the Kepala Dinas is to dispose of."""
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period_id)).first()
    if disposition is not None:
        raise WorkflowError(ErrorCode.ALREADY_DISPOSED, by=disposition.kepala_id, at=disposition.created_at)
    if session.exec(select(PeriodReport.id).where(PeriodReport.period_id == period_id)).first() is None:
        raise WorkflowError(ErrorCode.NOT_REPORTED)
    return period
