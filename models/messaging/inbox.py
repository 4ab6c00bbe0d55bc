"""The inbox: every update Telegram sends is a row before Telegram is told it arrived, and is handled from here.

Why: PTB confirms an update to Telegram before handling it (polling) and a webhook answers 200 at once, so a
process killed in between loses the update for good, and several processes handle one member's updates side
by side, out of order. Here the receiving side (`bot/webhook.py`, `bot/polling.py`) stores the update first
and acknowledges it after the commit; the dispatcher (`bot/inbox.py`) of any process claims it and hands it
to the handlers.

The rules, all in the claim:
- A member's updates are handled strictly in `update_id` order: an update is claimed only when no earlier
  update of its chat is unhandled (so at most one of a member's updates is in hand, across all processes).
- Different chats are claimed side by side.
- A claim is a lease (`LEASE`), renewed while the update is in hand; an update whose process died is claimed
  again once its lease has run out, and handled then (its work is done once: `handled_updates` is written in
  the transaction of the work, `handlers/common.py`).
- An update that was claimed `MAX_ATTEMPTS` times without being finished (it kills its process every time)
  is given up, so it does not hold back its member's later updates for ever.
- Handled rows are pruned after `KEEP`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, select

from models.store.types import UTCDateTime, utcnow

LEASE = timedelta(seconds=10)  # an update in hand is claimed again this long after its process last renewed it
MAX_ATTEMPTS = 5
KEEP = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox_updates"
    __table_args__ = (
        sa.Index("ix_inbox_updates_chat", "chat_id", "update_id"),
        sa.Index("ix_inbox_updates_pending", "handled_at", "update_id"),
    )

    update_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    chat_id: int = Field(sa_type=sa.BigInteger)  # whose updates are handled in order (the user's, in private chat)
    payload: str = Field(sa_type=sa.Text)  # the update's JSON, as Telegram sent it
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(64))  # the worker that has it in hand
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gave_up: bool = Field(default=False)  # finished without being handled (`MAX_ATTEMPTS`)


def receive(session: Session, updates: list[tuple[int, int, str]], now: datetime) -> int:
    """Store updates (`update_id`, `chat_id`, JSON); one Telegram delivers again is stored once. Returns how many
    were new."""
    if not updates:
        return 0
    rows = [{"update_id": update_id, "chat_id": chat_id, "payload": payload, "received_at": now, "attempts": 0,
             "gave_up": False} for update_id, chat_id, payload in updates]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(InboxUpdate).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
                 .returning(InboxUpdate.update_id))
    return len(session.execute(statement).all())


def claim_next(session: Session, worker: str, now: datetime, limit: int) -> list[InboxUpdate]:
    """Claim up to `limit` updates that may be handled now, oldest first: each is the earliest unhandled update
    of its chat and nobody holds it (never claimed, or its lease ran out). Rows another process is claiming at
    this moment are skipped."""
    if limit <= 0:
        return []
    earlier = sa.orm.aliased(InboxUpdate)
    waits = (select(earlier.update_id)
             .where(earlier.chat_id == InboxUpdate.chat_id, earlier.update_id < InboxUpdate.update_id,
                    earlier.handled_at == None)  # noqa: E711
             .exists())
    free = sa.or_(InboxUpdate.claimed_until == None, InboxUpdate.claimed_until < now)  # noqa: E711
    query = (select(InboxUpdate).where(InboxUpdate.handled_at == None, free, ~waits)  # noqa: E711
             .order_by(InboxUpdate.update_id).limit(limit).with_for_update(skip_locked=True))
    rows = list(session.exec(query))
    claimed = []
    for row in rows:
        row.attempts += 1
        if row.attempts > MAX_ATTEMPTS:
            row.handled_at, row.gave_up, row.claimed_by, row.claimed_until = now, True, None, None
        else:
            row.claimed_by, row.claimed_until = worker, now + LEASE
            claimed.append(row)
        session.add(row)
    if len(claimed) < len(rows):  # given up: their chats' next updates may be taken now
        session.flush()
        claimed += claim_next(session, worker, now, limit - len(claimed))
    return claimed


def renew(session: Session, worker: str, update_ids: set[int], now: datetime) -> None:
    """Keep the updates this worker has in hand claimed (a long `/rekap` outlasts a lease)."""
    if update_ids:
        session.execute(sa.update(InboxUpdate)
                        .where(InboxUpdate.update_id.in_(update_ids), InboxUpdate.claimed_by == worker,
                               InboxUpdate.handled_at == None)  # noqa: E711
                        .values(claimed_until=now + LEASE))


def finish(session: Session, update_id: int, now: datetime) -> None:
    """The update is handled: the member's next update may be claimed."""
    session.execute(sa.update(InboxUpdate).where(InboxUpdate.update_id == update_id)
                    .values(handled_at=now, claimed_by=None, claimed_until=None))


def release(session: Session, worker: str | None, update_ids: set[int] | None = None) -> None:
    """A worker that stops gives back what it claimed and did not handle (claimable at once, not after the
    lease); its attempt does not count. `worker` None: every worker's claims (a process that knows it is the
    only one, the polling process, after a crash of its predecessor)."""
    query = sa.update(InboxUpdate).where(InboxUpdate.claimed_by != None,  # noqa: E711
                                         InboxUpdate.handled_at == None)  # noqa: E711
    if worker is not None:
        query = query.where(InboxUpdate.claimed_by == worker)
    if update_ids is not None:
        query = query.where(InboxUpdate.update_id.in_(update_ids))
    session.execute(query.values(claimed_by=None, claimed_until=None, attempts=InboxUpdate.attempts - 1))


def waiting(session: Session) -> int:
    """Updates not handled yet (a health check's and a test's measure)."""
    return session.exec(select(sa.func.count()).select_from(InboxUpdate)
                        .where(InboxUpdate.handled_at == None)).one()  # noqa: E711


def prune(session: Session, now: datetime) -> int:
    """Forget updates handled more than `KEEP` ago (Telegram delivers none of them again)."""
    result = session.execute(sa.delete(InboxUpdate).where(
        InboxUpdate.handled_at != None, InboxUpdate.handled_at < now - KEEP))  # noqa: E711
    return result.rowcount or 0
