"""The outbox: every notification that must not be lost is a row, written in the transaction of its cause.

The domain records *what* to tell *whom* (`kind` + JSON `params`, e.g. `review_request` with a form id); the
delivery worker (`bot/delivery.py`) words it in the recipient's language at send time, sends it and marks it
sent. A crash between commit and send only delays a message. `dedupe_key` makes enqueueing idempotent, so a
repeated cause (two quick presses) never queues a message twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, enum_type, utcnow


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
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.params)


def enqueue(session: Session, member_id: int, kind: str, dedupe_key: str | None = None, **params: Any) -> bool:
    """Queue a notification; False when one with the same `dedupe_key` is already queued (or sent)."""
    if dedupe_key is not None and session.exec(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first() is not None:
        return False
    session.add(OutboxMessage(member_id=member_id, kind=kind, params=json.dumps(params, sort_keys=True),
                              dedupe_key=dedupe_key))
    return True


CLAIM_SECONDS = 60  # a claimed row is due again after this, should its worker die before marking it


def claim_due(session: Session, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    """Take the rows due now for this worker: locked rows are skipped (another process has them), and each row's
    next attempt moves past a lease, so a second worker does not pick it up while this one sends it."""
    rows = list(session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    for row in rows:
        row.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        session.add(row)
    return rows
