"""A period's progress, its report to the Kepala Dinas and the disposition (SOP procedure A, steps 10–12).

A period's units are those with active indicators collected in that kind of period. When every unit's form is
approved the Sekretaris may report the period; the Kepala Dinas agrees or gives arahan, which becomes a
follow-up item for the units concerned; then the period is archived and locked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.forms import Disposition, DispositionDecision, FollowUp, PeriodReport
from models.collection.progress import period_fully_approved, period_units
from models.collection.recap import compute_recap
from models.errors import ErrorCode, WorkflowError
from models.measurement.cycle import preparers, start_when_quarter_archived
from models.messaging.cards import CardKind, Outcome, decide_cards
from models.messaging.notices import DispositionNotice, KepalaReport, LaporanDocument
from models.messaging.outbox import enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role, members_with_role, unit_members
from models.office.permissions import Action, require
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus


def lock_period(session: Session, period_id: int) -> Period:
    """The period under a row lock, so two reports or dispositions pressed at once happen once."""
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    session.refresh(period, with_for_update=True)
    return period


def lock_quarter(session: Session, period_id: int) -> Period:
    """The period, locked with every period of its triwulan in id order: of two dispositions in one triwulan at
    once (its last month and the triwulan itself), the second waits and sees the first archived, so the triwulan's
    measurement starts (`start_when_quarter_archived`)."""
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    quarter = PeriodRef(PeriodKind.QUARTER, period.year, period.ref.quarter)
    session.exec(select(Period).where(
        Period.year == quarter.year,
        sa.or_(sa.and_(Period.kind == PeriodKind.MONTH, Period.number.in_(quarter.months)),
               sa.and_(Period.kind == PeriodKind.QUARTER, Period.number == quarter.number)),
    ).order_by(Period.id).with_for_update().execution_options(populate_existing=True)).all()
    return period


def report_to_kepala(session: Session, member: Member, period_id: int, *, now: datetime) -> PeriodReport:
    """Send the approved period to every Kepala Dinas (once; a second press finds the first report)."""
    require(session, member, Action.REPORT_TO_KEPALA, entity="period", entity_id=period_id)
    period = lock_period(session, period_id)
    existing = session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first()
    if existing is not None:
        raise WorkflowError(ErrorCode.ALREADY_REPORTED, by=existing.reported_by_id, at=existing.reported_at)
    if not period_fully_approved(session, period):
        raise WorkflowError(ErrorCode.NOT_ALL_APPROVED)
    report = PeriodReport(period_id=period.id, reported_by_id=member.id, reported_at=now)
    session.add(report)
    session.flush()
    record_by(session, Actor.member(member.id), "period.reported", "period", period.id, at=now,
              after={"code": period.code})
    decide_cards(session, CardKind.REPORT_READY, period.id, Outcome.REPORTED, member.id, now)
    for kepala in members_with_role(session, Role.KEPALA):
        enqueue(session, kepala.id, KepalaReport(period.id), f"kepala_report:{period.id}:{kepala.id}")
    return report


def units_concerned(session: Session, period: Period) -> list[int]:
    """Units with an indicator below target in the period; every unit of the period when none is."""
    below = {row.indicator.unit_id for row in compute_recap(session, period.ref).rows if row.capaian.tercapai is False}
    units = [unit.id for unit in period_units(session, period)]
    return [unit_id for unit_id in units if unit_id in below] or units


def dispose(session: Session, member: Member, period_id: int, decision: DispositionDecision,
            arahan: str | None = None, *, now: datetime) -> Disposition:
    """Record the disposition, turn an arahan into follow-ups, archive the period and tell everyone involved."""
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    period = lock_quarter(session, period_id)
    existing = session.exec(select(Disposition).where(Disposition.period_id == period_id)).first()
    if existing is not None:
        raise WorkflowError(ErrorCode.ALREADY_DISPOSED, by=existing.kepala_id, at=existing.created_at)
    if session.exec(select(PeriodReport).where(PeriodReport.period_id == period_id)).first() is None:
        raise WorkflowError(ErrorCode.NOT_REPORTED)
    if not period_fully_approved(session, period):
        raise WorkflowError(ErrorCode.NOT_ALL_APPROVED)
    if decision is DispositionDecision.ARAHAN and not (arahan or "").strip():
        raise WorkflowError(ErrorCode.ARAHAN_REQUIRED)
    disposition = Disposition(period_id=period.id, kepala_id=member.id, decision=decision, arahan=arahan,
                              created_at=now)
    session.add(disposition)
    session.flush()
    record_by(session, Actor.member(member.id), "period.disposed", "period", period.id, at=now,
              after={"decision": decision, "arahan": arahan})
    concerned = units_concerned(session, period) if decision is DispositionDecision.ARAHAN else []
    for unit_id in concerned:
        session.add(FollowUp(disposition_id=disposition.id, unit_id=unit_id, arahan=arahan, created_at=now))
    archive_period(session, period, Actor.member(member.id), now=now)
    agreed = decision is DispositionDecision.AGREE
    decide_cards(session, CardKind.KEPALA_REPORT, period.id, Outcome.AGREED if agreed else Outcome.ARAHAN, member.id,
                 now, detail=arahan)
    for recipient in people_involved(session, period):
        if recipient.id == member.id:
            continue  # the Kepala Dinas's own disposition: her card (or reply) shows it
        enqueue(session, recipient.id, DispositionNotice(period.id, disposition.id,
                                                         follow_up=recipient.unit_id in concerned),
                f"disposition:{disposition.id}:{recipient.id}")
    _after_archive(session, period, Actor.member(member.id), now)
    return disposition


def _after_archive(session: Session, period: Period, actor: Actor, now: datetime) -> None:
    """SOP A12: the Tim SAKIP gets the period's Laporan (filed as a PDF on its way); when the triwulan's last
    period is archived, its Pengukuran Kinerja (procedure B) starts."""

    for recipient in preparers(session):
        enqueue(session, recipient.id, LaporanDocument(period_id=period.id), f"laporan:{period.code}:{recipient.id}")
    start_when_quarter_archived(session, period, actor, now=now)


def archive_period(session: Session, period: Period, actor: Actor, *, now: datetime) -> None:
    before = PeriodStatus(period.status)
    period.status = PeriodStatus.ARCHIVED
    session.add(period)
    record_by(session, actor, "period.archived", "period", period.id, at=now, before={"status": before},
              after={"status": PeriodStatus.ARCHIVED})


def people_involved(session: Session, period: Period) -> list[Member]:
    """Members of the period's units, the Sekretaris, the Tim SAKIP and the Kepala Dinas."""
    unit_ids = {unit.id for unit in period_units(session, period)}
    people = {m.id: m for unit_id in unit_ids for m in unit_members(session, unit_id)}
    for role in (Role.SEKRETARIS, Role.TIM_SAKIP, Role.KEPALA):
        people.update({m.id: m for m in members_with_role(session, role)})
    return [people[key] for key in sorted(people)]
