"""A unit's follow-up (tindak lanjut) of the Kepala Dinas's arahan: "✅ Sudah ditindaklanjuti", a short note (a
free-text question bound like the others), and the Kepala Dinas told once; how follow-ups read in a recap."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.bound import Bound
from handlers.callbacks import Button, pack
from handlers.common import now_of
from handlers.screens import Buttons, Screen, free_text_problem
from i18n import t
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.messaging.notices import FollowUpDone
from models.office.organisation import Member
from models.plan.periods import PeriodRef
from models.reporting.follow_ups import (
    FollowUpState,
    check_may_complete,
    complete_follow_up,
    follow_up_state,
    recent_follow_ups,
)
from models.timing.schedule import ScheduleRules
from reports.wording import esc


def indicator_names(state: FollowUpState, language: str) -> str:
    return esc("; ".join(f"{code} {name}" for code, name in state.indicators)) or t("kepala.preview_none", language)


def follow_up_text(state: FollowUpState, language: str) -> str:
    """The follow-up as its unit reads it: the arahan and the indicators it names."""
    return "\n".join([t("notify.follow_up", language, arahan=esc(state.arahan)),
                      t("notify.follow_up_indicators", language, indicators=indicator_names(state, language))])


def follow_up_buttons(state: FollowUpState, language: str) -> Buttons:
    if state.done:
        return []
    return [[(t("notify.follow_up_done_button", language), pack(Button.FOLLOW_UP_DONE, state.id))]]


def ask_note(session: Session, member: Member, follow_up_id: int) -> list[Screen]:
    """"Sudah ditindaklanjuti": the short note asked (nothing is stored before it is typed)."""
    check_may_complete(session, member, follow_up_id)
    number = set_state(session, member.id, ChatStep.FOLLOW_UP_NOTE, follow_up_id=follow_up_id)
    return [_ask(session, member, follow_up_id, number)]


def _ask(session: Session, member: Member, follow_up_id: int, number: int) -> Screen:
    state = follow_up_state(session, follow_up_id)
    return Screen.of(t("follow_up.ask_note", member.language, period=state.period.label(member.language),
                       arahan=esc(state.arahan), indicators=indicator_names(state, member.language)),
                     question=number)


def ask_note_again(session: Session, member: Member) -> list[Screen]:
    _, data = get_state(session, member.id)
    number = set_state(session, member.id, ChatStep.FOLLOW_UP_NOTE, **data)
    return [_ask(session, member, data["follow_up_id"], number)]


def note_question(session: Session, member: Member, _step: ChatStep, data: dict) -> str:
    state = follow_up_state(session, data["follow_up_id"])
    return t("follow_up.question_note", member.language, period=state.period.label(member.language))


def answer_note(session: Session, member: Member, text: str) -> list[Screen]:
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    complete_follow_up(session, member, data["follow_up_id"], text, now=now_of(session))
    clear_state(session, member.id)
    state = follow_up_state(session, data["follow_up_id"])
    return [Screen.of(t("follow_up.saved", member.language, period=state.period.label(member.language),
                        note=esc(state.note)))]


def follow_up_done(session: Session, member: Member, notice: FollowUpDone, now: datetime,
                   rules: ScheduleRules) -> list[Screen]:
    """For the Kepala Dinas: a unit has followed up the arahan, with its note."""
    state = follow_up_state(session, notice.follow_up_id)
    language = member.language
    return [Screen.of(t("follow_up.done_notice", language, unit=esc(state.unit_name),
                        period=state.period.label(language), indicators=indicator_names(state, language),
                        note=esc(state.note or ""), name=esc(state.done_by or "")))]


def recap_block(session: Session, ref: PeriodRef, language: str) -> str:
    """The recap's block of the follow-ups of the latest arahan up to `ref`: each unit done (✅) or not (⏳)."""
    states = recent_follow_ups(session, ref)
    if not states:
        return ""
    lines = [t("follow_up.recap_header", language, period=states[0].period.label(language),
               done=sum(state.done for state in states), count=len(states))]
    for state in states:
        key = "follow_up.recap_done" if state.done else "follow_up.recap_open"
        lines.append(t(key, language, unit=esc(state.unit_name), note=esc((state.note or "")[:80])))
    return "\n".join(lines)


TEXT_STEPS = {ChatStep.FOLLOW_UP_NOTE: answer_note}
QUESTIONS = {ChatStep.FOLLOW_UP_NOTE: Bound(note_question, ask_note_again)}
