"""Where the periods stand, for `/status` and `/tugas`: the latest period ever opened and what it waits for (when
none is open), and what comes next (the deadlines ahead, the next period to open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, select

from models.collection.forms import FormStatus, PeriodReport
from models.collection.progress import NOT_STARTED, period_progress
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus, latest_ended
from models.timing.schedule import ScheduleRules

NOT_SENT = frozenset({NOT_STARTED, FormStatus.DRAFT.value, FormStatus.RETURNED.value})  # a unit form still to send


def live_periods(session: Session) -> list[Period]:
    """Periods opened and not archived, in the periods' order."""
    periods = session.exec(select(Period).where(Period.status.in_([PeriodStatus.OPEN, PeriodStatus.CLOSED]))).all()
    return sorted(periods, key=lambda period: period.sort_key)


@dataclass(frozen=True)
class NextUp:
    """What comes next: the deadlines of the open periods still ahead, and the next period to open."""

    deadlines: tuple[tuple[PeriodRef, date], ...]
    opening: tuple[PeriodRef, datetime] | None


def next_up(session: Session, now: datetime, rules: ScheduleRules) -> NextUp:
    today = now.astimezone(rules.tz).date()
    deadlines = tuple((period.ref, period.deadline) for period in live_periods(session)
                      if PeriodStatus(period.status) is PeriodStatus.OPEN and period.deadline is not None
                      and period.deadline >= today)
    opening = None
    if rules.auto_open:
        candidates = []
        for kind in PeriodKind:
            ref = latest_ended(kind, today)
            for candidate in (ref, ref.next()):
                moment = rules.opening_moment(candidate)
                if moment > now:
                    candidates.append((moment, candidate))
                    break
        if candidates:
            moment, ref = min(candidates, key=lambda pair: (pair[0], pair[1].sort_key))
            opening = (ref, moment)
    return NextUp(deadlines, opening)


class Stage(StrEnum):
    """Where a period that is not open stands in procedure A."""

    FILLING = "filling"  # units have not sent their form
    REVIEW = "review"  # forms wait for the Sekretaris
    REPORT = "report"  # every unit approved, not reported to the Kepala Dinas yet
    DISPOSITION = "disposition"  # reported, waiting for the Kepala Dinas
    ARCHIVED = "archived"


@dataclass(frozen=True)
class PeriodStanding:
    period_id: int
    period: PeriodRef
    stage: Stage
    units_missing: tuple[str, ...]  # FILLING: the units whose form is not sent
    forms_to_review: int  # REVIEW


def last_period_standing(session: Session, now: datetime, rules: ScheduleRules) -> PeriodStanding | None:
    """The latest period ever opened, and what it waits for; None before any period was opened."""
    periods = session.exec(select(Period).where(Period.status != PeriodStatus.DRAFT)).all()
    if not periods:
        return None
    period = max(periods, key=lambda row: row.sort_key)
    if PeriodStatus(period.status) is PeriodStatus.ARCHIVED:
        return PeriodStanding(period.id, period.ref, Stage.ARCHIVED, (), 0)
    if session.exec(select(PeriodReport.id).where(PeriodReport.period_id == period.id)).first() is not None:
        return PeriodStanding(period.id, period.ref, Stage.DISPOSITION, (), 0)
    progress = period_progress(session, period, now.astimezone(rules.tz).date(), rules.tz)
    missing = tuple(unit.unit.name for unit in progress if unit.status in NOT_SENT)
    if missing:
        return PeriodStanding(period.id, period.ref, Stage.FILLING, missing, 0)
    review = sum(1 for unit in progress if unit.status == FormStatus.SUBMITTED.value)
    if review or not progress:
        return PeriodStanding(period.id, period.ref, Stage.REVIEW, (), review)
    return PeriodStanding(period.id, period.ref, Stage.REPORT, (), 0)
