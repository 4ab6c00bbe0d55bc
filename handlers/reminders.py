"""The reminder's own button: "Ingatkan nanti" (snooze). Reminders themselves are sent by the scheduler."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.callbacks import Button
from handlers.common import CLOCK_KEY, SCHEDULE_CHANGED_KEY, SETTINGS_KEY, run_button, schedule_rules
from handlers.screens import Screen
from i18n import t
from models.calc.dates import format_datetime
from models.office.organisation import Member
from models.timing.reminders import snooze_reminder


def _snooze(context: ContextTypes.DEFAULT_TYPE):
    def work(session: Session, member: Member, reminder_id: int) -> list[Screen]:
        settings = context.application.bot_data[SETTINGS_KEY]
        now = context.application.bot_data[CLOCK_KEY]().astimezone(settings.tz)  # the scheduler's time
        until = snooze_reminder(session, member, reminder_id, now, schedule_rules(context))
        return [Screen.of(t("reminder.snoozed", member.language,
                            when=format_datetime(until, getattr(now.tzinfo, "key", "UTC"), member.language)))]
    return work


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The reminder keeps its "Isi sekarang" button after a snooze, so the keyboard stays open."""
    await update.callback_query.answer()
    await run_button(update, context, {Button.REMINDER_SNOOZE: _snooze(context)},
                     keep_open=frozenset({Button.REMINDER_SNOOZE}))
    context.application.bot_data[SCHEDULE_CHANGED_KEY]()  # the snooze's end is a moment to wake up for
