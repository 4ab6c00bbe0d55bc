"""Indonesian dates and reporting-period labels (month, triwulan), via Babel.

Month names and date layouts come from Babel (CLDR) for the requested locale,
so ``id`` gives "Januari 2026" and "24 November 2026", ``en`` gives
"January 2026" and "November 24, 2026". The one thing CLDR does not have is the
government word for a quarter: CLDR's Indonesian quarter is "Kuartal ke-1",
whereas SAKIP documents say "Triwulan I", so `triwulan_label` builds that label
itself with a Roman numeral.

Times are shown in the office's time zone (WIB, ``Asia/Jakarta`` by default);
`format_datetime` refuses naive datetimes rather than guess what zone they are in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates

from models.calc.clock import OFFICE_TIMEZONE

__all__ = [
    "MONTHS_ID",
    "format_date",
    "format_datetime",
    "month_label",
    "month_names",
    "roman",
    "triwulan_label",
]

DEFAULT_TZ = OFFICE_TIMEZONE

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# The word before the Roman numeral, by language; anything else falls back to English.
_QUARTER_WORDS = {"id": "Triwulan", "en": "Quarter"}


def month_names(locale: str = "id") -> tuple[str, ...]:
    """The twelve stand-alone month names of `locale`, January first."""
    names = babel_dates.get_month_names("wide", context="stand-alone", locale=locale)
    return tuple(names[month] for month in range(1, 13))


#: ("Januari", "Februari", ..., "Desember"), as given by Babel for ``id``.
MONTHS_ID: tuple[str, ...] = month_names("id")


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 12 -> "XII"; anything outside 1..12 raises ValueError.

    Periods only need 1..12 (triwulan, semester, month), so that is all we support.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"roman() needs an int, not {type(n).__name__}")
    if not 1 <= n <= len(_ROMAN):
        raise ValueError(f"roman() supports 1..{len(_ROMAN)}, not {n}")
    return _ROMAN[n - 1]


def month_label(year: int, month: int, locale: str = "id") -> str:
    """``month_label(2026, 1)`` -> "Januari 2026"; ``en`` -> "January 2026"."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    # The "yMMMM" skeleton lets CLDR pick word order and month-name form per language.
    return babel_dates.format_skeleton("yMMMM", date(year, month, 1), locale=locale)


def triwulan_label(year: int, quarter: int, locale: str = "id") -> str:
    """``triwulan_label(2026, 1)`` -> "Triwulan I 2026"; ``en`` -> "Quarter I 2026"."""
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, not {quarter!r}")
    word = _QUARTER_WORDS.get(Locale.parse(locale).language, _QUARTER_WORDS["en"])
    return f"{word} {roman(quarter)} {year}"


def format_date(d: date, locale: str = "id") -> str:
    """``date(2026, 11, 24)`` -> "24 November 2026" (Babel's "long" format, no weekday).

    A datetime is refused: its calendar date depends on the time zone, so use
    `format_datetime`, or pass ``dt.astimezone(zone).date()`` explicitly.
    """
    if isinstance(d, datetime):
        raise TypeError("format_date() takes a date; use format_datetime() for a datetime")
    if not isinstance(d, date):
        raise TypeError(f"format_date() takes a date, not {type(d).__name__}")
    return babel_dates.format_date(d, format="long", locale=locale)


def format_datetime(dt: datetime, tz: str = DEFAULT_TZ, locale: str = "id") -> str:
    """An aware datetime in zone `tz`: "24 Nov 2026 14.30" (``en``: "Nov 24, 2026, 2:30 PM").

    This is the locale's medium date plus its short time (no seconds), joined the
    way the locale joins them. Naive datetimes raise ValueError; an unknown `tz`
    raises ``zoneinfo.ZoneInfoNotFoundError``.
    """
    if not isinstance(dt, datetime):
        raise TypeError(f"format_datetime() takes a datetime, not {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("format_datetime() needs a timezone-aware datetime")
    local = dt.astimezone(ZoneInfo(tz))
    date_part = babel_dates.format_date(local.date(), format="medium", locale=locale)
    time_part = babel_dates.format_time(local.time(), format="short", locale=locale)
    # Same assembly as babel.dates.format_datetime, which only offers matching widths.
    joiner = babel_dates.get_datetime_format("medium", locale=locale).replace("'", "")
    return joiner.replace("{0}", time_part).replace("{1}", date_part)


def format_duration(duration: timedelta, locale: str = "id") -> str:
    """A duration as days, hours and minutes, each worded by Babel: "1 hari 2 jam 5 menit", "40 menit"."""
    minutes = max(0, int(duration.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [babel_dates.format_timedelta(timedelta(**{f"{unit}s": amount}), granularity=unit, threshold=10**6,
                                          locale=locale)
             for amount, unit in parts if amount]
    return " ".join(words) or babel_dates.format_timedelta(timedelta(), granularity="minute", locale=locale)
