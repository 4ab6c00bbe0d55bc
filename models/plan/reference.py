"""A year's Perjanjian Kinerja target lines, read once per process and kept until the PK changes.

Every step of a form needs the targets of its indicators, and they change only when a PK (or a PK Perubahan,
or its monthly targets) is imported. So a process keeps each year's lines (`YearLines`: plain frozen copies,
shared by the worker threads, never attached to a session) under a key that changes with every such write:

- a write in this process: any flush of an indicator, a target line or a monthly target bumps the process's
  generation (again when that transaction ends, committed or not), and the writing transaction never reads
  from, nor fills, the cache, since it sees lines nobody else does yet;
- a write in another process (the CLI's `import-pk`, another bot process): every such write is audited (the
  entities `indicator` and `indicator_target`, `models.exchange.pk_apply`), so the newest of those audit
  entries is the key's other half, read once per transaction (one cheap statement).
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select

from models.office.audit import AuditEntry
from models.plan.indicators import Indicator, IndicatorTarget, MonthlyTarget

AUDITED_ENTITIES = ("indicator", "indicator_target")  # what pk_apply records for indicators, lines and months
REFERENCE_TABLES = (Indicator, IndicatorTarget, MonthlyTarget)
WROTE = "plan_reference_written"  # `Session.info`: this session flushed reference data (its transaction's own)
MARKER = "plan_reference_marker"  # `Session.info`: (transaction, newest audited PK write) read once per transaction


@dataclass(frozen=True)
class TargetLine:
    """A read-only copy of one `IndicatorTarget` row (what `pk.version_for` and `year_targets` read)."""

    indicator_id: int
    year: int
    valid_from: date
    dropped: bool
    annual: Decimal | None
    tw1: Decimal | None
    tw2: Decimal | None
    tw3: Decimal | None
    tw4: Decimal | None
    target_min: Decimal | None
    target_max: Decimal | None

    @classmethod
    def of(cls, row: IndicatorTarget) -> TargetLine:
        return cls(row.indicator_id, row.year, row.valid_from, row.dropped, row.annual, row.tw1, row.tw2, row.tw3,
                   row.tw4, row.target_min, row.target_max)


@dataclass(frozen=True)
class MonthLine:
    """A read-only copy of one `MonthlyTarget` row."""

    indicator_id: int
    month: int
    value: Decimal


@dataclass(frozen=True)
class YearLines:
    """A year's target lines by indicator id (each by `valid_from`) and its monthly targets by indicator id."""

    lines: Mapping[int, tuple[TargetLine, ...]]
    monthly: Mapping[int, tuple[MonthLine, ...]]


_lock = threading.Lock()
_generation = itertools.count()
_current = [next(_generation)]
_cache: dict[tuple[Any, ...], YearLines] = {}


def _bump() -> None:
    with _lock:
        _current[0] = next(_generation)
        _cache.clear()


@sa.event.listens_for(OrmSession, "after_flush")
def _note_reference_writes(session: OrmSession, _flush_context: object) -> None:
    touched = itertools.chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, REFERENCE_TABLES) for obj in touched):
        session.info[WROTE] = True
        _bump()


@sa.event.listens_for(OrmSession, "after_transaction_end")
def _after_reference_writes(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(WROTE, False):
        _bump()  # what was read meanwhile by others was keyed before the write became theirs to see


def _writes_reference(session: Session) -> bool:
    """This transaction wrote (or is about to flush) indicators or targets: it reads them from the database."""
    if session.info.get(WROTE):
        return True
    return any(isinstance(obj, REFERENCE_TABLES) for obj in itertools.chain(session.new, session.dirty,
                                                                             session.deleted))


def marker_column() -> sa.ScalarSelect:
    """The newest audited write of indicators or targets, as a column: a step that reads something else anyway
    reads it in the same statement and hands it to `note_marker`."""
    return select(sa.func.max(AuditEntry.id)).where(AuditEntry.entity.in_(AUDITED_ENTITIES)).scalar_subquery()


def note_marker(session: Session, newest: int | None) -> None:
    """Remember `marker_column`'s value for the rest of the transaction."""
    session.info[MARKER] = (session.get_transaction(), newest or 0)


def _marker(session: Session) -> int:
    """The newest audited write of indicators or targets, once per transaction."""
    memo = session.info.get(MARKER)
    if memo is None or memo[0] is not session.get_transaction():
        note_marker(session, session.exec(select(marker_column())).one())
        memo = session.info[MARKER]
    return memo[1]


def year_lines(session: Session, year: int) -> YearLines:
    """The year's target lines and monthly targets (two queries when they are not cached, else none)."""
    if _writes_reference(session):
        return _read_year(session, year)
    generation = _current[0]
    key = (str(session.get_bind().url), year, generation, _marker(session))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    lines = _read_year(session, year)
    with _lock:
        if _current[0] == generation:  # not written meanwhile in this process
            _cache[key] = lines
    return lines


def _read_year(session: Session, year: int) -> YearLines:
    lines: dict[int, list[TargetLine]] = defaultdict(list)
    query = (select(IndicatorTarget).where(IndicatorTarget.year == year)
             .order_by(IndicatorTarget.indicator_id, IndicatorTarget.valid_from))
    for row in session.exec(query):
        lines[row.indicator_id].append(TargetLine.of(row))
    monthly: dict[int, list[MonthLine]] = defaultdict(list)
    for row in session.exec(select(MonthlyTarget).where(MonthlyTarget.year == year)):
        monthly[row.indicator_id].append(MonthLine(row.indicator_id, row.month, row.value))
    return YearLines({key: tuple(rows) for key, rows in lines.items()},
                     {key: tuple(rows) for key, rows in monthly.items()})
