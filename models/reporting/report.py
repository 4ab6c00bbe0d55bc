"""A period's progress, its report to the Kepala Dinas and the disposition (SOP procedure A, steps 10–12).

A period's units are those with active indicators collected in that kind of period. When every unit's form is
approved the Sekretaris may report the period; the Kepala Dinas agrees or gives arahan, which becomes a
follow-up item for the units concerned; then the period is archived and locked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlmodel import Session, select

from models.collection.forms import Disposition, DispositionDecision, FollowUp, FormStatus, PeriodReport, UnitForm
from models.collection.realisasi import answered_indicators
from models.collection.recap import compute_recap
from models.collection.review import members_with_role, unit_members
from models.collection.workflow import WorkflowError
from models.messaging.outbox import enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role, Unit
from models.office.permissions import Action, require
from models.plan.indicators import Frequency, Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.types import utcnow

NOT_STARTED = "not_started"


@dataclass
class UnitProgress:
    unit: Unit
    form: UnitForm | None
    status: str  # not_started | draft | submitted | returned | approved
    answered: int
    total: int
    late: bool


def _period_indicators(session: Session, period: Period) -> dict[int, list[int]]:
    """The ids of the active indicators collected in this kind of period, by unit id (one query)."""
    frequency = Frequency.MONTHLY if PeriodKind(period.kind) is PeriodKind.MONTH else Frequency.QUARTERLY
    by_unit: dict[int, list[int]] = defaultdict(list)
    for indicator_id, unit_id in session.exec(select(Indicator.id, Indicator.unit_id).where(
            Indicator.active == True, Indicator.frequency == frequency)):  # noqa: E712
        by_unit[unit_id].append(indicator_id)
    return by_unit


def _units(session: Session, unit_ids: Collection[int]) -> list[Unit]:
    if not unit_ids:
        return []
    units = session.exec(select(Unit).where(Unit.id.in_(set(unit_ids)))).all()
    return sorted(units, key=lambda unit: (unit.name, unit.id))


def period_units(session: Session, period: Period) -> list[Unit]:
    """The units with active indicators collected in this kind of period, by name."""
    return _units(session, _period_indicators(session, period))


def period_progress(session: Session, period: Period, today: date, tz: tzinfo = UTC) -> list[UnitProgress]:
    """Completeness per unit: not started, draft, submitted, returned or approved; on time or late (the day a
    form was sent is taken in the office's time zone `tz`). A few queries for the whole period, however many
    units it has (indicators, units, forms, and which indicators have a value)."""
    indicators = _period_indicators(session, period)
    units = _units(session, indicators)
    forms = {form.unit_id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}
    answered_ids = answered_indicators(session, period.id) if forms else set()
    progress = []
    for unit in units:
        form = forms.get(unit.id)  # none before the unit's first draft
        ids = indicators[unit.id]
        answered = sum(1 for indicator_id in ids if indicator_id in answered_ids) if form else 0
        status = FormStatus(form.status).value if form else NOT_STARTED
        if status == FormStatus.DRAFT.value and answered == 0:
            status = NOT_STARTED
        sent = form.submitted_at.astimezone(tz).date() if form and form.submitted_at else None
        late = period.deadline is not None and (
            (sent is not None and sent > period.deadline) or (sent is None and today > period.deadline))
        progress.append(UnitProgress(unit, form, status, answered, len(ids), late))
    return progress


def period_fully_approved(session: Session, period: Period) -> bool:
    units = period_units(session, period)
    if not units:
        return False
    approved = {form.unit_id for form in session.exec(select(UnitForm).where(
        UnitForm.period_id == period.id, UnitForm.status == FormStatus.APPROVED))}
    return all(unit.id in approved for unit in units)


def lock_period(session: Session, period_id: int) -> Period:
    """The period under a row lock, so two reports or dispositions pressed at once happen once."""
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowError("not_found")
    session.refresh(period, with_for_update=True)
    return period


def report_to_kepala(session: Session, member: Member, period_id: int) -> PeriodReport:
    """Send the approved period to every Kepala Dinas (once; a second press finds the first report)."""
    require(session, member, Action.REPORT_TO_KEPALA, entity="period", entity_id=period_id)
    period = lock_period(session, period_id)
    existing = session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first()
    if existing is not None:
        raise WorkflowError("already_reported", by=existing.reported_by_id, at=existing.reported_at)
    if not period_fully_approved(session, period):
        raise WorkflowError("not_all_approved")
    report = PeriodReport(period_id=period.id, reported_by_id=member.id)
    session.add(report)
    session.flush()
    record_by(session, Actor.member(member.id), "period.reported", "period", period.id, after={"code": period.code})
    for kepala in members_with_role(session, Role.KEPALA):
        enqueue(session, kepala.id, "kepala_report", f"kepala_report:{period.id}:{kepala.id}", period_id=period.id)
    return report


def units_concerned(session: Session, period: Period) -> list[int]:
    """Units with an indicator below target in the period; every unit of the period when none is."""
    below = {row.indicator.unit_id for row in compute_recap(session, period.ref).rows if row.capaian.tercapai is False}
    units = [unit.id for unit in period_units(session, period)]
    return [unit_id for unit_id in units if unit_id in below] or units


def dispose(session: Session, member: Member, period_id: int, decision: DispositionDecision,
            arahan: str | None = None) -> Disposition:
    """Record the disposition, turn an arahan into follow-ups, archive the period and tell everyone involved."""
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    period = lock_period(session, period_id)
    existing = session.exec(select(Disposition).where(Disposition.period_id == period_id)).first()
    if existing is not None:
        raise WorkflowError("already_disposed", by=existing.kepala_id, at=existing.created_at)
    if session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first() is None:
        raise WorkflowError("not_reported")
    if not period_fully_approved(session, period):
        raise WorkflowError("not_all_approved")
    if decision is DispositionDecision.ARAHAN and not (arahan or "").strip():
        raise WorkflowError("arahan_required")
    disposition = Disposition(period_id=period.id, kepala_id=member.id, decision=decision, arahan=arahan)
    session.add(disposition)
    session.flush()
    record_by(session, Actor.member(member.id), "period.disposed", "period", period.id,
              after={"decision": decision, "arahan": arahan})
    concerned = units_concerned(session, period) if decision is DispositionDecision.ARAHAN else []
    for unit_id in concerned:
        session.add(FollowUp(disposition_id=disposition.id, unit_id=unit_id, arahan=arahan))
    archive_period(session, period, Actor.member(member.id))
    for recipient in people_involved(session, period):
        enqueue(session, recipient.id, "disposition_notice", f"disposition:{disposition.id}:{recipient.id}",
                period_id=period.id, disposition_id=disposition.id,
                follow_up=recipient.unit_id in concerned)
    _after_archive(session, period, Actor.member(member.id))
    return disposition


def _after_archive(session: Session, period: Period, actor: Actor) -> None:
    """SOP A12: the Tim SAKIP gets the period's Laporan (filed as a PDF on its way); when the triwulan's last
    period is archived, its Pengukuran Kinerja (procedure B) starts."""
    from models.measurement.cycle import preparers, start_when_quarter_archived  # it reads period_units

    for recipient in preparers(session):
        enqueue(session, recipient.id, "laporan_document", f"laporan:{period.code}:{recipient.id}",
                period_id=period.id)
    start_when_quarter_archived(session, period, actor)


def archive_period(session: Session, period: Period, actor: Actor) -> None:
    before = PeriodStatus(period.status)
    period.status = PeriodStatus.ARCHIVED
    session.add(period)
    record_by(session, actor, "period.archived", "period", period.id, before={"status": before},
              after={"status": PeriodStatus.ARCHIVED})


def people_involved(session: Session, period: Period) -> list[Member]:
    """Members of the period's units, the Sekretaris, the Tim SAKIP and the Kepala Dinas."""
    unit_ids = {unit.id for unit in period_units(session, period)}
    people = {m.id: m for unit_id in unit_ids for m in unit_members(session, unit_id)}
    for role in (Role.SEKRETARIS, Role.TIM_SAKIP, Role.KEPALA):
        people.update({m.id: m for m in members_with_role(session, role)})
    return [people[key] for key in sorted(people)]


def open_period(session: Session, member: Member, ref: PeriodRef, deadline: date | None) -> Period:
    """Open a month or triwulan by hand (`/periode`); see `_open`."""
    require(session, member, Action.MANAGE_PERIODS, entity="period")
    return _open(session, Actor.member(member.id), ref, deadline, utcnow())


def open_scheduled_period(session: Session, ref: PeriodRef, deadline: date, now: datetime) -> Period:
    """The scheduler opens the period that has just ended (`models/timing/schedule.py` says which and when)."""
    return _open(session, Actor("scheduler"), ref, deadline, now)


def _open(session: Session, actor: Actor, ref: PeriodRef, deadline: date | None, now: datetime) -> Period:
    """Open a period (created when missing) and send each unit's members their form (SOP step 6). The first
    opening starts the period's SOP cycle (`opened_at`, the mutu baku clock)."""
    period = session.exec(select(Period).where(
        Period.kind == ref.kind, Period.year == ref.year, Period.number == ref.number)).first()
    if period is None:
        period = Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.DRAFT)
        session.add(period)
        session.flush()
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        raise WorkflowError("period_archived", period=period.code)
    before = {"status": PeriodStatus(period.status), "deadline": period.deadline}
    period.status, period.deadline = PeriodStatus.OPEN, deadline or period.deadline
    period.opened_at = period.opened_at or now
    session.add(period)
    record_by(session, actor, "period.open", "period", period.id, before=before,
              after={"status": PeriodStatus.OPEN, "deadline": period.deadline})
    for unit in period_units(session, period):
        for recipient in unit_members(session, unit.id):
            enqueue(session, recipient.id, "period_opened", f"opened:{period.id}:{recipient.id}", period_id=period.id)
    return period


def set_period_status(session: Session, member: Member, period_id: int, status: PeriodStatus) -> Period:
    """Open or close a period by hand (`/periode`); archived periods stay archived."""
    period = session.get(Period, period_id)
    require(session, member, Action.MANAGE_PERIODS, entity="period", entity_id=period_id)
    current = PeriodStatus(period.status)
    if current is PeriodStatus.ARCHIVED or status is PeriodStatus.ARCHIVED:
        raise WorkflowError("period_archived", period=period.code)
    if current is not status:
        period.status = status
        session.add(period)
        record_by(session, Actor.member(member.id), f"period.{status.value}", "period", period.id,
                  before={"status": current}, after={"status": status})
    return period
