"""The reminder's own button: "Ingatkan nanti" (snooze). Reminders themselves are sent by the scheduler."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from handlers.common import Context, office_now, run_button, schedule_rules
from handlers.screens import Screen
from i18n import t
from models.calc.dates import format_datetime
from models.office.organisation import Member
from models.timing.reminders import snooze_reminder


def _snooze(context: Context):
    def work(session: Session, member: Member, reminder_id: int) -> list[Screen]:
        now = office_now(context)
        until = snooze_reminder(session, member, reminder_id, now, schedule_rules(context))
        return [Screen.of(t("reminder.snoozed", member.language,
                            when=format_datetime(until, context.bot_data.timezone, member.language)))]
    return work


async def on_button(update: Update, context: Context) -> None:
    """The reminder keeps its "Isi sekarang" button after a snooze, so the keyboard stays open."""
    await update.callback_query.answer()
    await run_button(update, context, {"rm.snz": _snooze(context)}, keep_open=frozenset({"rm.snz"}))
    context.bot_data.schedule_changed()  # the snooze's end is a moment to wake up for
