"""Decision cards in chat: each copy delivered is recorded, and once decided every copy shows the outcome.

A card is a notice with decision buttons sent to several people (`models/messaging/cards.py`). When its notice is
delivered, the message with its decision buttons is recorded (`record_delivered`, in the transaction that marks
the notice sent). When it is decided, every copy is edited to its text as sent plus one line, e.g. "✅ Disetujui
oleh Hendra · 21.23", and keeps only its reading buttons (📎 Bukti, Rincian per unit): the copy pressed at once
(`decided_in_place`, by the flow), the others through the outbox (`card_decided`, a `CardDecided` notice that
edits the message and never sends a new one). A later press of a decision button on a decided card is refused
with an alert on the button, not a message (`handlers/common.py: act`'s `alert`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from sqlmodel import Session

from handlers.callbacks import Button, unpack
from handlers.render import MESSAGE_LIMIT, telegram_length
from handlers.screens import Buttons, Part, Screen
from i18n import t
from models.calc.dates import format_datetime
from models.collection.forms import UnitForm, UnlockRequest
from models.measurement.cycle import MeasurementCycle
from models.messaging.cards import CardKind, Outcome, SentCard, pressed_card, record_card, recorded
from models.messaging.notices import (
    CardDecided,
    KepalaReport,
    MeasurementReport,
    MeasurementReview,
    Notice,
    ReportReady,
    ReviewRequest,
    UnlockAsked,
)
from models.office.organisation import Member
from models.plan.periods import Period
from models.timing.schedule import ScheduleRules
from reports.wording import esc, title_of

# The card each notice is: its kind, the decided thing and its version (the version its buttons carry).
CARDS: dict[type[Notice], Callable[[Any], tuple[CardKind, int, int]]] = {
    ReviewRequest: lambda notice: (CardKind.REVIEW, notice.form_id, notice.version),
    UnlockAsked: lambda notice: (CardKind.UNLOCK, notice.request_id, 0),
    ReportReady: lambda notice: (CardKind.REPORT_READY, notice.period_id, 0),
    KepalaReport: lambda notice: (CardKind.KEPALA_REPORT, notice.period_id, 0),
    MeasurementReview: lambda notice: (CardKind.MEASUREMENT_REVIEW, notice.cycle_id, notice.version),
    MeasurementReport: lambda notice: (CardKind.MEASUREMENT_REPORT, notice.cycle_id, notice.version),
}
# The row each decision holds locked while it decides (`models/messaging/cards.py`): recording a copy takes it too.
DECIDED_ROWS: dict[CardKind, type] = {
    CardKind.REVIEW: UnitForm, CardKind.UNLOCK: UnlockRequest, CardKind.REPORT_READY: Period,
    CardKind.KEPALA_REPORT: Period, CardKind.MEASUREMENT_REVIEW: MeasurementCycle,
    CardKind.MEASUREMENT_REPORT: MeasurementCycle,
}
READING = frozenset({Button.EVIDENCE, Button.KEPALA_UNITS})  # buttons a decided card keeps: they change nothing
ALERT_LIMIT = 200  # characters of a callback query's alert


def _rows(part: Part) -> Buttons:
    keyboard = part.buttons.inline_keyboard if part.buttons is not None else ()
    return [[(button.text, button.callback_data) for button in row] for row in keyboard]


def _decides(rows: Sequence[Sequence[tuple[str, str]]]) -> bool:
    """The keyboard has a button that decides (anything but the reading buttons)."""
    return any((pressed := unpack(data)) is not None and pressed.button not in READING
               for row in rows for _, data in row)


def kept_buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> Buttons:
    """A decided card's keyboard: its reading buttons only."""
    kept = [[(label, data) for label, data in row if (pressed := unpack(data)) is not None
             and pressed.button in READING] for row in rows]
    return [row for row in kept if row]


