"""The office as a tree of units, and its members with their roles.

A member belongs to one unit and may hold several roles (an admin who is also in the Tim SAKIP). Members are
never deleted: a member who moves (mutasi) is deactivated, so everything they entered keeps its author.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.office.audit import Actor, record_by
from models.store.types import UTCDateTime, enum_type, utcnow


class UnitKind(StrEnum):
    OFFICE = "dinas"
    SEKRETARIAT = "sekretariat"
    BIDANG = "bidang"


class Role(StrEnum):
    ADMIN = "admin"
    KEPALA = "kepala"
    SEKRETARIS = "sekretaris"
    TIM_SAKIP = "tim_sakip"
    KABID = "kabid"
    STAF = "staf"


class Unit(SQLModel, table=True):
    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    kind: UnitKind = Field(sa_type=enum_type(UnitKind))
    parent_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=sa.BigInteger, unique=True)
    name: str = Field(sa_type=sa.String(200))
    nip: str | None = Field(default=None, sa_type=sa.String(30))
    unit_id: int = Field(foreign_key="units.id", index=True)
    language: str = Field(default="id", sa_type=sa.String(5))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MemberRole(SQLModel, table=True):
    __tablename__ = "member_roles"

    member_id: int = Field(foreign_key="members.id", primary_key=True)
    role: Role = Field(sa_type=enum_type(Role), primary_key=True)


def ensure_office(session: Session, actor: Actor, name: str = "Dinas") -> Unit:
    """The root unit (the office itself), created on first use."""
    office = session.exec(select(Unit).where(Unit.kind == UnitKind.OFFICE)).first()
    if office is None:
        office = Unit(name=name, kind=UnitKind.OFFICE)
        session.add(office)
        session.flush()
        record_by(session, actor, "unit.create", "unit", office.id, after={"name": name, "kind": UnitKind.OFFICE})
    return office


def unit_named(session: Session, name: str, *, include_office: bool = True) -> Unit | None:
    """The unit called `name` as someone types it on a command line (case and outer spaces do not matter)."""
    wanted = name.strip().casefold()
    return next((unit for unit in session.exec(select(Unit)) if unit.name.casefold() == wanted
                 and (include_office or UnitKind(unit.kind) is not UnitKind.OFFICE)), None)


def unit_names(session: Session) -> list[str]:
    """The names of the office's units (not the office itself), for "known units: …" messages."""
    return sorted(unit.name for unit in session.exec(select(Unit).where(Unit.kind != UnitKind.OFFICE)))


def members_with_role(session: Session, role: Role, unit_id: int | None = None) -> list[Member]:
    query = select(Member).join(MemberRole, MemberRole.member_id == Member.id).where(
        MemberRole.role == role, Member.active == True  # noqa: E712
    )
    if unit_id is not None:
        query = query.where(Member.unit_id == unit_id)
    return sorted(session.exec(query).all(), key=lambda m: m.id)


def unit_members(session: Session, unit_id: int) -> list[Member]:
    return list(session.exec(select(Member).where(Member.unit_id == unit_id, Member.active == True)  # noqa: E712
                             .order_by(Member.id)))


def office_unit(session: Session) -> Unit | None:
    """The root unit (the office itself), if there is one yet."""
    return session.exec(select(Unit).where(Unit.kind == UnitKind.OFFICE)).first()
