"""Wording of the reporting notices: the period ready to report (for the Sekretaris), the report itself (for the
Kepala Dinas) and the disposition (for everyone involved)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from handlers import evidence
from handlers.callbacks import Button, pack
from handlers.fill.views import period_name
from handlers.kepala.follow_ups import follow_up_buttons, follow_up_text, recap_block
from handlers.kepala.views import recap_buttons
from handlers.recap_views import PdfRead, RecapRead, draw_recap, mutu_baku_block, recap_lines, recap_text
from handlers.screens import Screen
from i18n import t
from models.collection.forms import Disposition, DispositionDecision, FollowUp
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.messaging.notices import DispositionNotice, KepalaReport, ReportReady
from models.office.organisation import Member, Role
from models.plan.periods import Period
from models.reporting.follow_ups import follow_up_state
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from reports import heavy
from reports.letterhead import Letterhead
from reports.wording import esc, holder_of, scope_label


def report_ready(session: Session, member: Member, notice: ReportReady, now: datetime,
                 rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    language = member.language
    return [Screen.of(t("notify.report_ready", language, period=period_name(period, language)),
                      [[(t("notify.report_button", language), pack(Button.REPORT, period.id))]])]


def kepala_report(session: Session, member: Member, notice: KepalaReport, now: datetime,
                  rules: ScheduleRules, *, letterhead: Letterhead) -> RecapRead:
    """Read what the report shows: the album's data, the one-screen recap with the disposition buttons and the
    Laporan DRAF's rows (`handlers.recap_views.draw_recap` draws it once the session has ended)."""
    period = session.get(Period, notice.period_id)
    language = member.language
    recap = compute_recap(session, period.ref, language)
    progress = period_progress(session, period, now.date(), rules.tz)
    label = scope_label(recap, language)
    header = t("recap.header", language, period=label)
    timings = timeline(session, period, now, rules)  # the SOP clock: of the message and of the Laporan
    clock = mutu_baku_block(timings, language)
    pdf = PdfRead(heavy.draft_laporan(session, period, now, rules, language, letterhead, recap, progress, timings),
                  f"laporan-{period.code}.pdf", t("kepala.pdf_caption", language, period=label))
    return RecapRead(
        language=language, caption=header, album=heavy.album_data(recap, label, language, progress),
        text=recap_text(["\n".join([header, *recap_lines(recap, language, progress)]),
                         recap_block(session, period.ref, language)], clock,
                        t("kepala.detail_hint", language)),
        buttons=recap_buttons(period.id, evidence.unit_buttons(session, member, progress), language), pdf=pdf)


KepalaReportRead = RecapRead  # the report as read, and how it is drawn, by the names bench/recap.py uses
draw_kepala_report = draw_recap


def disposition_notice(session: Session, member: Member, notice: DispositionNotice, now: datetime,
                       rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    disposition = session.get(Disposition, notice.disposition_id)
    language = member.language
    kepala = esc(holder_of(session, disposition.kepala_id, disposition.created_at, language, Role.KEPALA))
    if DispositionDecision(disposition.decision) is DispositionDecision.AGREE:
        text = t("notify.disposition_agree", language, period=period_name(period, language), kepala=kepala)
    else:
        text = t("notify.disposition_arahan", language, period=period_name(period, language), kepala=kepala,
                 arahan=esc(disposition.arahan))
    buttons = []
    if notice.follow_up:
        follow_up = session.exec(select(FollowUp).where(FollowUp.disposition_id == disposition.id,
                                                        FollowUp.unit_id == member.unit_id)).first()
        if follow_up is not None:  # its indicators, and "✅ Sudah ditindaklanjuti" while not done
            state = follow_up_state(session, follow_up.id)
            text += "\n\n" + follow_up_text(state, language)
            buttons = follow_up_buttons(state, language)
    return [Screen.of(text, buttons)]
