"""/plt as (session, admin, input) → screens: the list with its buttons to end one, then naming one in steps
(office, member, Plt or Plh with buttons; the first and last day typed as people type them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from handlers.acting import views
from handlers.bound import Bound
from handlers.common import now_of
from handlers.screens import Screen
from i18n import t
from i18n.codes import text_key
from models.errors import ErrorCode, WorkflowError
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.office.acting_officials import ACTING_OFFICES, appoint, current_and_planned, end_acting
from models.office.audit import Actor
from models.office.organisation import Member, Role
from models.office.permissions import Action, held_roles, require
from models.plan.date_words import DateWordsError, parse_date_words
from reports.wording import esc, refusal_words

# Refusals of a naming that the admin answers by typing the days again (the office, member and kind are kept).
RETYPE_DAYS = frozenset({ErrorCode.ACTING_OVERLAP, ErrorCode.ACTING_IN_PAST, ErrorCode.ACTING_DATES_REVERSED})


def overview(session: Session, admin: Member) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS)
    now = now_of(session)
    actings = [(acting, session.get(Member, acting.member_id)) for acting in current_and_planned(session, now)]
    return [views.overview(actings, now, now.tzinfo, admin.language)]


def choose_member(session: Session, admin: Member, office_index: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS)
    if office_index >= len(ACTING_OFFICES):
        raise WorkflowError(ErrorCode.NOT_FOUND)
    members = session.exec(select(Member).where(Member.active == True).order_by(Member.name)).all()  # noqa: E712
    candidates = [member for member in members if _may_act(held_roles(session, member))]
    return [views.choose_member(office_index, candidates, admin.language)]


def _may_act(roles: set[Role]) -> bool:
    """Who may be named to act for an office: a member with work of their own in the office (not one who only
    administers the bot) who holds neither office (the Kepala Dinas does not act as her own Sekretaris)."""
    return bool(roles - {Role.ADMIN}) and not roles & set(ACTING_OFFICES)


def choose_kind(session: Session, admin: Member, office_index: int, member_id: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS)
    member = session.get(Member, member_id)
    if member is None or office_index >= len(ACTING_OFFICES):
        raise WorkflowError(ErrorCode.NOT_FOUND)
    return [views.choose_kind(office_index, member, admin.language)]


def start_days(session: Session, admin: Member, office_index: int, member_id: int, kind_index: int
               ) -> list[Screen]:
    """The kind chosen: ask the first day (the office, member and kind kept in the chat state)."""
    require(session, admin, Action.MANAGE_MEMBERS)
    if session.get(Member, member_id) is None or office_index >= len(ACTING_OFFICES) \
            or kind_index >= len(views.KINDS):
        raise WorkflowError(ErrorCode.NOT_FOUND)
    return _ask_from(session, admin, {"office": office_index, "person": member_id, "kind": kind_index})


def _who(session: Session, admin: Member, data: dict[str, Any]) -> str:
    return views.named(views.KINDS[data["kind"]], ACTING_OFFICES[data["office"]],
                       session.get(Member, data["person"]), admin.language)


def _ask_from(session: Session, admin: Member, data: dict[str, Any]) -> list[Screen]:
    kept = {key: data[key] for key in ("office", "person", "kind")}
    number = set_state(session, admin.id, ChatStep.ACTING_FROM, **kept)
    return [views.ask_from(_who(session, admin, data), number, admin.language)]


def _ask_until(session: Session, admin: Member, data: dict[str, Any], starts: date) -> list[Screen]:
    kept = {key: data[key] for key in ("office", "person", "kind")}
    number = set_state(session, admin.id, ChatStep.ACTING_UNTIL, starts=starts.isoformat(), **kept)
    return [views.ask_until(_who(session, admin, data), starts, number, admin.language)]


def ask_again(session: Session, admin: Member) -> list[Screen]:
    """The day asked again, as a new message under a new number (`handlers.bound`)."""
    step, data = get_state(session, admin.id)
    if step is ChatStep.ACTING_UNTIL:
        return _ask_until(session, admin, data, date.fromisoformat(data["starts"]))
    return _ask_from(session, admin, data)


def question(session: Session, admin: Member, step: ChatStep, data: dict[str, Any]) -> str:
    key = "acting.question_until" if step is ChatStep.ACTING_UNTIL else "acting.question_from"
    return t(key, admin.language, who=_who(session, admin, data))


def _typed_day(text: str, admin: Member, session: Session) -> date | list[Screen]:
    try:
        return parse_date_words(text, now_of(session).date())
    except DateWordsError as error:
        return [Screen.of(t(text_key(error.code), admin.language, value=esc(error.value)))]


def answer_from(session: Session, admin: Member, text: str) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS)
    _, data = get_state(session, admin.id)
    starts = _typed_day(text, admin, session)
    if isinstance(starts, list):
        return starts  # the question stays: the next message answers it
    return _ask_until(session, admin, data, starts)


def answer_until(session: Session, admin: Member, text: str) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS)
    _, data = get_state(session, admin.id)
    ends = _typed_day(text, admin, session)
    if isinstance(ends, list):
        return ends
    starts, now = date.fromisoformat(data["starts"]), now_of(session)
    member = session.get(Member, data["person"])
    try:
        acting = appoint(session, Actor.member(admin.id), ACTING_OFFICES[data["office"]], member.id,
                         views.KINDS[data["kind"]], starts, ends, tz=now.tzinfo, now=now)
    except WorkflowError as error:
        if error.code not in RETYPE_DAYS:
            raise
        # nothing was written: the refusal, then the first day asked again with what was chosen kept
        refusal = t(text_key(error.code), admin.language,
                    **{k: esc(v) if isinstance(v, str) else v
                       for k, v in refusal_words(error.details, admin.language).items()})
        return [Screen.of(refusal), *_ask_from(session, admin, data)]
    clear_state(session, admin.id)
    return [views.appointed(acting, member, admin.language)]


def end(session: Session, admin: Member, acting_id: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS, entity="acting_official", entity_id=acting_id)
    acting = end_acting(session, Actor.member(admin.id), acting_id, now=now_of(session))
    return [views.ended(acting, session.get(Member, acting.member_id), admin.language)]


TEXT_STEPS = {ChatStep.ACTING_FROM: answer_from, ChatStep.ACTING_UNTIL: answer_until}
QUESTIONS = {step: Bound(question, ask_again) for step in TEXT_STEPS}  # typed days bound to their question
