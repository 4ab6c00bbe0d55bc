"""Quiet hours and working time: when the bot may remind people, and how long a step took in office time.

The office sets quiet hours (default 20:00–07:00) and whether weekends are quiet. The same window serves two
purposes, so they never disagree: no reminder is sent inside it, and the SOP's standard times (mutu baku) are
counted outside it (a form handed in at 19:30 and approved at 07:40 the next morning waited 70 minutes, not
twelve hours). All arithmetic is in the office's time zone, whatever the time zone of the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

ONE_DAY = timedelta(days=1)


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


def is_quiet(moment: datetime, quiet: QuietHours, tz: tzinfo) -> bool:
    local = moment.astimezone(tz)
    return not any(a <= local < b for a, b in quiet.open_intervals(local.date(), tz))


def next_allowed(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """`moment` itself when it is outside quiet hours, else the first moment after them."""
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(15):  # at most a week or so of quiet days (a long weekend never exceeds this)
        for a, b in quiet.open_intervals(day, tz):
            if local < b:
                return max(local, a)
        day += ONE_DAY
    raise ValueError("quiet hours leave no time to remind anyone")


def working_time_between(start: datetime, end: datetime, quiet: QuietHours, tz: tzinfo) -> timedelta:
    """Time from `start` to `end` outside quiet hours (zero when `end` is not after `start`)."""
    if end <= start:
        return timedelta()
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = timedelta()
    day = local_start.date()
    while day <= local_end.date():
        for a, b in quiet.open_intervals(day, tz):
            lo, hi = max(a, local_start), min(b, local_end)
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total


def add_working_time(start: datetime, duration: timedelta, quiet: QuietHours, tz: tzinfo) -> datetime:
    """The moment when `duration` of working time has passed since `start`."""
    local = start.astimezone(tz)
    remaining = duration
    day = local.date()
    while True:
        for a, b in quiet.open_intervals(day, tz):
            lo = max(a, local)
            if b <= lo:
                continue
            if lo + remaining <= b:
                return lo + remaining
            remaining -= b - lo
        day += ONE_DAY
