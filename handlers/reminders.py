"""Reminders: the wording of a reminder and of an escalation (queued by the scheduler, worded at send time),
and the reminder's own button, "Ingatkan nanti" (snooze)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select
from telegram import Update

from handlers.callbacks import Button, pack
from handlers.common import (
    Context,
    office_now,
    run_button,
    schedule_rules,
)
from handlers.fill.views import period_name
from handlers.measurement.notices import measurement_reminder
from handlers.screens import Screen, acknowledge
from i18n import t
from models.calc.dates import format_date, format_datetime
from models.collection.form_filling import form_items, unit_indicators
from models.collection.forms import FormStatus, UnitForm
from models.measurement.cycle import MeasurementCycle
from models.messaging.notices import Escalation, ReminderDue
from models.office.organisation import Member, Unit
from models.plan.periods import Period
from models.timing.reminders import Reminder, Task, remember_message, snooze_reminder
from models.timing.schedule import ScheduleRules
from reports.wording import esc


def _snooze(context: Context):
    def work(session: Session, member: Member, reminder_id: int) -> list[Screen]:
        now = office_now(context)
        until = snooze_reminder(session, member, reminder_id, now, schedule_rules(context))
        return [Screen.of(t("reminder.snoozed", member.language,
                            when=format_datetime(until, context.bot_data.timezone, member.language)))]
    return work


async def on_button(update: Update, context: Context) -> None:
    """The reminder keeps its "Isi sekarang" button after a snooze, so the keyboard stays open."""
    await acknowledge(update)
    await run_button(update, context, {Button.REMINDER_SNOOZE: _snooze(context)},
                     keep_open=frozenset({Button.REMINDER_SNOOZE}))
    context.bot_data.schedule_changed()  # the snooze's end is a moment to wake up for


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
    return t("reminder.overdue", language, count=-days)


def _since(moment, rules: ScheduleRules, language: str) -> str:
    return format_datetime(moment, rules.tz.key, language)


def reminder(session: Session, member: Member, notice: ReminderDue, now: datetime,
             rules: ScheduleRules) -> list[Screen]:
    """A reminder, worded now: the countdown is as of sending. It edits the earlier reminder message, or
    replaces it after a snooze; once the task is done it only edits the message to say so (nothing new)."""
    item = session.get(Reminder, notice.reminder_id)
    language = member.language
    if item.measurement_id is not None:
        cycle = session.get(MeasurementCycle, item.measurement_id)
        name = t("reminder.measurement_name", language, period=cycle.ref.label(language))
    else:
        period = session.get(Period, item.period_id)
        name = period_name(period, language)
    edit = None if notice.replace else item.message_id
    replaces = item.message_id if notice.replace else None
    if item.closed_at is not None:
        if item.message_id is None:
            return []  # never shown: nothing to tidy up, and nothing new for someone who is done
        return [Screen.of(t("reminder.done", language, period=name), edit_message_id=item.message_id, edit_only=True)]
    snooze = [(t("reminder.snooze_button", language), pack(Button.REMINDER_SNOOZE, item.id))]
    task = Task(item.task)
    if item.measurement_id is not None:
        text, buttons = measurement_reminder(cycle, task, language)
        buttons = [*buttons, snooze]
    elif task is Task.FILL:
        _, answered, total = _unit_progress(session, item.unit_id, period)
        text = t("reminder.fill", language, period=name, unit=esc(session.get(Unit, item.unit_id).name),
                 deadline=format_date(period.deadline, language),
                 countdown=_countdown(period.deadline, now.date(), language), answered=answered, total=total)
        buttons = [[(t("notify.fill_button", language), pack(Button.FILL_PERIOD, period.id))], snooze]
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
        buttons = [[(t("notify.report_button", language), pack(Button.REPORT, period.id))], snooze]
    else:
        text = t("reminder.dispose", language, period=name)
        buttons = [[(t("notify.agree_button", language), pack(Button.KEPALA_AGREE, period.id)),
                    (t("notify.arahan_button", language), pack(Button.KEPALA_ARAHAN, period.id))], snooze]
    return [Screen([text], buttons, edit_message_id=edit, replaces_message_id=replaces)]


def reminder_sent(session: Session, notice: ReminderDue, message_ids: list[int]) -> None:
    """The message that now shows the reminder: the next one edits it."""
    if message_ids:
        remember_message(session, notice.reminder_id, message_ids[-1])


def escalation(session: Session, member: Member, notice: Escalation, now: datetime,
               rules: ScheduleRules) -> list[Screen]:
    """The unit head, then the Sekretaris, hear that a unit has not sent its form after several reminders."""
    period = session.get(Period, notice.period_id)
    unit = session.get(Unit, notice.unit_id)
    language = member.language
    form, answered, total = _unit_progress(session, unit.id, period)
    if form is not None and FormStatus(form.status) in (FormStatus.WAITING_KABID, FormStatus.SUBMITTED,
                                                         FormStatus.APPROVED):
        return []  # sent meanwhile: no news is good news
    return [Screen.of(t(f"reminder.escalation_{notice.level}", language, unit=esc(unit.name),
                        period=period_name(period, language), missed=notice.missed,
                        deadline=format_date(period.deadline, language), answered=answered, total=total))]
