"""What the bot is waiting for from each member, kept in the database.

Any bot process can continue any member's conversation, and a restart loses nothing: the state is a step name
and a small JSON of ids (never Telegram objects). Most of a form's progress is not kept here at all but derived
from the stored realisasi (the first unanswered indicator), so this row only says what the next free-text
message means (a value, a kendala, an arahan…). Each question is asked under a number new at every ask and,
once sent, the id of the message that shows it, so an answer is filed only under the question its author saw.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

from models.store.types import UTCDateTime, utcnow


class ChatStep(StrEnum):
    """What the member's next message means. The values are stored in `chat_states.step`: never change one."""

    FILL_VALUE = "fill.value"  # the realisasi of the indicator asked
    FILL_AMBIGUOUS = "fill.ambiguous"  # a value like 1.234 was asked back (typing it again is fine too)
    FILL_FAR_OFF = "fill.far_off"  # a value far from last period or the target awaits confirmation
    FILL_FAR_OFF_REASON = "fill.far_off_reason"  # the reason for a confirmed far-off value
    FILL_KENDALA = "fill.kendala"
    FILL_TINDAK_LANJUT = "fill.tindak_lanjut"
    FILL_EVIDENCE = "fill.evidence"  # a photo or document (typed text gets a hint)
    REVIEW_SELECT = "review.select"  # the Sekretaris chooses the indicators to return, with buttons
    REVIEW_ARAHAN = "review.arahan"  # the arahan of a return
    KEPALA_ARAHAN = "kepala.arahan"  # the Kepala Dinas's arahan in the disposition
    KEPALA_ARAHAN_PREVIEW = "kepala.preview"  # the arahan shown back: units and indicators chosen with buttons
    FOLLOW_UP_NOTE = "followup.note"  # a unit's short note on a follow-up it marks done
    MEASUREMENT_ANALYSIS = "ms.analysis"  # the Tim SAKIP's analysis, in one or more messages (the draft)
    MEASUREMENT_RENCANA_AKSI = "ms.rencana_aksi"  # the Tim SAKIP's rencana aksi, likewise
    MEASUREMENT_RETURN = "ms.return"  # the Sekretaris's arahan returning a measurement
    MEASUREMENT_ARAHAN = "ms.arahan"  # the Kepala Dinas's arahan on a measurement
    UNLOCK_REASON = "unlock.reason"  # why a unit member asks to unlock an approved indicator


class ChatState(SQLModel, table=True):
    __tablename__ = "chat_states"

    member_id: int = Field(foreign_key="members.id", primary_key=True)
    step: str = Field(sa_type=sa.String(40))
    data: str = Field(default="{}", sa_type=sa.Text)
    # diagnostic only (nothing reads it): the wall clock's column default, kept as a last resort
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow})


IDLE = ""  # a row kept after its question ended, only to go on counting the member's questions
HELD = "chat_state_rows"  # `Session.info`: (transaction, the rows read in it by member id), see `_row`
NUMBER, SHOWN_IN = "question_no", "shown_in"  # keys of the question's identity in `chat_states.data`


class Unseen(StrEnum):
    """Why a member's message does not answer the current question (so it is not filed under it)."""

    NOT_SHOWN = "not_shown"  # the question's message is not known to be delivered yet
    EARLIER = "earlier"  # the message was sent before the question was shown
    OTHER = "other"  # the message replies to another message than the question


@dataclass(frozen=True)
class Question:
    """What the member was asked last: the step, a number new at every ask, and the message that shows it."""

    step: ChatStep
    number: int
    message_id: int | None  # None until the question's message is known to be delivered

    def unseen(self, message_id: int, reply_to: int | None) -> Unseen | None:
        """Why the member's message `message_id` (replying to `reply_to`) does not answer this question; None
        when it does (message ids of a private chat increase over both sides' messages)."""
        if self.message_id is None:
            return Unseen.NOT_SHOWN
        if reply_to is not None and reply_to != self.message_id:
            return Unseen.OTHER
        if message_id < self.message_id:
            return Unseen.EARLIER
        return None


def _stored(row: ChatState) -> dict[str, Any]:
    return json.loads(row.data)


def _held(session: Session) -> dict[int, ChatState]:
    transaction = session.get_transaction()
    held = session.info.get(HELD)
    if held is None or held[0] is not transaction:
        held = session.info[HELD] = (transaction, {})
    return held[1]


def _row(session: Session, member_id: int) -> ChatState | None:
    """The member's row, held by the session until its transaction ends: the identity map holds rows only weakly,
    and one update reads its member's state several times (the question, its step, its ids), so once."""
    held = _held(session)
    row = held.get(member_id)
    if row is None or row not in session:
        row = held[member_id] = session.get(ChatState, member_id)
    return row


def hold_state(session: Session, member_id: int, row: ChatState | None) -> None:
    """Hold the member's row, read with something else in the same statement, for the rest of the transaction."""
    if row is not None:
        _held(session)[member_id] = row


