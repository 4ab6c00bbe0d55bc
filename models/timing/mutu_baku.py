"""Mutu baku: the SOP's own clock. Each step of a period's cycle, when it started and ended, against its standard.

The times are read from what the workflow already records (the period's opening, the delivery of the form
invitations, each form's first submission and approval, the report, the disposition, the archive entry of the
audit log), so the timeline can never disagree with what happened. Durations are working time: quiet hours
and weekends do not count (`models/calc/working_time.py`). Steps 8 and 9 of procedure A (recap, report to the
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
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, select

from models.calc.working_time import QuietHours, working_time_between
from models.collection.forms import Disposition, FormStatus, PeriodReport, UnitForm
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import AuditEntry
from models.plan.periods import Period

if TYPE_CHECKING:
    from models.timing.schedule import ScheduleRules


class Step(StrEnum):
    DISTRIBUSI = "distribusi"  # A6: forms distributed to every unit
    PENGISIAN = "pengisian"  # A7: units fill and hand in their forms
    REKAP = "rekap"  # A8: the Tim recaps (automatic)
    LAPORAN_SEKRETARIS = "laporan_sekretaris"  # A9: recap reported to the Sekretaris (automatic)
    VERIFIKASI = "verifikasi"  # A10: the Sekretaris approves or returns
    LAPORAN_KEPALA = "laporan_kepala"  # A11: the Sekretaris reports to the Kepala Dinas
    DISPOSISI = "disposisi"  # A11 output: the Kepala Dinas's disposition
    ARSIP = "arsip"  # A12: archived (automatic with the disposition)
    UKUR_LAPORAN = "ukur_laporan"  # B7: the Tim reports the measurement recap to the Sekretaris
    UKUR_VERIFIKASI = "ukur_verifikasi"  # B8: the Sekretaris approves or returns it
    UKUR_LAPORAN_KEPALA = "ukur_laporan_kepala"  # B9: the Sekretaris reports it to the Kepala Dinas
    UKUR_DISPOSISI = "ukur_disposisi"  # B9 output: the Kepala Dinas's disposition
    UKUR_ARSIP = "ukur_arsip"  # B10: archived (automatic with the disposition)


SOP_NUMBER = {Step.DISTRIBUSI: "6", Step.PENGISIAN: "7", Step.REKAP: "8", Step.LAPORAN_SEKRETARIS: "9",
              Step.VERIFIKASI: "10", Step.LAPORAN_KEPALA: "11", Step.DISPOSISI: "11", Step.ARSIP: "12",
              Step.UKUR_LAPORAN: "7", Step.UKUR_VERIFIKASI: "8", Step.UKUR_LAPORAN_KEPALA: "9",
              Step.UKUR_DISPOSISI: "9", Step.UKUR_ARSIP: "10"}
AUTOMATIC = frozenset({Step.REKAP, Step.LAPORAN_SEKRETARIS, Step.ARSIP, Step.UKUR_ARSIP})
DEFAULT_STANDARDS_TEXT = ("distribusi=10m,pengisian=1d,rekap=120m,laporan_sekretaris=40m,verifikasi=90m,"
                          "laporan_kepala=40m,disposisi=1d,arsip=10m,ukur_laporan=40m,ukur_verifikasi=100m,"
                          "ukur_laporan_kepala=40m,ukur_disposisi=1d,ukur_arsip=10m")


def _parse(text: str, working_day: timedelta) -> dict[Step, timedelta]:
    standards = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, sep, amount = part.partition("=")
        try:
            step = Step(name.strip().lower())
        except ValueError:
            raise ValueError(f"unknown step {name.strip()!r} (known: {', '.join(s.value for s in Step)})") from None
        amount = amount.strip().lower()
        unit = amount[-1:] if amount else ""
        if not sep or unit not in ("m", "h", "d") or not (amount[:-1].isascii() and amount[:-1].isdigit()):
            raise ValueError(f"{part!r}: expected a whole number with m, h or d, e.g. verifikasi=90m")
        number = int(amount[:-1])
        standards[step] = {"m": timedelta(minutes=number), "h": timedelta(hours=number),
                           "d": working_day * number}[unit]
    return standards


def parse_standards(text: str, working_day: timedelta) -> dict[Step, timedelta]:
    """`verifikasi=90m,pengisian=1d,...` → standards; `m` minutes, `h` hours, `d` working days (the time
    outside quiet hours in a weekday). Steps not named keep the SOP's default. ValueError names the bad part."""
    return {**_parse(DEFAULT_STANDARDS_TEXT, working_day), **_parse(text, working_day)}


