"""Wording of outbox notices: each notice type becomes screens in the recipient's language at send time.

Each journey words its own notices (`handlers/fill/notices.py`, `handlers/review/notices.py`,
`handlers/kepala/notices.py`, `handlers/measurement/notices.py`, `handlers/reminders.py`); `WORDINGS` is the one
table from notice type to its wording. `Notifications` is what the delivery worker is handed (`bot/delivery.py:
NoticeRenderer`): it words a notice into parts, sends a part and does the bookkeeping once a notice is out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import Bot

from handlers import cards, reminders
from handlers.drawn import LaterDocument, LaterDocumentPart, drawn_now, parts_later
from handlers.fill import notices as fill
from handlers.kepala import follow_ups
from handlers.kepala import notices as kepala
from handlers.measurement import notices as measurement
from handlers.recap_views import draw_recap
from handlers.review import notices as review
from handlers.screens import Part, Screen, parts_of, send_part
from models.messaging.chat_state import mark_shown
from models.messaging.notices import (
    CardDecided,
    DeferredReply,
    DispositionNotice,
    Escalation,
    FollowUpDone,
    FormApproved,
    FormReturned,
    FormSent,
    KabidReviewRequest,
    KepalaReport,
    LaporanDocument,
    MeasurementApproved,
    MeasurementDisposed,
    MeasurementReady,
    MeasurementReport,
    MeasurementReturned,
    MeasurementReview,
    Notice,
    PeriodOpened,
    ReminderDue,
    ReportReady,
    ReviewRequest,
    UnlockAsked,
    UnlockDecided,
)
from models.office.organisation import Member
from models.timing.schedule import ScheduleRules
from reports.letterhead import Letterhead
from reports.render_pool import RENDER_POOL


@dataclass(frozen=True)
class Wording:
    """How one notice type is worded: its screens (`now` in the office's time zone); the chat action shown while
    they are made, for notices drawn in the chart pool (charts, a PDF); what to record once it is sent.

    A notice that carries a document (`letterhead`) is told the office's letterhead: its `render` takes it as
    the keyword `letterhead`. A notice with pictures or a PDF is worded in two steps: `render` reads plain data
    in the session, and
    `draw` makes the screens from it after the session's transaction has ended, so that no lock is held while
    it draws (on SQLite every transaction, a read too, holds the write lock: the whole bot would wait)."""

    render: Callable[[Session, Member, Any, datetime, ScheduleRules], Any]  # screens, or `draw`'s input
    chat_action: str | None = None
    after_sent: Callable[[Session, Any, list[int]], None] | None = None
    draw: Callable[[Any], list[Screen | LaterDocument]] | None = None
    letterhead: bool = False  # `render` takes `letterhead=` (a Laporan: its kop surat and signatories)

    def read(self, session: Session, member: Member, notice: Any, now: datetime, rules: ScheduleRules,
             letterhead: Letterhead) -> Any:
        """`render`, told the letterhead when it makes a document."""
        if self.letterhead:
            return self.render(session, member, notice, now, rules, letterhead=letterhead)
        return self.render(session, member, notice, now, rules)


def deferred_reply(session: Session, member: Member, notice: DeferredReply, now: datetime,
                   rules: ScheduleRules) -> list[Screen]:
    """A direct reply that could not be sent at once (`handlers/screens.py: send_screens`): worded already, one
    screen per message it still had to send."""
    return [Screen([part.text], [list(row) for row in part.buttons], question=part.question)
            for part in notice.parts]


def deferred_reply_sent(session: Session, notice: DeferredReply, message_ids: list[int]) -> None:
    """A question the reply asks is shown now: the member's answer is filed under it (`mark_shown`, which does
    nothing when another question was asked meanwhile). `message_ids` are those of the last parts, sent by the
    last attempt; a question sent by an earlier attempt stays not shown, and an answer to it is asked again."""
    first = len(notice.parts) - len(message_ids)
    for index, part in enumerate(notice.parts[first:]):
        if part.question is not None:
            mark_shown(session, notice.member_id, part.question, message_ids[index])


WORDINGS: dict[type[Notice], Wording] = {
    PeriodOpened: Wording(fill.period_opened),
    ReviewRequest: Wording(review.review_request),
    KabidReviewRequest: Wording(review.kabid_review_request),
    FormSent: Wording(review.form_sent),
    FormReturned: Wording(review.form_returned),
    FormApproved: Wording(review.form_approved),
    UnlockAsked: Wording(review.unlock_request),
    UnlockDecided: Wording(review.unlock_decided),
    ReportReady: Wording(kepala.report_ready),
    KepalaReport: Wording(kepala.kepala_report, "upload_photo", draw=draw_recap, letterhead=True),
    DispositionNotice: Wording(kepala.disposition_notice),
    FollowUpDone: Wording(follow_ups.follow_up_done),
    LaporanDocument: Wording(measurement.laporan_document, "upload_document", letterhead=True),
    MeasurementReady: Wording(measurement.measurement_ready),
    MeasurementReview: Wording(measurement.measurement_review),
    MeasurementReturned: Wording(measurement.measurement_returned),
    MeasurementApproved: Wording(measurement.measurement_approved),
    MeasurementReport: Wording(measurement.measurement_report, "upload_photo", draw=draw_recap, letterhead=True),
    MeasurementDisposed: Wording(measurement.measurement_disposed),
    ReminderDue: Wording(reminders.reminder, after_sent=reminders.reminder_sent),
    Escalation: Wording(reminders.escalation),
    CardDecided: Wording(cards.card_decided),
    DeferredReply: Wording(deferred_reply, after_sent=deferred_reply_sent),
}


def render(session: Session, member: Member, notice: Notice, now: datetime, rules: ScheduleRules,
           letterhead: Letterhead | None = None) -> list[Screen]:
    """The screens of one notice; `now` is in the office's time zone; a document on `letterhead` (none set: the
    office's name alone, lines to sign by hand). A notice drawn in two steps is drawn with the session still
    open: the delivery worker uses `Notifications.word`, which ends the transaction first."""
    wording = WORDINGS[type(notice)]
    screens = wording.read(session, member, notice, now, rules, letterhead or Letterhead())
    return screens if wording.draw is None else drawn_now(wording.draw(screens))


class Notifications:
    """The delivery worker's renderer (`bot/delivery.py: NoticeRenderer`), in the office's rules and time zone."""

    def __init__(self, rules: ScheduleRules, letterhead: Letterhead) -> None:
        self.rules, self.letterhead = rules, letterhead

    def chat_action(self, notice: Notice) -> str | None:
        return WORDINGS[type(notice)].chat_action

    def word(self, session: Session, member_id: int, notice: Notice, now: datetime) -> list[Part]:
        """The notice's parts. One with pictures is read, then its transaction ends (committed: wording writes
        nothing of its own), then it is drawn: the session is not used again, so no lock is held meanwhile."""
        member = session.get(Member, member_id)
        wording = WORDINGS[type(notice)]
        read = wording.read(session, member, notice, now.astimezone(self.rules.tz), self.rules, self.letterhead)
        if wording.draw is None:
            return parts_of(read)
        session.commit()
        return parts_later(wording.draw(read))

    async def send(self, bot: Bot, chat_id: int, part: Part) -> int:
        if isinstance(part, LaterDocumentPart):
            document = await asyncio.get_running_loop().run_in_executor(RENDER_POOL, part.later.draw)
            part = Part(document.caption, document=document)
        return await send_part(bot, chat_id, part)

    def after_sent(self, session: Session, notice: Notice, message_ids: list[int], *, member_id: int | None = None,
                   chat_id: int | None = None, parts: Sequence[Any] = ()) -> None:
        """Bookkeeping once a notice is delivered, in the transaction that marks it sent: the notice's own, and
        the copy of a decision card it showed (`handlers/cards.py`; `parts` are those `message_ids` show)."""
        after_sent = WORDINGS[type(notice)].after_sent
        if after_sent is not None:
            after_sent(session, notice, message_ids)
        if member_id is not None and chat_id is not None:
            cards.record_delivered(session, notice, member_id, chat_id, parts, message_ids)

    def part_sent(self, session: Session, notice: Notice, part: Part, message_id: int, *, member_id: int,
                  chat_id: int) -> None:
        """One part of several is out: a card among them is recorded now, so a press before the rest (the Kepala
        Dinas's PDF, drawn meanwhile) finds it."""
        cards.record_delivered(session, notice, member_id, chat_id, [part], [message_id])
