"""Who may do what: the SOP's roles against every action, checked on the server for every handler and button.

A permission is a role that may act, and for unit-bound actions the unit it may act on: staff and the head of
a unit (kabid) act on their own unit's form; the Sekretaris reviews every unit; the Kepala Dinas disposes.
A refused attempt is audited by the caller (`models.office.audit`), so a forwarded button or a curious press leaves a
trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor, record_by
from models.office.organisation import Member, MemberRole, Role


class Action(StrEnum):
    FILL_FORM = "fill_form"                # enter realisasi, kendala, evidence for a unit
    SUBMIT_FORM = "submit_form"            # send a unit's form to the Sekretaris
    REQUEST_UNLOCK = "request_unlock"      # ask to change an approved value
    REVIEW_FORM = "review_form"            # approve or return a unit's form
    KABID_REVIEW = "kabid_review"          # the unit's head approves its form on to the Sekretaris, or returns it
    GRANT_UNLOCK = "grant_unlock"
    REPORT_TO_KEPALA = "report_to_kepala"  # send the approved period to the Kepala Dinas
    DISPOSE = "dispose"                    # the Kepala Dinas's disposition
    MANAGE_PERIODS = "manage_periods"      # open and close periods
    INVITE = "invite"
    MANAGE_MEMBERS = "manage_members"      # change role or unit, deactivate (mutasi)
    VIEW_STATUS = "view_status"
    VIEW_RECAP = "view_recap"
    EXPORT = "export"
    PREPARE_MEASUREMENT = "prepare_measurement"  # the Tim SAKIP checks, annotates and sends the measurement
    REVIEW_MEASUREMENT = "review_measurement"    # the Sekretaris approves or returns it


UNIT_BOUND = frozenset({Action.FILL_FORM, Action.SUBMIT_FORM, Action.REQUEST_UNLOCK, Action.KABID_REVIEW})

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.FILL_FORM: frozenset({Role.STAF, Role.KABID, Role.SEKRETARIS, Role.TIM_SAKIP}),
    Action.SUBMIT_FORM: frozenset({Role.STAF, Role.KABID, Role.SEKRETARIS, Role.TIM_SAKIP}),
    Action.REQUEST_UNLOCK: frozenset({Role.STAF, Role.KABID, Role.SEKRETARIS, Role.TIM_SAKIP}),
    Action.REVIEW_FORM: frozenset({Role.SEKRETARIS}),
    Action.KABID_REVIEW: frozenset({Role.KABID}),
    Action.GRANT_UNLOCK: frozenset({Role.SEKRETARIS}),
    Action.REPORT_TO_KEPALA: frozenset({Role.SEKRETARIS}),
    Action.DISPOSE: frozenset({Role.KEPALA}),
    Action.MANAGE_PERIODS: frozenset({Role.ADMIN, Role.TIM_SAKIP}),
    Action.INVITE: frozenset({Role.ADMIN}),
    Action.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    Action.VIEW_STATUS: frozenset(Role),
    Action.VIEW_RECAP: frozenset({Role.ADMIN, Role.KEPALA, Role.SEKRETARIS, Role.TIM_SAKIP, Role.KABID}),
    Action.EXPORT: frozenset({Role.ADMIN, Role.KEPALA, Role.SEKRETARIS, Role.TIM_SAKIP}),
    Action.PREPARE_MEASUREMENT: frozenset({Role.TIM_SAKIP, Role.SEKRETARIS}),
    Action.REVIEW_MEASUREMENT: frozenset({Role.SEKRETARIS}),
}


def may(roles: Iterable[Role], action: Action, *, own_unit_id: int | None = None,
        target_unit_id: int | None = None) -> bool:
    """Whether someone with `roles` (in unit `own_unit_id`) may do `action` (on `target_unit_id`).

    Unit-bound actions need the target unit to be the member's own (a unit that sends Excel instead is entered
    by the Tim SAKIP with `sakip-bot import-realisasi`).
    """
    roles = {Role(role) for role in roles}
    if not roles & ALLOWED[action]:
        return False
    if action in UNIT_BOUND:
        return target_unit_id is not None and own_unit_id == target_unit_id
    return True


ROLES = "member_roles"  # `Session.info`: (transaction, the roles read in it by member id), see `note_roles`
_ROLES_OF = select(MemberRole.role).where(MemberRole.member_id == sa.bindparam("member_id"))


def note_roles(session: Session, member_id: int, roles: Iterable[Role]) -> None:
    """Remember the member's roles, read with something else in the same statement, for the rest of the
    transaction (`forget_roles` when the transaction changes them)."""
    memo = session.info.get(ROLES)
    if memo is None or memo[0] is not session.get_transaction():
        memo = session.info[ROLES] = (session.get_transaction(), {})
    memo[1][member_id] = frozenset(roles)


def forget_roles(session: Session) -> None:
    session.info.pop(ROLES, None)


def roles_of_member(session: Session, member: Member) -> set[Role]:
    memo = session.info.get(ROLES)
    if memo is not None and memo[0] is session.get_transaction() and member.id in memo[1]:
        return set(memo[1][member.id])
    return {Role(role) for role in session.exec(_ROLES_OF, params={"member_id": member.id})}


def require(session: Session, member: Member, action: Action, *, target_unit_id: int | None = None,
            entity: str = "", entity_id: int | None = None) -> None:
    """Refuse unless the member may do the action; the caller audits the refusal (`audit_refusal`)."""
    if member.active and may(roles_of_member(session, member), action, own_unit_id=member.unit_id,
                             target_unit_id=target_unit_id):
        return
    raise WorkflowError(ErrorCode.FORBIDDEN, action=action.value, entity=entity or "action", entity_id=entity_id,
                        unit_id=target_unit_id)


def audit_refusal(session: Session, member: Member, error: WorkflowError, now: datetime) -> None:
    """Record a refused attempt at `now` (after its transaction part was rolled back)."""
    details = error.details
    record_by(session, Actor.member(member.id), "permission.refused", str(details.get("entity", "action")),
              details.get("entity_id"), at=now,
              after={"action": details.get("action"), "unit_id": details.get("unit_id")})
