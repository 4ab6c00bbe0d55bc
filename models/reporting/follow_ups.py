"""Follow-ups (tindak lanjut) of the Kepala Dinas's arahan: what each unit was asked, on which indicators, and
whether it has answered "Sudah ditindaklanjuti" with a short note.

A follow-up is created with the disposition (`models.reporting.report.dispose`), one per unit the Kepala Dinas
chose, naming the indicators chosen for that unit. `follow_ups_of` is the one read of their state: the inbox of the
Kepala Dinas (`/tugas`) and the recap of the next period (`recent_follow_ups`) both use it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models.collection.forms import Disposition, FollowUp, FollowUpIndicator
from models.errors import ErrorCode, WorkflowError
from models.messaging.notices import FollowUpDone
from models.messaging.outbox import enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role, Unit, members_with_role
from models.office.permissions import Action, require
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodRef

NOTE_LIMIT = 1000  # characters of a follow-up's note


@dataclass(frozen=True)
class FollowUpState:
    """One follow-up as its readers show it."""

    id: int
    period_id: int
    period: PeriodRef
    unit_id: int
    unit_name: str
    arahan: str
    indicators: tuple[tuple[str, str], ...]  # (code, name), by code
    created_at: datetime
    done_at: datetime | None
    done_by: str | None  # the member's name
    note: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


def follow_ups_of(session: Session, *, period_id: int | None = None, unit_id: int | None = None,
                  pending: bool | None = None, follow_up_id: int | None = None) -> list[FollowUpState]:
    """Follow-ups (of one period, of one unit; only the pending or only the done ones when `pending` says so),
    oldest disposition first, then by unit name."""
    query = (select(FollowUp, Disposition.period_id, Period, Unit.name)
             .join(Disposition, Disposition.id == FollowUp.disposition_id)
             .join(Period, Period.id == Disposition.period_id)
             .join(Unit, Unit.id == FollowUp.unit_id))
    if period_id is not None:
        query = query.where(Disposition.period_id == period_id)
    if unit_id is not None:
        query = query.where(FollowUp.unit_id == unit_id)
    if follow_up_id is not None:
        query = query.where(FollowUp.id == follow_up_id)
    if pending is not None:
        query = query.where(FollowUp.done_at.is_(None) if pending else FollowUp.done_at.is_not(None))
    rows = session.exec(query.order_by(FollowUp.disposition_id, Unit.name, FollowUp.id)).all()
    if not rows:
        return []
    ids = [follow_up.id for follow_up, *_ in rows]
    indicators: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for follow_up_id, code, name in session.exec(
            select(FollowUpIndicator.follow_up_id, Indicator.code, Indicator.name)
            .join(Indicator, Indicator.id == FollowUpIndicator.indicator_id)
            .where(FollowUpIndicator.follow_up_id.in_(ids)).order_by(Indicator.code)).all():
        indicators[follow_up_id].append((code, name))
    doers = {member.id: member.name for member in session.exec(select(Member).where(Member.id.in_(
        {follow_up.done_by_id for follow_up, *_ in rows if follow_up.done_by_id is not None})))}
    return [FollowUpState(id=follow_up.id, period_id=disposed_period, period=period.ref, unit_id=follow_up.unit_id,
                          unit_name=unit_name, arahan=follow_up.arahan, indicators=tuple(indicators[follow_up.id]),
                          created_at=follow_up.created_at, done_at=follow_up.done_at,
                          done_by=doers.get(follow_up.done_by_id), note=follow_up.note)
            for follow_up, disposed_period, period, unit_name in rows]


def recent_follow_ups(session: Session, ref: PeriodRef) -> list[FollowUpState]:
    """The follow-ups of the latest period up to `ref` whose disposition asked for any: what the recap of `ref`
    (that period's, or the next one after that arahan) shows as done or still open."""
    periods = session.exec(select(Period).join(Disposition, Disposition.period_id == Period.id)
                           .join(FollowUp, FollowUp.disposition_id == Disposition.id).distinct()).all()
    earlier = sorted((period for period in periods if not ref < period.ref), key=lambda period: period.sort_key)
    return follow_ups_of(session, period_id=earlier[-1].id) if earlier else []


def follow_up_state(session: Session, follow_up_id: int) -> FollowUpState:
    states = follow_ups_of(session, follow_up_id=follow_up_id)
    if not states:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    return states[0]


def check_may_complete(session: Session, member: Member, follow_up_id: int) -> FollowUp:
    """The follow-up, if `member` (of its unit) may mark it done now."""
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    require(session, member, Action.FILL_FORM, target_unit_id=follow_up.unit_id, entity="follow_up",
            entity_id=follow_up_id)
    if follow_up.done_at is not None:
        raise WorkflowError(ErrorCode.FOLLOW_UP_DONE)
    return follow_up


def complete_follow_up(session: Session, member: Member, follow_up_id: int, note: str, *,
                       now: datetime) -> FollowUp:
    """"Sudah ditindaklanjuti": the unit's note is stored and every Kepala Dinas is told (one notice each)."""
    follow_up = check_may_complete(session, member, follow_up_id)
    session.refresh(follow_up, with_for_update=True)  # two members of the unit at once: the second is refused
    if follow_up.done_at is not None:
        raise WorkflowError(ErrorCode.FOLLOW_UP_DONE)
    follow_up.done_at, follow_up.done_by_id, follow_up.note = now, member.id, note.strip()[:NOTE_LIMIT]
    session.add(follow_up)
    record_by(session, Actor.member(member.id), "follow_up.done", "follow_up", follow_up.id, at=now,
              after={"note": follow_up.note})
    for kepala in members_with_role(session, Role.KEPALA):
        enqueue(session, kepala.id, FollowUpDone(follow_up.id), f"follow_up_done:{follow_up.id}:{kepala.id}")
    return follow_up
