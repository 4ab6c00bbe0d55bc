"""Opening a period and sending every unit's members their form (SOP step 6); opening and closing by hand."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.collection.progress import units_of
from models.errors import ErrorCode, WorkflowError
from models.messaging.notices import PeriodOpened
from models.messaging.outbox import OutboxMessage, enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, unit_members
from models.office.permissions import Action, require
from models.plan.periods import Period, PeriodRef, PeriodStatus, find_period


def open_period(session: Session, member: Member, ref: PeriodRef, deadline: date | None, *,
                now: datetime) -> Period:
    """Open a month or triwulan by hand (`/periode`); see `_open`."""
    require(session, member, Action.MANAGE_PERIODS, entity="period")
    return _open(session, Actor.member(member.id), ref, deadline, now)


def open_scheduled_period(session: Session, ref: PeriodRef, deadline: date, now: datetime) -> Period:
    """The scheduler opens the period that has just ended (`models/timing/schedule.py` says which and when)."""
    return _open(session, Actor("scheduler"), ref, deadline, now)


def _open(session: Session, actor: Actor, ref: PeriodRef, deadline: date | None, now: datetime) -> Period:
    """Open a period (created when missing) and send each unit's members their form (SOP step 6). The first
    opening starts the period's SOP cycle (`opened_at`, the mutu baku clock)."""
    period = find_period(session, ref)
    if period is None:
        period = Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.DRAFT, created_at=now)
        try:
            with session.begin_nested():
                session.add(period)
        except IntegrityError:  # opened in another process just now (by hand, or by the scheduler)
            period = find_period(session, ref)
    session.refresh(period, with_for_update=True)  # a disposition archiving it right now is not undone
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=period.code)
    before = {"status": PeriodStatus(period.status), "deadline": period.deadline}
    period.status, period.deadline = PeriodStatus.OPEN, deadline or period.deadline
    period.opened_at = period.opened_at or now
    session.add(period)
    record_by(session, actor, "period.open", "period", period.id, at=now, before=before,
              after={"status": PeriodStatus.OPEN, "deadline": period.deadline})
    for recipient in opening_recipients(session, ref):
        enqueue(session, recipient.id, PeriodOpened(period.id), _told(period.id, recipient.id))
    return period


def _told(period_id: int, member_id: int) -> str:
    """The dedupe key of a member's `PeriodOpened`: a period reopened never tells anyone twice."""
    return f"opened:{period_id}:{member_id}"


def opening_recipients(session: Session, ref: PeriodRef) -> list[Member]:
    """Who is told when the period opens (`PeriodOpened`): the active members of every unit with indicators of
    the period's PK collected in that kind of period, by unit name, then by id (one notice each), but for those
    told already when it was opened before (a period closed, then reopened)."""
    members = [member for unit in units_of(session, ref) for member in unit_members(session, unit.id)]
    period = find_period(session, ref)
    if period is None or not members:
        return members
    keys = [_told(period.id, member.id) for member in members]
    told = set(session.exec(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))).all())
    return [member for member, key in zip(members, keys, strict=True) if key not in told]


def set_period_status(session: Session, member: Member, period_id: int, status: PeriodStatus, *,
                      now: datetime) -> Period:
    """Open or close a period by hand (`/periode`); archived periods stay archived."""
    period = session.get(Period, period_id)
    require(session, member, Action.MANAGE_PERIODS, entity="period", entity_id=period_id)
    session.refresh(period, with_for_update=True)  # a disposition archiving it right now is not undone
    current = PeriodStatus(period.status)
    if current is PeriodStatus.ARCHIVED or status is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=period.code)
    if current is not status:
        period.status = status
        session.add(period)
        record_by(session, Actor.member(member.id), f"period.{status.value}", "period", period.id, at=now,
                  before={"status": current}, after={"status": status})
    return period
