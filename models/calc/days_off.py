"""Days the office is closed besides weekends: Indonesia's national holidays, cuti bersama, and its own days off.

National holidays (hari libur nasional) and cuti bersama (joint leave days) are fixed each year by a joint decree
of three ministers (SKB 3 Menteri); the `holidays` package carries them for Indonesia, the holidays in its
`public` category and cuti bersama in its `government` one. Offices close on both, and the SOP's day-long
standards count working days only, so working time (`models/calc/working_time.py`), reminders, deadlines and
the mutu baku timeline all skip them. An office adds its own days off (a local anniversary, a closure between
Christmas and New Year) through the `OFFICE_DAYS_OFF` setting.

`DaysOff` is data, not a clock: it answers "is this date a day off, and why" and never asks what day it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

__all__ = ["DayOff", "DayOffKind", "DaysOff", "parse_days_off"]

# the package's language codes for ours ("en" is "en_US" there); anything else gets Indonesian names
_PACKAGE_LANGUAGES = {"id": "id", "en": "en_US"}
# a range longer than this in OFFICE_DAYS_OFF is taken for a typo (2026-12-24..2027-12-31)
_LONGEST_RANGE = timedelta(days=366)


class DayOffKind(StrEnum):
    NATIONAL = "nasional"  # hari libur nasional
    CUTI_BERSAMA = "cuti_bersama"  # joint leave day decreed with the national holidays
    OFFICE = "kantor"  # the office's own day off, from OFFICE_DAYS_OFF


@dataclass(frozen=True)
class DayOff:
    """Why a date is a day off. `name` is the holiday's name in the language asked for (the package's
    translation); an office day off has none, its wording is the catalogue's."""

    day: date
    kind: DayOffKind
    name: str | None = None


@lru_cache(maxsize=64)
def _national_year(year: int, language: str) -> dict[date, tuple[DayOffKind, str]]:
    """Indonesia's holidays and cuti bersama of one year, with their names; a date in both is a holiday."""
    package_language = _PACKAGE_LANGUAGES.get(language, "id")
    found: dict[date, tuple[DayOffKind, str]] = {}
    for category, kind in (("government", DayOffKind.CUTI_BERSAMA), ("public", DayOffKind.NATIONAL)):
        calendar = holidays.country_holidays("ID", years=year, categories=(category,), language=package_language)
        found.update({day: (kind, name) for day, name in calendar.items()})
    return found


@dataclass(frozen=True)
class DaysOff:
    """The office's days off besides weekends: national holidays and cuti bersama when `national`, and the dates
    in `office`."""

    national: bool = True
    office: frozenset[date] = frozenset()

    def is_day_off(self, day: date) -> bool:
        return day in self.office or (self.national and day in _national_year(day.year, "id"))

    def reason(self, day: date, language: str = "id") -> DayOff | None:
        """Why `day` is a day off (a national holiday or cuti bersama before the office's own), or None."""
        if self.national and (found := _national_year(day.year, language).get(day)) is not None:
            kind, name = found
            return DayOff(day, kind, name)
        if day in self.office:
            return DayOff(day, DayOffKind.OFFICE)
        return None


def parse_days_off(value: str) -> frozenset[date]:
    """`2026-12-24,2026-12-31` or a range `2026-12-28..2026-12-31` (both ends included) → the dates; empty → none.
    ValueError names the bad part."""
    days: set[date] = set()
    for part in (piece.strip() for piece in value.replace(";", ",").split(",")):
        if not part:
            continue
        first_text, sep, last_text = part.partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if sep else first
        except ValueError:
            raise ValueError(f"expected dates YYYY-MM-DD separated by commas (or a range YYYY-MM-DD..YYYY-MM-DD), "
                             f"e.g. 2026-12-24,2026-12-31, not {part!r}") from None
        if last < first:
            raise ValueError(f"the range {part!r} ends before it starts")
        if last - first > _LONGEST_RANGE:
            raise ValueError(f"the range {part!r} is longer than a year")
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(days)
