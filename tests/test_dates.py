"""Spec for models.calc.dates: month and triwulan labels, dates and times as staff read them."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from models.calc.dates import (
    MONTHS_ID,
    format_date,
    format_datetime,
    month_label,
    month_names,
    roman,
    triwulan_label,
)

# ------------------------------------------------------------------------- months


def test_indonesian_month_names_come_from_babel():
    assert MONTHS_ID == (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    )  # fmt: skip


def test_english_month_names():
    assert month_names("en")[0] == "January"
    assert month_names("en")[11] == "December"


@pytest.mark.parametrize(
    ("month", "label"),
    [(1, "Januari 2026"), (3, "Maret 2026"), (5, "Mei 2026"), (8, "Agustus 2026"), (12, "Desember 2026")],
)
def test_month_label_in_indonesian(month, label):
    assert month_label(2026, month) == label


def test_month_label_in_english():
    assert month_label(2026, 1, "en") == "January 2026"
    assert month_label(2025, 12, locale="en") == "December 2025"


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_label_refuses_a_month_that_does_not_exist(month):
    with pytest.raises(ValueError):
        month_label(2026, month)


# ------------------------------------------------------------------------ triwulan


@pytest.mark.parametrize(
    ("quarter", "label"),
    [(1, "Triwulan I 2026"), (2, "Triwulan II 2026"), (3, "Triwulan III 2026"), (4, "Triwulan IV 2026")],
)
def test_triwulan_label_uses_the_government_word_and_roman_numerals(quarter, label):
    assert triwulan_label(2026, quarter) == label


def test_triwulan_label_in_english():
    assert triwulan_label(2026, 1, "en") == "Quarter I 2026"
    assert triwulan_label(2026, 4, "en_US") == "Quarter IV 2026"


def test_triwulan_label_with_a_regional_indonesian_locale():
    assert triwulan_label(2026, 2, "id_ID") == "Triwulan II 2026"


@pytest.mark.parametrize("quarter", [0, 5, True])
def test_triwulan_label_refuses_a_quarter_that_does_not_exist(quarter):
    with pytest.raises(ValueError):
        triwulan_label(2026, quarter)


# -------------------------------------------------------------------------- roman


@pytest.mark.parametrize(
    ("n", "numeral"),
    [(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (6, "VI"), (9, "IX"), (11, "XI"), (12, "XII")],
)
def test_roman_numerals(n, numeral):
    assert roman(n) == numeral


@pytest.mark.parametrize("n", [0, 13, -4])
def test_roman_refuses_numbers_outside_1_to_12(n):
    with pytest.raises(ValueError):
        roman(n)


def test_roman_refuses_non_integers():
    with pytest.raises(TypeError):
        roman(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roman(True)


# -------------------------------------------------------------------------- dates


def test_format_date_in_indonesian():
    assert format_date(date(2026, 11, 24)) == "24 November 2026"
    assert format_date(date(2026, 8, 1)) == "1 Agustus 2026"


def test_format_date_in_english_is_babels_long_format():
    assert format_date(date(2026, 11, 24), "en") == "November 24, 2026"


def test_format_date_refuses_a_datetime():
    # Its calendar day depends on the time zone: use format_datetime instead.
    with pytest.raises(TypeError):
        format_date(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


# ---------------------------------------------------------------------- datetimes


def test_format_datetime_shows_jakarta_time_by_default():
    utc = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    assert format_datetime(utc) == "24 Nov 2026 14.30"


def test_format_datetime_converts_across_midnight():
    utc = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert format_datetime(utc) == "1 Jan 2027 03.00"


def test_format_datetime_in_another_indonesian_zone():
    utc = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    assert format_datetime(utc, tz="Asia/Makassar") == "24 Nov 2026 15.30"  # WITA
    assert format_datetime(utc, tz="Asia/Jayapura") == "24 Nov 2026 16.30"  # WIT


def test_format_datetime_accepts_any_aware_datetime():
    wib = datetime(2026, 5, 2, 9, 5, tzinfo=ZoneInfo("Asia/Jakarta"))
    plus_seven = datetime(2026, 5, 2, 9, 5, tzinfo=timezone(timedelta(hours=7)))
    assert format_datetime(wib) == format_datetime(plus_seven) == "2 Mei 2026 09.05"


def test_format_datetime_in_english():
    utc = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    # Babel (CLDR) puts a narrow no-break space before AM/PM.
    assert format_datetime(utc, locale="en") == "Nov 24, 2026, 2:30\u202fPM"


def test_format_datetime_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 11, 24, 14, 30))


def test_format_datetime_refuses_an_unknown_zone():
    with pytest.raises(ZoneInfoNotFoundError):
        format_datetime(datetime(2026, 11, 24, tzinfo=UTC), tz="Asia/Atlantis")


def test_format_datetime_refuses_a_plain_date():
    with pytest.raises(TypeError):
        format_datetime(date(2026, 11, 24))  # type: ignore[arg-type]
