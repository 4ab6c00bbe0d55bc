"""Quiet hours and working time: when the bot may remind people, and how long a step took in office time.

The office sets quiet hours (default 20:00–07:00) and whether weekends are quiet; its days off (national holidays,
cuti bersama and its own, `models/calc/days_off.py`) are quiet all day. `WorkingHours` holds both, and the same
window serves two purposes, so they never disagree: no reminder is sent inside it, and the SOP's standard times
(mutu baku) are counted outside it (a form handed in at 19:30 and approved at 07:40 the next morning waited 70
minutes, not twelve hours; one handed in before Idul Fitri waited no time over the holiday and its cuti bersama).
All arithmetic is in the office's time zone, whatever the time zone of the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from models.calc.days_off import DaysOff

ONE_DAY = timedelta(days=1)
# how far to look for the next open moment: Idul Fitri with its cuti bersama and the weekends around it closes an
# office for about ten days, and OFFICE_DAYS_OFF may add more; only a calendar closed for over a year gives up
_LONGEST_CLOSURE = 400


@dataclass(frozen=True)
class QuietHours:
    """No reminders from `start` to `end` (may run over midnight) and, when `weekends`, on Saturday and Sunday.
    `start == end` means no quiet hours in a day."""

    start: time = time(20, 0)
    end: time = time(7, 0)
    weekends: bool = True

    def open_intervals(self, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """The parts of a local calendar day outside quiet hours, as aware datetimes."""
        if self.weekends and day.weekday() >= 5:
            return []
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        next_midnight = datetime.combine(day + ONE_DAY, time(0), tzinfo=tz)
        if self.start == self.end:
            return [(midnight, next_midnight)]
        start = datetime.combine(day, self.start, tzinfo=tz)
        end = datetime.combine(day, self.end, tzinfo=tz)
        if self.start > self.end:  # overnight, e.g. 20:00–07:00: open from 07:00 to 20:00
            return [(end, start)]
        # e.g. 12:00–13:00 quiet at noon; a quiet time from midnight leaves no (empty) morning interval
        return [(a, b) for a, b in ((midnight, start), (end, next_midnight)) if a < b]

    def working_day_length(self) -> timedelta:
        """How long a working day is outside quiet hours (a standard of "1 hari" means this much)."""
        monday = date(2024, 1, 1)
        return sum((b - a for a, b in self.open_intervals(monday, UTC)), timedelta())


@dataclass(frozen=True)
class WorkingHours:
    """The office's working time: outside quiet hours, on a day that is neither a quiet weekend nor a day off."""

    quiet: QuietHours = field(default_factory=QuietHours)
    days_off: DaysOff = field(default_factory=DaysOff)

    def open_intervals(self, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        return [] if self.days_off.is_day_off(day) else self.quiet.open_intervals(day, tz)

    def working_day_length(self) -> timedelta:
        return self.quiet.working_day_length()

    def is_working_day(self, day: date) -> bool:
        """The office is open on `day` (whatever its quiet hours)."""
        return not (self.quiet.weekends and day.weekday() >= 5) and not self.days_off.is_day_off(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when the office is open then, else the first day after it that it is."""
        for offset in range(_LONGEST_CLOSURE):
            if self.is_working_day(candidate := day + timedelta(days=offset)):
                return candidate
        raise ValueError(f"no working day in the {_LONGEST_CLOSURE} days from {day.isoformat()}")

    def working_days_before(self, day: date, count: int) -> date:
        """The `count`-th working day before `day`: 1 before Wednesday 25 March 2026 is Tuesday the 17th, 3 before
        is Friday the 13th (Nyepi, Idul Fitri and their cuti bersama do not count), so a reminder "3 days before"
        a deadline just after a holiday comes before the office closes, not on the deadline itself."""
        found = day
        for _ in range(count):
            for _ in range(_LONGEST_CLOSURE):
                found -= ONE_DAY
                if self.is_working_day(found):
                    break
            else:
                raise ValueError(f"no working day in the {_LONGEST_CLOSURE} days before {day.isoformat()}")
        return found


def is_quiet(moment: datetime, hours: WorkingHours, tz: tzinfo) -> bool:
    local = moment.astimezone(tz)
    return not any(a <= local < b for a, b in hours.open_intervals(local.date(), tz))


def next_allowed(moment: datetime, hours: WorkingHours, tz: tzinfo) -> datetime:
    """`moment` itself when it is outside quiet hours, else the first moment after them."""
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(_LONGEST_CLOSURE):
        for a, b in hours.open_intervals(day, tz):
            if local < b:
                return max(local, a)
        day += ONE_DAY
    raise ValueError("quiet hours and days off leave no time to remind anyone")


def working_time_between(start: datetime, end: datetime, hours: WorkingHours, tz: tzinfo) -> timedelta:
    """Time from `start` to `end` outside quiet hours and days off (zero when `end` is not after `start`)."""
    if end <= start:
        return timedelta()
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = timedelta()
    day = local_start.date()
    while day <= local_end.date():
        for a, b in hours.open_intervals(day, tz):
            lo, hi = max(a, local_start), min(b, local_end)
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total


def add_working_time(start: datetime, duration: timedelta, hours: WorkingHours, tz: tzinfo) -> datetime:
    """The moment when `duration` of working time has passed since `start`."""
    local = start.astimezone(tz)
    remaining = duration
    day = local.date()
    while True:
        for a, b in hours.open_intervals(day, tz):
            lo = max(a, local)
            if b <= lo:
                continue
            if lo + remaining <= b:
                return lo + remaining
            remaining -= b - lo
        day += ONE_DAY