def record_delivered(session: Session, notice: Notice, member_id: int, chat_id: int, parts: Sequence[Any],
                     message_ids: Sequence[int]) -> None:
    """A card's notice is delivered: its message with decision buttons is recorded (a notice worded after the
    decision, with no decision buttons, records nothing), holding the decided row's lock."""
    card_of = CARDS.get(type(notice))
    if card_of is None:
        return
    shown = [(part, message_id) for part, message_id in zip(parts, message_ids, strict=False)
             if isinstance(part, Part) and _decides(_rows(part))]
    if not shown:
        return
    part, message_id = shown[-1]
    kind, entity_id, version = card_of(notice)
    session.get(DECIDED_ROWS[kind], entity_id, with_for_update=True, populate_existing=True)
    if recorded(session, chat_id, message_id):
        return  # recorded as its part went out (`Notifications.part_sent`)
    record_card(session, kind, entity_id, version, member_id, chat_id, message_id, part.text, _rows(part))


def outcome_line(session: Session, card: SentCard, language: str, now: datetime, timezone: str) -> str:
    """The card's outcome in one line: what, by whom, when (the time alone on the day itself)."""
    decider = session.get(Member, card.decided_by_id) if card.decided_by_id else None
    name = title_of(session, decider, card.decided_at, language)  # "Plh. Sekretaris Budi" when acting
    at = card.decided_at.astimezone(ZoneInfo(timezone))
    when = (format_time(at.time(), format="short", locale=language) if at.date() == now.astimezone(at.tzinfo).date()
            else format_datetime(at, timezone, language))
    return t(f"card.{Outcome(card.outcome).value}", language, name=esc(name), when=when,
             detail=esc(card.detail or "-"))


def outcome_screen(session: Session, card: SentCard, language: str, now: datetime, timezone: str,
                   edit_message_id: int | None = None) -> Screen:
    """The outcome first (read at a glance on a phone, without scrolling a long card), then the copy as it was
    sent, its first line (what it asked: "… menunggu pemeriksaan Anda") struck through; should both not fit in
    one message, its first block only. Its reading buttons only."""
    line = outcome_line(session, card, language, now, timezone)
    header, newline, rest = card.text.partition("\n")
    shown = f"<s>{header}</s>{newline}{rest}" if _balanced(header) else card.text
    text = f"{line}\n\n{shown}"
    if telegram_length(text) > MESSAGE_LIMIT:  # the card's first block (its title) then, cut between blocks
        text = f"{line}\n\n{shown.split(chr(10) * 2)[0]}"
    return Screen([text], kept_buttons(card.button_rows), edit_message_id=edit_message_id,
                  edit_only=edit_message_id is not None)


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def _balanced(fragment: str) -> bool:
    """Whether every HTML tag opened in `fragment` is closed in it (so it may be wrapped in another tag)."""
    opened: list[str] = []
    for closing, name in _TAG.findall(fragment):
        if not closing:
            opened.append(name)
        elif not opened or opened.pop() != name:
            return False
    return not opened


def decided_in_place(session: Session, member: Member, now: datetime) -> Screen | None:
    """The pressed copy of a card, decided by this press, as it now shows (the chat edits it in place); None when
    the pressed message is not a recorded card (a reminder's buttons, a card sent before cards were recorded)."""
    card = pressed_card(session)
    if card is None or card.outcome is None:
        return None
    return outcome_screen(session, card, member.language, now, now.tzinfo.key)


def card_decided(session: Session, member: Member, notice: CardDecided, now: datetime,
                 rules: ScheduleRules) -> list[Screen]:
    """Another copy of a decided card: its message edited (nothing new is sent if it is gone)."""
    card = session.get(SentCard, notice.card_id)
    if card is None or card.outcome is None or card.message_id is None:
        return []
    return [outcome_screen(session, card, member.language, now, rules.tz.key, edit_message_id=card.message_id)]


def alert_text(screen: Screen) -> str:
    """A refusal as a callback query's alert: plain text (no HTML), at most `ALERT_LIMIT` characters."""
    text = html.unescape(re.sub(r"<[^>]+>", "", "\n".join(screen.blocks))).strip()
    return text if len(text) <= ALERT_LIMIT else text[:ALERT_LIMIT - 1] + "…"
