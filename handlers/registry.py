"""Every handler of the bot, registered in one place so the whole chat can be read at a glance.

Commands have an Indonesian name and an English alias. The bot talks in private chats only; in groups it
says once that it works in private chat.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import documents, evidence, group, reminders, router, settings, start, status, waiting
from handlers.admin import handlers as admin
from handlers.callbacks import Button, matcher
from handlers.fill import handlers as fill
from handlers.kepala import handlers as kepala
from handlers.measurement import handlers as measurement
from handlers.review import handlers as review

PRIVATE = filters.ChatType.PRIVATE

COMMANDS = [
    (["start"], start.start),
    (["bantuan", "help"], start.help_command),
    (["isi", "fill"], fill.fill_command),
    (["status"], status.status_command),
    (["tugas", "inbox"], waiting.tugas_command),
    (["rekap", "recap"], status.recap_command),
    (["ekspor", "export"], documents.export_command),
    (["laporan", "report"], documents.laporan_command),
    (["pengukuran", "measurement"], measurement.measurement_command),
    (["periode", "period"], admin.periods_command),
    (["undang", "invite"], admin.invite_command),
    (["anggota", "members"], admin.members_command),
    (["bahasa", "language"], settings.language_command),
    (["batal", "cancel"], settings.cancel_command),
]

BUTTONS = [  # which buttons (handlers.callbacks.Button) each handler answers; any other data: expired
    (fill.BUTTONS, fill.on_button),
    (review.ROUTED, review.on_button),
    (kepala.BUTTONS, kepala.on_button),
    (measurement.BUTTONS, measurement.on_button),
    (admin.BUTTONS, admin.on_button),
    ({Button.EVIDENCE}, evidence.on_button),
    ({Button.RECAP_PERIOD}, status.on_recap_period),
    (waiting.BUTTONS, waiting.on_button),
    ({Button.EXPORT_PERIOD}, documents.on_export_period),
    ({Button.LAPORAN_PERIOD}, documents.on_laporan_period),
    ({Button.REMINDER_SNOOZE}, reminders.on_button),
    ({Button.LANGUAGE}, settings.on_language),
]


def register(application: Application) -> None:
    application.add_handler(MessageHandler(~PRIVATE & filters.UpdateType.MESSAGE, group.group_notice))
    # every private update keeps the member's open question: what it leaves open is asked again after it
    thread = router.keeps_thread
    for names, callback in COMMANDS:
        application.add_handler(CommandHandler(names, thread(callback), filters=PRIVATE))
    for buttons, callback in BUTTONS:
        application.add_handler(CallbackQueryHandler(thread(callback), pattern=matcher(buttons)))
    application.add_handler(CallbackQueryHandler(thread(router.on_stale_button)))
    application.add_handler(MessageHandler(PRIVATE & (filters.PHOTO | filters.Document.ALL), thread(fill.on_file)))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE,
                                           thread(router.on_text)))
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, thread(router.on_unknown)))
