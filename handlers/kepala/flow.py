"""Reporting the approved period to the Kepala Dinas and the disposition, as (session, member, input) → screens."""

from __future__ import annotations

from sqlmodel import Session

from handlers import evidence
from handlers.bound import Bound
from handlers.cards import decided_in_place
from handlers.common import now_of
from handlers.fill.views import period_name
from handlers.recap_views import unit_blocks
from handlers.screens import Screen, free_text_problem
from i18n import t
from models.collection.forms import DispositionDecision
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.office.organisation import Member
from models.office.permissions import Action, require
from models.plan.periods import Period
from models.reporting.report import dispose, report_to_kepala
from reports.wording import esc, scope_label


def report(session: Session, member: Member, period_id: int) -> list[Screen]:
    report_to_kepala(session, member, period_id, now=now_of(session))
    if card := decided_in_place(session, member, now_of(session)):
        return [card]
    period = session.get(Period, period_id)
    return [Screen.of(t("kepala.reported", member.language, period=period_name(period, member.language)))]


def agree(session: Session, member: Member, period_id: int) -> list[Screen]:
    dispose(session, member, period_id, DispositionDecision.AGREE, now=now_of(session))
    clear_state(session, member.id)
    if card := decided_in_place(session, member, now_of(session)):
        return [card]
    period = session.get(Period, period_id)
    return [Screen.of(t("kepala.disposed", member.language, period=period_name(period, member.language)))]


def unit_detail(session: Session, member: Member, period_id: int) -> list[Screen]:
    """Rincian per unit: one block per unit of the reported period (split in messages when long), and each
    unit's 📎 Bukti under them."""
    require(session, member, Action.VIEW_RECAP, entity="period", entity_id=period_id)
    period = session.get(Period, period_id)
    language = member.language
    recap = compute_recap(session, period.ref, language)
    now = now_of(session)
    progress = period_progress(session, period, now.date(), now.tzinfo)
    header = t("kepala.units_header", language, period=scope_label(recap, language))
    return [Screen(unit_blocks(header, recap, progress, language), evidence.unit_buttons(session, member, progress))]


def start_arahan(session: Session, member: Member, period_id: int) -> list[Screen]:
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    number = set_state(session, member.id, ChatStep.KEPALA_ARAHAN, period_id=period_id)
    return [_ask_arahan(session, member, period_id, number)]


def _ask_arahan(session: Session, member: Member, period_id: int, number: int) -> Screen:
    """Question `number`: the arahan of the disposition, naming the period reported."""
    period = period_name(session.get(Period, period_id), member.language)
    return Screen.of(t("kepala.ask_arahan", member.language, period=period), question=number)


def ask_arahan_again(session: Session, member: Member) -> list[Screen]:
    """The arahan question again, as a new message under a new number (`handlers.bound`)."""
    _, data = get_state(session, member.id)
    number = set_state(session, member.id, ChatStep.KEPALA_ARAHAN, **data)
    return [_ask_arahan(session, member, data["period_id"], number)]


def arahan_question(session: Session, member: Member, _step: ChatStep, data: dict) -> str:
    period = period_name(session.get(Period, data["period_id"]), member.language)
    return t("kepala.question_arahan", member.language, period=period)


def answer_arahan(session: Session, member: Member, text: str) -> list[Screen]:
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    dispose(session, member, data["period_id"], DispositionDecision.ARAHAN, text.strip(), now=now_of(session))
    clear_state(session, member.id)
    period = session.get(Period, data["period_id"])
    return [Screen.of(t("kepala.disposed_arahan", member.language, period=period_name(period, member.language),
                        arahan=esc(text.strip())))]


TEXT_STEPS = {ChatStep.KEPALA_ARAHAN: answer_arahan}
QUESTIONS = {ChatStep.KEPALA_ARAHAN: Bound(arahan_question, ask_arahan_again)}  # free text bound to its question
