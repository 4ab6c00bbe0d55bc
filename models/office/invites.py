"""One-time invitations and joining.

An admin creates an invitation bound to a role and a unit; the link `https://t.me/<bot>?start=<token>` carries
a random token (128 bits, `secrets.token_urlsafe(16)`: guessing is hopeless). Only the token's SHA-256 is
stored, so a database dump cannot be used to join. The first admins join without a link when their Telegram id
is listed in ADMIN_TELEGRAM_IDS.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from models.errors import InviteCode
from models.office.audit import Actor, record_by
from models.office.organisation import Member, MemberRole, Role, Unit, UnitKind, ensure_office
from models.store.types import UTCDateTime, enum_type, utcnow

DEFAULT_VALID_DAYS = 7


class Invite(SQLModel, table=True):
    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    role: Role = Field(sa_type=enum_type(Role))
    unit_id: int = Field(foreign_key="units.id")
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="members.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_by_id: int | None = Field(default=None, foreign_key="members.id")
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InviteError(Exception):
    """Joining failed; `.code` keys the message."""

    def __init__(self, code: InviteCode) -> None:
        code = InviteCode(code)
        super().__init__(code)
        self.code = code


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def create_invite(
    session: Session, role: Role, unit: Unit, actor: Actor, *, now: datetime,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> tuple[Invite, str]:
    """A new invitation made at `now` and its token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(16)
    invite = Invite(token_hash=hash_token(token), role=role, unit_id=unit.id, created_at=now,
                    expires_at=now + timedelta(days=valid_days), created_by_id=actor.member_id)
    session.add(invite)
    session.flush()
    record_by(session, actor, "invite.create", "invite", invite.id, at=now,
              after={"role": role, "unit": unit.name, "expires_at": invite.expires_at})
    return invite, token


_BY_TELEGRAM_ID = select(Member).where(Member.telegram_user_id == sa.bindparam("telegram_user_id"))


def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    return session.exec(_BY_TELEGRAM_ID, params={"telegram_user_id": telegram_user_id}).first()


def _add_member(session: Session, telegram_user_id: int, name: str, unit_id: int, role: Role,
                language: str, now: datetime, actor: Actor | None = None) -> Member:
    member = Member(telegram_user_id=telegram_user_id, name=name, unit_id=unit_id, language=language,
                    created_at=now)
    session.add(member)
    session.flush()
    session.add(MemberRole(member_id=member.id, role=role))
    record_by(session, actor or Actor.member(member.id), "member.join", "member", member.id, at=now,
              after={"name": name, "unit_id": unit_id, "role": role})
    return member


def _use(session: Session, invite: Invite, member: Member, now: datetime) -> None:
    """Mark the invitation used in one conditional statement: of several processes accepting it at once, the
    first to update the row wins and the others (waiting for its row lock, then re-checking) match no row."""
    used = session.execute(
        sa.update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_by_id=member.id, used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if used.rowcount != 1:
        raise InviteError(InviteCode.USED)


def accept_invite(
    session: Session, token: str, telegram_user_id: int, name: str, language: str, *, now: datetime
) -> Member:
    """Join with an invitation token at `now`. The token works once, before it expires, for someone not yet a
    member."""
    invite = session.exec(select(Invite).where(Invite.token_hash == hash_token(token))).first()
    if invite is None:
        raise InviteError(InviteCode.UNKNOWN)
    if invite.used_at is not None:
        raise InviteError(InviteCode.USED)
    if invite.expires_at <= now:
        raise InviteError(InviteCode.EXPIRED)
    if member_by_telegram_id(session, telegram_user_id) is not None:
        raise InviteError(InviteCode.ALREADY_MEMBER)
    try:
        with session.begin_nested():  # a refusal below takes the new member back with it
            member = _add_member(session, telegram_user_id, name, invite.unit_id, Role(invite.role), language, now)
            _use(session, invite, member, now)
    except IntegrityError:  # the same person joins in another process right now (telegram_user_id is unique)
        raise InviteError(InviteCode.ALREADY_MEMBER) from None
    record_by(session, Actor.member(member.id), "invite.use", "invite", invite.id, at=now,
              after={"member_id": member.id})
    return member


def join_as_configured_admin(
    session: Session, telegram_user_id: int, name: str, language: str, admin_ids: list[int], *, now: datetime
) -> Member | None:
    """A person listed in ADMIN_TELEGRAM_IDS becomes an admin of the office on first contact."""
    if telegram_user_id not in admin_ids or member_by_telegram_id(session, telegram_user_id) is not None:
        return None
    try:
        with session.begin_nested():
            office = session.exec(select(Unit).where(Unit.kind == UnitKind.OFFICE)).first()
            if office is None:
                office = ensure_office(session, Actor("config"))
            return _add_member(session, telegram_user_id, name, office.id, Role.ADMIN, language, now,
                               Actor("config"))
    except IntegrityError:  # another process added this person (or the office) just now
        return member_by_telegram_id(session, telegram_user_id)
