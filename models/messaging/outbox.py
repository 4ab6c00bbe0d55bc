"""The outbox: every notification that must not be lost is a row, written in the transaction of its cause.

The domain records *what* to tell *whom* (a typed notice, `models/messaging/notices.py`, stored as `kind` + JSON
`params`, e.g. `review_request` with a form id); the delivery worker (`bot/delivery.py`) words it in the
recipient's language at send time, sends it and marks it sent. A crash between commit and send only delays a
message. `dedupe_key` makes enqueueing idempotent, so a repeated cause (two quick presses) never queues a message
twice. What sending does to a row (sent, failed for good, retried later with backoff, one part of several sent)
is decided here; the worker only reports what Telegram answered. Claims carry the claiming leader's term
(`claimed_by`, `scheduler/leadership.py: Term`) and a short lease; every write about a claimed row (extend,
release, an outcome) acts only while the row is still claimed by the writer's term, so a leader that lost its lock
never touches a row a later leader claimed again.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel, select

from models.messaging.notices import Notice, decode
from models.store.types import UTCDateTime, enum_type, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    kind: str = Field(sa_type=sa.String(40))
    params: str = Field(default="{}", sa_type=sa.Text)
    dedupe_key: str | None = Field(default=None, sa_type=sa.String(160), unique=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus))
    attempts: int = Field(default=0)
    # messages of a multi-part notification already sent (a retry sends only the rest)
    parts_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # a worker is sending it
    claimed_by: str | None = Field(default=None, sa_type=sa.String(64))  # which leader's term claimed it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.params)

    @property
    def notice(self) -> Notice:
        """What the row tells (`UnknownNotice` for a kind or params no notice type has)."""
        return decode(self.kind, self.params)


NOTIFY_CHANNEL = "sakip_outbox"
QUEUED = "outbox_queued"  # `Session.info`: this session queued a row (`queued_in`)


def enqueue(session: Session, member_id: int, notice: Notice, dedupe_key: str | None = None) -> bool:
    """Queue a notification; False when one with the same `dedupe_key` is already queued (or sent).

    On PostgreSQL the commit also notifies the delivering process (`scheduler/leadership.py`), whichever
    process or command queued the row."""
    if dedupe_key is not None and session.exec(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first() is not None:
        return False
    session.add(OutboxMessage(member_id=member_id, kind=notice.kind, params=notice.params_json(),
                              dedupe_key=dedupe_key))
    session.info[QUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return True


def queued_in(session: Session) -> bool:
    """Whether the session queued a notification (then the delivery worker is woken once it commits); a row rolled
    back since only makes one round of claiming find nothing."""
    return bool(session.info.get(QUEUED))


# A claim lasts this long unless its leader renews it (every few seconds while it leads, `bot/delivery.py`): a leader
# that dies or loses its lock delays its chats by at most this much, and another leader never takes a row sooner.
CLAIM_SECONDS = 15


def _busy(row: type[OutboxMessage], now: datetime):
    """The row may not be sent now: it waits for a retry, or a worker has claimed it."""
    return sa.or_(row.next_attempt_at > now, sa.and_(row.claimed_until != None, row.claimed_until > now))  # noqa: E711


def _of_term(term: str):
    """Rows claimed by this leader's term and not finished since: a row another term claimed again (after this
    term's lease ran out) is no longer this term's, whatever this term still believes."""
    return (OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.claimed_by == term,
            OutboxMessage.claimed_until != None)  # noqa: E711


def claim_due(session: Session, now: datetime, term: str, limit: int = 200, per_member: int | None = None
              ) -> list[OutboxMessage]:
    """Take the rows due now for the leader's `term`, oldest first, keeping each chat's order: a row waits while an
    older row of the same member is still pending and busy (retrying later, or claimed by a worker, whichever term
    claimed it: a new leader takes an old leader's rows only once their lease ran out, in row order). At most
    `per_member` rows of one member are taken, so one long backlog does not fill the batch. Locked rows are skipped
    (another process has them), and each claimed row carries a lease and the term, so no second worker picks it
    up while this one sends it (`extend_lease` keeps it claimed through long flood waits)."""
    older = sa.orm.aliased(OutboxMessage)
    blocked = (select(older.id).where(older.member_id == OutboxMessage.member_id, older.id < OutboxMessage.id,
                                      older.status == OutboxStatus.PENDING, _busy(older, now))
               .exists())
    due = (OutboxMessage.status == OutboxStatus.PENDING, ~_busy(OutboxMessage, now))
    query = select(OutboxMessage).where(*due, ~blocked)
    if per_member is not None:  # ranked in a subquery: PostgreSQL locks no rows of a window function's query
        place = sa.func.row_number().over(partition_by=OutboxMessage.member_id, order_by=OutboxMessage.id)
        ranked = select(OutboxMessage.id, place.label("place")).where(*due, ~blocked).subquery()
        query = select(OutboxMessage).where(
            *due, OutboxMessage.id.in_(select(ranked.c.id).where(ranked.c.place <= per_member)))
    rows = list(session.exec(query.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)))
    for row in rows:
        row.claimed_until, row.claimed_by = now + timedelta(seconds=CLAIM_SECONDS), term
        session.add(row)
    return rows


def extend_lease(db: Session | Connection, term: str, row_ids: set[int], now: datetime) -> int:
    """Keep rows this term is still sending claimed (a 429 wait can outlast the lease); how many still are its.
    `db` may be the leader's lock connection itself, so the renewal succeeds only while the lock is held."""
    if not row_ids:
        return 0
    return db.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(row_ids), *_of_term(term))
                      .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))).rowcount


