"""The inbox's rules (`models/messaging/inbox.py`): stored once, each chat's updates one at a time and in order,
chats side by side, leases, give-up, release and pruning; and on PostgreSQL, workers claiming at once never
hold two updates of one chat."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.messaging.inbox import (
    KEEP,
    LEASE,
    MAX_ATTEMPTS,
    InboxUpdate,
    claim_next,
    finish,
    prune,
    receive,
    release,
    renew,
    waiting,
)
from models.store.database import session_scope
from tests.conftest import empty_database, migrated_engine

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _store(engine, *updates: tuple[int, int]) -> int:
    with session_scope(engine) as session:
        return receive(session, [(update_id, chat, f'{{"update_id": {update_id}}}') for update_id, chat in updates],
                       NOW)


def _claim(engine, worker: str = "a", now: datetime = NOW, limit: int = 10) -> list[int]:
    with session_scope(engine) as session:
        return [row.update_id for row in claim_next(session, worker, now, limit)]


def _finish(engine, update_id: int, now: datetime = NOW) -> None:
    with session_scope(engine) as session:
        finish(session, update_id, now)


def test_an_update_delivered_twice_is_stored_once(engine):
    assert _store(engine, (1, 100), (2, 100)) == 2
    assert _store(engine, (2, 100), (3, 100)) == 1
    with Session(engine) as session:
        assert [row.update_id for row in session.exec(select(InboxUpdate).order_by(InboxUpdate.update_id))] == [1, 2, 3]
        assert waiting(session) == 3


def test_one_update_of_a_chat_in_hand_at_a_time_in_order_chats_side_by_side(engine):
    _store(engine, (1, 100), (2, 200), (3, 100), (4, 300), (5, 200))
    assert _claim(engine) == [1, 2, 4]  # the earliest of each chat
    assert _claim(engine, "b") == []  # each chat's next waits for its earlier one, whoever asks
    _finish(engine, 2)
    assert _claim(engine, "b") == [5]
    _finish(engine, 1)
    assert _claim(engine, "b") == [3]
    assert _claim(engine, "c") == []


def test_a_chat_waits_behind_an_unhandled_update_even_when_it_is_free(engine):
    """An update whose claim was given back (its process stopping) is taken before its chat's later ones."""
    _store(engine, (1, 100), (2, 100))
    assert _claim(engine, "a") == [1]
    with session_scope(engine) as session:
        release(session, "a")
    assert _claim(engine, "b") == [1]


def test_a_claim_is_a_lease_renewed_while_in_hand(engine):
    _store(engine, (1, 100))
    assert _claim(engine, "a") == [1]
    assert _claim(engine, "b", NOW + LEASE - timedelta(seconds=1)) == []
    with session_scope(engine) as session:
        renew(session, "a", {1}, NOW + LEASE - timedelta(seconds=1))
    assert _claim(engine, "b", NOW + LEASE + timedelta(seconds=1)) == []  # renewed
    with session_scope(engine) as session:
        renew(session, "b", {1}, NOW + 3 * LEASE)  # not b's: changes nothing
    assert _claim(engine, "b", NOW + 2 * LEASE) == [1]  # a died: b takes it after the lease


def test_an_update_that_never_finishes_is_given_up_and_frees_its_chat(engine):
    _store(engine, (1, 100), (2, 100))
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        assert _claim(engine, "a", moment) == [1]
        moment += LEASE + timedelta(seconds=1)  # its process dies every time
    assert _claim(engine, "a", moment) == [2]
    with Session(engine) as session:
        row = session.get(InboxUpdate, 1)
        assert row.gave_up and row.handled_at is not None


def test_released_claims_are_free_at_once_and_do_not_count_as_attempts(engine):
    _store(engine, (1, 100), (2, 200))
    assert _claim(engine, "a") == [1, 2]
    with session_scope(engine) as session:
        release(session, "b")  # someone else's: nothing
    assert _claim(engine, "c") == []
    with session_scope(engine) as session:
        release(session, "a", {1})
    assert _claim(engine, "c") == [1]
    with session_scope(engine) as session:
        release(session, None)  # every claim (the only process, after a crash)
        assert session.get(InboxUpdate, 2).attempts == 0
    assert _claim(engine, "d") == [1, 2]


def test_handled_updates_are_pruned_after_a_while(engine):
    _store(engine, (1, 100), (2, 100), (3, 200))
    _claim(engine)
    _finish(engine, 1, NOW)
    _finish(engine, 3, NOW + KEEP)
    with session_scope(engine) as session:
        assert prune(session, NOW + KEEP + timedelta(minutes=1)) == 1
    with Session(engine) as session:
        assert sorted(session.exec(select(InboxUpdate.update_id))) == [2, 3]


@pytest.fixture
def pg_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    with empty_database("postgresql", tmp_path) as url:
        engine = migrated_engine(url, sqlite_template)
        yield engine
        engine.dispose()


@pytest.mark.postgresql
def test_workers_claiming_at_once_never_hold_two_updates_of_a_chat(pg_engine):
    """Six workers claim and finish 600 updates of 20 chats at once: every update is handled once, and each
    chat's updates one after another in update_id order."""
    engine = pg_engine
    chats, per_chat = 20, 30
    updates = [(number, 1000 + number % chats) for number in range(1, chats * per_chat + 1)]
    _store(engine, *updates)
    handled: dict[int, list[int]] = {}
    in_hand: set[int] = set()
    lock = threading.Lock()
    overlaps = []

    def work(worker: str) -> None:
        idle = 0
        while idle < 20:
            with session_scope(engine) as session:
                rows = [(row.update_id, row.chat_id) for row in claim_next(session, worker, NOW, 3)]
            if not rows:
                idle += 1
                continue
            idle = 0
            for update_id, chat in rows:
                with lock:
                    if chat in in_hand:
                        overlaps.append(update_id)
                    in_hand.add(chat)
                    handled.setdefault(chat, []).append(update_id)
                with lock:
                    in_hand.discard(chat)
                _finish(engine, update_id)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(work, [f"w{n}" for n in range(6)]))
    assert overlaps == []
    assert sum(len(ids) for ids in handled.values()) == len(updates)
    for chat, ids in handled.items():
        assert ids == sorted(ids) == [number for number, owner in updates if owner == chat]
