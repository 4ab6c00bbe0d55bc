"""Acting officials: a member named Plt or Plh Sekretaris or Kepala Dinas for a range of days.

When the Sekretaris or the Kepala Dinas is away, an admin names someone to act for them: Plh (Pelaksana Harian,
for a short absence) or Plt (Pelaksana Tugas, for a longer vacancy). From the first day to the last (inclusive,
in the office's time zone) the acting official holds the office's permissions, gets what the office gets (cards,
reminders: `holders_of`) and is named in what they did as "Plh. Sekretaris Budi"; the range ends by itself.

The range is stored twice: the days as the admin gave them (`starts_on`, `ends_on`, to show), and the instants
they mean (`starts_at` at the first day's midnight, `ends_at` at the midnight after the last day, both UTC), so
"acting now" is one comparison with the injected clock, without a time zone. Ending one early moves `ends_at` to
that moment (a planned one ended before it begins gets an empty range), so the past stays readable: who acted
when, for the Laporan and the audit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor, record_by
from models.office.organisation import Member, MemberRole, Role
from models.store.types import UTCDateTime, enum_type, utcnow

ACTING_OFFICES = (Role.SEKRETARIS, Role.KEPALA)  # the offices someone may act in


class ActingKind(StrEnum):
    """Stored in `acting_officials.kind`: never change a value."""

    PLH = "plh"  # Pelaksana Harian: the official is away for a short time
    PLT = "plt"  # Pelaksana Tugas: the office is vacant or its holder away for long


class ActingOfficial(SQLModel, table=True):
    __tablename__ = "acting_officials"
    __table_args__ = (sa.Index("ix_acting_officials_office_ends_at", "office", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office: Role = Field(sa_type=enum_type(Role))
    member_id: int = Field(foreign_key="members.id", index=True)
    kind: ActingKind = Field(sa_type=enum_type(ActingKind))
    starts_on: date
    ends_on: date  # the last day, inclusive
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)  # exclusive; the moment it was ended, when ended early
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # ended early, by an admin
    ended_by: str | None = Field(default=None, sa_type=sa.String(100))


def capacity(acting: ActingOfficial) -> str:
    """How the audit names the capacity: "plh.sekretaris", "plt.kepala"."""
    return f"{ActingKind(acting.kind).value}.{Role(acting.office).value}"


def midnight(day: date, tz: tzinfo) -> datetime:
    """The first instant of `day` in the office's time zone, in UTC."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def in_range(at: sa.ColumnElement | datetime) -> sa.ColumnElement[bool]:
    """The assignments that hold at `at` (a value or a bound parameter)."""
    return sa.and_(ActingOfficial.starts_at <= at, ActingOfficial.ends_at > at)


def _held(session: Session, member_id: int) -> set[Role]:
    return {Role(role) for role in session.exec(select(MemberRole.role).where(MemberRole.member_id == member_id))}


def _one_at_a_time(session: Session) -> None:
    """Naming and ending take the admins' rows in id order (as member administration does): of two overlapping
    namings at once, the second waits and then sees the first."""
    session.exec(select(Member.id).join(MemberRole, MemberRole.member_id == Member.id)
                 .where(MemberRole.role == Role.ADMIN).order_by(Member.id).with_for_update(of=Member)).all()


def appoint(session: Session, actor: Actor, office: Role, member_id: int, kind: ActingKind, starts_on: date,
            ends_on: date, *, tz: tzinfo, now: datetime) -> ActingOfficial:
    """Name `member_id` Plt/Plh of `office` from `starts_on` to `ends_on` (inclusive; office time zone `tz`).

    Refused: an office no one acts in, a member unknown or inactive, a range that ends before it starts or
    before today, a member who holds the office already, and a range overlapping another acting official of the
    same office (`ACTING_OVERLAP` names them and their days). The caller checks the actor's right."""
    office, kind = Role(office), ActingKind(kind)
    if office not in ACTING_OFFICES:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    _one_at_a_time(session)
    member = session.get(Member, member_id, populate_existing=True)
    if member is None or not member.active:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if ends_on < starts_on:
        raise WorkflowError(ErrorCode.ACTING_DATES_REVERSED, starts=starts_on, ends=ends_on)
    if ends_on < now.astimezone(tz).date():
        raise WorkflowError(ErrorCode.ACTING_IN_PAST, ends=ends_on)
    if office in _held(session, member.id):
        raise WorkflowError(ErrorCode.ACTING_HOLDS_OFFICE, name=member.name, office=office.value)
    starts_at, ends_at = midnight(starts_on, tz), midnight(date.fromordinal(ends_on.toordinal() + 1), tz)
    other = session.exec(select(ActingOfficial).where(
        ActingOfficial.office == office, ActingOfficial.ends_at > ActingOfficial.starts_at,
        ActingOfficial.starts_at < ends_at, ActingOfficial.ends_at > starts_at).order_by(ActingOfficial.starts_at)
    ).first()
    if other is not None:
        raise WorkflowError(ErrorCode.ACTING_OVERLAP, name=session.get(Member, other.member_id).name,
                            kind=ActingKind(other.kind).value, office=office.value, starts=other.starts_on,
                            ends=last_day(other, tz), acting_id=other.id)
    acting = ActingOfficial(office=office, member_id=member.id, kind=kind, starts_on=starts_on, ends_on=ends_on,
                            starts_at=starts_at, ends_at=ends_at, created_at=now)
    session.add(acting)
    session.flush()
    record_by(session, actor, "acting.appoint", "acting_official", acting.id, at=now,
              after={"office": office, "member_id": member.id, "kind": kind, "starts_on": starts_on,
                     "ends_on": ends_on})
    return acting


