"""The Pengukuran Kinerja of a triwulan through the SOP's review and disposition (procedure B, steps 7–10).

A measurement is ready when every period of the triwulan (its months and the triwulan itself, where units
report in them) is archived; the Tim SAKIP may also start it by hand (`/pengukuran`). Then:

    draft ──submit (Tim, B7)──▶ submitted ──approve (Sekretaris, B8)──▶ approved ──report (Sekretaris, B9)──▶
    reported ──dispose (Kepala Dinas)──▶ archived (B10)
    submitted ──return with arahan (Sekretaris)──▶ returned ──submit again (Tim)──▶ submitted

The Tim's analysis (the causes) and rencana aksi (what is done in the next stage), each up to `MAX_TEXT`
characters, travel with the measurement, which is sent only with both; a return asks for them to be completed.
`due_measurement` says which triwulan is to be measured now, or which of its periods are not archived yet.
Every transition takes a row lock, checks the version the pressed button was made for (a second press, or a
press on an old message, is refused and says who acted), is audited, and queues its notifications in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from models.collection.forms import DispositionDecision
from models.collection.progress import period_units
from models.errors import ErrorCode, WorkflowError
from models.messaging.cards import CardKind, Outcome, decide_cards
from models.messaging.notices import (
    LaporanDocument,
    MeasurementApproved,
    MeasurementDisposed,
    MeasurementReady,
    MeasurementReport,
    MeasurementReturned,
    MeasurementReview,
    Notice,
)
from models.messaging.outbox import enqueue
from models.office.acting_officials import holders_of
from models.office.audit import Actor, AuditEntry, record_by
from models.office.organisation import Member, Role, members_with_role
from models.office.permissions import Action, require
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus, find_period, latest_ended
from models.store.types import UTCDateTime, enum_type, utcnow


class MeasurementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REPORTED = "reported"
    ARCHIVED = "archived"


class MeasurementCycle(SQLModel, table=True):
    """One triwulan's measurement report and where it stands in procedure B."""

    __tablename__ = "measurement_cycles"
    __table_args__ = (sa.UniqueConstraint("year", "quarter"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    quarter: int
    status: MeasurementStatus = Field(sa_type=enum_type(MeasurementStatus))
    version: int = Field(default=1)
    analysis: str | None = Field(default=None, sa_type=sa.Text)
    rencana_aksi: str | None = Field(default=None, sa_type=sa.Text)
    return_arahan: str | None = Field(default=None, sa_type=sa.Text)
    ready_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the first submission
    submitted_by_id: int | None = Field(default=None, foreign_key="members.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the last approve/return
    decided_by_id: int | None = Field(default=None, foreign_key="members.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_by_id: int | None = Field(default=None, foreign_key="members.id")
    disposed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    kepala_id: int | None = Field(default=None, foreign_key="members.id")
    decision: DispositionDecision | None = Field(default=None, sa_type=enum_type(DispositionDecision))
    arahan: str | None = Field(default=None, sa_type=sa.Text)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def ref(self) -> PeriodRef:
        return PeriodRef(PeriodKind.QUARTER, self.year, self.quarter)


TEXT_ACTIONS = ("measurement.analysis", "measurement.rencana_aksi")  # audited writing, which moves no step


def cycle_of(session: Session, ref: PeriodRef) -> MeasurementCycle | None:
    return session.exec(select(MeasurementCycle).where(MeasurementCycle.year == ref.year,
                                                       MeasurementCycle.quarter == ref.number)).first()


MAX_TEXT = 4000  # characters of the analysis, and of the rencana aksi (typed in several messages if need be)


class MeasurementText(StrEnum):
    """What the Tim writes for the measurement: the attribute of `MeasurementCycle` that keeps it."""

    ANALYSIS = "analysis"
    RENCANA_AKSI = "rencana_aksi"


@dataclass(frozen=True)
class MissingPeriod:
    """A period of a triwulan that units report in and that is not archived yet (DRAFT: not opened yet)."""

    ref: PeriodRef
    status: PeriodStatus


def missing_periods(session: Session, ref: PeriodRef) -> list[MissingPeriod]:
    """The periods of the triwulan that units report in (its months, itself) and that are not archived, in order."""
    missing = []
    for part in [PeriodRef(PeriodKind.MONTH, ref.year, month) for month in ref.months] + [ref]:
        period = find_period(session, part)
        probe = period or Period(kind=part.kind, year=part.year, number=part.number, status=PeriodStatus.DRAFT)
        if not period_units(session, probe):
            continue
        status = PeriodStatus(probe.status)
        if status is not PeriodStatus.ARCHIVED:
            missing.append(MissingPeriod(part, status))
    return missing


def quarter_archived(session: Session, ref: PeriodRef) -> bool:
    """Whether every period of the triwulan that units report in (its months, itself) is archived."""
    return not missing_periods(session, ref)


@dataclass(frozen=True)
class DueMeasurement:
    """What `/pengukuran` offers: the triwulan to measure now (`quarter`, with its cycle once started), or, when
    none is due, the triwulan waited for and its periods not archived yet (`waiting`, `missing`), or nothing at
    all (every ended triwulan measured: `done` names the last one archived, if any)."""

    quarter: PeriodRef | None = None
    cycle: MeasurementCycle | None = None
    waiting: PeriodRef | None = None
    missing: tuple[MissingPeriod, ...] = ()
    done: PeriodRef | None = None


def _quarter_of(ref: PeriodRef) -> PeriodRef:
    return PeriodRef(PeriodKind.QUARTER, ref.year, ref.quarter)


def due_measurement(session: Session, today: date) -> DueMeasurement:
    """The triwulan due for measurement: the oldest one started and not archived yet (by hand, or by its last
    period's disposition), else the oldest one whose periods are all archived and that is not started. When none
    is due: the oldest ended triwulan (with periods opened, else the last ended one) not measured yet, and what
    of it is not archived."""
    open_cycle = session.exec(select(MeasurementCycle).where(MeasurementCycle.status != MeasurementStatus.ARCHIVED)
                              .order_by(MeasurementCycle.year, MeasurementCycle.quarter).limit(1)).first()
    if open_cycle is not None:
        return DueMeasurement(open_cycle.ref, open_cycle)
    measured = {PeriodRef(PeriodKind.QUARTER, year, number) for year, number in session.exec(
        select(MeasurementCycle.year, MeasurementCycle.quarter))}
    stored = [(_quarter_of(PeriodRef(PeriodKind(kind), year, number)), PeriodStatus(status)) for
              kind, year, number, status in session.exec(select(Period.kind, Period.year, Period.number,
                                                                Period.status))]
    quarters = sorted({quarter for quarter, _ in stored})
    archived = {quarter for quarter, status in stored if status is PeriodStatus.ARCHIVED}
    for quarter in quarters:
        if quarter in archived and quarter not in measured and quarter_archived(session, quarter):
            return DueMeasurement(quarter, None)
    last = latest_ended(PeriodKind.QUARTER, today)
    waiting = next((quarter for quarter in quarters if quarter <= last and quarter not in measured), None)
    if waiting is None and last not in measured:
        waiting = last
    if waiting is None:
        return DueMeasurement(done=max(measured, default=None))
    return DueMeasurement(waiting=waiting, missing=tuple(missing_periods(session, waiting)))


def preparers(session: Session, now: datetime) -> list[Member]:
    """Who prepares the measurement: the Tim SAKIP (whoever holds the Sekretaris's office when there is none)."""
    return members_with_role(session, Role.TIM_SAKIP) or holders_of(session, Role.SEKRETARIS, now)


def _tell(session: Session, people: list[Member], notice_type: type[Notice], cycle: MeasurementCycle,
          actor: Member | None = None, **fields: object) -> None:
    """Queue a notice of the cycle at its current version for each person but the `actor` (their pressed card
    or reply shows what they did)."""
    notice = notice_type(cycle_id=cycle.id, version=cycle.version, **fields)
    for person in people:
        if actor is not None and person.id == actor.id:
            continue
        enqueue(session, person.id, notice, f"{notice.kind}:{cycle.id}:{cycle.version}:{person.id}")


def start_measurement(session: Session, ref: PeriodRef, actor: Actor, *, now: datetime) -> MeasurementCycle:
    """Create the triwulan's measurement (once) and tell the Tim SAKIP it is ready to check and send (B5–B7)."""
    if ref.kind is not PeriodKind.QUARTER:
        raise WorkflowError(ErrorCode.NOT_A_QUARTER, period=ref.code)
    existing = cycle_of(session, ref)
    if existing is not None:
        return existing
    cycle = MeasurementCycle(year=ref.year, quarter=ref.number, status=MeasurementStatus.DRAFT,
                             ready_at=now)
    try:
        with session.begin_nested():
            session.add(cycle)
    except IntegrityError:  # started in another process just now (by hand, or by the triwulan's disposition)
        return cycle_of(session, ref)
    record_by(session, actor, "measurement.ready", "measurement", cycle.id, at=now, after={"code": ref.code})
    _tell(session, preparers(session, now), MeasurementReady, cycle)
    return cycle


def start_when_quarter_archived(session: Session, period: Period, actor: Actor, *,
                                now: datetime) -> MeasurementCycle | None:
    """After a period is archived: the triwulan's measurement starts once all its periods are."""
    quarter = _quarter_of(period.ref)
    if cycle_of(session, quarter) is None and quarter_archived(session, quarter):
        return start_measurement(session, quarter, actor, now=now)
    return None


def start_by_hand(session: Session, member: Member, ref: PeriodRef, *, now: datetime) -> MeasurementCycle:
    """The Tim starts the triwulan's measurement, once every period of it is archived (else nothing starts)."""
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement")
    if ref.kind is PeriodKind.QUARTER and cycle_of(session, ref) is None and (
            missing := missing_periods(session, ref)):
        raise WorkflowError(ErrorCode.MEASUREMENT_NOT_READY, period=ref.code,
                            missing=", ".join(part.ref.code for part in missing))
    return start_measurement(session, ref, Actor.member(member.id), now=now)


def last_submitted_at(session: Session, cycle: MeasurementCycle) -> datetime | None:
    """When the Tim last sent the measurement (`submitted_at` keeps the first sending, for the mutu baku)."""
    latest = session.exec(select(AuditEntry.at).where(AuditEntry.entity == "measurement",
                                                      AuditEntry.entity_id == cycle.id,
                                                      AuditEntry.action == "measurement.submitted")
                          .order_by(AuditEntry.id.desc()).limit(1)).first()
    return latest or cycle.submitted_at


def _stale(session: Session, cycle: MeasurementCycle) -> WorkflowError:
    """The refusal of a button made for an earlier step: who moved the measurement last, and when."""
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "measurement",
                                                  AuditEntry.entity_id == cycle.id,
                                                  AuditEntry.action.notin_(TEXT_ACTIONS))
                         .order_by(AuditEntry.id.desc()).limit(1)).first()
    if entry is None:
        return WorkflowError(ErrorCode.MEASUREMENT_STALE)
    return WorkflowError(ErrorCode.MEASUREMENT_STALE, by=entry.actor_member_id or entry.actor, at=entry.at)


def lock_cycle(session: Session, cycle_id: int, version: int | None = None) -> MeasurementCycle:
    cycle = session.get(MeasurementCycle, cycle_id)
    if cycle is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    session.refresh(cycle, with_for_update=True)
    if version is not None and cycle.version != version:
        raise _stale(session, cycle)
    return cycle


def _move(session: Session, member: Member, cycle: MeasurementCycle, to: MeasurementStatus, action: str,
          now: datetime, **after: object) -> None:
    before = MeasurementStatus(cycle.status)
    cycle.status = to
    cycle.version += 1
    session.add(cycle)
    record_by(session, Actor.member(member.id), f"measurement.{action}", "measurement", cycle.id, at=now,
              before={"status": before}, after={"status": to, **after})


def _expect(session: Session, cycle: MeasurementCycle, *allowed: MeasurementStatus) -> None:
    if MeasurementStatus(cycle.status) not in allowed:
        raise _stale(session, cycle)


def write_text(session: Session, member: Member, cycle_id: int, part: MeasurementText, text: str, *,
               now: datetime) -> MeasurementCycle:
    """The Tim's analysis or rencana aksi (replacing what was written), while the measurement is with the Tim
    (draft or returned); at most `MAX_TEXT` characters."""
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    part = MeasurementText(part)
    text = text.strip()
    if not text:
        raise WorkflowError(ErrorCode.MEASUREMENT_TEXT_EMPTY)
    if len(text) > MAX_TEXT:
        raise WorkflowError(ErrorCode.MEASUREMENT_TEXT_TOO_LONG, limit=MAX_TEXT)
    cycle = lock_cycle(session, cycle_id)
    _expect(session, cycle, MeasurementStatus.DRAFT, MeasurementStatus.RETURNED)
    before = getattr(cycle, part.value)
    setattr(cycle, part.value, text)
    session.add(cycle)
    record_by(session, Actor.member(member.id), f"measurement.{part.value}", "measurement", cycle.id, at=now,
              before={part.value: before}, after={part.value: text})
    return cycle


def write_analysis(session: Session, member: Member, cycle_id: int, text: str, *, now: datetime) -> MeasurementCycle:
    """The Tim's analysis: the causes of the capaian."""
    return write_text(session, member, cycle_id, MeasurementText.ANALYSIS, text, now=now)


def write_rencana_aksi(session: Session, member: Member, cycle_id: int, text: str, *,
                       now: datetime) -> MeasurementCycle:
    """The Tim's rencana aksi: what is done in the next stage."""
    return write_text(session, member, cycle_id, MeasurementText.RENCANA_AKSI, text, now=now)


def submit_measurement(session: Session, member: Member, cycle_id: int, version: int, *,
                       now: datetime) -> MeasurementCycle:
    """B7: the Tim reports the measurement recap to the Sekretaris, with its analysis and rencana aksi."""
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    cycle = lock_cycle(session, cycle_id, version)
    _expect(session, cycle, MeasurementStatus.DRAFT, MeasurementStatus.RETURNED)
    if not (cycle.analysis or "").strip():
        raise WorkflowError(ErrorCode.MEASUREMENT_NO_ANALYSIS)
    if not (cycle.rencana_aksi or "").strip():
        raise WorkflowError(ErrorCode.MEASUREMENT_NO_RENCANA_AKSI)
    resubmission = MeasurementStatus(cycle.status) is MeasurementStatus.RETURNED
    cycle.submitted_at = cycle.submitted_at or now
    cycle.submitted_by_id = member.id
    _move(session, member, cycle, MeasurementStatus.SUBMITTED, "submitted", now)
    _tell(session, holders_of(session, Role.SEKRETARIS, now), MeasurementReview, cycle,
          resubmission=resubmission)
    return cycle


def approve_measurement(session: Session, member: Member, cycle_id: int, version: int, *,
                        now: datetime) -> MeasurementCycle:
    """B8: the Sekretaris approves; the measurement may feed the Laporan Kinerja and go to the Kepala Dinas."""
    require(session, member, Action.REVIEW_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    cycle = lock_cycle(session, cycle_id, version)
    _expect(session, cycle, MeasurementStatus.SUBMITTED)
    cycle.decided_at = cycle.approved_at = now
    cycle.decided_by_id = member.id
    _move(session, member, cycle, MeasurementStatus.APPROVED, "approved", now)
    decide_cards(session, CardKind.MEASUREMENT_REVIEW, cycle.id, Outcome.APPROVED, member.id, now, version=version)
    _tell(session, preparers(session, now), MeasurementApproved, cycle, member)
    return cycle


def return_measurement(session: Session, member: Member, cycle_id: int, version: int,
                       arahan: str, *, now: datetime) -> MeasurementCycle:
    """B8: the Sekretaris returns the measurement to be completed as directed."""
    require(session, member, Action.REVIEW_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    if not arahan.strip():
        raise WorkflowError(ErrorCode.ARAHAN_REQUIRED)
    cycle = lock_cycle(session, cycle_id, version)
    _expect(session, cycle, MeasurementStatus.SUBMITTED)
    cycle.decided_at = now
    cycle.decided_by_id = member.id
    cycle.return_arahan = arahan.strip()
    _move(session, member, cycle, MeasurementStatus.RETURNED, "returned", now, arahan=cycle.return_arahan)
    decide_cards(session, CardKind.MEASUREMENT_REVIEW, cycle.id, Outcome.RETURNED, member.id, now, version=version,
                 detail=cycle.return_arahan)
    _tell(session, preparers(session, now), MeasurementReturned, cycle, member)
    return cycle


def report_measurement(session: Session, member: Member, cycle_id: int, *, now: datetime) -> MeasurementCycle:
    """B9: the Sekretaris reports the approved measurement to the Kepala Dinas."""
    require(session, member, Action.REPORT_TO_KEPALA, entity="measurement", entity_id=cycle_id)
    cycle = lock_cycle(session, cycle_id)
    if MeasurementStatus(cycle.status) is not MeasurementStatus.APPROVED:
        if cycle.reported_at is not None:
            raise WorkflowError(ErrorCode.ALREADY_REPORTED, by=cycle.reported_by_id, at=cycle.reported_at)
        raise WorkflowError(ErrorCode.MEASUREMENT_NOT_APPROVED)
    cycle.reported_at = now
    cycle.reported_by_id = member.id
    _move(session, member, cycle, MeasurementStatus.REPORTED, "reported", now)
    _tell(session, holders_of(session, Role.KEPALA, now), MeasurementReport, cycle)
    return cycle


def dispose_measurement(session: Session, member: Member, cycle_id: int, decision: DispositionDecision,
                        arahan: str | None = None, *, now: datetime) -> MeasurementCycle:
    """The Kepala Dinas's disposition, then B10: archived, and everyone involved is told (the Tim gets the
    Laporan Hasil Pengukuran Kinerja as a PDF, archived with the triwulan)."""
    require(session, member, Action.DISPOSE, entity="measurement", entity_id=cycle_id)
    cycle = lock_cycle(session, cycle_id)
    if cycle.disposed_at is not None:
        raise WorkflowError(ErrorCode.ALREADY_DISPOSED, by=cycle.kepala_id, at=cycle.disposed_at)
    if MeasurementStatus(cycle.status) is not MeasurementStatus.REPORTED:
        raise WorkflowError(ErrorCode.MEASUREMENT_NOT_REPORTED)
    if decision is DispositionDecision.ARAHAN and not (arahan or "").strip():
        raise WorkflowError(ErrorCode.ARAHAN_REQUIRED)
    cycle.disposed_at = cycle.archived_at = now
    cycle.kepala_id = member.id
    cycle.decision = decision
    cycle.arahan = arahan.strip() if arahan else None
    agreed = decision is DispositionDecision.AGREE
    decide_cards(session, CardKind.MEASUREMENT_REPORT, cycle.id, Outcome.AGREED if agreed else Outcome.ARAHAN,
                 member.id, now, version=cycle.version, detail=cycle.arahan)
    _move(session, member, cycle, MeasurementStatus.ARCHIVED, "archived", now, decision=decision, arahan=cycle.arahan)
    people = {m.id: m for role in (Role.TIM_SAKIP, Role.SEKRETARIS, Role.KEPALA)
              for m in holders_of(session, role, now)}
    _tell(session, [people[key] for key in sorted(people)], MeasurementDisposed, cycle, member)
    _tell(session, preparers(session, now), LaporanDocument, cycle, code=cycle.ref.code)
    return cycle
