"""Mutu baku: the SOP's own clock. Each step of a period's cycle, when it started and ended, against its standard.

The times are read from what the workflow already records (the period's opening, the delivery of the form
invitations, each form's first submission (to its kabid with KABID_REVIEW, and to the Sekretaris) and approval,
the report, the disposition, the archive entry of the audit log), so the timeline can never disagree with what
happened. Durations are working time: quiet hours, weekends and days off (national holidays, cuti bersama, the
office's own) do not count (`models/calc/working_time.py`). Steps 8 and 9 of procedure A (recap, report to the
Sekretaris) are done by the bot the moment the last form arrives; they are shown as automatic.

The standards are configuration (`MUTU_BAKU`); the defaults are the SOP's tables. The SOP gives no standard for
the Kepala Dinas's disposition itself (step 11 is the Sekretaris's report); one working day is the default.

Procedure B (a triwulan's Pengukuran Kinerja, `models/measurement/cycle.py`) has its own clock from the moment
the measurement is ready: steps 1–6 (ordering, planning, the method, measuring, recapping) are what the bot
computes, so the clock starts at step 7 (`measurement_timeline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from models.calc.working_time import working_time_between
from models.collection.forms import Disposition, FormStatus, PeriodReport, UnitForm
from models.collection.progress import period_fully_approved, period_units
from models.messaging.notices import PeriodOpened
from models.messaging.outbox import OutboxStatus, notices_of
from models.office.audit import AuditEntry
from models.plan.periods import Period
from models.timing.schedule import ScheduleRules
from models.timing.steps import AUTOMATIC, Step


@dataclass
class StepTiming:
    step: Step
    started_at: datetime | None
    ended_at: datetime | None
    actual: timedelta | None  # working time so far (running) or in all (ended)
    standard: timedelta

    @property
    def automatic(self) -> bool:
        return self.step in AUTOMATIC

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def overdue(self) -> bool:
        return self.actual is not None and self.actual > self.standard and not self.automatic


SUBMITTED = ("form.submitted",)
SENT = ("form.submitted", f"form.{FormStatus.WAITING_KABID.value}")  # to the Sekretaris, or first to the kabid


def first_submissions(session: Session, period: Period, actions: tuple[str, ...] = SUBMITTED) -> dict[int, datetime]:
    """Each form of the period → when it first reached the Sekretaris (from the audit log); with `SENT` when its
    unit first sent it, to the Sekretaris or to its kabid (KABID_REVIEW)."""
    form_ids = list(session.exec(select(UnitForm.id).where(UnitForm.period_id == period.id)))
    if not form_ids:
        return {}
    rows = session.exec(select(AuditEntry.entity_id, sa.func.min(AuditEntry.at))
                        .where(AuditEntry.entity == "unit_form", AuditEntry.action.in_(actions),
                               AuditEntry.entity_id.in_(form_ids))
                        .group_by(AuditEntry.entity_id)).all()
    return {form_id: at for form_id, at in rows}


def _distributed_at(session: Session, period: Period) -> datetime | None:
    """When the last form invitation of the period was delivered (None while some are still queued)."""
    rows = notices_of(session, PeriodOpened, period_id=period.id)
    if any(OutboxStatus(row.status) is OutboxStatus.PENDING for row in rows):
        return None
    sent = [row.sent_at for row in rows if row.sent_at is not None]
    return max(sent) if sent else period.opened_at


def _archived_at(session: Session, period: Period) -> datetime | None:
    return session.exec(select(sa.func.max(AuditEntry.at)).where(
        AuditEntry.entity == "period", AuditEntry.entity_id == period.id, AuditEntry.action == "period.archived")
    ).first()


def cycle_moments(session: Session, period: Period) -> dict[str, datetime | None]:
    """The recorded moments of the cycle: opened, distributed, all_sent (every unit sent its form, to the
    Sekretaris or first to its kabid), all_submitted (every form reached the Sekretaris), all_approved, reported,
    disposed, archived (None for what has not happened yet)."""

    units = {unit.id for unit in period_units(session, period)}
    forms = {form.unit_id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}

    def all_of(firsts: dict[int, datetime]) -> datetime | None:
        moments = [firsts.get(forms[unit_id].id) if unit_id in forms else None for unit_id in units]
        return max(moments) if units and all(moments) else None

    all_submitted = all_of(first_submissions(session, period))
    approved = [form.approved_at for form in forms.values()
                if form.unit_id in units and FormStatus(form.status) is FormStatus.APPROVED]
    all_approved = max(approved) if approved and period_fully_approved(session, period) else None
    report = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).first()
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period.id)).first()
    return {
        "opened": period.opened_at,
        "distributed": _distributed_at(session, period) if period.opened_at else None,
        "all_sent": all_of(first_submissions(session, period, SENT)),
        "all_submitted": all_submitted,
        "all_approved": all_approved,
        "reported": report.reported_at if report else None,
        "disposed": disposition.created_at if disposition else None,
        "archived": _archived_at(session, period),
    }


STEP_BOUNDS = {  # step → (moment it starts, moment it ends)
    Step.DISTRIBUSI: ("opened", "distributed"),
    Step.PENGISIAN: ("opened", "all_sent"),
    Step.VERIFIKASI_KABID: ("all_sent", "all_submitted"),  # only with KABID_REVIEW (`timeline`)
    Step.REKAP: ("all_submitted", "all_submitted"),
    Step.LAPORAN_SEKRETARIS: ("all_submitted", "all_submitted"),
    Step.VERIFIKASI: ("all_submitted", "all_approved"),
    Step.LAPORAN_KEPALA: ("all_approved", "reported"),
    Step.DISPOSISI: ("reported", "disposed"),
    Step.ARSIP: ("disposed", "archived"),
}


def timeline(session: Session, period: Period, now: datetime, rules: ScheduleRules) -> list[StepTiming]:
    """Every step of procedure A for the period, with its working time against the standard; the kabid's check
    when the office has it (`rules.kabid_review`)."""
    moments = cycle_moments(session, period)
    timings = []
    for step, (start_key, end_key) in STEP_BOUNDS.items():
        if step is Step.VERIFIKASI_KABID and not rules.kabid_review:
            continue
        started, ended = moments[start_key], moments[end_key]
        if started is not None and ended is not None and ended < started:
            ended = started  # a later start (re-opened period) never gives a negative duration
        actual = (working_time_between(started, ended or now, rules.hours, rules.tz)
                  if started is not None else None)
        timings.append(StepTiming(step, started, ended if started else None, actual, rules.standards[step]))
    return timings


MEASUREMENT_BOUNDS = {
    Step.UKUR_LAPORAN: ("ready_at", "submitted_at"),
    Step.UKUR_VERIFIKASI: ("submitted_at", "approved_at"),
    Step.UKUR_LAPORAN_KEPALA: ("approved_at", "reported_at"),
    Step.UKUR_DISPOSISI: ("reported_at", "disposed_at"),
    Step.UKUR_ARSIP: ("disposed_at", "archived_at"),
}


def measurement_timeline(cycle: object, now: datetime, rules: ScheduleRules) -> list[StepTiming]:
    """Steps 7–10 of procedure B for a measurement (`MeasurementCycle`), against their standards. A return
    keeps step 8 running: it ends at the approval."""
    timings = []
    for step, (start_key, end_key) in MEASUREMENT_BOUNDS.items():
        started, ended = getattr(cycle, start_key), getattr(cycle, end_key)
        actual = (working_time_between(started, ended or now, rules.hours, rules.tz)
                  if started is not None else None)
        timings.append(StepTiming(step, started, ended if started else None, actual, rules.standards[step]))
    return timings


def overdue_step(timings: list[StepTiming]) -> StepTiming | None:
    """The running step that has taken longer than its standard, if any."""
    return next((timing for timing in timings if timing.running and timing.overdue), None)
