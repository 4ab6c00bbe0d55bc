"""Reminders without fatigue, escalation, and the scheduled opening of periods: the scheduler's domain work.

Everything is derived from the database at the moment `run_scheduled_work(now)` runs:
- what each person still has to do (a unit form to send, forms to review, a period to report, a report to
  dispose; in procedure B a triwulan's measurement to send, review, report or dispose), and the reminder
  moments of that task: before the deadline (`days_before`), on the day, then daily while overdue; for every
  other task, once the step has taken longer than its mutu baku, then daily. Moments that fall in quiet hours
  move to the end of them, and those on a weekend or a day off (holiday, cuti bersama, office day off) to the
  next working day;
- a `Reminder` row per person, period (or triwulan measurement) and task keeps the last moment it fired, the
  message to edit, and a snooze. A reminder fires when a moment newer than its last one has come, so a restart
  neither repeats a reminder nor loses one (a bot that was down fires the latest missed moment once, not each
  of them);
- the notification is an outbox row with a dedupe key per reminder and moment, written in the same
  transaction, so two processes running this at once still queue it once.

One message per person, period and task: the first reminder is sent, later ones edit it with the new countdown; a
snoozed reminder is sent again as a fresh message (the old one is deleted) because the person asked to be
pinged. When the task is done the message is edited to say so, and nothing more is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.calc.working_time import add_working_time, is_quiet, next_allowed
from models.collection.forms import Disposition, FormStatus, PeriodReport, UnitForm
from models.collection.opening import open_scheduled_period
from models.collection.progress import period_units
from models.errors import ErrorCode, WorkflowError
from models.measurement.cycle import MeasurementCycle, MeasurementStatus, last_submitted_at, preparers
from models.messaging.notices import Escalation, ReminderDue
from models.messaging.outbox import enqueue
from models.office.audit import Actor, record_by
from models.office.organisation import Member, Role, members_with_role, unit_members
from models.plan.periods import Period, PeriodStatus
from models.reporting.report import archive_agreed, next_archive
from models.store.types import UTCDateTime, enum_type, utcnow
from models.timing.mutu_baku import cycle_moments
from models.timing.schedule import ScheduleRules, next_opening, periods_to_open
from models.timing.steps import Step


class Task(StrEnum):
    FILL = "isi"  # unit members: the unit form is not sent yet
    REVIEW = "verifikasi"  # a Sekretaris: forms wait for review
    REPORT = "laporan"  # a Sekretaris: every unit approved, not yet reported to the Kepala Dinas
    DISPOSE = "disposisi"  # the Kepala Dinas: a report waits for a disposition
    # procedure B: a triwulan's measurement (`Reminder.measurement_id` instead of `period_id`)
    MEASURE_PREPARE = "ukur_laporan"  # the Tim SAKIP: the measurement waits for its analysis and sending (B7)
    MEASURE_REVIEW = "ukur_verifikasi"  # a Sekretaris: the measurement waits for approval or return (B8)
    MEASURE_REPORT = "ukur_laporan_kepala"  # a Sekretaris: approved, not yet reported to the Kepala Dinas (B9)
    MEASURE_DISPOSE = "ukur_disposisi"  # the Kepala Dinas: the measurement waits for a disposition


TASK_STEP = {Task.FILL: Step.PENGISIAN, Task.REVIEW: Step.VERIFIKASI, Task.REPORT: Step.LAPORAN_KEPALA,
             Task.DISPOSE: Step.DISPOSISI, Task.MEASURE_PREPARE: Step.UKUR_LAPORAN,
             Task.MEASURE_REVIEW: Step.UKUR_VERIFIKASI, Task.MEASURE_REPORT: Step.UKUR_LAPORAN_KEPALA,
             Task.MEASURE_DISPOSE: Step.UKUR_DISPOSISI}
WAITING = (FormStatus.DRAFT, FormStatus.RETURNED)  # a unit form in these states is not sent yet


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("period_id", "member_id", "task"),
                      sa.UniqueConstraint("measurement_id", "member_id", "task"))

    id: int | None = Field(default=None, primary_key=True)
    # what the task is about: a period (procedure A) or a triwulan's measurement (procedure B)
    period_id: int | None = Field(default=None, foreign_key="periods.id", index=True)
    measurement_id: int | None = Field(default=None, foreign_key="measurement_cycles.id", index=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    task: Task = Field(sa_type=enum_type(Task))
    unit_id: int | None = Field(default=None, foreign_key="units.id")  # the unit whose form it is (FILL)
    sent_count: int = 0
    last_slot_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Need:
    """Someone has something to do in a period (or a measurement), since `since`; reminders come at
    `slots_for(...)`."""

    period: Period | None
    member: Member
    task: Task
    since: datetime
    unit_id: int | None = None
    cycle: MeasurementCycle | None = None

    @property
    def key(self) -> tuple[int | None, int | None, int, Task]:
        return (self.period.id if self.period else None, self.cycle.id if self.cycle else None, self.member.id,
                self.task)


def _reminder_key(row: Reminder) -> tuple[int | None, int | None, int, Task]:
    return row.period_id, row.measurement_id, row.member_id, Task(row.task)


@dataclass
class Outcome:
    """What one run did, and when the next one is needed."""

    next_run: datetime | None = None
    opened: list[str] = field(default_factory=list)
    reminded: int = 0
    escalated: int = 0
    closed: int = 0
    archived: list[str] = field(default_factory=list)  # periods agreed whose undo window has passed


# -- who has something to do ------------------------------------------------------------------------------
def _waiting_units(session: Session, period: Period) -> list[int]:
    forms = {form.unit_id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}
    return [unit.id for unit in period_units(session, period)
            if unit.id not in forms or FormStatus(forms[unit.id].status) in WAITING]


def needs(session: Session, now: datetime) -> list[Need]:
    """Every open task of every person, in a stable order."""
    found = []
    periods = session.exec(select(Period).where(Period.status != PeriodStatus.ARCHIVED).order_by(Period.id)).all()
    for period in periods:
        status = PeriodStatus(period.status)
        if status is PeriodStatus.OPEN and period.deadline is not None and period.opened_at is not None:
            for unit_id in _waiting_units(session, period):
                for member in unit_members(session, unit_id):
                    found.append(Need(period, member, Task.FILL, period.opened_at, unit_id))
        if status is PeriodStatus.DRAFT:
            continue
        waiting = [form.submitted_at for form in session.exec(select(UnitForm).where(
            UnitForm.period_id == period.id, UnitForm.status == FormStatus.SUBMITTED)) if form.submitted_at]
        if waiting:
            found += [Need(period, m, Task.REVIEW, min(waiting)) for m in members_with_role(session, Role.SEKRETARIS)]
        report = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).first()
        if report is None:
            approved = cycle_moments(session, period)["all_approved"]
            if approved is not None:
                found += [Need(period, m, Task.REPORT, approved) for m in members_with_role(session, Role.SEKRETARIS)]
        elif session.exec(select(Disposition.id).where(Disposition.period_id == period.id)).first() is None:
            found += [Need(period, m, Task.DISPOSE, report.reported_at)
                      for m in members_with_role(session, Role.KEPALA)]
    return found + _measurement_needs(session)


def _measurement_needs(session: Session) -> list[Need]:
    """Procedure B: whoever holds each triwulan's measurement that is not archived yet."""
    found = []
    cycles = session.exec(select(MeasurementCycle).where(MeasurementCycle.status != MeasurementStatus.ARCHIVED)
                          .order_by(MeasurementCycle.id)).all()
    for cycle in cycles:
        status = MeasurementStatus(cycle.status)
        if status in (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED):
            task, people = Task.MEASURE_PREPARE, preparers(session)
            since = cycle.ready_at if status is MeasurementStatus.DRAFT else cycle.decided_at
        elif status is MeasurementStatus.SUBMITTED:
            task, people = Task.MEASURE_REVIEW, members_with_role(session, Role.SEKRETARIS)
            since = last_submitted_at(session, cycle)
        elif status is MeasurementStatus.APPROVED:
            task, people, since = Task.MEASURE_REPORT, members_with_role(session, Role.SEKRETARIS), cycle.approved_at
        else:
            task, people, since = Task.MEASURE_DISPOSE, members_with_role(session, Role.KEPALA), cycle.reported_at
        found += [Need(None, member, task, since or cycle.ready_at, cycle=cycle) for member in people]
    return found