def get_state(session: Session, member_id: int) -> tuple[ChatStep | None, dict[str, Any]]:
    """The step the member is at and its ids; a step this version does not know (stored by an older one) is
    cleared, as if nothing were asked."""
    row = _row(session, member_id)
    if row is None or row.step == IDLE:
        return None, {}
    try:
        step = ChatStep(row.step)
    except ValueError:
        _forget(session, row)
        return None, {}
    return step, {key: value for key, value in _stored(row).items() if key not in (NUMBER, SHOWN_IN)}


def question_of(session: Session, member_id: int) -> Question | None:
    """The question the member's next message answers, with its number and message; None when none is asked."""
    step, _ = get_state(session, member_id)
    if step is None:
        return None
    data = _stored(_row(session, member_id))
    return Question(step, data.get(NUMBER, 0), data.get(SHOWN_IN))


def set_state(session: Session, member_id: int, step: ChatStep, **data: Any) -> int:
    """Ask a question: the step and its ids, under a new number (returned), its message not yet shown."""
    if not isinstance(step, ChatStep):
        raise TypeError(f"a chat step is a ChatStep, not {step!r}")
    row = _row(session, member_id) or ChatState(member_id=member_id, step=step.value)
    number = _stored(row).get(NUMBER, 0) + 1
    row.step, row.data = step.value, json.dumps({**data, NUMBER: number}, sort_keys=True)
    session.add(row)
    return number


def amend_state(session: Session, member_id: int, number: int, **data: Any) -> bool:
    """Change what question `number` holds (a draft that grows message by message) while it is the member's
    current one, keeping its number and the message that shows it: the messages that follow still answer it."""
    row = _row(session, member_id)
    stored = _stored(row) if row is not None and row.step != IDLE else {}
    if stored.get(NUMBER) != number:
        return False
    kept = {key: stored[key] for key in (NUMBER, SHOWN_IN) if key in stored}
    row.data = json.dumps({**data, **kept}, sort_keys=True)
    session.add(row)
    return True


def mark_shown(session: Session, member_id: int, number: int, message_id: int) -> bool:
    """Record the message that shows question `number`, if that question is still the member's current one and
    no message showed it before (a question shown again under its number keeps its first message)."""
    row = _row(session, member_id)
    data = _stored(row) if row is not None and row.step != IDLE else {}
    if data.get(NUMBER) != number or data.get(SHOWN_IN) is not None:
        return False
    row.data = json.dumps({**data, SHOWN_IN: message_id}, sort_keys=True)
    session.add(row)
    return True


def clear_state(session: Session, member_id: int) -> None:
    """Nothing is asked any more (the row keeps only the count of questions, so no number comes back)."""
    row = _row(session, member_id)
    if row is not None:
        _forget(session, row)


def _forget(session: Session, row: ChatState) -> None:
    number = _stored(row).get(NUMBER)
    if number is None:
        session.info.get(HELD, (None, {}))[1].pop(row.member_id, None)
        session.delete(row)
        return
    row.step, row.data = IDLE, json.dumps({NUMBER: number})
    session.add(row)


class GroupNotice(SQLModel, table=True):
    """Groups already told that the bot works in private chat (it says so once per group)."""

    __tablename__ = "group_notices"

    chat_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    notified_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def first_notice_in_group(session: Session, chat_id: int) -> bool:
    """True the first time a group is seen (and remembers it)."""
    if session.get(GroupNotice, chat_id) is not None:
        return False
    session.add(GroupNotice(chat_id=chat_id))
    return True


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # both take ON CONFLICT DO NOTHING


class HandledUpdate(SQLModel, table=True):
    """Telegram update ids already handled. Written in the transaction of the update's own work, so an update
    that Telegram delivers again after a crash (its receipt was never confirmed) is not handled twice."""

    __tablename__ = "handled_updates"

    update_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    handled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


KEEP_HANDLED_UPDATES = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


@functools.cache
def _mark_handled(dialect: str) -> sa.Insert:
    """The statement of `first_time_handled`, built once per dialect (building one costs as much as running it)."""
    insert = _INSERTS[dialect](HandledUpdate).values(update_id=sa.bindparam("update_id"),
                                                     handled_at=sa.bindparam("handled_at"))
    return insert.on_conflict_do_nothing(index_elements=["update_id"]).returning(HandledUpdate.update_id)


def first_time_handled(session: Session, update_id: int, now: datetime) -> bool:
    """Mark the update handled at `now`; False when it already was (then its work must not be done again)."""
    # one statement; another process handling the same update right now makes it wait, then insert nothing
    insert = _mark_handled(session.get_bind().dialect.name)
    return session.connection().execute(insert, {"update_id": update_id, "handled_at": now}).first() is not None


def forget_old_updates(session: Session, now: datetime) -> int:
    result = session.execute(sa.delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEEP_HANDLED_UPDATES))
    return result.rowcount or 0
