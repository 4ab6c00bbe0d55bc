"""The office's calendar rules: when periods open, when forms are due, when and how often people are reminded.

`ScheduleRules` is plain data built from the settings (`bot/config.py`) so the domain and the tests use the
same rules without reading the environment. Every moment the scheduler acts on comes from these rules and the
database, so a restart computes the same moments again (see `models/timing/reminders.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel import Session

from models.calc.clock import OFFICE_TZ
from models.calc.days_off import DaysOff
from models.calc.working_time import QuietHours, WorkingHours, is_quiet, next_allowed
from models.errors import ErrorCode, WorkflowError
from models.plan.indicators import frequency_of
from models.plan.periods import PeriodKind, PeriodRef, PeriodStatus, find_period, latest_ended
from models.plan.pk import indicators_of
from models.timing.steps import DEFAULT_STANDARDS, Step


@dataclass(frozen=True)
class ScheduleRules:
    tz: tzinfo = OFFICE_TZ
    quiet: QuietHours = field(default_factory=QuietHours)
    days_off: DaysOff = field(default_factory=DaysOff)  # national holidays, cuti bersama, the office's own
    auto_open: bool = True
    remind: bool = True  # reminders and escalations (off: only periods open by themselves)
    open_day: int = 1  # periods open on this day of the month after they end
    deadline_day: int = 10  # and are due on this day of that month
    reminder_time: time = time(8, 0)
    days_before: tuple[int, ...] = (3, 1)  # working days; then on the day, then daily while overdue
    escalate_kabid_after: int = 4  # reminders a unit has had without sending its form
    escalate_sekretaris_after: int = 6
    snooze: timedelta = timedelta(hours=3)
    agree_undo: timedelta = timedelta(minutes=10)  # "Setuju" may be undone this long; the archive follows it
    standards: dict[Step, timedelta] = field(default_factory=lambda: dict(DEFAULT_STANDARDS))
    # A Bidang's form goes to its kabid to approve or return before the Sekretaris (`KABID_REVIEW`); its mutu
    # baku timeline then shows that step (`models/collection/kabid_review.py`).
    kabid_review: bool = False

    @property
    def hours(self) -> WorkingHours:
        """The working time every reminder moment and mutu baku duration is computed in."""
        return WorkingHours(self.quiet, self.days_off)

    def at_reminder_time(self, day: date) -> datetime:
        """The day's reminder moment; on a quiet day (a weekend, a holiday, cuti bersama, an office day off) the
        reminder time of the next working day (Saturday's goes to Monday 08:00, Friday 20 March 2026's, cuti
        bersama before Idul Fitri, to Wednesday the 25th). A reminder time inside quiet hours moves to their end."""
        hours = self.hours
        moment = datetime.combine(hours.next_working_day(day), self.reminder_time, tzinfo=self.tz)
        return moment if not is_quiet(moment, hours, self.tz) else next_allowed(moment, hours, self.tz)

    def opening_moment(self, ref: PeriodRef) -> datetime:
        return self.at_reminder_time(ref.day_after_end(self.open_day))

    def nominal_deadline(self, ref: PeriodRef) -> date:
        """The deadline day the settings name (DEADLINE_DAY), whether or not the office is open then."""
        return ref.day_after_end(self.deadline_day)

    def deadline_for(self, ref: PeriodRef) -> date:
        """The period's deadline: the nominal day, or the next working day when the office is closed then (a form
        cannot be handed in on a day nobody is at the office to receive it)."""
        return self.hours.next_working_day(self.nominal_deadline(ref))


def has_targets(session: Session, ref: PeriodRef) -> bool:
    """The PK in force for the period has an indicator collected in that kind of period."""
    return bool(indicators_of(session, ref, frequency=frequency_of(ref.kind)))


def periods_to_open(session: Session, now: datetime, rules: ScheduleRules) -> list[PeriodRef]:
    """The month and the triwulan that ended last, once their opening moment has come, when never created.

    Only that one of each kind: a bot installed in November does not send ten months of forms at once, a bot
    that was down on the opening day opens the period when it starts, and a period an admin created, closed or
    archived by hand is left as it is."""
    if not rules.auto_open:
        return []
    today = now.astimezone(rules.tz).date()
    due = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        ref = latest_ended(kind, today)
        if rules.opening_moment(ref) > now or not has_targets(session, ref):
            continue
        if find_period(session, ref) is None:
            due.append(ref)
    return due


def due_periods(session: Session, now: datetime, rules: ScheduleRules) -> list[PeriodRef]:
    """The periods an admin may open now (`/periode`), months first, each newest first.

    Of each kind: the latest that has ended (as the scheduler would open it, even past its deadline), and any
    earlier one still inside its collection window (ended, its deadline not passed). Never the current unfinished
    month or triwulan, one already open or archived, nor one whose PK has no indicator collected then. A period
    created, then closed or left a draft, is due again (it is reopened)."""
    today = now.astimezone(rules.tz).date()
    due = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        ref = latest_ended(kind, today)
        candidates = [ref]
        while rules.deadline_for(ref := ref.previous()) >= today:
            candidates.append(ref)
        for candidate in candidates:
            period = find_period(session, candidate)
            if period is not None and PeriodStatus(period.status) in (PeriodStatus.OPEN, PeriodStatus.ARCHIVED):
                continue
            if has_targets(session, candidate):
                due.append(candidate)
    return due


def check_may_open(session: Session, ref: PeriodRef, now: datetime, rules: ScheduleRules) -> None:
    """Refuse opening `ref` by hand unless it is due (`due_periods`) or a period closed earlier (reopened)."""
    period = find_period(session, ref)
    status = PeriodStatus(period.status) if period is not None else None
    if status is PeriodStatus.OPEN:
        raise WorkflowError(ErrorCode.PERIOD_ALREADY_OPEN)
    if status is PeriodStatus.ARCHIVED:
        raise WorkflowError(ErrorCode.PERIOD_ARCHIVED, period=ref.code)
    if status is not PeriodStatus.CLOSED and ref not in due_periods(session, now, rules):
        raise WorkflowError(ErrorCode.PERIOD_NOT_DUE)


def next_opening(now: datetime, rules: ScheduleRules) -> datetime | None:
    """When the next period opens (for the scheduler's next wake-up)."""
    if not rules.auto_open:
        return None
    today = now.astimezone(rules.tz).date()
    moments = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        ref = latest_ended(kind, today)
        for candidate in (ref, ref.next()):
            moment = rules.opening_moment(candidate)
            if moment > now:
                moments.append(moment)
                break
    return min(moments) if moments else None
