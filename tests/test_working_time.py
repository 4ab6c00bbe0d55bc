"""Quiet hours and working time (`models/calc/working_time.py`), and the mutu baku standards (`MUTU_BAKU`).

The same window decides when the bot may remind people and how much office time a step of the SOP took, so
these properties carry both: working time never exceeds elapsed time, adds up over any split, and is what
`add_working_time` adds; `next_allowed` is the first moment outside quiet hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.calc.days_off import DaysOff
from models.calc.working_time import (
    QuietHours,
    WorkingHours,
    add_working_time,
    is_quiet,
    next_allowed,
    working_time_between,
)
from models.timing.steps import DEFAULT_STANDARDS, Step, parse_standards

WIB = ZoneInfo("Asia/Jakarta")
NO_DAYS_OFF = DaysOff(national=False)  # quiet hours alone (days off: tests/test_days_off.py)
DEFAULT = WorkingHours(QuietHours(), NO_DAYS_OFF)
NOON = WorkingHours(QuietHours(start=time(12, 0), end=time(13, 0), weekends=False), NO_DAYS_OFF)
NONE = WorkingHours(QuietHours(start=time(8, 0), end=time(8, 0)), NO_DAYS_OFF)  # no quiet hours (weekends are)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=WIB)


# Moments from 2025 to 2028, in the office's zone or in UTC (the arithmetic must not care which).
moments = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(WIB)),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
)
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
# days off: none, Indonesia's national holidays and cuti bersama, and those with an office closure
days_off = st.sampled_from([NO_DAYS_OFF, DaysOff(), DaysOff(office=frozenset(
    {date(2026, 3, 25), date(2026, 12, 28), date(2026, 12, 29)}))])
quiet_hours = st.one_of(
    st.just(DEFAULT), st.just(NOON), st.just(NONE),
    st.builds(WorkingHours, st.builds(QuietHours, start=clock_times, end=clock_times, weekends=st.booleans()),
              days_off),
)
durations = st.timedeltas(min_value=timedelta(), max_value=timedelta(weeks=3))


# -- properties ---------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(a=moments, b=moments, quiet=quiet_hours)
def test_working_time_never_exceeds_elapsed_time(a, b, quiet):
    worked = working_time_between(a, b, quiet, WIB)
    assert timedelta() <= worked <= max(b - a, timedelta())
    if b <= a:
        assert worked == timedelta()


@settings(max_examples=300, deadline=None)
@given(points=st.lists(moments, min_size=3, max_size=3), quiet=quiet_hours)
def test_working_time_adds_up_over_a_split_point(points, quiet):
    a, middle, b = sorted(points)
    assert (working_time_between(a, middle, quiet, WIB) + working_time_between(middle, b, quiet, WIB)
            == working_time_between(a, b, quiet, WIB))


@settings(max_examples=300, deadline=None)
@given(start=moments, duration=durations, quiet=quiet_hours)
def test_add_working_time_is_the_earliest_moment_with_that_much_working_time(start, duration, quiet):
    end = add_working_time(start, duration, quiet, WIB)
    assert end >= start
    assert working_time_between(start, end, quiet, WIB) == duration
    if duration > timedelta():  # not a moment earlier
        assert working_time_between(start, end - timedelta(microseconds=1), quiet, WIB) < duration


@settings(max_examples=300, deadline=None)
@given(moment=moments, quiet=quiet_hours)
@example(moment=datetime(2025, 2, 1, 0, 0, tzinfo=WIB),  # a Saturday; quiet from midnight: Monday 00:15, not 00:00
         quiet=WorkingHours(QuietHours(start=time(0, 0), end=time(0, 15), weekends=True), NO_DAYS_OFF))
@example(moment=datetime(2026, 3, 19, 21, 0, tzinfo=WIB),  # Nyepi evening: past Idul Fitri and its cuti bersama
         quiet=WorkingHours(QuietHours(), DaysOff()))
def test_next_allowed_is_the_first_moment_outside_quiet_hours(moment, quiet):
    allowed = next_allowed(moment, quiet, WIB)
    assert allowed >= moment
    assert not is_quiet(allowed, quiet, WIB)
    assert working_time_between(moment, allowed, quiet, WIB) == timedelta()  # nothing open was skipped
    if not is_quiet(moment, quiet, WIB):
        assert allowed == moment


@settings(max_examples=200, deadline=None)
@given(moment=moments, quiet=quiet_hours)
def test_is_quiet_agrees_with_working_time(moment, quiet):
    """A minute that starts in quiet hours has no working time in its first instant, and vice versa."""
    step = timedelta(microseconds=1)
    assert is_quiet(moment, quiet, WIB) == (working_time_between(moment, moment + step, quiet, WIB) == timedelta())


# -- examples -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("moment", "quiet"), [
    (wib(2026, 12, 5, 12, 0), True),  # Saturday noon
    (wib(2026, 12, 6, 10, 0), True),  # Sunday morning
    (wib(2026, 12, 7, 6, 59), True),  # Monday before 07:00
    (wib(2026, 12, 7, 6, 59, 59), True),
    (wib(2026, 12, 7, 7, 0), False),
    (wib(2026, 12, 7, 19, 59), False),
    (wib(2026, 12, 7, 19, 59, 59), False),
    (wib(2026, 12, 7, 20, 0), True),
    (wib(2026, 12, 7, 23, 30), True),
    (wib(2026, 12, 8, 0, 0), True),
    (wib(2026, 12, 11, 19, 59), False),  # Friday evening, still a working day
    (wib(2026, 12, 11, 20, 0), True),
])
def test_default_quiet_hours(moment, quiet):
    assert is_quiet(moment, DEFAULT, WIB) is quiet


def test_quiet_hours_are_taken_in_the_office_zone_whatever_the_zone_of_the_input():
    assert not is_quiet(datetime(2026, 12, 7, 0, 0, tzinfo=UTC), DEFAULT, WIB)  # 07:00 WIB
    assert is_quiet(datetime(2026, 12, 6, 23, 59, tzinfo=UTC), DEFAULT, WIB)  # 06:59 WIB
    assert not is_quiet(datetime(2026, 12, 7, 12, 59, tzinfo=UTC), DEFAULT, WIB)  # 19:59 WIB
    assert is_quiet(datetime(2026, 12, 7, 13, 0, tzinfo=UTC), DEFAULT, WIB)  # 20:00 WIB
    assert next_allowed(datetime(2026, 12, 7, 14, 0, tzinfo=UTC), DEFAULT, WIB) == wib(2026, 12, 8, 7, 0)


def test_next_allowed_examples():
    assert next_allowed(wib(2026, 12, 7, 10, 0), DEFAULT, WIB) == wib(2026, 12, 7, 10, 0)
    assert next_allowed(wib(2026, 12, 7, 21, 0), DEFAULT, WIB) == wib(2026, 12, 8, 7, 0)
    assert next_allowed(wib(2026, 12, 8, 3, 0), DEFAULT, WIB) == wib(2026, 12, 8, 7, 0)
    assert next_allowed(wib(2026, 12, 11, 20, 0), DEFAULT, WIB) == wib(2026, 12, 14, 7, 0)  # Friday → Monday
    assert next_allowed(wib(2026, 12, 5, 12, 0), DEFAULT, WIB) == wib(2026, 12, 7, 7, 0)
    assert next_allowed(wib(2026, 12, 5, 12, 0), NONE, WIB) == wib(2026, 12, 7, 0, 0)
    assert next_allowed(wib(2026, 12, 7, 12, 15), NOON, WIB) == wib(2026, 12, 7, 13, 0)


def test_working_time_examples():
    # handed in Friday 19:30, approved Monday 07:40: 30 + 40 minutes of office time, not a weekend
    assert working_time_between(wib(2026, 12, 11, 19, 30), wib(2026, 12, 14, 7, 40), DEFAULT, WIB) == timedelta(
        minutes=70)
    assert working_time_between(wib(2026, 12, 7, 19, 30), wib(2026, 12, 8, 7, 40), DEFAULT, WIB) == timedelta(
        minutes=70)
    assert working_time_between(wib(2026, 12, 7, 20, 0), wib(2026, 12, 8, 7, 40), DEFAULT, WIB) == timedelta(
        minutes=40)
    # a whole week is five working days
    assert working_time_between(wib(2026, 12, 7), wib(2026, 12, 14), DEFAULT, WIB) == 5 * timedelta(hours=13)
    assert working_time_between(wib(2026, 12, 7, 10), wib(2026, 12, 7, 9), DEFAULT, WIB) == timedelta()
    assert add_working_time(wib(2026, 12, 8, 19, 30), timedelta(minutes=90), DEFAULT, WIB) == wib(2026, 12, 9, 8, 0)
    assert add_working_time(wib(2026, 12, 11, 19, 30), timedelta(minutes=90), DEFAULT, WIB) == wib(2026, 12, 14, 8)
    assert add_working_time(wib(2026, 12, 8, 10, 0), timedelta(minutes=90), DEFAULT, WIB) == wib(2026, 12, 8, 11, 30)
    assert add_working_time(wib(2026, 12, 10, 9, 0), timedelta(hours=13), DEFAULT, WIB) == wib(2026, 12, 11, 9, 0)
    # zero working time from a quiet moment is the end of the quiet hours
    assert add_working_time(wib(2026, 12, 5, 12, 0), timedelta(), DEFAULT, WIB) == wib(2026, 12, 7, 7, 0)


def test_no_quiet_hours_in_a_day_when_start_equals_end():
    assert NONE.working_day_length() == timedelta(hours=24)
    for hour in range(24):
        assert not is_quiet(wib(2026, 12, 7, hour, 30), NONE, WIB)
    assert is_quiet(wib(2026, 12, 5, 12, 0), NONE, WIB)  # the weekend stays quiet
    every_day = WorkingHours(QuietHours(start=time(0, 0), end=time(0, 0), weekends=False), NO_DAYS_OFF)
    assert not is_quiet(wib(2026, 12, 5, 3, 0), every_day, WIB)
    assert working_time_between(wib(2026, 12, 5), wib(2026, 12, 8), every_day, WIB) == timedelta(days=3)
    assert add_working_time(wib(2026, 12, 5, 22), timedelta(hours=5), every_day, WIB) == wib(2026, 12, 6, 3)


def test_a_quiet_window_at_noon():
    assert NOON.working_day_length() == timedelta(hours=23)
    assert not is_quiet(wib(2026, 12, 7, 11, 59), NOON, WIB)
    assert is_quiet(wib(2026, 12, 7, 12, 0), NOON, WIB)
    assert is_quiet(wib(2026, 12, 7, 12, 59), NOON, WIB)
    assert not is_quiet(wib(2026, 12, 7, 13, 0), NOON, WIB)
    assert not is_quiet(wib(2026, 12, 7, 0, 0), NOON, WIB)
    assert not is_quiet(wib(2026, 12, 7, 23, 59), NOON, WIB)
    assert not is_quiet(wib(2026, 12, 5, 9, 0), NOON, WIB)  # weekends are working days here
    assert is_quiet(wib(2026, 12, 5, 12, 30), NOON, WIB)
    assert working_time_between(wib(2026, 12, 7, 11), wib(2026, 12, 7, 14), NOON, WIB) == timedelta(hours=2)
    assert working_time_between(wib(2026, 12, 7, 23), wib(2026, 12, 8, 1), NOON, WIB) == timedelta(hours=2)
    assert add_working_time(wib(2026, 12, 7, 11, 30), timedelta(hours=1), NOON, WIB) == wib(2026, 12, 7, 13, 30)
    assert add_working_time(wib(2026, 12, 7, 12, 30), timedelta(), NOON, WIB) == wib(2026, 12, 7, 13, 0)


def test_working_day_length_of_the_default_quiet_hours_is_13_hours():
    assert DEFAULT.working_day_length() == timedelta(hours=13)
    assert QuietHours(start=time(17, 0), end=time(8, 0)).working_day_length() == timedelta(hours=9)
    assert WorkingHours().working_day_length() == timedelta(hours=13)  # days off do not shorten a working day


# -- mutu baku standards ------------------------------------------------------------------------------------
DAY = timedelta(hours=13)


def test_default_standards_are_the_sops_tables():
    expected = {Step.DISTRIBUSI: timedelta(minutes=10), Step.PENGISIAN: DAY, Step.REKAP: timedelta(minutes=120),
                Step.LAPORAN_SEKRETARIS: timedelta(minutes=40), Step.VERIFIKASI: timedelta(minutes=90),
                Step.LAPORAN_KEPALA: timedelta(minutes=40), Step.DISPOSISI: DAY, Step.ARSIP: timedelta(minutes=10),
                # the kabid's check before the Sekretaris's (KABID_REVIEW): the SOP gives it the Sekretaris's time
                Step.VERIFIKASI_KABID: timedelta(minutes=90),
                # procedure B (Pengukuran Kinerja): steps 7, 8, 9 of its table; the disposition and archive as in A
                Step.UKUR_LAPORAN: timedelta(minutes=40), Step.UKUR_VERIFIKASI: timedelta(minutes=100),
                Step.UKUR_LAPORAN_KEPALA: timedelta(minutes=40), Step.UKUR_DISPOSISI: DAY,
                Step.UKUR_ARSIP: timedelta(minutes=10)}
    assert parse_standards("", DAY) == expected
    assert expected == DEFAULT_STANDARDS
    assert set(expected) == set(Step)


def test_standards_override_only_the_steps_named():
    standards = parse_standards("verifikasi=2h,disposisi=2d", DAY)
    assert standards[Step.VERIFIKASI] == timedelta(hours=2)
    assert standards[Step.DISPOSISI] == timedelta(hours=26)
    assert standards[Step.PENGISIAN] == DAY
    assert standards[Step.LAPORAN_KEPALA] == timedelta(minutes=40)
    # spaces, capitals and a trailing comma are forgiven
    assert parse_standards(" Verifikasi = 45M , ", DAY)[Step.VERIFIKASI] == timedelta(minutes=45)
    # a day is the working day of the quiet hours in force
    assert parse_standards("pengisian=1d", NOON.working_day_length())[Step.PENGISIAN] == timedelta(hours=23)
    assert parse_standards("arsip=0m", DAY)[Step.ARSIP] == timedelta()


@pytest.mark.parametrize(("text", "named"), [
    ("review=2h", "'review'"),
    ("verifikasi=2h,review=2h", "'review'"),
    ("verifikasi=2w", "'verifikasi=2w'"),
    ("verifikasi=2", "'verifikasi=2'"),
    ("verifikasi=h", "'verifikasi=h'"),
    ("verifikasi=1.5h", "'verifikasi=1.5h'"),
    ("verifikasi=-1h", "'verifikasi=-1h'"),
    ("verifikasi", "'verifikasi'"),
    ("verifikasi=", "'verifikasi='"),
    ("disposisi=2d,arsip=10 menit", "'arsip=10 menit'"),
])
def test_bad_standards_name_the_part(text, named):
    with pytest.raises(ValueError) as error:
        parse_standards(text, DAY)
    assert named in str(error.value)


def test_an_unknown_step_lists_the_known_ones():
    with pytest.raises(ValueError, match="known: distribusi, pengisian"):
        parse_standards("review=2h", DAY)


def test_a_superscript_digit_is_refused_naming_the_part():
    with pytest.raises(ValueError) as error:
        parse_standards("verifikasi=²h", DAY)
    assert "'verifikasi=²h'" in str(error.value)
