"""Reporting the approved period to the Kepala Dinas and the disposition, as (session, member, input) → screens."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from handlers import evidence
from handlers.bound import Bound
from handlers.callbacks import Button, pack
from handlers.common import now_of
from handlers.fill.views import period_name
from handlers.kepala import arahan
from handlers.kepala.views import recap_buttons
from handlers.recap_views import unit_blocks
from handlers.screens import Screen, free_text_problem
from i18n import t
from models.calc.dates import format_datetime
from models.collection.forms import DispositionDecision
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.office.organisation import Member
from models.office.permissions import Action, require
from models.plan.periods import Period
from models.reporting.report import dispose, report_to_kepala
from models.reporting.report import undo_agree as undo_agreement
from models.timing.schedule import ScheduleRules
from reports.wording import esc, scope_label


def report(session: Session, member: Member, period_id: int) -> list[Screen]:
    report_to_kepala(session, member, period_id, now=now_of(session))
    period = session.get(Period, period_id)
    return [Screen.of(t("kepala.reported", member.language, period=period_name(period, member.language)))]


def agree(session: Session, member: Member, period_id: int, rules: ScheduleRules) -> list[Screen]:
    """"Setuju": archived once the undo window (`rules.agree_undo`) has passed; "↩️ Batalkan" until then."""
    now = now_of(session)
    disposition = dispose(session, member, period_id, DispositionDecision.AGREE, now=now, undo_window=rules.agree_undo)
    clear_state(session, member.id)
    period = session.get(Period, period_id)
    language = member.language
    if disposition.archive_after is None:
        return [Screen.of(t("kepala.disposed", language, period=period_name(period, language)))]
    return [Screen.of(t("kepala.disposed_undoable", language, period=period_name(period, language),
                        until=format_datetime(disposition.archive_after, rules.tz.key, language)),
                      [[(t("kepala.undo_button", language), pack(Button.KEPALA_AGREE_UNDO, period_id))]])]


def undo_agree(session: Session, member: Member, period_id: int) -> list[Screen]:
    """"↩️ Batalkan" within the window: the period waits for the disposition again, with its buttons back."""
    period = undo_agreement(session, member, period_id, now=now_of(session))
    language = member.language
    progress = period_progress(session, period, now_of(session).date(), now_of(session).tzinfo)
    return [Screen.of(t("kepala.agree_undone", language, period=period_name(period, language)),
                      recap_buttons(period.id, evidence.unit_buttons(session, member, progress), language))]


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
    """The typed arahan is shown back with its units and indicators before it is sent (`handlers.kepala.arahan`)."""
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    require(session, member, Action.DISPOSE, entity="period", entity_id=data["period_id"])
    return arahan.show_preview(session, member, data["period_id"], text.strip(), data.get("units"),
                               data.get("indicators"))


def edit_arahan(session: Session, member: Member, period_id: int) -> list[Screen]:
    """"Ubah": the arahan asked again; the units and indicators chosen are kept for the next preview."""
    require(session, member, Action.DISPOSE, entity="period", entity_id=period_id)
    _, data = get_state(session, member.id)
    number = set_state(session, member.id, ChatStep.KEPALA_ARAHAN, period_id=period_id, units=data.get("units"),
                       indicators=data.get("indicators"))
    screen = _ask_arahan(session, member, period_id, number)
    if data.get("arahan"):
        screen = replace(screen, blocks=[*screen.blocks, t("kepala.arahan_was", member.language,
                                                               arahan=esc(data["arahan"]))])
    return [screen]


TEXT_STEPS = {ChatStep.KEPALA_ARAHAN: answer_arahan,
              ChatStep.KEPALA_ARAHAN_PREVIEW: arahan.typed_while_previewing}
QUESTIONS = {ChatStep.KEPALA_ARAHAN: Bound(arahan_question, ask_arahan_again)}  # free text bound to its question
