"""A period's progress (procedure A, steps 7-10): its units, each unit's form and completeness, on time or late."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, tzinfo

from sqlmodel import Session, select

from models.calc.clock import OFFICE_TZ
from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import answered_indicators
from models.office.organisation import Unit
from models.plan.indicators import frequency_of
from models.plan.periods import Period, PeriodRef
from models.plan.pk import indicator_ids_of

NOT_STARTED = "not_started"


@dataclass
class UnitProgress:
    unit: Unit
    form: UnitForm | None
    status: str  # not_started | draft | submitted | returned | approved
    answered: int
    total: int
    late: bool


def _period_indicators(session: Session, period: Period) -> dict[int, list[int]]:
    """The ids of the indicators of the period's PK collected in this kind of period, by unit id."""
    return indicator_ids_of(session, period.ref, frequency=frequency_of(period.kind))


def _units(session: Session, unit_ids: Collection[int]) -> list[Unit]:
    if not unit_ids:
        return []
    units = session.exec(select(Unit).where(Unit.id.in_(set(unit_ids)))).all()
    return sorted(units, key=lambda unit: (unit.name, unit.id))


def period_units(session: Session, period: Period) -> list[Unit]:
    """The units with indicators of the period's PK collected in this kind of period, by name."""
    return _units(session, _period_indicators(session, period))


def units_of(session: Session, ref: PeriodRef) -> list[Unit]:
    """`period_units` of a period that may not be created yet (the ones `/periode` offers to open)."""
    return _units(session, indicator_ids_of(session, ref, frequency=frequency_of(ref.kind)))


def period_progress(session: Session, period: Period, today: date, tz: tzinfo = OFFICE_TZ) -> list[UnitProgress]:
    """Completeness per unit: not started, draft, submitted, returned or approved; on time or late (the day a
    form was sent is taken in the office's time zone `tz`). A few queries for the whole period, however many
    units it has (indicators, units, forms, and which indicators have a value)."""
    indicators = _period_indicators(session, period)
    units = _units(session, indicators)
    forms = {form.unit_id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}
    answered_ids = answered_indicators(session, period.id) if forms else set()
    progress = []
    for unit in units:
        form = forms.get(unit.id)  # none before the unit's first draft
        ids = indicators[unit.id]
        answered = sum(1 for indicator_id in ids if indicator_id in answered_ids) if form else 0
        status = FormStatus(form.status).value if form else NOT_STARTED
        if status == FormStatus.DRAFT.value and answered == 0:
            status = NOT_STARTED
        sent = form.submitted_at.astimezone(tz).date() if form and form.submitted_at else None
        late = period.deadline is not None and (
            (sent is not None and sent > period.deadline) or (sent is None and today > period.deadline))
        progress.append(UnitProgress(unit, form, status, answered, len(ids), late))
    return progress


def period_fully_approved(session: Session, period: Period) -> bool:
    units = period_units(session, period)
    if not units:
        return False
    approved = {form.unit_id for form in session.exec(select(UnitForm).where(
        UnitForm.period_id == period.id, UnitForm.status == FormStatus.APPROVED))}
    return all(unit.id in approved for unit in units)
