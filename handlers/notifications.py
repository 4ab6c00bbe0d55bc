"""Wording of outbox notifications: each kind becomes screens in the recipient's language at send time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from handlers.callbacks import pack
from handlers.fill.views import period_name
from handlers.recap_views import recap_blocks
from handlers.render import esc
from handlers.review import views as review_views
from handlers.screens import Screen
from i18n import t
from models.dates import format_date
from models.form_filling import form_items
from models.forms import Disposition, DispositionDecision, FollowUp, ReviewItem, UnitForm, UnlockRequest, UnlockStatus
from models.indicators import Indicator
from models.organisation import Member, Unit
from models.periods import Period
from models.recap import compute_recap
from models.reporting import period_progress
from models.review import changes_since_return

Renderer = Callable[[Session, Member, dict[str, Any], datetime], list[Screen]]


def _form_and_period(session: Session, form_id: int) -> tuple[UnitForm, Period, str]:
    form = session.get(UnitForm, form_id)
    return form, session.get(Period, form.period_id), session.get(Unit, form.unit_id).name


def review_request(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    form, period, unit = _form_and_period(session, params["form_id"])
    changes = changes_since_return(session, form) if params.get("resubmission") else []
    return [review_views.review_request(form, params["version"], period, unit, form_items(session, form), changes,
                                        member.language)]


def form_returned(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    form, period, _ = _form_and_period(session, params["form_id"])
    items = session.exec(select(ReviewItem).where(ReviewItem.review_id == params["review_id"])).all()
    codes = ", ".join(session.get(Indicator, item.indicator_id).code for item in items)
    arahan = items[0].arahan if items else "-"
    language = member.language
    return [Screen.of(t("notify.form_returned", language, period=period_name(period, language), codes=esc(codes),
                        arahan=esc(arahan)), [[(t("notify.fix_button", language), pack("isi.p", period.id))]])]


def form_approved(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    _, period, unit = _form_and_period(session, params["form_id"])
    return [Screen.of(t("notify.form_approved", member.language, unit=esc(unit),
                        period=period_name(period, member.language)))]


def report_ready(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    language = member.language
    return [Screen.of(t("notify.report_ready", language, period=period_name(period, language)),
                      [[(t("notify.report_button", language), pack("rp.go", period.id))]])]


def kepala_report(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    language = member.language
    recap = compute_recap(session, period.ref, language)
    blocks = recap_blocks(recap, language, period_progress(session, period, now.date(), now.tzinfo))
    return [Screen(blocks, [[(t("notify.agree_button", language), pack("kd.ok", period.id)),
                             (t("notify.arahan_button", language), pack("kd.arh", period.id))]])]


def disposition_notice(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    disposition = session.get(Disposition, params["disposition_id"])
    language = member.language
    if DispositionDecision(disposition.decision) is DispositionDecision.AGREE:
        text = t("notify.disposition_agree", language, period=period_name(period, language))
    else:
        text = t("notify.disposition_arahan", language, period=period_name(period, language),
                 arahan=esc(disposition.arahan))
    if params.get("follow_up"):
        follow_up = session.exec(select(FollowUp).where(FollowUp.disposition_id == disposition.id,
                                                        FollowUp.unit_id == member.unit_id)).first()
        if follow_up is not None:
            text += "\n\n" + t("notify.follow_up", language, arahan=esc(follow_up.arahan))
    return [Screen.of(text)]


def unlock_request(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    request = session.get(UnlockRequest, params["request_id"])
    form, period, unit = _form_and_period(session, request.form_id)
    requester = session.get(Member, request.requested_by_id).name
    code = session.get(Indicator, request.indicator_id).code
    return [review_views.unlock_request(code, unit, period, requester, request.id, member.language)]


def unlock_decided(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    request = session.get(UnlockRequest, params["request_id"])
    _, period, _ = _form_and_period(session, request.form_id)
    code = session.get(Indicator, request.indicator_id).code
    language = member.language
    if UnlockStatus(request.status) is UnlockStatus.GRANTED:
        return [Screen.of(t("notify.unlock_granted", language, code=esc(code), period=period_name(period, language)),
                          [[(t("notify.fix_button", language), pack("isi.p", period.id))]])]
    return [Screen.of(t("notify.unlock_refused", language, code=esc(code), period=period_name(period, language)))]


def period_opened(session: Session, member: Member, params: dict, now: datetime) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    language = member.language
    deadline = format_date(period.deadline, language) if period.deadline else "–"
    return [Screen.of(t("notify.period_opened", language, period=period_name(period, language), deadline=deadline),
                      [[(t("notify.fill_button", language), pack("isi.p", period.id))]])]


RENDERERS: dict[str, Renderer] = {
    "review_request": review_request,
    "form_returned": form_returned,
    "form_approved": form_approved,
    "report_ready": report_ready,
    "kepala_report": kepala_report,
    "disposition_notice": disposition_notice,
    "unlock_request": unlock_request,
    "unlock_decided": unlock_decided,
    "period_opened": period_opened,
}


def render(session: Session, member: Member, kind: str, params: dict, now: datetime) -> list[Screen]:
    """The screens of one notification; `now` is in the office's time zone."""
    return RENDERERS[kind](session, member, params, now)