DEFAULT_STANDARDS: dict[Step, timedelta] = parse_standards("", QuietHours().working_day_length())


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


def first_submissions(session: Session, period: Period) -> dict[int, datetime]:
    """Each form of the period → when it was first sent for review (from the audit log)."""
    form_ids = list(session.exec(select(UnitForm.id).where(UnitForm.period_id == period.id)))
    if not form_ids:
        return {}
    rows = session.exec(select(AuditEntry.entity_id, sa.func.min(AuditEntry.at))
                        .where(AuditEntry.entity == "unit_form", AuditEntry.action == "form.submitted",
                               AuditEntry.entity_id.in_(form_ids))
                        .group_by(AuditEntry.entity_id)).all()
    return {form_id: at for form_id, at in rows}


def _distributed_at(session: Session, period: Period) -> datetime | None:
    """When the last form invitation of the period was delivered (None while some are still queued)."""
    rows = session.exec(select(OutboxMessage.status, OutboxMessage.sent_at)
                        .where(OutboxMessage.dedupe_key.like(f"opened:{period.id}:%"))).all()
    if any(OutboxStatus(status) is OutboxStatus.PENDING for status, _ in rows):
        return None
    sent = [sent_at for _, sent_at in rows if sent_at is not None]
    return max(sent) if sent else period.opened_at


def _archived_at(session: Session, period: Period) -> datetime | None:
    return session.exec(select(sa.func.max(AuditEntry.at)).where(
        AuditEntry.entity == "period", AuditEntry.entity_id == period.id, AuditEntry.action == "period.archived")
    ).first()


def cycle_moments(session: Session, period: Period) -> dict[str, datetime | None]:
    """The recorded moments of the cycle: opened, distributed, all_submitted, all_approved, reported, disposed,
    archived (None for what has not happened yet)."""
    from models.reporting.report import period_fully_approved, period_units  # reporting uses this module's steps

    units = {unit.id for unit in period_units(session, period)}
    forms = {form.unit_id: form for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id))}
    firsts = first_submissions(session, period)
    submitted = [firsts.get(forms[unit_id].id) if unit_id in forms else None for unit_id in units]
    all_submitted = max(submitted) if units and all(submitted) else None
    approved = [form.approved_at for form in forms.values()
                if form.unit_id in units and FormStatus(form.status) is FormStatus.APPROVED]
    all_approved = max(approved) if approved and period_fully_approved(session, period) else None
    report = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).first()
    disposition = session.exec(select(Disposition).where(Disposition.period_id == period.id)).first()
    return {
        "opened": period.opened_at,
        "distributed": _distributed_at(session, period) if period.opened_at else None,
        "all_submitted": all_submitted,
        "all_approved": all_approved,
        "reported": report.reported_at if report else None,
        "disposed": disposition.created_at if disposition else None,
        "archived": _archived_at(session, period),
    }


STEP_BOUNDS = {  # step → (moment it starts, moment it ends)
    Step.DISTRIBUSI: ("opened", "distributed"),
    Step.PENGISIAN: ("opened", "all_submitted"),
    Step.REKAP: ("all_submitted", "all_submitted"),
    Step.LAPORAN_SEKRETARIS: ("all_submitted", "all_submitted"),
    Step.VERIFIKASI: ("all_submitted", "all_approved"),
    Step.LAPORAN_KEPALA: ("all_approved", "reported"),
    Step.DISPOSISI: ("reported", "disposed"),
    Step.ARSIP: ("disposed", "archived"),
}


def timeline(session: Session, period: Period, now: datetime, rules: ScheduleRules) -> list[StepTiming]:
    """Every step of procedure A for the period, with its working time against the standard."""
    moments = cycle_moments(session, period)
    timings = []
    for step, (start_key, end_key) in STEP_BOUNDS.items():
        started, ended = moments[start_key], moments[end_key]
        if started is not None and ended is not None and ended < started:
            ended = started  # a later start (re-opened period) never gives a negative duration
        actual = (working_time_between(started, ended or now, rules.quiet, rules.tz)
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
        actual = (working_time_between(started, ended or now, rules.quiet, rules.tz)
                  if started is not None else None)
        timings.append(StepTiming(step, started, ended if started else None, actual, rules.standards[step]))
    return timings


def overdue_step(timings: list[StepTiming]) -> StepTiming | None:
    """The running step that has taken longer than its standard, if any."""
    return next((timing for timing in timings if timing.running and timing.overdue), None)
