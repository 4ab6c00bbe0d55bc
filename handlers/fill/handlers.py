"""Telegram side of form filling: `/isi`, typed answers, evidence files and the buttons of the journey."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session
from telegram import Message, Update

from handlers.bound import of_question, superseded
from handlers.callbacks import Button
from handlers.common import EVERY_STEP, BotData, Context, act, answer_expired, in_transaction, now_of, run_button
from handlers.fill import flow
from handlers.screens import Screen, acknowledge
from i18n import t
from models.collection.evidence import stored_file_paths, uploaded_file_paths
from models.collection.form_filling import attach_evidence
from models.collection.realisasi import EvidenceKind
from models.messaging.chat_state import ChatStep, get_state
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import Period
from reports.evidence_files import copy_path, stored_file, stored_size


async def fill_command(update: Update, context: Context) -> None:
    """/isi: resume the member's form at its first pending item (it takes up any open question itself)."""
    await act(update, context, flow.start, answers=EVERY_STEP)


TEXT_STEPS = {
    ChatStep.FILL_VALUE: flow.answer_value,
    ChatStep.FILL_AMBIGUOUS: flow.answer_value,  # typing the number again, unambiguously, is fine too
    ChatStep.FILL_FAR_OFF: flow.answer_value,
    ChatStep.FILL_FAR_OFF_REASON: flow.answer_reason,
    ChatStep.FILL_KENDALA: lambda session, member, text: flow.answer_note(session, member, "kendala", text),
    ChatStep.FILL_TINDAK_LANJUT: lambda session, member, text: flow.answer_note(session, member, "tindak_lanjut",
                                                                                text),
}


TEXT_STEPS[ChatStep.FILL_EVIDENCE] = flow.answer_evidence_text


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
    Button.FILL_PERIOD: lambda s, m, period_id: flow.walk(s, m, s.get(Period, period_id), resume=True),
    **{button: of_question(work) for button, work in QUESTION_BUTTONS.items()},
    Button.FILL_EDIT: lambda s, m, period_id, indicator_id: flow.ask_item(s, m, s.get(Period, period_id),
                                                                          s.get(Indicator, indicator_id)),
    Button.FILL_SEND: flow.ask_submit,
    Button.FILL_SEND_CONFIRM: flow.submit,
    Button.FILL_SEND_CANCEL: flow.cancel_submit,
}
# sending the form: the pressed card becomes the confirmation, then what was sent (or the summary again), one
# edit each instead of closing the keyboard and sending a new message
IN_PLACE = frozenset({Button.FILL_SEND, Button.FILL_SEND_CONFIRM, Button.FILL_SEND_CANCEL})


async def on_button(update: Update, context: Context) -> None:
    """Every button of the journey: answered first, then the next screen. A button of a question asked before the
    current one is answered as expired and changes nothing, so a question's keyboard is left as it is: closing it
    would be a second Telegram call per step, and the next question cannot be the pressed card edited
    (`flow.saved_and_next`). Sending the form edits its card in place (`IN_PLACE`); the keyboards of the other
    buttons (a period, ✏️) are closed."""
    if await superseded(update, context, frozenset(QUESTION_BUTTONS)):
        await answer_expired(update, context)
        return
    await acknowledge(update)
    await run_button(update, context, BUTTONS, keep_open=frozenset(QUESTION_BUTTONS), in_place=IN_PLACE)


def _keep_note(session: Session, member: Member, field: str, indicator_id: int) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != flow.NOTE_STEPS[field] or data.get("indicator_id") != indicator_id:
        return [Screen.of(t("common.expired_button", member.language))]
    return flow.answer_note(session, member, field, None)


EVIDENCE = frozenset({ChatStep.FILL_EVIDENCE})  # the question a file answers
# The form's questions asked before the evidence: a file then is not saved, the member is told the evidence is
# asked for after the value (and its notes), and the question comes again (`handlers.router.keeps_thread`).
VALUE_STEPS = frozenset({ChatStep.FILL_VALUE, ChatStep.FILL_AMBIGUOUS, ChatStep.FILL_FAR_OFF})
NOTE_STEPS = frozenset({ChatStep.FILL_FAR_OFF_REASON, ChatStep.FILL_KENDALA, ChatStep.FILL_TINDAK_LANJUT})


