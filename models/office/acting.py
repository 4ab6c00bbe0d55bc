"""The member behind an update, read with what every update of theirs needs next: their roles and chat state.

An update's transaction starts by finding its member, then checks their roles and reads the question they were
asked; one statement does the three (the roles as one aggregated column, and beside them the offices the member
acts in at the update's moment as Plt/Plh, `models.office.acting_officials`), and the roles and the chat state are
held for the rest of the transaction (`note_roles`, `hold_state`). The statement is built once: building a
select costs about as much CPU as running it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from models.messaging.chat_state import ChatState, hold_state
from models.office.acting_officials import ActingOfficial, in_range
from models.office.organisation import Member, MemberRole, Role
from models.office.permissions import note_roles

ROLE_SEPARATOR = ","  # no role's stored value holds one

_ROLES = (select(sa.func.aggregate_strings(MemberRole.role, ROLE_SEPARATOR))
          .where(MemberRole.member_id == Member.id).scalar_subquery())
# "plh.sekretaris": the capacity (`acting_officials.capacity`), whose second part is the office's role
_OFFICES = (select(sa.func.aggregate_strings(sa.cast(ActingOfficial.kind, sa.String) + "."
                                             + sa.cast(ActingOfficial.office, sa.String), ROLE_SEPARATOR))
            .where(ActingOfficial.member_id == Member.id, in_range(sa.bindparam("now"))).scalar_subquery())
_ACTING = (select(Member, ChatState, _ROLES, _OFFICES)
           .outerjoin(ChatState, ChatState.member_id == Member.id)
           .where(Member.telegram_user_id == sa.bindparam("telegram_user_id")))


def acting_member(session: Session, telegram_user_id: int, now: datetime) -> Member | None:
    """The member with this Telegram id (None for a stranger), their roles (with the offices they act in at
    `now`) and chat state held for the rest of the transaction."""
    row = session.exec(_ACTING, params={"telegram_user_id": telegram_user_id, "now": now}).first()
    if row is None:
        return None
    member, state, roles, offices = row
    acting = {Role(capacity.partition(".")[2]): capacity for capacity in offices.split(ROLE_SEPARATOR)} \
        if offices else {}
    note_roles(session, member.id, (Role(role) for role in roles.split(ROLE_SEPARATOR)) if roles else (), acting)
    hold_state(session, member.id, state)
    return member
