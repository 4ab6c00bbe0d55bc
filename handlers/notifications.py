"""Wording of outbox notifications: each kind becomes screens in the recipient's language at send time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from handlers.callbacks import pack
from handlers.fill.views import period_name
from handlers.measurement.notices import CHAT_ACTIONS as MEASUREMENT_CHAT_ACTIONS
from handlers.measurement.notices import RENDERERS as MEASUREMENT_RENDERERS
from handlers.measurement.notices import measurement_reminder
from handlers.recap_views import mutu_baku_block, recap_album, recap_blocks
from handlers.review import views as review_views
from handlers.screens import Screen
from i18n import t
from models.calc.dates import format_date, format_datetime
from models.collection.form_filling import form_items, unit_indicators
from models.collection.forms import (
    Disposition,
    DispositionDecision,
    FollowUp,
    FormStatus,
    ReviewItem,
    UnitForm,
    UnlockRequest,
    UnlockStatus,
)
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.collection.review import changes_since_return
from models.measurement.cycle import MeasurementCycle
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period
from models.timing.mutu_baku import timeline
from models.timing.reminders import Reminder, Task, remember_message
from models.timing.schedule import ScheduleRules
from reports.wording import esc

Renderer = Callable[[Session, Member, dict[str, Any], datetime, ScheduleRules], list[Screen]]


def _form_and_period(session: Session, form_id: int) -> tuple[UnitForm, Period, str]:
    form = session.get(UnitForm, form_id)
    return form, session.get(Period, form.period_id), session.get(Unit, form.unit_id).name


def review_request(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    form, period, unit = _form_and_period(session, params["form_id"])
    changes = changes_since_return(session, form) if params.get("resubmission") else []
    return [review_views.review_request(form, params["version"], period, unit, form_items(session, form), changes,
                                        member.language)]


def form_returned(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    form, period, _ = _form_and_period(session, params["form_id"])
    items = session.exec(select(ReviewItem).where(ReviewItem.review_id == params["review_id"])).all()
    codes = ", ".join(session.get(Indicator, item.indicator_id).code for item in items)
    arahan = items[0].arahan if items else "-"
    language = member.language
    return [Screen.of(t("notify.form_returned", language, period=period_name(period, language), codes=esc(codes),
                        arahan=esc(arahan)), [[(t("notify.fix_button", language), pack("isi.p", period.id))]])]


def form_approved(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    _, period, unit = _form_and_period(session, params["form_id"])
    return [Screen.of(t("notify.form_approved", member.language, unit=esc(unit),
                        period=period_name(period, member.language)))]


def report_ready(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    language = member.language
    return [Screen.of(t("notify.report_ready", language, period=period_name(period, language)),
                      [[(t("notify.report_button", language), pack("rp.go", period.id))]])]


def kepala_report(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    """The approved period for the Kepala Dinas: the charts as an album captioned with the summary, then the
    recap with the SOP clock, and the disposition buttons."""
    period = session.get(Period, params["period_id"])
    language = member.language
    recap = compute_recap(session, period.ref, language)
    progress = period_progress(session, period, now.date(), rules.tz)
    blocks = recap_blocks(recap, language, progress)
    blocks.insert(1, mutu_baku_block(timeline(session, period, now, rules), language))
    buttons = [[(t("notify.agree_button", language), pack("kd.ok", period.id)),
                (t("notify.arahan_button", language), pack("kd.arh", period.id))]]
    return [recap_album(recap, language, progress), Screen(blocks, buttons)]


def disposition_notice(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
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


def unlock_request(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    request = session.get(UnlockRequest, params["request_id"])
    form, period, unit = _form_and_period(session, request.form_id)
    requester = session.get(Member, request.requested_by_id).name
    code = session.get(Indicator, request.indicator_id).code
    return [review_views.unlock_request(code, unit, period, requester, request.id, member.language)]


def unlock_decided(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    request = session.get(UnlockRequest, params["request_id"])
    _, period, _ = _form_and_period(session, request.form_id)
    code = session.get(Indicator, request.indicator_id).code
    language = member.language
    if UnlockStatus(request.status) is UnlockStatus.GRANTED:
        return [Screen.of(t("notify.unlock_granted", language, code=esc(code), period=period_name(period, language)),
                          [[(t("notify.fix_button", language), pack("isi.p", period.id))]])]
    return [Screen.of(t("notify.unlock_refused", language, code=esc(code), period=period_name(period, language)))]


def period_opened(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, params["period_id"])
    language = member.language
    deadline = format_date(period.deadline, language) if period.deadline else "–"
    return [Screen.of(t("notify.period_opened", language, period=period_name(period, language), deadline=deadline),
                      [[(t("notify.fill_button", language), pack("isi.p", period.id))]])]


def _unit_progress(session: Session, unit_id: int, period: Period) -> tuple[UnitForm | None, int, int]:
    """The unit's form of the period (if any), how many indicators are answered, of how many."""
    form = session.exec(select(UnitForm).where(UnitForm.unit_id == unit_id, UnitForm.period_id == period.id)).first()
    items = form_items(session, form) if form else []
    total = len(items) if form else len(unit_indicators(session, unit_id, period))
    return form, sum(1 for entry in items if entry.current is not None), total


