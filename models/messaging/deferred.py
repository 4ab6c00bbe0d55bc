"""Replies to a member's own message that could not be sent at once: kept in the outbox, so they still arrive.

A direct reply that Telegram refuses for a while (flood waits beyond the rate limiter's retries, a timeout, the
network) is queued as a `DeferredReply` and sent by the delivery worker. The member's later replies queue behind
it while it waits (`reply_waiting`), so the chat shows them in the order they were given.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from models.messaging.notices import DeferredReply, ReplyPart
from models.messaging.outbox import OutboxMessage, OutboxStatus, enqueue


def reply_waiting(session: Session, member_id: int) -> bool:
    """An earlier reply to the member waits in the outbox (not sent yet, nor failed for good)."""
    return session.exec(select(OutboxMessage.id).where(
        OutboxMessage.member_id == member_id, OutboxMessage.kind == DeferredReply.kind,
        OutboxMessage.status == OutboxStatus.PENDING).limit(1)).first() is not None


def defer_reply(session: Session, member_id: int, parts: Sequence[ReplyPart]) -> None:
    """Queue the reply's messages not sent yet, behind whatever the member has queued already."""
    enqueue(session, member_id, DeferredReply(member_id, tuple(parts)))
