"""Append-only audit log of every state change: who, what, when, before and after.

Rows are only ever inserted (the domain has no update or delete for them). `before`/`after` hold small JSON
snapshots of the fields that changed, so an auditor can read a change without joining history tables.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from models.store.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    # what happened to one thing (a form's values, notes, evidence and moves: `collection.review.form_mark`)
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_member_id: int | None = Field(default=None, foreign_key="members.id")
    actor: str = Field(sa_type=sa.String(100))  # "member:12", "cli", "scheduler"
    # the capacity a member acted in when only an acting office allowed it: "plh.sekretaris", "plt.kepala"
    acting_as: str | None = Field(default=None, sa_type=sa.String(40))
    action: str = Field(sa_type=sa.String(60), index=True)
    entity: str = Field(sa_type=sa.String(40))
    entity_id: int | None = None
    before: str | None = Field(default=None, sa_type=sa.Text)
    after: str | None = Field(default=None, sa_type=sa.Text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _dump(snapshot: dict[str, Any] | None) -> str | None:
    return None if snapshot is None else json.dumps(_jsonable(snapshot), ensure_ascii=False, sort_keys=True)


CAPACITY = "acting_capacity"  # `Session.info`: (transaction, the capacity a member acts in by member id)


def note_capacity(session: Session, member_id: int, capacity: str) -> None:
    """The member acts as an acting official in this transaction (`models.office.permissions.require` notes it
    when only the acting office allows the action): every audit row of theirs in it records the capacity."""
    memo = session.info.get(CAPACITY)
    if memo is None or memo[0] is not session.get_transaction():
        memo = session.info[CAPACITY] = (session.get_transaction(), {})
    memo[1][member_id] = capacity


def capacity_noted(session: Session, member_id: int | None) -> str | None:
    memo = session.info.get(CAPACITY)
    if member_id is None or memo is None or memo[0] is not session.get_transaction():
        return None
    return memo[1].get(member_id)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_member_id: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit row to the session; it commits with the change it describes. `at` is the moment of the
    change (the caller's `now`); rows of actions that take no `now` yet get the column's default."""
    entry = AuditEntry(
        **({"at": at} if at is not None else {}),
        actor=actor,
        actor_member_id=actor_member_id,
        acting_as=capacity_noted(session, actor_member_id),
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_dump(before),
        after=_dump(after),
    )
    session.add(entry)
    return entry


class Actor:
    """Who causes a change: a member in chat, the command line, or the scheduler."""

    __slots__ = ("label", "member_id")

    def __init__(self, label: str, member_id: int | None = None) -> None:
        self.label = label
        self.member_id = member_id

    @classmethod
    def member(cls, member_id: int) -> Actor:
        return cls(f"member:{member_id}", member_id)

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli")

    def __repr__(self) -> str:
        return f"Actor({self.label})"


def record_by(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None, *,
              at: datetime | None = None, **snapshots: Any):
    """`record` for an `Actor`; snapshots are `before=` and `after=`; `at` the moment of the change."""
    return record(
        session,
        at=at,
        actor=actor.label,
        actor_member_id=actor.member_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        **snapshots,
    )
