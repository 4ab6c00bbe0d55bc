"""Wording of the review's notices: a form to review (for the Sekretaris, or first for the unit's kabid), its
return or approval (for the unit), that the unit's form was sent (for its kabid), an unlock request and its
decision."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from handlers.callbacks import Button, pack
from handlers.fill.views import period_name
from handlers.review import views
from handlers.screens import Screen
from i18n import t
from models.collection.evidence import form_evidence_count
from models.collection.form_filling import form_items, kabid_who_returned
from models.collection.forms import Review, ReviewItem, UnitForm, UnlockRequest, UnlockStatus
from models.collection.review import changes_since_return
from models.messaging.notices import (
    FormApproved,
    FormReturned,
    FormSent,
    KabidReviewRequest,
    ReviewRequest,
    UnlockAsked,
    UnlockDecided,
)
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period
from models.timing.schedule import ScheduleRules
from reports.wording import esc


def _form_and_period(session: Session, form_id: int) -> tuple[UnitForm, Period, str]:
    form = session.get(UnitForm, form_id)
    return form, session.get(Period, form.period_id), session.get(Unit, form.unit_id).name


def review_request(session: Session, member: Member, notice: ReviewRequest, now: datetime,
                   rules: ScheduleRules) -> list[Screen]:
    form, period, unit = _form_and_period(session, notice.form_id)
    changes = changes_since_return(session, form) if notice.resubmission else []
    return [views.review_request(form, notice.version, period, unit, form_items(session, form), changes,
                                 member.language, form_evidence_count(session, form))]


def kabid_review_request(session: Session, member: Member, notice: KabidReviewRequest, now: datetime,
                         rules: ScheduleRules) -> list[Screen]:
    """The kabid's card (KABID_REVIEW): the form his staff sent, to approve on to the Sekretaris or return."""
    form, period, unit = _form_and_period(session, notice.form_id)
    changes = changes_since_return(session, form) if notice.resubmission else []
    return [views.review_request(form, notice.version, period, unit, form_items(session, form), changes,
                                 member.language, form_evidence_count(session, form), kabid=True)]


def form_sent(session: Session, member: Member, notice: FormSent, now: datetime,
              rules: ScheduleRules) -> list[Screen]:
    """The kabid hears that the unit's form went to the Sekretaris, and who sent it."""
    _, period, unit = _form_and_period(session, notice.form_id)
    sender = session.get(Member, notice.sender_id) if notice.sender_id is not None else None
    name = sender.name if sender is not None else t("role.tim_sakip", member.language)  # a file imported
    return [Screen.of(t("notify.form_sent", member.language, unit=esc(unit),
                        period=period_name(period, member.language), name=esc(name)))]


def form_returned(session: Session, member: Member, notice: FormReturned, now: datetime,
                  rules: ScheduleRules) -> list[Screen]:
    form, period, _ = _form_and_period(session, notice.form_id)
    items = session.exec(select(ReviewItem).where(ReviewItem.review_id == notice.review_id)).all()
    codes = ", ".join(session.get(Indicator, item.indicator_id).code for item in items)
    arahan = items[0].arahan if items else "-"
    language = member.language
    kabid = kabid_who_returned(session, session.get(Review, notice.review_id), form.unit_id)
    key, by = ("notify.form_returned_kabid", {"name": esc(kabid.name)}) if kabid else ("notify.form_returned", {})
    return [Screen.of(t(key, language, period=period_name(period, language), codes=esc(codes), arahan=esc(arahan),
                        **by),
                      [[(t("notify.fix_button", language), pack(Button.FILL_PERIOD, period.id))]])]


def form_approved(session: Session, member: Member, notice: FormApproved, now: datetime,
                  rules: ScheduleRules) -> list[Screen]:
    _, period, unit = _form_and_period(session, notice.form_id)
    return [Screen.of(t("notify.form_approved", member.language, unit=esc(unit),
                        period=period_name(period, member.language)))]


def unlock_request(session: Session, member: Member, notice: UnlockAsked, now: datetime,
                   rules: ScheduleRules) -> list[Screen]:
    request = session.get(UnlockRequest, notice.request_id)
    form, period, unit = _form_and_period(session, request.form_id)
    requester = session.get(Member, request.requested_by_id).name
    code = session.get(Indicator, request.indicator_id).code
    return [views.unlock_request(code, unit, period, requester, request.reason, request.id, member.language)]


def unlock_decided(session: Session, member: Member, notice: UnlockDecided, now: datetime,
                   rules: ScheduleRules) -> list[Screen]:
    request = session.get(UnlockRequest, notice.request_id)
    _, period, _ = _form_and_period(session, request.form_id)
    code = session.get(Indicator, request.indicator_id).code
    language = member.language
    said = {"code": esc(code), "period": period_name(period, language), "reason": esc(request.reason or "-")}
    if UnlockStatus(request.status) is UnlockStatus.GRANTED:
        return [Screen.of(t("notify.unlock_granted", language, **said),
                          [[(t("notify.fix_button", language), pack(Button.FILL_PERIOD, period.id))]])]
    return [Screen.of(t("notify.unlock_refused", language, **said))]
