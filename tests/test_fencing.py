"""Fencing of outbox delivery: a leader acts only on rows claimed under its own term, and sends only while its
lease renewals prove it still holds the lock.

Given outbox rows claimed by one leader's term, when that term's lease runs out and a new leader claims them, then
the old term can no longer extend, release or mark them; a row under a live lease is never claimed by another
term, nor a member's later row while an older one is claimed; the fence lets a send begin only within its bound
after the last renewal and cuts a send in flight at its cut-off unless a renewal moved it on; and on PostgreSQL a
renewal fails as soon as the lock's session is cut, and the next leadership is a new term.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.fence import Fence, FenceLost
from models.messaging.notices import PeriodOpened
from models.messaging.outbox import (
    CLAIM_SECONDS,
    OutboxMessage,
    OutboxStatus,
    claim_due,
    enqueue,
    extend_lease,
    mark_failed,
    mark_sent,
    note_parts_sent,
    release_claims,
    retry_later,
)
from models.office.audit import Actor
from models.office.organisation import Member, ensure_office
from models.store.types import utcnow
from scheduler.leadership import LOCK_CLASS, Leadership

NOW = utcnow() + timedelta(hours=1)  # rows are due from the moment they are queued (the wall clock's)
LEASE = timedelta(seconds=CLAIM_SECONDS)
OLD, NEW = "old-leaders-term", "new-leaders-term"


@pytest.fixture
def members(session: Session) -> list[int]:
    office = ensure_office(session, Actor.cli())
    people = [Member(telegram_user_id=100 + n, name=f"Staf {n}", unit_id=office.id) for n in range(2)]
    session.add_all(people)
    session.flush()
    return [person.id for person in people]


def queue(session: Session, member_id: int, count: int) -> list[int]:
    """`count` notices for the member, in order; their row ids."""
    for number in range(count):
        enqueue(session, member_id, PeriodOpened(number + 1), f"test:{member_id}:{number}")
    session.flush()
    return list(session.exec(select(OutboxMessage.id).where(OutboxMessage.member_id == member_id)
                             .order_by(OutboxMessage.id)))


def row(session: Session, row_id: int) -> OutboxMessage:
    """The row as stored (what other sessions see)."""
    session.flush()
    session.expire_all()
    return session.get(OutboxMessage, row_id)


def claimed_ids(rows: list[OutboxMessage]) -> list[int]:
    return [r.id for r in rows]


def test_a_row_under_a_live_lease_is_not_claimed_by_another_term_and_is_once_the_lease_ran_out(
        session: Session, members: list[int]):
    first, _ = queue(session, members[0], 2)
    assert claimed_ids(claim_due(session, NOW, OLD, per_member=1)) == [first]
    assert (row(session, first).claimed_by, row(session, first).claimed_until) == (OLD, NOW + LEASE)
    # the member's later row waits behind the claimed one, whichever term asks
    assert claim_due(session, NOW + LEASE - timedelta(seconds=1), NEW) == []
    later = NOW + LEASE + timedelta(seconds=1)
    assert claimed_ids(claim_due(session, later, NEW)) == [first, first + 1]  # in the member's order
    assert {row(session, i).claimed_by for i in (first, first + 1)} == {NEW}


def test_a_term_whose_rows_were_claimed_again_cannot_extend_release_or_mark_them(
        session: Session, members: list[int]):
    [taken] = queue(session, members[0], 1)
    claim_due(session, NOW, OLD)
    later = NOW + LEASE + timedelta(seconds=1)
    claim_due(session, later, NEW)  # the old leader's lease ran out: the new leader has the row

    assert extend_lease(session, OLD, {taken}, later) == 0
    release_claims(session, OLD, {taken})
    assert mark_sent(session, taken, later, 1, term=OLD) is None
    assert mark_failed(session, taken, "403", term=OLD) is None
    assert retry_later(session, taken, later, "500", term=OLD) is None
    note_parts_sent(session, taken, 2, term=OLD)
    now_row = row(session, taken)
    assert (now_row.status, now_row.claimed_by, now_row.claimed_until, now_row.attempts, now_row.parts_sent) == (
        OutboxStatus.PENDING, NEW, later + LEASE, 0, 0)

    # its own term still can
    assert extend_lease(session, NEW, {taken}, later + timedelta(seconds=5)) == 1
    assert row(session, taken).claimed_until == later + timedelta(seconds=5) + LEASE
    assert mark_sent(session, taken, later, 1, term=NEW) is not None
    assert row(session, taken).status == OutboxStatus.SENT


def test_a_term_releases_its_own_rows_at_once_and_not_another_terms(session: Session, members: list[int]):
    mine = queue(session, members[0], 2)
    theirs = queue(session, members[1], 1)
    claim_due(session, NOW, OLD, per_member=1)  # the first row of each member
    release_claims(session, NEW, {mine[0], theirs[0]})  # not its rows: nothing happens
    assert claim_due(session, NOW, NEW) == []
    release_claims(session, OLD, {mine[0]})
    assert (row(session, mine[0]).claimed_by, row(session, mine[0]).claimed_until) == (None, None)
    assert claimed_ids(claim_due(session, NOW, NEW)) == mine  # free at once, no lease to wait out
    assert row(session, theirs[0]).claimed_by == OLD


# -- the fence (no database) ---------------------------------------------------------------------------------------

async def test_a_send_begins_only_within_the_bound_after_the_last_renewal():
    fence = Fence(lease=0.6, margin=0.4, cutoff=0.1)
    assert not fence.may_send() and not fence.lost  # no renewal yet: not yet, rather than never
    fence.renewed(fence.now())
    assert fence.may_send()
    await asyncio.sleep(0.25)  # past lease - margin
    assert not fence.may_send() and fence.lost
    fence.renewed(fence.now())  # a renewal that comes too late does not open it again
    assert not fence.may_send()
    with pytest.raises(FenceLost):
        async with fence.bounded():
            pass


async def test_a_send_in_flight_is_cut_off_before_the_lease_ends_unless_a_renewal_moves_the_cut_off_on():
    fence = Fence(lease=0.6, margin=0.4, cutoff=0.1)
    fence.renewed(fence.now())
    started = fence.now()
    with pytest.raises(FenceLost):
        async with fence.bounded():
            await asyncio.sleep(5)
    assert 0.45 <= fence.now() - started < 2  # cut at lease - cutoff after the renewal, not after the 5 s

    fence = Fence(lease=2.0, margin=1.0, cutoff=0.5)
    fence.renewed(fence.now())

    async def keep_renewing():
        while True:
            await asyncio.sleep(0.1)
            fence.renewed(fence.now())

    keeper = asyncio.create_task(keep_renewing())
    try:
        async with fence.bounded():
            await asyncio.sleep(3.0)  # longer than a lease: renewals keep it going
    finally:
        keeper.cancel()
    assert not fence.lost


# -- the lock (PostgreSQL) -----------------------------------------------------------------------------------------

def cut_the_lock_session(session: Session) -> int:
    """Terminate the backend holding this schema's leader lock (as a failover or an admin would); its pid."""
    pid = session.execute(sa.text(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :cls"
        " AND objid = hashtext(current_schema())::oid AND objsubid = 2"), {"cls": LOCK_CLASS}).scalar_one()
    session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    session.commit()
    return pid


@pytest.mark.postgresql
def test_a_renewal_fails_once_the_lock_session_is_cut_and_the_next_leadership_is_a_new_term(
        engine: Engine, session: Session, members: list[int]):
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    [first] = queue(session, members[0], 1)
    claim_due(session, NOW, "placeholder")
    session.commit()
    leadership = Leadership(engine)
    term = leadership.acquire()
    assert term is not None and leadership.acquire() is term  # still the same term while the lock is held
    session.execute(sa.update(OutboxMessage).values(claimed_by=term.token))
    session.commit()
    assert term.renew({first}, NOW + timedelta(seconds=3))
    assert row(session, first).claimed_until == NOW + timedelta(seconds=3) + LEASE

    cut_the_lock_session(session)
    assert not term.renew({first}, NOW + timedelta(seconds=6))
    assert row(session, first).claimed_until == NOW + timedelta(seconds=3) + LEASE  # not renewed

    again = leadership.acquire()
    assert again is not None and again is not term and again.token != term.token
    assert not term.renew(set(), NOW)  # the old term stays over
    leadership.release()
