"""What every handler needs: the database session per update, the member behind an update, and texts.

Database work runs in a worker thread (`in_transaction`), one transaction per call, so a slow query never
blocks other users' updates on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from handlers.callbacks import Button, unpack
from handlers.cards import alert_text
from handlers.screens import Screen, acknowledge, close_buttons, send_screens, shown_in_place
from i18n import t
from i18n.codes import text_key
from models.calc.clock import Clock
from models.calc.dates import format_datetime
from models.collection.forms import UnitForm
from models.collection.review import last_change
from models.errors import ErrorCode, WorkflowError
from models.messaging.cards import pressing
from models.messaging.chat_state import ChatStep, clear_state, first_time_handled, mark_shown, question_of
from models.messaging.outbox import queued_in
from models.office.acting import acting_member
from models.office.invites import member_by_telegram_id
from models.office.organisation import Member
from models.office.permissions import audit_refusal
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.letterhead import Letterhead
from reports.wording import esc, refusal_words

T = TypeVar("T")
# Refusals worded "already handled by … at …" when the error (or the form) tells who and when.
HANDLED_ALREADY = (ErrorCode.STALE, ErrorCode.NOT_ALLOWED, ErrorCode.ALREADY_DECIDED, ErrorCode.ALREADY_REPORTED,
                   ErrorCode.ALREADY_DISPOSED, ErrorCode.MEASUREMENT_STALE)


def _nothing() -> None:
    pass


@dataclass
class BotData:
    """What the handlers share (PTB's `bot_data`, typed through `ContextTypes(bot_data=...)`).

    PTB creates it without arguments; the composition root (`bot/application.py`) sets every field before the
    bot starts."""

    engine: Engine = field(init=False)
    rules: ScheduleRules = field(init=False)  # built from the settings; `rules.tz` is the office's time zone
    clock: Clock = field(init=False)  # the one clock of the bot: handlers, scheduler and delivery (a test's in tests)
    default_language: str = field(init=False)  # of strangers and new members
    evidence_dir: Path = field(init=False)
    letterhead: Letterhead = field(init=False)  # the documents' kop surat and signatories (settings)
    evidence_max_bytes: int = 20 * 1024 * 1024  # one evidence file (settings: EVIDENCE_MAX_MB)
    evidence_quota_bytes: int = 200 * 1024 * 1024  # a member's evidence files of a period (EVIDENCE_QUOTA_MB)
    admin_telegram_ids: list[int] = field(init=False)  # the configured first admins
    wake: Callable[[], None] = _nothing  # after an update that queued a notification, so it goes out at once
    schedule_changed: Callable[[], None] = _nothing  # tells the scheduler to derive its next run again

    @property
    def timezone(self) -> str:
        """The office's IANA time zone, as `format_datetime` takes it."""
        return self.rules.tz.key

    def now(self) -> datetime:
        """Now, from the injected clock, in the office's time zone."""
        return self.clock().astimezone(self.rules.tz)


Context = CallbackContext[ExtBot, dict, dict, BotData]
"""The `context` every handler gets (`context.bot_data` is the `BotData`)."""
NOW = "now"  # the key of the transaction's moment in `Session.info`
RULES = "rules"  # and of the office's rules (`ScheduleRules`, from the settings)
EVERY_STEP = frozenset(ChatStep)  # `act(answers=...)` of an update that takes up any open question itself
ANY_QUESTION = 0  # `leave_open`: whatever question is open (question numbers start at 1)
LEFT_OPEN = "question_left_open"  # the context's attribute set by `leave_open` (a context is one update's)


def now_of(session: Session) -> datetime:
    """The moment of the update being handled: the bot's clock when its transaction began, in the office's time
    zone (set by `in_transaction`). Flows pass it to the domain, which never reads the wall clock."""
    return session.info[NOW]


def rules_of(session: Session) -> ScheduleRules:
    """The office's rules (set by `in_transaction`; the defaults when a transaction was opened elsewhere), for a
    flow whose domain call depends on a setting, e.g. `kabid_review`."""
    return session.info.get(RULES) or ScheduleRules()


async def in_transaction(context: Context, work: Callable[..., T], *args: Any,
                         executor: Executor | None = None) -> T:
    """Run `work(session, *args)` in one transaction on a worker thread (of `executor`, e.g. the chart pool for
    work that draws) and return its result. The transaction's moment is the bot's clock now (`now_of`)."""
    engine = context.bot_data.engine
    now = context.bot_data.now()
    rules = context.bot_data.rules

    def run() -> T:
        with session_scope(engine) as session:
            session.info[NOW] = now
            session.info[RULES] = rules
            return work(session, *args)

    if executor is not None:
        return await asyncio.get_running_loop().run_in_executor(executor, run)
    return await asyncio.to_thread(run)


def language_of(update: Update, default: str) -> str:
    """The language for someone who is not (yet) a member: the default, or English when both their Telegram
    and the office's default are English."""
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code.startswith("en") and default == "en" else default


def office_now(context: Context) -> datetime:
    """Now, from the bot's clock, in the office's time zone."""
    return context.bot_data.now()


def schedule_rules(context: Context) -> ScheduleRules:
    return context.bot_data.rules


def today(context: Context) -> date:
    """Today in the office's time zone, by the bot's clock."""
    return office_now(context).date()


def error_screens(session: Session, member: Member, error: WorkflowError, timezone: str) -> list[Screen]:
    """A refusal worded for the member: who handled an item already and when, or what is not allowed."""
    language = member.language
    details = error.details
    if error.code in HANDLED_ALREADY:
        by, at = details.get("by"), details.get("at")
        if error.code in (ErrorCode.STALE, ErrorCode.NOT_ALLOWED) and details.get("form_id"):
            by, at = handled_by(session, details["form_id"])
        if by is not None and at is not None:
            name = by if isinstance(by, str) else (session.get(Member, by).name if session.get(Member, by) else "-")
            return [Screen.of(t("error.already_handled", language, name=esc(name),
                                when=format_datetime(at, timezone, language)), refusal=True)]
    return [Screen.of(t(text_key(error.code), language, **{k: esc(v) if isinstance(v, str) else v
                                                           for k, v in refusal_words(details, language).items()}),
                      refusal=True)]


def handled_by(session: Session, form_id: int) -> tuple[str | None, datetime | None]:
    form = session.get(UnitForm, form_id)
    return last_change(session, form) if form else (None, None)


def act_in_transaction(session: Session, user_id: int, update_id: int | None, work: Callable[..., list[Screen]],
                       *args: Any, answering: bool, timezone: str, answers: frozenset[ChatStep] = EVERY_STEP,
                       left_open: list[int] | None = None) -> list[Screen] | None:
    """`act`'s transaction: the member behind Telegram user `user_id` (None for a stranger), the update marked
    handled (`update_id`, unless None; [] when it already was), and `work(session, member, *args)`, a
    `WorkflowError` worded for the member.

    When the member was shown a question the work does not take up (its step is not in `answers`, and the work
    neither asked another nor ended it: the question's number is the same after), its number is appended to
    `left_open`, so that it is asked again after the reply (`leave_open`). The chat state was read with the
    member, so this costs no statement; a typed answer (`answering`) skips it.

    A refused work is undone by rolling the whole transaction back and marking the update handled again in a new
    one, rather than by a savepoint around the work: refusals are rare, and a savepoint costs every update two
    statements (`SAVEPOINT`, `RELEASE`)."""
    member = acting_member(session, user_id, now_of(session))
    if member is None or not member.active:
        return None
    if update_id and not first_time_handled(session, update_id, now_of(session)):
        return []  # delivered again after a crash: already handled, and already answered
    watched = None if answering or left_open is None else question_of(session, member.id)
    if watched is not None and (watched.step in answers or watched.message_id is None):
        watched = None  # taken up by the work, or not shown yet (on its way through the outbox: comes after)
    try:
        screens = work(session, member, *args)
    except WorkflowError as error:
        session.rollback()  # the work's writes, and the mark: taken again below, in the same moment
        member = acting_member(session, user_id, now_of(session))
        if member is None or not member.active or \
                (update_id and not first_time_handled(session, update_id, now_of(session))):
            return []  # handled meanwhile by another process, or the member left: nothing more to say
        if error.code is ErrorCode.FORBIDDEN:
            audit_refusal(session, member, error, now_of(session))
        if answering:
            clear_state(session, member.id)
        screens = error_screens(session, member, error, timezone)
    if watched is not None and (after := question_of(session, member.id)) is not None and \
            after.number == watched.number:
        left_open.append(watched.number)
    return screens


async def act(update: Update, context: Context, work: Callable[..., list[Screen]],
              *args: Any, send: bool = True, answering: bool = False, marks_handled: bool = True,
              executor: Executor | None = None, in_place: int | None = None,
              answers: frozenset[ChatStep] = frozenset(), alert: bool = False) -> list[Screen] | None:
    """Run `work(session, member, *args)` for the member behind the update and reply with its screens.

    Strangers get the invitation hint. A `WorkflowError` rolls back the work, is worded for the member, and a
    refused permission is audited; everything else the work did is committed. Once a screen that asks a question
    is sent, the message that shows it is recorded (`record_shown`). `in_place`: the pressed card, edited into
    the first screen when it can be (`shown_in_place`), else its keyboard is closed; the work knows it
    (`models/messaging/cards.py: pressed_card`). `alert`: the press is answered here, after the work (the
    caller has not answered it): a refusal as an alert on the button (a decided card pressed late: who decided
    and when), not as a message, and the card stays as it is.

    The member's open question is never lost: unless the work takes it up (a typed answer, `answering`; a step
    of `answers`, e.g. a file the evidence question; `EVERY_STEP` for /isi, which resumes by itself), asks
    another or ends it, the update leaves it open (`leave_open`), and `handlers.router.keeps_thread` asks it
    again once the update is answered.
    """
    bot_data = context.bot_data
    user_id = update.effective_user.id
    queued = [False]
    left_open: list[int] = []

    def run(session: Session) -> list[Screen] | None:
        if in_place is not None:
            pressing(session, update.effective_chat.id, in_place)
        screens = act_in_transaction(session, user_id, update.update_id if marks_handled else None, work, *args,
                                     answering=answering, timezone=bot_data.timezone, answers=answers,
                                     left_open=left_open)
        queued[0] = queued_in(session)  # the work queued a notification (nothing is committed when it raises)
        return screens

    screens = await in_transaction(context, run, executor=executor)
    if left_open:
        leave_open(context, left_open[-1])
    try:
        if alert:
            if screens and screens[0].refusal:
                await acknowledge(update, alert_text(screens[0]), show_alert=True)
                return screens
            await acknowledge(update)
        if screens is None:
            await context.bot.send_message(update.effective_chat.id, t("chat.stranger", bot_data.default_language))
            return None
        if send and in_place is not None:
            placed = shown_in_place(screens, in_place)
            if placed is None:
                await close_buttons(update)
            screens = placed or screens
        if send and (shown := await send_screens(context, update.effective_chat.id, screens)):
            await in_transaction(context, record_shown, user_id, *shown)
        return screens
    finally:
        # the notifications the work queued go out after the reply to the member's own action (it takes
        # precedence in the chat's pace); on PostgreSQL the commit's NOTIFY has woken the leader already
        if queued[0]:
            bot_data.wake()


def leave_open(context: Context, number: int) -> None:
    """Say that this update left the member's question `number` (`ANY_QUESTION`: whatever is asked) unanswered:
    once the update is answered, `handlers.router.keeps_thread` asks it again as a new message, the one an
    answer is then filed under. `act` calls it; a handler that answers without `act` (an alert on a stale
    button, `answer_expired`) calls it itself."""
    setattr(context, LEFT_OPEN, number)


def left_open_by(context: Context) -> int | None:
    """The question this update left open (`leave_open`), once: None when it left none."""
    return context.__dict__.pop(LEFT_OPEN, None)


def record_shown(session: Session, telegram_id: int, number: int, message_id: int) -> None:
    """Record the message that shows the member's question `number` (once it is sent: a second transaction)."""
    member = member_by_telegram_id(session, telegram_id)
    if member is not None:
        mark_shown(session, member.id, number, message_id)


async def run_button(update: Update, context: Context,
                     table: dict[Button, Callable[..., list[Screen]]],
                     keep_open: frozenset[Button] = frozenset(), in_place: frozenset[Button] = frozenset(),
                     decisions: frozenset[Button] = frozenset()) -> None:
    """Run a pressed button's action from a journey's table, as `table[button](session, member, *ids)`.

    The query is answered by the caller first, except for `decisions` (a decision card's buttons,
    `handlers/cards.py`): those are answered after the work, a refusal as an alert (a decided card pressed late),
    and the card is edited in place into its outcome (unless the button only starts a question: `keep_open`).
    The pressed keyboard is closed before the action runs, so it
    cannot be pressed twice, unless the action starts something the member may abandon, or the button expires by
    itself once pressed (a question's, carrying its number): those are `keep_open`, and cost no call to close."""
    pressed = unpack(update.callback_query.data)
    work = table.get(pressed.button) if pressed else None
    if work is None:  # unreachable: handlers.registry routes here only the buttons of this table
        await act(update, context, expired_button)
        return
    message = update.callback_query.message
    if pressed.button in decisions:  # a question it starts (`keep_open`) comes as a new message, the card stays
        placed = message.message_id if message is not None and pressed.button not in keep_open else None
        try:
            await act(update, context, work, *pressed.ids, in_place=placed, alert=True)
        except Exception:
            await acknowledge(update)  # the button stops spinning; a press answered already is only logged
            raise
        return
    if pressed.button in in_place and message is not None:
        await act(update, context, work, *pressed.ids, in_place=message.message_id)
        return
    if pressed.button not in keep_open:
        await close_buttons(update)
    await act(update, context, work, *pressed.ids)


def expired_button(session: Session, member: Member) -> list[Screen]:
    return [Screen.of(t("common.expired_button", member.language))]


async def answer_expired(update: Update, context: Context) -> None:
    """Answer a pressed button this version of the bot does not know (data of an older version, or that does not
    unpack) with a short alert on the button; a stranger gets the invitation hint instead."""
    user_id = update.effective_user.id

    def language(session: Session) -> str | None:
        member = member_by_telegram_id(session, user_id)
        return member.language if member is not None and member.active else None

    member_language = await in_transaction(context, language)
    if member_language is None:
        await acknowledge(update)
        await act(update, context, expired_button)  # the invitation hint, as for anything a stranger sends
        return
    await acknowledge(update, t("common.expired_button", member_language), show_alert=True)
    leave_open(context, ANY_QUESTION)  # the question the member is asked, if any, comes again