def file_too_early(step: ChatStep | None, language: str) -> Screen:
    """A file while no evidence is asked: the value first (or the note asked), or /isi when no form is open."""
    key = "fill.evidence_unexpected"
    if step in VALUE_STEPS:
        key = "fill.file_before_value"
    elif step in NOTE_STEPS:
        key = "fill.file_before_note"
    return Screen.of(t(key, language))


def reply_to_id(message: Message) -> int | None:
    """The id of the message `message` replies to, if any."""
    return message.reply_to_message.message_id if message.reply_to_message else None


async def on_file(update: Update, context: Context) -> None:
    """A photo or document: evidence of the indicator being asked about, kept on disk and by its file id. Refused
    before anything is downloaded when it is larger than the limit or over the member's quota of the period; a
    copy whose save is refused afterwards is deleted at once (else `remove_orphans` would, later). Sent while
    another question is asked, it is not saved, and that question comes again (`file_too_early`)."""
    message = update.effective_message
    if message.photo:
        attachment, kind, name, mime = message.photo[-1], EvidenceKind.PHOTO, None, "image/jpeg"
    else:
        document = message.document
        attachment, kind, name, mime = document, EvidenceKind.DOCUMENT, document.file_name, document.mime_type
    data = context.bot_data
    state: dict = {}

    def check(session: Session, member: Member) -> list[Screen]:
        step, step_data = get_state(session, member.id)
        if step != ChatStep.FILL_EVIDENCE:
            return [file_too_early(step, member.language)]
        if unseen := flow.unseen_answer(session, member, t("fill.your_file", member.language), message.message_id,
                                        reply_to_id(message)):
            return unseen
        if refusal := size_refusal(session, member, step_data["period_id"], attachment.file_size or 0, data):
            return refusal
        state.update(step_data)
        return []

    # only a look: the save below is the update's work
    await act(update, context, check, marks_handled=False, answers=EVIDENCE)
    if not state:
        return
    path = copy_path(data.evidence_dir, state["period_id"], state["indicator_id"], attachment.file_unique_id, name,
                     kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = False
    try:
        await (await attachment.get_file()).download_to_drive(path)
        size = path.stat().st_size

        def save(session: Session, member: Member) -> list[Screen]:
            nonlocal saved
            if refusal := size_refusal(session, member, state["period_id"], size, data, path):
                return refusal
            period, indicator = session.get(Period, state["period_id"]), session.get(Indicator, state["indicator_id"])
            attach_evidence(session, member, indicator, period, kind=kind, telegram_file_id=attachment.file_id,
                            file_name=name, mime_type=mime, stored_path=str(path), now=now_of(session))
            saved = True
            return flow.evidence_saved(session, member, period, indicator)

        await act(update, context, save, answers=EVIDENCE)
    finally:
        if not saved and not await in_transaction(context, _named_by_a_row, context.bot_data.evidence_dir, path):
            path.unlink(missing_ok=True)


def size_refusal(session: Session, member: Member, period_id: int, size: int, data: BotData,
                 replacing: Path | None = None) -> list[Screen] | None:
    """The refusal of a file of `size` bytes: over the per-file limit, or over the member's quota of the period
    with what they uploaded already (`replacing`: the copy just downloaded, not counted twice); None when fine."""
    language = member.language
    if size > data.evidence_max_bytes:
        return [Screen.of(t("fill.evidence_too_big", language, limit=megabytes(data.evidence_max_bytes)))]
    paths = [stored for stored in uploaded_file_paths(session, member.id, period_id)
             if replacing is None or stored_file(data.evidence_dir, stored) != replacing]
    used = sum(stored_size(data.evidence_dir, stored) for stored in set(paths))
    if used + size > data.evidence_quota_bytes:
        return [Screen.of(t("fill.evidence_over_quota", language, quota=megabytes(data.evidence_quota_bytes),
                            used=megabytes(used)))]
    return None


def megabytes(size: int) -> str:
    """A size in whole megabytes, rounded up (what a member is told)."""
    return str(-(-size // (1024 * 1024)))


def _named_by_a_row(session: Session, folder: Path, path: Path) -> bool:
    """Whether an evidence row already names the copy at `path` (the same file sent twice): then it stays."""
    return any(stored_file(folder, stored) == path for stored in stored_file_paths(session))
