"""Days as people type them: `10 Januari 2027`, `10 jan 2027`, `2027-01-10`, `10/01/2027`, `10-1-2027`,
`January 10, 2027`, `10 Januari` (no year), `hari ini`/`today`, `besok`/`tomorrow`, in Bahasa Indonesia and
English, case- and space-insensitive. A day written with numbers only is day first (as in Indonesia), except the
ISO form that starts with the year.

Pure: no session and no clock of its own; the caller passes today's date (the injected clock's, office time).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from models.errors import DateWordsCode
from models.plan.period_words import MAX_SHOWN, MONTH_WORDS

FIRST_YEAR, LAST_YEAR = 2000, 2100

_MONTH_OF = {word: number for names in MONTH_WORDS.values() for number, words in enumerate(names, start=1)
             for word in words}
_month_words = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMBERS = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})\.?\s*({_month_words})\.?,?\s*(\d{{4}})?$")
_MONTH_DAY = re.compile(rf"^({_month_words})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})?$")
_RELATIVE = {"hari ini": 0, "today": 0, "besok": 1, "tomorrow": 1, "lusa": 2}


class DateWordsError(ValueError):
    """A typed day refused, with its code and the text as typed (`value`, shortened); the outer layers word it
    through the catalogue (`date_words.<code>`), which shows the forms accepted."""

    def __init__(self, code: DateWordsCode, *, value: str) -> None:
        code = DateWordsCode(code)
        super().__init__(code, value)
        self.code = code
        self.value = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN - 1] + "…"


def parse_date_words(text: str, today: date) -> date:
    """The day `text` names. Without a year it is the next such day from `today` on (`10 Januari` typed in
    December is next January's). Anything else raises `DateWordsError`: `unknown` for what names no day,
    `no_such_day` for a day the calendar lacks (`31 Februari 2027`)."""
    raw = str(text).strip()
    value = re.sub(r"\s+", " ", raw).lower()
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    if match := _ISO.match(value):
        return _day(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _NUMBERS.match(value):
        return _day_or_next(match[3], int(match[2]), int(match[1]), today, raw)
    if match := _DAY_MONTH.match(value):
        return _day_or_next(match[3], _MONTH_OF[match[2]], int(match[1]), today, raw)
    if match := _MONTH_DAY.match(value):
        return _day_or_next(match[3], _MONTH_OF[match[1]], int(match[2]), today, raw)
    raise DateWordsError(DateWordsCode.UNKNOWN, value=raw)


def _day_or_next(year: str | None, month: int, day: int, today: date, raw: str) -> date:
    if year is not None:
        return _day(int(year), month, day, raw)
    found = _day(today.year, month, day, raw, leap_later=True)
    return found if found >= today else _day(today.year + 1, month, day, raw)


def _day(year: int, month: int, day: int, raw: str, leap_later: bool = False) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        raise DateWordsError(DateWordsCode.UNKNOWN, value=raw)
    try:
        return date(year, month, day)
    except ValueError:
        if leap_later and (month, day) == (2, 29):  # 29 Februari without a year: the next leap year's
            return date(next(y for y in range(year, year + 8) if y % 4 == 0 and (y % 100 or y % 400 == 0)), 2, 29)
        raise DateWordsError(DateWordsCode.NO_SUCH_DAY, value=raw) from None


__all__ = ["DateWordsError", "parse_date_words"]
