"""Telegram side of form filling: `/isi`, typed answers, evidence files and the buttons of the journey."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session
from telegram import Message, Update

from handlers.bound import of_question, superseded
from handlers.callbacks import Button
from handlers.common import Context, act, answer_expired, now_of, run_button
from handlers.fill import flow
from handlers.screens import Screen
from i18n import t
from models.collection.form_filling import attach_evidence
from models.messaging.chat_state import ChatStep, get_state
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import Period

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


async def fill_command(update: Update, context: Context) -> None:
    """/isi: resume the member's form at its first pending item."""
    await act(update, context, flow.start)


TEXT_STEPS = {
    ChatStep.FILL_VALUE: flow.answer_value,
    ChatStep.FILL_AMBIGUOUS: flow.answer_value,  # typing the number again, unambiguously, is fine too
    ChatStep.FILL_FAR_OFF: flow.answer_value,
    ChatStep.FILL_FAR_OFF_REASON: flow.answer_reason,
    ChatStep.FILL_KENDALA: lambda session, member, text: flow.answer_note(session, member, "kendala", text),
    ChatStep.FILL_TINDAK_LANJUT: lambda session, member, text: flow.answer_note(session, member, "tindak_lanjut",
                                                                                text),
}


def evidence_hint(session: Session, member: Member, _text: str) -> list[Screen]:
    return [Screen.of(t("fill.evidence_hint", member.language))]


TEXT_STEPS[ChatStep.FILL_EVIDENCE] = evidence_hint


QUESTION_BUTTONS = {  # the buttons of a question, each carrying its number
    Button.FILL_AMBIGUOUS: flow.choose_candidate,
    Button.FILL_FAR_OFF_SURE: flow.confirm_far_off,
    Button.FILL_RETYPE: flow.retype,
    Button.FILL_KEEP: flow.keep,
    Button.FILL_KEEP_KENDALA: lambda s, m, indicator_id: _keep_note(s, m, "kendala", indicator_id),
    Button.FILL_KEEP_TINDAK_LANJUT: lambda s, m, indicator_id: _keep_note(s, m, "tindak_lanjut", indicator_id),
    Button.FILL_NEXT: flow.next_item,
}
BUTTONS = {
    Button.FILL_PERIOD: lambda s, m, period_id: flow.walk(s, m, s.get(Period, period_id)),
    **{button: of_question(work) for button, work in QUESTION_BUTTONS.items()},
    Button.FILL_EDIT: lambda s, m, period_id, indicator_id: flow.ask_item(s, m, s.get(Period, period_id),
                                                                          s.get(Indicator, indicator_id)),
    Button.FILL_SEND: flow.ask_submit,
    Button.FILL_SEND_CONFIRM: flow.submit,
    Button.FILL_SEND_CANCEL: lambda s, m: [Screen.of(t("fill.send_cancelled", m.language))],
}


async def on_button(update: Update, context: Context) -> None:
    """Every button of the journey: answered first, then the pressed keyboard is closed, then the next screen.
    A button of a question asked before the current one is answered as expired and changes nothing."""
    if await superseded(update, context, frozenset(QUESTION_BUTTONS)):
        await answer_expired(update, context)
        return
    await update.callback_query.answer()
    await run_button(update, context, BUTTONS)


def _keep_note(session: Session, member: Member, field: str, indicator_id: int) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != flow.NOTE_STEPS[field] or data.get("indicator_id") != indicator_id:
        return [Screen.of(t("common.expired_button", member.language))]
    return flow.answer_note(session, member, field, None)


def reply_to_id(message: Message) -> int | None:
    """The id of the message `message` replies to, if any."""
    return message.reply_to_message.message_id if message.reply_to_message else None


async def on_file(update: Update, context: Context) -> None:
    """A photo or document: evidence of the indicator being asked about, kept on disk and by its file id."""
    message = update.effective_message
    if message.photo:
        attachment, kind, name, mime = message.photo[-1], "photo", None, "image/jpeg"
    else:
        document = message.document
        attachment, kind, name, mime = document, "document", document.file_name, document.mime_type
    state: dict = {}

    def check(session: Session, member: Member) -> list[Screen]:
        step, data = get_state(session, member.id)
        if step != ChatStep.FILL_EVIDENCE:
            return [Screen.of(t("fill.evidence_unexpected", member.language))]
        if unseen := flow.unseen_answer(session, member, t("fill.your_file", member.language), message.message_id,
                                        reply_to_id(message)):
            return unseen
        if attachment.file_size and attachment.file_size > EVIDENCE_MAX_BYTES:
            return [Screen.of(t("fill.evidence_too_big", member.language))]
        state.update(data)
        return []

    await act(update, context, check, marks_handled=False)  # only a look: the save below is the update's work
    if not state:
        return
    folder = context.bot_data.evidence_dir
    target = folder / str(state["period_id"]) / str(state["indicator_id"])
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{attachment.file_unique_id}{Path(name).suffix if name else '.jpg'}"
    await (await attachment.get_file()).download_to_drive(path)

    def save(session: Session, member: Member) -> list[Screen]:
        period, indicator = session.get(Period, state["period_id"]), session.get(Indicator, state["indicator_id"])
        attach_evidence(session, member, indicator, period, kind=kind, telegram_file_id=attachment.file_id,
                        file_name=name, mime_type=mime, stored_path=str(path), now=now_of(session))
        return flow.evidence_saved(session, member, period, indicator)

    await act(update, context, save)
