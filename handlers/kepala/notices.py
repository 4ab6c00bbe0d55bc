"""Wording of the reporting notices: the period ready to report (for the Sekretaris), the report itself (for the
Kepala Dinas) and the disposition (for everyone involved)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from handlers import evidence
from handlers.callbacks import Button, pack
from handlers.drawn import LaterDocument
from handlers.fill.views import period_name
from handlers.kepala.views import recap_buttons, recap_lines, recap_text
from handlers.recap_views import mutu_baku_block
from handlers.screens import Album, Buttons, Document, Screen
from i18n import t
from models.collection.forms import Disposition, DispositionDecision, FollowUp
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.messaging.notices import DispositionNotice, KepalaReport, ReportReady
from models.office.organisation import Member
from models.plan.periods import Period
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from reports.laporan import Laporan, render_laporan
from reports.laporan_data import draft_laporan
from reports.recap_album import AlbumData, album_data, draw_album
from reports.wording import esc, scope_label


def report_ready(session: Session, member: Member, notice: ReportReady, now: datetime,
                 rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    language = member.language
    return [Screen.of(t("notify.report_ready", language, period=period_name(period, language)),
                      [[(t("notify.report_button", language), pack(Button.REPORT, period.id))]])]


@dataclass(frozen=True)
class KepalaReportRead:
    """The Kepala Dinas's report as read from the database: plain data only, drawn after the session ended."""

    language: str
    caption: str  # the album's
    album: AlbumData
    laporan: Laporan  # the Laporan DRAF, its charts not drawn yet
    pdf_name: str
    pdf_caption: str
    text: str  # the recap message, one screen
    buttons: Buttons


def kepala_report(session: Session, member: Member, notice: KepalaReport, now: datetime,
                  rules: ScheduleRules) -> KepalaReportRead:
    """Read what the report shows: the album's data, the Laporan DRAF's rows and the one-screen recap with the
    disposition buttons (`draw_kepala_report` draws it once the session has ended)."""
    period = session.get(Period, notice.period_id)
    language = member.language
    recap = compute_recap(session, period.ref, language)
    progress = period_progress(session, period, now.date(), rules.tz)
    label = scope_label(recap, language)
    header = t("recap.header", language, period=label)
    timings = timeline(session, period, now, rules)  # the SOP clock: of the message and of the Laporan
    clock = mutu_baku_block(timings, language)
    return KepalaReportRead(
        language=language, caption=header, album=album_data(recap, label, language, progress),
        laporan=draft_laporan(session, period, now, rules, language, recap, progress, timings),
        pdf_name=f"laporan-{period.code}.pdf", pdf_caption=t("kepala.pdf_caption", language, period=label),
        text=recap_text(header, recap_lines(recap, language, progress), clock, language),
        buttons=recap_buttons(period.id, evidence.unit_buttons(session, member, progress), language))


def draw_kepala_report(read: KepalaReportRead) -> list[Screen | LaterDocument]:
    """One album (at most ten pictures), the recap message with the buttons, then the Laporan DRAF as a PDF (the
    album's pictures in it), drawn when its turn comes: the buttons never wait for a long PDF."""
    pictures = tuple(picture.png for picture in draw_album(read.album))

    def pdf() -> Document:
        data = render_laporan(replace(read.laporan, charts=pictures), read.language)
        return Document(read.pdf_name, data, read.pdf_caption)

    return [Screen([], media=Album(pictures, read.caption)), Screen([read.text], read.buttons), LaterDocument(pdf)]


def disposition_notice(session: Session, member: Member, notice: DispositionNotice, now: datetime,
                       rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    disposition = session.get(Disposition, notice.disposition_id)
    language = member.language
    if DispositionDecision(disposition.decision) is DispositionDecision.AGREE:
        text = t("notify.disposition_agree", language, period=period_name(period, language))
    else:
        text = t("notify.disposition_arahan", language, period=period_name(period, language),
                 arahan=esc(disposition.arahan))
    if notice.follow_up:
        follow_up = session.exec(select(FollowUp).where(FollowUp.disposition_id == disposition.id,
                                                        FollowUp.unit_id == member.unit_id)).first()
        if follow_up is not None:
            text += "\n\n" + t("notify.follow_up", language, arahan=esc(follow_up.arahan))
    return [Screen.of(text)]
