"""Member administration by an admin: roles, unit, deactivation (mutasi), language.

Nothing a member entered is tied to their membership: values, forms and evidence belong to the unit and the
period, so a member who moves or leaves leaves their unit's unfinished items with the unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models.errors import ErrorCode, WorkflowError
from models.messaging.chat_state import clear_state
from models.office.audit import Actor, record_by
from models.office.organisation import Member, MemberRole, Role, Unit
from models.office.permissions import Action, forget_roles, held_roles, require


def members_by_unit(session: Session) -> list[tuple[Unit, list[tuple[Member, set[Role]]]]]:
    units = sorted(session.exec(select(Unit)).all(), key=lambda u: (u.parent_id is not None, u.name))
    grouped = []
    for unit in units:
        members = session.exec(select(Member).where(Member.unit_id == unit.id).order_by(Member.name)).all()
        if members:
            grouped.append((unit, [(m, held_roles(session, m)) for m in members]))
    return grouped


def _admins(session: Session) -> list[int]:
    return [m.id for m in session.exec(select(Member).join(MemberRole, MemberRole.member_id == Member.id).where(
        MemberRole.role == Role.ADMIN, Member.active == True))]  # noqa: E712


def _administer(session: Session, admin: Member, member_id: int) -> Member:
    """The member an admin changes, read after taking member administration one admin at a time.

    The admins' rows are locked in id order (two admins never wait for each other crosswise), then the admin's
    right and the member are read again: two admins changing each other at once leave the office an admin."""
    session.exec(select(Member.id).join(MemberRole, MemberRole.member_id == Member.id)
                 .where(MemberRole.role == Role.ADMIN).order_by(Member.id).with_for_update(of=Member)).all()
    session.refresh(admin)
    require(session, admin, Action.MANAGE_MEMBERS, entity="member", entity_id=member_id)
    return session.get(Member, member_id, populate_existing=True)


def toggle_role(session: Session, admin: Member, member_id: int, role: Role, *, now: datetime) -> Member:
    member = _administer(session, admin, member_id)
    roles = held_roles(session, member)
    if role in roles:
        if len(roles) == 1:
            raise WorkflowError(ErrorCode.LAST_ROLE)
        if role is Role.ADMIN and _admins(session) == [member.id]:
            raise WorkflowError(ErrorCode.LAST_ADMIN)
        session.delete(session.get(MemberRole, (member.id, role)))
        after = roles - {role}
    else:
        session.add(MemberRole(member_id=member.id, role=role))
        after = roles | {role}
    forget_roles(session)
    record_by(session, Actor.member(admin.id), "member.roles", "member", member.id, at=now,
              before={"roles": sorted(roles)}, after={"roles": sorted(after)})
    return member


def move_member(session: Session, admin: Member, member_id: int, unit_id: int, *, now: datetime) -> Member:
    member = _administer(session, admin, member_id)
    if session.get(Unit, unit_id) is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    if member.unit_id != unit_id:
        record_by(session, Actor.member(admin.id), "member.move", "member", member.id, at=now,
                  before={"unit_id": member.unit_id}, after={"unit_id": unit_id})
        member.unit_id = unit_id
        session.add(member)
        clear_state(session, member.id)  # a half-answered question belongs to the old unit's form
    return member


def set_active(session: Session, admin: Member, member_id: int, active: bool, *, now: datetime) -> Member:
    """Deactivate a member who moved away (mutasi), or bring them back."""
    member = _administer(session, admin, member_id)
    if member.id == admin.id and not active:
        raise WorkflowError(ErrorCode.NOT_YOURSELF)
    if not active and _admins(session) == [member.id]:  # another admin deactivated the actor just now
        raise WorkflowError(ErrorCode.LAST_ADMIN)
    if member.active != active:
        record_by(session, Actor.member(admin.id), "member.active", "member", member.id, at=now,
                  before={"active": member.active}, after={"active": active})
        member.active = active
        session.add(member)
        clear_state(session, member.id)
    return member


def set_language(session: Session, member: Member, language: str, *, now: datetime) -> Member:
    if member.language != language:
        record_by(session, Actor.member(member.id), "member.language", "member", member.id, at=now,
                  before={"language": member.language}, after={"language": language})
        member.language = language
        session.add(member)
    return member