# -- when to remind ---------------------------------------------------------------------------------------
def fill_slots(deadline: date, opened_at: datetime, around: date, rules: ScheduleRules) -> list[datetime]:
    """Reminder moments of a form due on `deadline`: `days_before` (working days, so a holiday just before the
    deadline does not swallow them), the day itself, then daily; only those after the period opened, and only
    the daily ones near `around` (the rest cannot matter now)."""
    overdue_day = max(0, (around - deadline).days)
    hours = rules.hours
    days = {hours.working_days_before(deadline, count) for count in rules.days_before}
    days |= {deadline + timedelta(days=offset) for offset in range(max(0, overdue_day - 6), overdue_day + 7)}
    return sorted({slot for day in days if (slot := rules.at_reminder_time(day)) > opened_at})


def follow_up_slots(since: datetime, standard: timedelta, around: date, rules: ScheduleRules) -> list[datetime]:
    """Once the step has taken its standard working time, then every working day at the reminder time."""
    first = next_allowed(add_working_time(since, standard, rules.hours, rules.tz), rules.hours, rules.tz)
    first_day = first.astimezone(rules.tz).date()
    start = max(first_day + timedelta(days=1), around - timedelta(days=6))
    days = (start + timedelta(days=n) for n in range(max(0, (around - start).days) + 8))
    return sorted({first} | {rules.at_reminder_time(day) for day in days})


