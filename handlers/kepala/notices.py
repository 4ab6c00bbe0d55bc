"""Wording of the reporting notices: the period ready to report (for the Sekretaris), the report itself (for the
Kepala Dinas) and the disposition (for everyone involved)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from handlers import evidence
from handlers.callbacks import Button, pack
from handlers.fill.views import period_name
from handlers.recap_views import mutu_baku_block, recap_album, recap_blocks
from handlers.screens import Screen
from i18n import t
from models.collection.forms import Disposition, DispositionDecision, FollowUp
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.messaging.notices import DispositionNotice, KepalaReport, ReportReady
from models.office.organisation import Member
from models.plan.periods import Period
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from reports.wording import esc


def report_ready(session: Session, member: Member, notice: ReportReady, now: datetime,
                 rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    language = member.language
    return [Screen.of(t("notify.report_ready", language, period=period_name(period, language)),
                      [[(t("notify.report_button", language), pack(Button.REPORT, period.id))]])]


def kepala_report(session: Session, member: Member, notice: KepalaReport, now: datetime,
                  rules: ScheduleRules) -> list[Screen]:
    """The approved period for the Kepala Dinas: the charts as an album captioned with the summary, then the
    recap with the SOP clock, and the disposition buttons."""
    period = session.get(Period, notice.period_id)
    language = member.language
    recap = compute_recap(session, period.ref, language)
    progress = period_progress(session, period, now.date(), rules.tz)
    blocks = recap_blocks(recap, language, progress)
    blocks.insert(1, mutu_baku_block(timeline(session, period, now, rules), language))
    buttons = [[(t("notify.agree_button", language), pack(Button.KEPALA_AGREE, period.id)),
                (t("notify.arahan_button", language), pack(Button.KEPALA_ARAHAN, period.id))],
               *evidence.unit_buttons(session, member, progress)]  # each unit's 📎 Bukti
    return [recap_album(recap, language, progress), Screen(blocks, buttons)]


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
