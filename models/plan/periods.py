"""Reporting periods: a month or a triwulan of a year, with a status and a deadline.

Periods are named by codes users type and files carry: `2026-01` (January 2026) and `2026-TW1` (Triwulan I).
A bare year (`2026`) names a reporting scope for exports, not a stored period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import total_ordering

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.calc.dates import month_label, triwulan_label
from models.store.types import UTCDateTime, enum_type, utcnow


class PeriodKind(StrEnum):
    MONTH = "bulan"
    QUARTER = "triwulan"


class PeriodStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Period(SQLModel, table=True):
    __tablename__ = "periods"
    __table_args__ = (sa.UniqueConstraint("kind", "year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: PeriodKind = Field(sa_type=enum_type(PeriodKind))
    year: int
    number: int  # month 1..12 or triwulan 1..4
    status: PeriodStatus = Field(default=PeriodStatus.DRAFT, sa_type=enum_type(PeriodStatus))
    deadline: date | None = None
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # first opened: the SOP cycle starts
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def ref(self) -> PeriodRef:
        return PeriodRef(PeriodKind(self.kind), self.year, self.number)

    @property
    def code(self) -> str:
        return self.ref.code

    @property
    def sort_key(self) -> tuple[int, int, bool, int]:
        return self.ref.sort_key


class PeriodCodeError(ValueError):
    """The text is not a period code such as 2026-01, 2026-TW1 or 2026."""


@total_ordering
@dataclass(frozen=True)
class PeriodRef:
    """A period by value, before (or without) a database row; refs compare by `sort_key`."""

    kind: PeriodKind
    year: int
    number: int

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-TW{self.number}"

    @property
    def sort_key(self) -> tuple[int, int, bool, int]:
        """The periods' one order, by time: March 2026, then Triwulan I 2026 (after its months), then April 2026."""
        return self.year, self.quarter, self.kind is PeriodKind.QUARTER, self.number

    def __lt__(self, other: PeriodRef) -> bool:
        if not isinstance(other, PeriodRef):
            return NotImplemented
        return self.sort_key < other.sort_key

    def label(self, locale: str = "id") -> str:
        if self.kind is PeriodKind.MONTH:
            return month_label(self.year, self.number, locale)
        return triwulan_label(self.year, self.number, locale)

    @property
    def months(self) -> tuple[int, ...]:
        if self.kind is PeriodKind.MONTH:
            return (self.number,)
        first = (self.number - 1) * 3 + 1
        return (first, first + 1, first + 2)

    @property
    def quarter(self) -> int:
        return self.number if self.kind is PeriodKind.QUARTER else (self.number - 1) // 3 + 1

    @property
    def start_date(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def end_date(self) -> date:
        last_month = self.months[-1]
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    def day_after_end(self, day: int) -> date:
        """That day of the month after the period ends: the default deadline (10) or opening day (1)."""
        return (self.end_date + timedelta(days=1)).replace(day=day)

    def next(self) -> PeriodRef:
        last = 12 if self.kind is PeriodKind.MONTH else 4
        if self.number < last:
            return PeriodRef(self.kind, self.year, self.number + 1)
        return PeriodRef(self.kind, self.year + 1, 1)

    def previous(self) -> PeriodRef:
        if self.number > 1:
            return PeriodRef(self.kind, self.year, self.number - 1)
        return PeriodRef(self.kind, self.year - 1, 12 if self.kind is PeriodKind.MONTH else 4)


DEFAULT_DEADLINE_DAY = 10  # the 10th of the month after the period (the DEADLINE_DAY setting)


def default_deadline(ref: PeriodRef, day: int = DEFAULT_DEADLINE_DAY) -> date:
    return ref.day_after_end(day)


def latest_ended(kind: PeriodKind, today: date) -> PeriodRef:
    """The last month or triwulan that ended before `today`."""
    if kind is PeriodKind.MONTH:
        return PeriodRef(kind, today.year, today.month).previous()
    return PeriodRef(kind, today.year, (today.month - 1) // 3 + 1).previous()


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?(?:TW|Q)\s*([1-4]|I{1,3}|IV)$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def parse_period_code(text: str) -> PeriodRef:
    """`2026-01` → January 2026, `2026-TW1` (also `2026-Q1`, `2026-TWIII`) → a triwulan."""
    value = str(text).strip()
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return PeriodRef(PeriodKind.MONTH, year, month)
    elif match := _QUARTER.match(value):
        year, raw = int(match[1]), match[2].upper()
        number = _ROMAN.get(raw) or int(raw)
        if 2000 <= year <= 2100:
            return PeriodRef(PeriodKind.QUARTER, year, number)
    raise PeriodCodeError(value)


def parse_scope(text: str) -> PeriodRef | int:
    """A period code, or a bare year (`2026`) for year-wide reports."""
    value = str(text).strip()
    if match := _YEAR.match(value):
        return int(match[1])
    return parse_period_code(value)


def find_period(session: Session, ref_or_code: PeriodRef | str) -> Period | None:
    """The stored period of a `PeriodRef` or a period code (`2026-01`, `2026-TW1`); None when not stored yet.

    A code that is no period code raises `PeriodCodeError`."""
    ref = parse_period_code(ref_or_code) if isinstance(ref_or_code, str) else ref_or_code
    return session.exec(select(Period).where(
        Period.kind == ref.kind, Period.year == ref.year, Period.number == ref.number)).first()


def recent_periods(session: Session, limit: int, kind: PeriodKind | None = None) -> list[PeriodRef]:
    """The latest `limit` periods that have been opened (forms sent, so they can hold data), newest first;
    only months or only triwulan when `kind` says so."""
    query = select(Period.kind, Period.year, Period.number).where(Period.status != PeriodStatus.DRAFT)
    if kind is not None:
        query = query.where(Period.kind == kind)
    refs = [PeriodRef(PeriodKind(k), year, number) for k, year, number in session.exec(query).all()]
    return sorted(refs, reverse=True)[:limit]
