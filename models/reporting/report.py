"""A period's progress, its report to the Kepala Dinas and the disposition (SOP procedure A, steps 10–12).

A period's units are those with active indicators collected in that kind of period. When every unit's form is
approved the Sekretaris may report the period; the Kepala Dinas agrees or gives arahan, which becomes a
follow-up item for the units concerned; then the period is archived and locked.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.forms import Disposition, DispositionDecision, FollowUp, FollowUpIndicator, PeriodReport
from models.collection.progress import period_fully_approved, period_units
from models.collection.recap import compute_recap
from models.errors import ErrorCode, WorkflowError
from models.measurement.cycle import preparers, start_when_quarter_archived
from models.messaging.notices import DispositionNotice, KepalaReport, LaporanDocument
from models.messaging.outbox import enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role, members_with_role, unit_members
from models.office.permissions import Action, require
from models.plan.indicators import frequency_of
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import indicator_ids_of


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
    for kepala in members_with_role(session, Role.KEPALA):
        enqueue(session, kepala.id, KepalaReport(period.id), f"kepala_report:{period.id}:{kepala.id}")
    return report


def units_concerned(session: Session, period: Period) -> list[int]:
    """Units with an indicator below target in the period; every unit of the period when none is."""
    below = {row.indicator.unit_id for row in compute_recap(session, period.ref).rows if row.capaian.tercapai is False}
    units = [unit.id for unit in period_units(session, period)]
    return [unit_id for unit_id in units if unit_id in below] or units


def indicators_below_target(session: Session, period: Period) -> dict[int, list[int]]:
    """The period's indicators below target, by unit id (what an arahan concerns unless the Kepala Dinas
    chooses otherwise)."""
    below: dict[int, list[int]] = {}
    for row in compute_recap(session, period.ref).rows:
        if row.capaian.tercapai is False:
            below.setdefault(row.indicator.unit_id, []).append(row.indicator.id)
    return below


def dispose(session: Session, member: Member, period_id: int, decision: DispositionDecision,
            arahan: str | None = None, *, now: datetime, units: Collection[int] | None = None,
            indicators: Collection[int] | None = None, undo_window: timedelta = timedelta(0)) -> Disposition:
    """Record the disposition, turn an arahan into follow-ups, archive the period and tell everyone involved.

    An arahan becomes a follow-up for each of `units` (default: `units_concerned`; only the period's units count)
    naming those of `indicators` that are the unit's in the period (default: its indicators below target).
    "Setuju" with an `undo_window` is archived only once the window has passed (`archive_agreed`, run by the
    scheduler); until then `undo_agree` takes it back."""
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
    deferred = decision is DispositionDecision.AGREE and undo_window > timedelta(0)
    disposition = Disposition(period_id=period.id, kepala_id=member.id, decision=decision, arahan=arahan,
                              created_at=now, archive_after=now + undo_window if deferred else None)
    session.add(disposition)
    session.flush()
    record_by(session, Actor.member(member.id), "period.disposed", "period", period.id, at=now,
              after={"decision": decision, "arahan": arahan})
    concerned = []
    if decision is DispositionDecision.ARAHAN:
        concerned = _follow_ups(session, period, disposition, arahan, units, indicators, now)
    if not deferred:
        _archive_disposed(session, period, disposition, concerned, Actor.member(member.id), now)
    return disposition


def _follow_ups(session: Session, period: Period, disposition: Disposition, arahan: str,
                units: Collection[int] | None, indicators: Collection[int] | None, now: datetime) -> list[int]:
    """One follow-up per chosen unit of the period, naming its chosen indicators; the units concerned."""
    period_indicators = indicator_ids_of(session, period.ref, frequency=frequency_of(period.kind))
    concerned = units_concerned(session, period) if units is None else \
        [unit.id for unit in period_units(session, period) if unit.id in set(units)]
    chosen = set(indicators) if indicators is not None else \
        {indicator for ids in indicators_below_target(session, period).values() for indicator in ids}
    for unit_id in concerned:
        follow_up = FollowUp(disposition_id=disposition.id, unit_id=unit_id, arahan=arahan, created_at=now)
        session.add(follow_up)
        session.flush()
        for indicator_id in sorted(chosen & set(period_indicators.get(unit_id, ()))):
            session.add(FollowUpIndicator(follow_up_id=follow_up.id, indicator_id=indicator_id))
    return concerned


def _archive_disposed(session: Session, period: Period, disposition: Disposition, concerned: list[int],
                      actor: Actor, now: datetime) -> None:
    """Archive the disposed period, tell everyone involved (the units concerned with their follow-up), file its
    Laporan and start the triwulan's measurement when due."""
    archive_period(session, period, actor, now=now)
    for recipient in people_involved(session, period):
        enqueue(session, recipient.id, DispositionNotice(period.id, disposition.id,
                                                         follow_up=recipient.unit_id in concerned),
                f"disposition:{disposition.id}:{recipient.id}")
    _after_archive(session, period, actor, now)


def undo_until(session: Session, period_id: int) -> datetime | None:
    """Until when the period's "Setuju" may be undone (None: nothing to undo, or archived already)."""
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period_id)).first()
    period = session.get(Period, period_id)
    if disposition is None or disposition.archive_after is None or period is None or \
            PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        return None
    return disposition.archive_after


def undo_agree(session: Session, member: Member, period_id: int, *, now: datetime) -> Period:
    """"↩️ Batalkan": take back a "Setuju" within its undo window; the period waits for a disposition again."""
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    period = lock_quarter(session, period_id)
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period_id)).first()
    if disposition is None:
        raise WorkflowError(ErrorCode.NOT_ALLOWED)
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED or disposition.archive_after is None or \
            disposition.archive_after <= now:
        raise WorkflowError(ErrorCode.UNDO_EXPIRED)
    record_by(session, Actor.member(member.id), "period.disposition_undone", "period", period.id, at=now,
              before={"decision": disposition.decision})
    session.delete(disposition)
    return period


def archive_agreed(session: Session, now: datetime) -> list[str]:
    """Archive every period agreed whose undo window has passed (the scheduler's work, at any moment: what is
    archived already or undone is left alone); the codes archived."""
    due = session.exec(select(Disposition.period_id).join(Period, Period.id == Disposition.period_id).where(
        Disposition.archive_after.is_not(None), Disposition.archive_after <= now,
        Period.status != PeriodStatus.ARCHIVED).order_by(Disposition.period_id)).all()
    archived = []
    for period_id in due:
        period = lock_quarter(session, period_id)
        disposition = session.exec(select(Disposition).where(Disposition.period_id == period_id)
                                   .execution_options(populate_existing=True)).first()
        if disposition is None or PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
            continue  # undone, or archived by another process, while this one waited for the lock
        _archive_disposed(session, period, disposition, [], Actor("scheduler"), now)
        archived.append(period.code)
    return archived


def next_archive(session: Session) -> datetime | None:
    """When the next agreed period is due to be archived (the scheduler's next wake-up)."""
    return session.exec(select(sa.func.min(Disposition.archive_after)).join(Period, Period.id == Disposition.period_id)
                        .where(Disposition.archive_after.is_not(None), Period.status != PeriodStatus.ARCHIVED)).one()


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