def release_claims(session: Session, term: str, row_ids: set[int]) -> None:
    """Rows this term claimed and will not send become free at once (when the worker stops, or rows held back
    behind one to retry), instead of after their lease. Rows another term claimed meanwhile are not touched."""
    if row_ids:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(row_ids), *_of_term(term))
                        .values(claimed_until=None, claimed_by=None))


def release_every_claim(session: Session) -> None:
    """Every term's claims become free at once: for a process that knows it is the only one (the polling process,
    holding the polling lock) after its predecessor died, instead of waiting out the dead term's leases."""
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                                   OutboxMessage.claimed_by != None)  # noqa: E711
                    .values(claimed_until=None, claimed_by=None))


def notices_of(session: Session, notice_type: type[Notice], **fields: int) -> list[OutboxMessage]:
    """The rows of one notice type whose fields have these (integer) values, e.g. every `PeriodOpened` of a
    period: looked up in the JSON params, whatever the dedupe key says."""
    params: Any = OutboxMessage.params
    if session.get_bind().dialect.name == "postgresql":
        params = sa.cast(params, sa.JSON)  # the column is text: PostgreSQL reads JSON only after a cast
    else:
        params = sa.type_coerce(params, sa.JSON)  # SQLite's json_extract reads text as it is
    query = select(OutboxMessage).where(OutboxMessage.kind == notice_type.kind, *(
        params[name].as_integer() == value for name, value in fields.items()))
    return list(session.exec(query.order_by(OutboxMessage.id)))


# --- what sending did to a row (the delivery worker reports; the rules live here) ---

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300


def _ours(session: Session, row_id: int, term: str) -> OutboxMessage | None:
    """The row, while it is still claimed by `term`; None once another leader claimed it again (its outcome is
    that leader's now) or it was finished."""
    row = session.get(OutboxMessage, row_id, with_for_update=True)
    if row is None or row.status != OutboxStatus.PENDING or row.claimed_by != term or row.claimed_until is None:
        return None
    return row


def _attempted(session: Session, row_id: int, term: str, error: str | None, parts_sent: int) -> OutboxMessage | None:
    """Every outcome counts an attempt, keeps the parts already sent and ends the term's claim (the row keeps
    `claimed_by`: the term that last tried it). None: the row is not this term's any more, and is left alone."""
    row = _ours(session, row_id, term)
    if row is None:
        return None
    row.attempts += 1
    row.error = error
    row.parts_sent = max(row.parts_sent, parts_sent)
    row.claimed_until = None
    session.add(row)
    return row


def mark_sent(session: Session, row_id: int, now: datetime, parts_sent: int, *, term: str) -> OutboxMessage | None:
    row = _attempted(session, row_id, term, None, parts_sent)
    if row is not None:
        row.status, row.sent_at = OutboxStatus.SENT, now
    return row


def mark_failed(session: Session, row_id: int, error: str, parts_sent: int = 0, *, term: str
                ) -> OutboxMessage | None:
    """Failed for good (the member blocked the bot, the chat is gone): admins see it in /status."""
    row = _attempted(session, row_id, term, error, parts_sent)
    if row is not None:
        row.status = OutboxStatus.FAILED
    return row


def retry_later(session: Session, row_id: int, now: datetime, error: str, retry_in: float | None = None,
                parts_sent: int = 0, *, term: str) -> OutboxMessage | None:
    """Try again after exponential backoff (2, 4, 8 … s, at most `MAX_BACKOFF_SECONDS`), or after `retry_in`
    when Telegram asked for longer; failed for good after `MAX_ATTEMPTS` attempts."""
    row = _attempted(session, row_id, term, error, parts_sent)
    if row is None:
        return None
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
    else:
        backoff = min(MAX_BACKOFF_SECONDS, 2 ** row.attempts)
        row.next_attempt_at = now + timedelta(seconds=max(retry_in or 0, backoff))
    return row


def note_parts_sent(session: Session, row_id: int, parts_sent: int, *, term: str) -> bool:
    """Of a notification in several messages, these many are out: a retry sends only the rest. False when the row
    is not this term's any more (nothing noted)."""
    row = _ours(session, row_id, term)
    if row is not None:
        row.parts_sent = max(row.parts_sent, parts_sent)
        session.add(row)
    return row is not None
