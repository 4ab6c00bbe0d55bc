"""Wording of procedure B's notices (`Measurement*`) and of the filed Laporan (`LaporanDocument`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.measurement import views
from handlers.recap_views import PdfRead, RecapRead, mutu_baku_block, recap_lines, recap_text
from handlers.screens import Document, Screen
from i18n import t
from models.collection.forms import DispositionDecision
from models.measurement.cycle import MeasurementCycle, MeasurementStatus
from models.measurement.results import measure_quarter
from models.messaging.notices import (
    LaporanDocument,
    MeasurementApproved,
    MeasurementDisposed,
    MeasurementNotice,
    MeasurementReady,
    MeasurementReport,
    MeasurementReturned,
    MeasurementReview,
)
from models.office.organisation import Member, Role
from models.plan.periods import Period
from models.reporting.archive import Procedure
from models.timing.mutu_baku import measurement_timeline
from models.timing.reminders import Task
from models.timing.schedule import ScheduleRules
from reports import heavy
from reports.letterhead import Letterhead
from reports.wording import esc, holder_of, scope_label

TEXT_CHARS = 200  # of the Tim's analysis and rencana aksi in the Kepala Dinas's one screen (whole in the PDF)


def _cycle(session: Session, notice: MeasurementNotice) -> MeasurementCycle:
    return session.get(MeasurementCycle, notice.cycle_id)


def _current(cycle: MeasurementCycle, notice: MeasurementNotice, *statuses: MeasurementStatus) -> bool:
    """Whether the cycle is still at the step the notification was queued for (buttons only then)."""
    return cycle.version == notice.version and MeasurementStatus(cycle.status) in statuses


def measurement_ready(session: Session, member: Member, notice: MeasurementReady, now: datetime,
                      rules: ScheduleRules) -> list[Screen]:
    cycle = _cycle(session, notice)
    language = member.language
    measurement = measure_quarter(session, cycle.ref, language)
    buttons = views.preparer_buttons(cycle, language) if _current(
        cycle, notice, MeasurementStatus.DRAFT, MeasurementStatus.RETURNED) else []
    return [Screen.of(t("measurement.notify_ready", language, period=cycle.ref.label(language))),
            views.measurement_screen(measurement, cycle, language, buttons, now, rules)]


def measurement_review(session: Session, member: Member, notice: MeasurementReview, now: datetime,
                       rules: ScheduleRules) -> list[Screen]:
    cycle = _cycle(session, notice)
    language = member.language
    key = "measurement.notify_resubmitted" if notice.resubmission else "measurement.notify_review"
    buttons = views.review_buttons(cycle, language) if _current(cycle, notice, MeasurementStatus.SUBMITTED) else []
    return [Screen.of(t(key, language, period=cycle.ref.label(language))),
            views.measurement_screen(measure_quarter(session, cycle.ref, language), cycle, language, buttons, now,
                                     rules)]


def measurement_returned(session: Session, member: Member, notice: MeasurementReturned, now: datetime,
                         rules: ScheduleRules) -> list[Screen]:
    cycle = _cycle(session, notice)
    language = member.language
    buttons = views.preparer_buttons(cycle, language) if _current(cycle, notice, MeasurementStatus.RETURNED) else []
    sekretaris = esc(holder_of(session, cycle.decided_by_id, cycle.decided_at, language, Role.SEKRETARIS))
    return [Screen.of(t("measurement.notify_returned", language, period=cycle.ref.label(language),
                        sekretaris=sekretaris, arahan=esc(cycle.return_arahan or "-")), buttons)]


def measurement_approved(session: Session, member: Member, notice: MeasurementApproved, now: datetime,
                         rules: ScheduleRules) -> list[Screen]:
    cycle = _cycle(session, notice)
    sekretaris = esc(holder_of(session, cycle.decided_by_id, cycle.approved_at, member.language, Role.SEKRETARIS))
    return [Screen.of(t("measurement.notify_approved", member.language, period=cycle.ref.label(member.language),
                        sekretaris=sekretaris))]


def measurement_report(session: Session, member: Member, notice: MeasurementReport, now: datetime,
                       rules: ScheduleRules, *, letterhead: Letterhead) -> RecapRead:
    """For the Kepala Dinas, as the report of a period: one album of at most ten pictures, one message within one
    screen (the counts, the levels, the Tim's analysis and rencana aksi in short, the SOP clock) with the
    disposition buttons, then every indicator with its comparisons as the Laporan DRAF's PDF. Read here, drawn
    by `handlers.recap_views.draw_recap` once the session has ended."""
    cycle = _cycle(session, notice)
    language = member.language
    measurement = measure_quarter(session, cycle.ref, language)
    recap = measurement.recap
    period = cycle.ref.label(language)
    buttons = views.kepala_buttons(cycle, language) if _current(cycle, notice, MeasurementStatus.REPORTED) else []
    blocks = ["\n".join([t("measurement.notify_report", language, period=period),
                         *recap_lines(recap, language, None)]),
              views.level_block(measurement, language), *views.text_blocks(cycle, language, chars=TEXT_CHARS)]
    clock = mutu_baku_block(measurement_timeline(cycle, now, rules), language, procedure="mutu_baku_b")
    pdf = PdfRead(heavy.draft_measurement_laporan(session, measurement, cycle, now, rules, language, letterhead),
                  f"laporan-pengukuran-{cycle.ref.code}.pdf", t("measurement.pdf_caption", language, period=period))
    return RecapRead(language=language, caption=views.title(cycle, cycle.ref, language),
                     album=heavy.album_data(recap, scope_label(recap, language), language),
                     text=recap_text(blocks, clock, t("measurement.detail_hint", language)), buttons=buttons, pdf=pdf)


def measurement_disposed(session: Session, member: Member, notice: MeasurementDisposed, now: datetime,
                         rules: ScheduleRules) -> list[Screen]:
    cycle = _cycle(session, notice)
    language = member.language
    period = cycle.ref.label(language)
    kepala = esc(holder_of(session, cycle.kepala_id, cycle.disposed_at, language, Role.KEPALA))
    if DispositionDecision(cycle.decision) is DispositionDecision.AGREE:
        return [Screen.of(t("measurement.notify_disposed_agree", language, period=period, kepala=kepala))]
    return [Screen.of(t("measurement.notify_disposed_arahan", language, period=period, kepala=kepala,
                        arahan=esc(cycle.arahan)))]


def laporan_document(session: Session, member: Member, notice: LaporanDocument, now: datetime,
                     rules: ScheduleRules, *, letterhead: Letterhead) -> list[Screen]:
    """The filed Laporan Hasil Pengukuran Kinerja (filed now if this is its first request)."""
    if notice.cycle_id is not None:
        ref, procedure = session.get(MeasurementCycle, notice.cycle_id).ref, Procedure.MEASUREMENT
    else:
        ref, procedure = session.get(Period, notice.period_id).ref, Procedure.COLLECTION
    document = heavy.laporan_file(session, ref, procedure, now, rules, member.language, letterhead)
    if document is None:
        return []
    caption = t("measurement.document_caption", member.language, title=document.title,
                period=ref.label(member.language))
    return [Screen([], media=Document(document.filename, document.data, caption))]


def measurement_reminder(cycle: MeasurementCycle, task: Task, language: str
                         ) -> tuple[str, list[list[tuple[str, str]]]]:
    """A procedure B reminder: what waits for this person, with the buttons of that step (made now, so they
    carry the measurement's current version)."""
    period = cycle.ref.label(language)
    if task is Task.MEASURE_PREPARE:
        key = "reminder.measure_returned" if MeasurementStatus(cycle.status) is MeasurementStatus.RETURNED \
            else "reminder.measure_prepare"
        return t(key, language, period=period), views.preparer_buttons(cycle, language)
    if task is Task.MEASURE_REVIEW:
        return t("reminder.measure_review", language, period=period), views.review_buttons(cycle, language)
    if task is Task.MEASURE_REPORT:
        return t("reminder.measure_report", language, period=period), views.report_buttons(cycle, language)
    return t("reminder.measure_dispose", language, period=period), views.kepala_buttons(cycle, language)