def slots_for(need: Need, around: date, rules: ScheduleRules) -> list[datetime]:
    if need.task is Task.FILL:
        return fill_slots(need.period.deadline, need.period.opened_at, around, rules)
    return follow_up_slots(need.since, rules.standards[TASK_STEP[need.task]], around, rules)


# -- the run ----------------------------------------------------------------------------------------------
def _open_reminders(session: Session) -> dict[tuple[int | None, int | None, int, Task], Reminder]:
    """Every reminder of a period or measurement not yet archived, and every one not yet closed, by `Need.key`:
    one query for the whole run. (Closed ones of a running period may open again: a returned form.)"""
    rows = session.exec(
        select(Reminder)
        .outerjoin(Period, Period.id == Reminder.period_id)
        .outerjoin(MeasurementCycle, MeasurementCycle.id == Reminder.measurement_id)
        .where(sa.or_(Reminder.closed_at == None,  # noqa: E711  (archiving closes them)
                      sa.and_(Reminder.period_id != None, Period.status != PeriodStatus.ARCHIVED),  # noqa: E711
                      sa.and_(Reminder.measurement_id != None,  # noqa: E711
                              MeasurementCycle.status != MeasurementStatus.ARCHIVED)))).all()
    return {_reminder_key(row): row for row in rows}


def _fire(session: Session, reminder: Reminder, slot: datetime, *, replace: bool = False) -> None:
    reminder.sent_count += 1
    reminder.last_slot_at = max(slot, reminder.last_slot_at or slot)
    session.add(reminder)
    session.flush()
    key = f"reminder:{reminder.id}:{'snooze:' if replace else ''}{int(slot.timestamp())}"
    enqueue(session, reminder.member_id, ReminderDue(reminder.id, replace), key)


def _remind(session: Session, need: Need, reminder: Reminder | None, now: datetime,
            rules: ScheduleRules) -> tuple[Reminder | None, bool, datetime | None]:
    """Fire this person's reminder when one is due; returns (its reminder, fired, when it is next needed)."""
    slots = slots_for(need, now.astimezone(rules.tz).date(), rules)
    due = [slot for slot in slots if slot <= now]
    upcoming = next((slot for slot in slots if slot > now), None)
    if reminder is not None and reminder.closed_at is not None:  # done before, to do again (a returned form)
        reminder.closed_at, reminder.message_id, reminder.snoozed_until = None, None, None
        reminder.last_slot_at = now
        session.add(reminder)
        return reminder, False, upcoming
    if reminder is not None and reminder.snoozed_until is not None:
        if now < reminder.snoozed_until:
            return reminder, False, reminder.snoozed_until
        snoozed, reminder.snoozed_until = reminder.snoozed_until, None
        _fire(session, reminder, max(due[-1], snoozed) if due else snoozed, replace=True)
        return reminder, True, upcoming
    if not due or (reminder is not None and reminder.last_slot_at is not None and due[-1] <= reminder.last_slot_at):
        return reminder, False, upcoming
    if reminder is None:
        reminder = Reminder(period_id=need.period.id if need.period else None,
                            measurement_id=need.cycle.id if need.cycle else None,
                            member_id=need.member.id, task=need.task, unit_id=need.unit_id, created_at=now)
        session.add(reminder)
    _fire(session, reminder, due[-1])
    return reminder, True, upcoming