def _countdown(deadline, today, language: str) -> str:
    days = (deadline - today).days
    if days > 1:
        return t("reminder.days_left", language, days=days)
    if days == 1:
        return t("reminder.tomorrow", language)
    if days == 0:
        return t("reminder.today", language)
    return t("reminder.overdue", language, days=-days)


def _since(moment, rules: ScheduleRules, language: str) -> str:
    return format_datetime(moment, rules.tz.key, language)


def reminder(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    """A reminder, worded now: the countdown is as of sending. It edits the earlier reminder message, or
    replaces it after a snooze; once the task is done it only edits the message to say so (nothing new)."""
    item = session.get(Reminder, params["reminder_id"])
    language = member.language
    if item.measurement_id is not None:
        cycle = session.get(MeasurementCycle, item.measurement_id)
        name = t("reminder.measurement_name", language, period=cycle.ref.label(language))
    else:
        period = session.get(Period, item.period_id)
        name = period_name(period, language)
    edit = None if params.get("replace") else item.message_id
    replaces = item.message_id if params.get("replace") else None
    if item.closed_at is not None:
        if item.message_id is None:
            return []  # never shown: nothing to tidy up, and nothing new for someone who is done
        return [Screen.of(t("reminder.done", language, period=name), edit_message_id=item.message_id, edit_only=True)]
    snooze = [(t("reminder.snooze_button", language), pack("rm.snz", item.id))]
    task = Task(item.task)
    if item.measurement_id is not None:
        text, buttons = measurement_reminder(cycle, task, language)
        buttons = [*buttons, snooze]
    elif task is Task.FILL:
        _, answered, total = _unit_progress(session, item.unit_id, period)
        text = t("reminder.fill", language, period=name, unit=esc(session.get(Unit, item.unit_id).name),
                 deadline=format_date(period.deadline, language),
                 countdown=_countdown(period.deadline, now.date(), language), answered=answered, total=total)
        buttons = [[(t("notify.fill_button", language), pack("isi.p", period.id))], snooze]
    elif task is Task.REVIEW:
        waiting = session.exec(select(UnitForm).where(UnitForm.period_id == period.id,
                                                      UnitForm.status == FormStatus.SUBMITTED)).all()
        units = ", ".join(sorted(session.get(Unit, form.unit_id).name for form in waiting))
        since = min((form.submitted_at for form in waiting if form.submitted_at), default=item.created_at)
        text = t("reminder.review", language, period=name, count=len(waiting), units=esc(units),
                 since=_since(since, rules, language))
        buttons = [snooze]
    elif task is Task.REPORT:
        text = t("reminder.report", language, period=name)
        buttons = [[(t("notify.report_button", language), pack("rp.go", period.id))], snooze]
    else:
        text = t("reminder.dispose", language, period=name)
        buttons = [[(t("notify.agree_button", language), pack("kd.ok", period.id)),
                    (t("notify.arahan_button", language), pack("kd.arh", period.id))], snooze]
    return [Screen([text], buttons, edit_message_id=edit, replaces_message_id=replaces)]


def escalation(session: Session, member: Member, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    """The unit head, then the Sekretaris, hear that a unit has not sent its form after several reminders."""
    period = session.get(Period, params["period_id"])
    unit = session.get(Unit, params["unit_id"])
    language = member.language
    form, answered, total = _unit_progress(session, unit.id, period)
    if form is not None and FormStatus(form.status) in (FormStatus.SUBMITTED, FormStatus.APPROVED):
        return []  # sent meanwhile: no news is good news
    return [Screen.of(t(f"reminder.escalation_{params['level']}", language, unit=esc(unit.name),
                        period=period_name(period, language), missed=params["missed"],
                        deadline=format_date(period.deadline, language), answered=answered, total=total))]


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
    "reminder": reminder,
    "escalation": escalation,
    **MEASUREMENT_RENDERERS,
}
# kinds rendered in the chart pool, with the chat action shown meanwhile ("sending photo…")
CHAT_ACTIONS = {"kepala_report": "upload_photo", **MEASUREMENT_CHAT_ACTIONS}


def after_sent(session: Session, kind: str, params: dict, message_ids: list[int]) -> None:
    """Bookkeeping once a notification is delivered, in the transaction that marks it sent."""
    if kind == "reminder" and message_ids:
        remember_message(session, params["reminder_id"], message_ids[-1])


def render(session: Session, member: Member, kind: str, params: dict, now: datetime,
           rules: ScheduleRules) -> list[Screen]:
    """The screens of one notification; `now` is in the office's time zone."""
    return RENDERERS[kind](session, member, params, now, rules)
