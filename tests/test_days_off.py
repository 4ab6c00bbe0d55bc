"""Days off (`models/calc/days_off.py`): Indonesia's national holidays and cuti bersama from the `holidays`
package, the office's own from OFFICE_DAYS_OFF, and how they move reminders and deadlines and are worded.

The dates below are the 2026 joint decree's (SKB 3 Menteri): Nyepi on Thursday 19 March with cuti bersama on
the 18th, Idul Fitri on Saturday 21 and Sunday 22 March with cuti bersama on the 20th, 23rd and 24th.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.days_off import deadline_with_move
from models.calc.days_off import DayOff, DayOffKind, DaysOff, parse_days_off
from models.calc.working_time import QuietHours, WorkingHours, add_working_time, working_time_between
from models.plan.periods import Period, PeriodKind, PeriodRef
from models.timing.schedule import ScheduleRules

WIB = ZoneInfo("Asia/Jakarta")
RULES = ScheduleRules(tz=WIB)
FEBRUARY = PeriodRef(PeriodKind.MONTH, 2026, 2)


def march(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)


def test_idul_fitri_2026_and_its_cuti_bersama_come_from_the_package():
    days_off = DaysOff()
    assert days_off.reason(date(2026, 3, 21)) == DayOff(date(2026, 3, 21), DayOffKind.NATIONAL,
                                                        "Hari Raya Idul Fitri")
    assert days_off.reason(date(2026, 3, 20), "en") == DayOff(date(2026, 3, 20), DayOffKind.CUTI_BERSAMA,
                                                              "Eid al-Fitr Joint Holiday")
    closed = [day for day in (date(2026, 3, 16) + timedelta(days=n) for n in range(12)) if days_off.is_day_off(day)]
    assert closed == [date(2026, 3, day) for day in range(18, 25)]  # Nyepi, then Lebaran: Wednesday to Tuesday
    assert {days_off.reason(day).kind for day in closed} == {DayOffKind.NATIONAL, DayOffKind.CUTI_BERSAMA}
    assert days_off.reason(date(2026, 3, 25)) is None and not days_off.is_day_off(date(2026, 3, 17))
    assert days_off.is_day_off(date(2026, 8, 17)) and days_off.is_day_off(date(2026, 12, 24))  # cuti bersama Natal


def test_national_days_off_can_be_switched_off_and_office_days_added():
    office = DaysOff(national=False, office=frozenset({date(2026, 3, 25)}))
    assert not office.is_day_off(date(2026, 3, 21)) and office.reason(date(2026, 3, 21)) is None
    assert office.reason(date(2026, 3, 25)) == DayOff(date(2026, 3, 25), DayOffKind.OFFICE)
    both = DaysOff(office=frozenset({date(2026, 3, 25)}))
    assert WorkingHours(QuietHours(), both).next_working_day(date(2026, 3, 18)) == date(2026, 3, 26)


def test_working_time_skips_the_holiday_week():
    """17 March 19:00 to 25 March 08:00 is one hour on the 17th and one on the 25th; 90 minutes from then end
    on the 25th at 07:30."""
    hours = WorkingHours()
    assert working_time_between(march(17, 19), march(25, 8), hours, WIB) == timedelta(hours=2)
    assert add_working_time(march(17, 19), timedelta(minutes=90), hours, WIB) == march(25, 7, 30)
    plain = WorkingHours(days_off=DaysOff(national=False))
    assert add_working_time(march(17, 19), timedelta(minutes=90), plain, WIB) == march(18, 7, 30)


def test_a_reminder_on_a_day_off_moves_to_the_next_working_day():
    assert RULES.at_reminder_time(date(2026, 3, 20)) == march(25, 8)  # cuti bersama → after Lebaran
    assert RULES.at_reminder_time(date(2026, 3, 17)) == march(17, 8)
    assert RULES.at_reminder_time(date(2027, 1, 1)) == datetime(2027, 1, 4, 8, tzinfo=WIB)  # New Year, weekend


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day():
    due_20th = dataclasses.replace(RULES, deadline_day=20)
    assert due_20th.nominal_deadline(FEBRUARY) == date(2026, 3, 20)
    assert due_20th.deadline_for(FEBRUARY) == date(2026, 3, 25)
    assert RULES.deadline_for(FEBRUARY) == date(2026, 3, 10)  # a Tuesday: unchanged
    assert RULES.deadline_for(PeriodRef(PeriodKind.MONTH, 2026, 9)) == date(2026, 10, 12)  # Saturday → Monday
    office = dataclasses.replace(RULES, days_off=DaysOff(office=frozenset({date(2026, 3, 10)})))
    assert office.deadline_for(FEBRUARY) == date(2026, 3, 11)
    weekends_open = dataclasses.replace(RULES, quiet=QuietHours(weekends=False))
    assert weekends_open.deadline_for(PeriodRef(PeriodKind.MONTH, 2026, 9)) == date(2026, 10, 10)


@pytest.mark.parametrize(("rules", "language", "shown"), [
    (dataclasses.replace(RULES, deadline_day=20), "id",
     "25 Maret 2026 (digeser dari 20 Maret 2026, hari libur: Cuti Bersama Hari Raya Idul Fitri)"),
    (dataclasses.replace(RULES, deadline_day=20), "en",
     "March 25, 2026 (moved from March 20, 2026, a day off: Eid al-Fitr Joint Holiday)"),
    (dataclasses.replace(RULES, deadline_day=10, days_off=DaysOff(office=frozenset({date(2026, 3, 10)}))), "id",
     "11 Maret 2026 (digeser dari 10 Maret 2026, hari libur: libur kantor)"),
    (dataclasses.replace(RULES, deadline_day=14), "en",
     "March 16, 2026 (moved from March 14, 2026, a day off: weekend)"),
    (RULES, "id", "10 Maret 2026"),
], ids=["cuti-bersama-id", "cuti-bersama-en", "office", "weekend", "not-moved"])
def test_a_moved_deadline_says_why(rules, language, shown):
    period = Period(kind=PeriodKind.MONTH, year=2026, number=2, deadline=rules.deadline_for(FEBRUARY))
    assert deadline_with_move(period, rules, language) == shown


def test_a_deadline_set_to_another_day_is_shown_as_it_is():
    period = Period(kind=PeriodKind.MONTH, year=2026, number=2, deadline=date(2026, 3, 27))
    assert deadline_with_move(period, dataclasses.replace(RULES, deadline_day=20), "id") == "27 Maret 2026"
    assert deadline_with_move(Period(kind=PeriodKind.MONTH, year=2026, number=2), RULES, "id") == "–"


@pytest.mark.parametrize(("text", "days"), [
    ("", set()),
    ("2026-12-24", {date(2026, 12, 24)}),
    ("2026-12-24, 2026-12-31", {date(2026, 12, 24), date(2026, 12, 31)}),
    ("2026-12-30..2027-01-02", {date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)}),
    ("2026-12-24;2026-12-24,", {date(2026, 12, 24)}),
])
def test_office_days_off_are_parsed(text, days):
    assert parse_days_off(text) == days


@pytest.mark.parametrize(("text", "named"), [
    ("2026-12-32", "'2026-12-32'"),
    ("besok", "'besok'"),
    ("2026-12-24,24/12/2026", "'24/12/2026'"),
    ("2026-12-31..2026-12-01", "ends before it starts"),
    ("2026-01-01..2027-01-03", "longer than a year"),
    ("2026-12-01..", "'2026-12-01..'"),
])
def test_bad_office_days_off_name_the_part(text, named):
    with pytest.raises(ValueError, match=named):
        parse_days_off(text)


def test_reminders_before_a_deadline_count_working_days():
    """Due Wednesday 25 March 2026, right after Lebaran: 1 working day before is Tuesday 17 March, 3 before is
    Friday the 13th, so the units hear of it before the office closes."""
    hours = WorkingHours()
    assert hours.working_days_before(date(2026, 3, 25), 1) == date(2026, 3, 17)
    assert hours.working_days_before(date(2026, 3, 25), 3) == date(2026, 3, 13)
    assert hours.working_days_before(date(2026, 12, 10), 3) == date(2026, 12, 7)  # a plain week: Thursday → Monday


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), count=st.integers(1, 27))
def test_the_nth_working_day_before_has_n_minus_one_working_days_after_it(day, count):
    hours = WorkingHours(days_off=DaysOff(office=frozenset({date(2026, 3, 25), date(2027, 12, 27)})))
    found = hours.working_days_before(day, count)
    assert found < day and hours.is_working_day(found)
    between = (found + timedelta(days=n) for n in range(1, (day - found).days))
    assert sum(hours.is_working_day(other) for other in between) == count - 1