def _escalate(session: Session, period: Period, unit_id: int, rules: ScheduleRules) -> int:
    """Tell the unit head, then the Sekretaris, once the unit has had enough reminders without sending."""
    counts = session.exec(select(Reminder.sent_count).where(Reminder.period_id == period.id,
                                                            Reminder.unit_id == unit_id,
                                                            Reminder.task == Task.FILL)).all()
    missed = max(counts, default=0)
    queued = 0
    for level, role, threshold in (("kabid", Role.KABID, rules.escalate_kabid_after),
                                   ("sekretaris", Role.SEKRETARIS, rules.escalate_sekretaris_after)):
        if missed < threshold:
            continue
        recipients = members_with_role(session, role, unit_id if role is Role.KABID else None)
        for recipient in recipients:
            queued += enqueue(session, recipient.id, Escalation(period.id, unit_id, level, missed),
                              f"escalate:{level}:{period.id}:{unit_id}:{recipient.id}")
    return queued


def _close_finished(session: Session, reminders: list[Reminder], open_ids: set[int], now: datetime) -> int:
    """Reminders whose task is done: the message says so (edited in place) and nothing more comes."""
    closed = 0
    for reminder in reminders:
        if reminder.closed_at is not None or reminder.id in open_ids:
            continue
        reminder.closed_at, reminder.snoozed_until = now, None
        session.add(reminder)
        if reminder.sent_count:
            enqueue(session, reminder.member_id, ReminderDue(reminder.id, replace=False),
                    f"reminder:{reminder.id}:closed:{int(now.timestamp())}")
        closed += 1
    return closed


def run_scheduled_work(session: Session, now: datetime, rules: ScheduleRules) -> Outcome:
    """Archive the periods agreed whose undo window has passed; open due periods, send due reminders and
    escalations, close finished reminders (these not in quiet hours).
    Safe to run at any moment and any number of times: it only does what is due and not done yet."""
    outcome = Outcome()
    outcome.archived = archive_agreed(session, now)  # no message of its own to hold back: in quiet hours too
    archive_at = next_archive(session)
    if is_quiet(now, rules.hours, rules.tz):
        outcome.next_run = min(moment for moment in (next_allowed(now, rules.hours, rules.tz), archive_at)
                               if moment is not None)
        return outcome
    for ref in periods_to_open(session, now, rules):
        open_scheduled_period(session, ref, rules.deadline_for(ref), now)
        outcome.opened.append(ref.code)
    wakes = [next_opening(now, rules), archive_at]
    known = _open_reminders(session)
    open_ids = set()
    reminded_units: dict[tuple[int, int], Period] = {}
    for need in needs(session, now) if rules.remind else []:
        reminder, fired, upcoming = _remind(session, need, known.get(need.key), now, rules)
        wakes.append(upcoming)
        if reminder is not None:
            open_ids.add(reminder.id)
        if fired:
            outcome.reminded += 1
            if need.task is Task.FILL:
                reminded_units[(need.period.id, need.unit_id)] = need.period
    for (_, unit_id), period in sorted(reminded_units.items(), key=lambda item: item[0]):
        outcome.escalated += _escalate(session, period, unit_id, rules)
    if rules.remind:  # reminders switched off close nothing: the tasks are not done
        outcome.closed = _close_finished(session, list(known.values()), open_ids, now)
    outcome.next_run = min((wake for wake in wakes if wake is not None), default=None)
    return outcome


# -- snooze -----------------------------------------------------------------------------------------------
def snooze_reminder(session: Session, member: Member, reminder_id: int, now: datetime,
                    rules: ScheduleRules) -> datetime:
    """"Ingatkan nanti": no reminder until `snooze` has passed (and quiet hours are over), then one fresh one."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.member_id != member.id:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if reminder.closed_at is not None:
        raise WorkflowError(ErrorCode.REMINDER_DONE)
    until = next_allowed(now + rules.snooze, rules.hours, rules.tz)
    reminder.snoozed_until = until
    session.add(reminder)
    record_by(session, Actor.member(member.id), "reminder.snoozed", "reminder", reminder.id, at=now,
              after={"until": until})
    return until


def remember_message(session: Session, reminder_id: int, message_id: int) -> None:
    """The message the reminder lives in, so the next reminder edits it."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is not None:
        reminder.message_id = message_id
        session.add(reminder)