def end_acting(session: Session, actor: Actor, acting_id: int, *, now: datetime) -> ActingOfficial:
    """End an acting official's range now (one not begun yet is called off); refused once it has ended."""
    _one_at_a_time(session)
    acting = session.get(ActingOfficial, acting_id)
    if acting is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    session.refresh(acting, with_for_update=True)
    if acting.ends_at <= now or acting.ends_at <= acting.starts_at:
        raise WorkflowError(ErrorCode.ACTING_ENDED, acting_id=acting.id)
    before = {"ends_at": acting.ends_at}
    acting.ends_at = max(now, acting.starts_at)
    acting.ended_at, acting.ended_by = now, actor.label
    session.add(acting)
    record_by(session, actor, "acting.end", "acting_official", acting.id, at=now, before=before,
              after={"ends_at": acting.ends_at, "member_id": acting.member_id, "office": acting.office,
                     "kind": acting.kind})
    return acting


def last_day(acting: ActingOfficial, tz: tzinfo) -> date:
    """The last day it holds (inclusive): its `ends_on`, or the day it was ended early."""
    if acting.ended_at is None:
        return acting.ends_on
    end = acting.ends_at.astimezone(tz)
    return end.date() if end.time() != time() else date.fromordinal(end.date().toordinal() - 1)


def current_and_planned(session: Session, now: datetime) -> list[ActingOfficial]:
    """The acting officials acting now or later (not ended), in the order they begin."""
    return list(session.exec(select(ActingOfficial).where(
        ActingOfficial.ends_at > now, ActingOfficial.ends_at > ActingOfficial.starts_at)
        .order_by(ActingOfficial.starts_at, ActingOfficial.id)))


def holders_of(session: Session, office: Role, now: datetime, unit_id: int | None = None) -> list[Member]:
    """Who holds `office` at `now`: the active members with its role, and the active acting official (one
    statement). What goes to the Sekretaris or the Kepala Dinas goes to every one of them."""
    held = select(MemberRole.member_id).where(MemberRole.role == office)
    acting = select(ActingOfficial.member_id).where(ActingOfficial.office == office, in_range(now))
    query = select(Member).where(Member.active == True, sa.or_(Member.id.in_(held), Member.id.in_(acting)))  # noqa: E712
    if unit_id is not None:
        query = query.where(Member.unit_id == unit_id)
    return list(session.exec(query.order_by(Member.id)))


def acting_in(session: Session, office: Role, at: datetime) -> tuple[ActingOfficial, Member] | None:
    """The acting official (Plt/Plh) of `office` at `at` and who it is, if one is named then: who signs for the
    office on a document of that day."""
    row = session.exec(select(ActingOfficial, Member).join(Member, Member.id == ActingOfficial.member_id)
                       .where(ActingOfficial.office == office, in_range(at), Member.active == True)  # noqa: E712
                       .order_by(ActingOfficial.starts_at.desc())).first()
    return None if row is None else (row[0], row[1])


def acting_at(session: Session, member_id: int, at: datetime, office: Role | None = None) -> ActingOfficial | None:
    """The office `member_id` acted in at `at` (only `office`, if given) without holding it; None otherwise."""
    query = select(ActingOfficial).where(ActingOfficial.member_id == member_id, in_range(at))
    if office is not None:
        query = query.where(ActingOfficial.office == Role(office))
    found = session.exec(query.order_by(ActingOfficial.office)).all()
    if not found:
        return None
    held = _held(session, member_id)
    return next((acting for acting in found if Role(acting.office) not in held), None)


__all__ = ["ACTING_OFFICES", "ActingKind", "ActingOfficial", "acting_at", "appoint", "capacity",
           "current_and_planned", "end_acting", "holders_of", "in_range", "last_day", "midnight"]
