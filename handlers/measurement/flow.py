"""Procedure B in chat, as (session, member, input) → screens: the Tim checks, annotates and sends the
measurement; the Sekretaris approves, returns or reports it; the Kepala Dinas disposes."""

from __future__ import annotations

from sqlmodel import Session

from handlers.callbacks import Button, pack
from handlers.common import now_of
from handlers.measurement import views
from handlers.screens import Screen, free_text_problem
from i18n import t
from models.collection.forms import DispositionDecision
from models.measurement.cycle import (
    MeasurementCycle,
    MeasurementStatus,
    approve_measurement,
    cycle_of,
    dispose_measurement,
    report_measurement,
    return_measurement,
    start_by_hand,
    submit_measurement,
    write_analysis,
)
from models.measurement.results import measure_quarter
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.office.organisation import Member
from models.office.permissions import Action, may, require, roles_of_member
from models.plan.periods import PeriodCodeError, PeriodKind, PeriodRef, latest_ended, parse_period_code
from reports.wording import esc


def _label(cycle: MeasurementCycle, language: str) -> str:
    return cycle.ref.label(language)


def show(session: Session, member: Member, argument: str | None) -> list[Screen]:
    """/pengukuran [2026-TW1]: the measurement of a triwulan (default: the latest ended one), with the buttons
    the member's role may press at its step."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    try:
        ref = parse_period_code(argument) if argument else latest_ended(PeriodKind.QUARTER, now_of(session).date())
    except PeriodCodeError:
        ref = None
    if ref is None or ref.kind is not PeriodKind.QUARTER:
        return [Screen.of(t("measurement.bad_period", language, value=esc(argument or "")))]
    cycle = cycle_of(session, ref)
    roles = roles_of_member(session, member)
    buttons: list = []
    if cycle is None and may(roles, Action.PREPARE_MEASUREMENT):
        buttons = [[(t("measurement.start_button", language), pack(Button.MEASUREMENT_START, ref.year, ref.number))]]
    elif cycle is not None:
        status = MeasurementStatus(cycle.status)
        if status in (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED) and may(roles,
                                                                                   Action.PREPARE_MEASUREMENT):
            buttons = views.preparer_buttons(cycle, language)
        elif status is MeasurementStatus.SUBMITTED and may(roles, Action.REVIEW_MEASUREMENT):
            buttons = views.review_buttons(cycle, language)
        elif status is MeasurementStatus.APPROVED and may(roles, Action.REPORT_TO_KEPALA):
            buttons = views.report_buttons(cycle, language)
        elif status is MeasurementStatus.REPORTED and may(roles, Action.DISPOSE):
            buttons = views.kepala_buttons(cycle, language)
    return [views.measurement_screen(measure_quarter(session, ref, language), cycle, language, buttons)]


def start(session: Session, member: Member, year: int, quarter: int) -> list[Screen]:
    cycle = start_by_hand(session, member, PeriodRef(PeriodKind.QUARTER, year, quarter), now=now_of(session))
    return [Screen.of(t("measurement.started", member.language, period=_label(cycle, member.language)))]


def ask_analysis(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    set_state(session, member.id, ChatStep.MEASUREMENT_ANALYSIS, cycle_id=cycle_id)
    return [Screen.of(t("measurement.ask_analysis", member.language))]


def _typed(session: Session, member: Member, text: str, record) -> tuple[MeasurementCycle | None, list[Screen]]:
    """A typed analysis or arahan: asked again when empty or too long (nothing lost), else recorded with
    `record(data)` and the question closed."""
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return None, problem
    cycle = record(data)
    clear_state(session, member.id)
    return cycle, []


def answer_analysis(session: Session, member: Member, text: str) -> list[Screen]:
    cycle, problem = _typed(session, member, text, lambda data: write_analysis(session, member, data["cycle_id"],
                                                                               text, now=now_of(session)))
    if cycle is None:
        return problem
    return [Screen.of(t("measurement.analysis_saved", member.language, period=_label(cycle, member.language)),
                      views.preparer_buttons(cycle, member.language))]


def submit(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    cycle = submit_measurement(session, member, cycle_id, version, now=now_of(session))
    return [Screen.of(t("measurement.submitted", member.language, period=_label(cycle, member.language)))]


def approve(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    cycle = approve_measurement(session, member, cycle_id, version, now=now_of(session))
    language = member.language
    return [Screen.of(t("measurement.approved", language, period=_label(cycle, language)),
                      views.report_buttons(cycle, language))]


def ask_return(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    require(session, member, Action.REVIEW_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    set_state(session, member.id, ChatStep.MEASUREMENT_RETURN, cycle_id=cycle_id, version=version)
    return [Screen.of(t("measurement.ask_return", member.language))]


def answer_return(session: Session, member: Member, text: str) -> list[Screen]:
    cycle, problem = _typed(session, member, text, lambda data: return_measurement(
        session, member, data["cycle_id"], data["version"], text, now=now_of(session)))
    if cycle is None:
        return problem
    return [Screen.of(t("measurement.returned", member.language, period=_label(cycle, member.language),
                        arahan=esc(text.strip())))]


def report(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    cycle = report_measurement(session, member, cycle_id, now=now_of(session))
    return [Screen.of(t("measurement.reported", member.language, period=_label(cycle, member.language)))]


def agree(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    cycle = dispose_measurement(session, member, cycle_id, DispositionDecision.AGREE, now=now_of(session))
    clear_state(session, member.id)
    return [Screen.of(t("measurement.disposed", member.language, period=_label(cycle, member.language)))]


def ask_kepala_arahan(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    require(session, member, Action.DISPOSE, entity="measurement", entity_id=cycle_id)
    set_state(session, member.id, ChatStep.MEASUREMENT_ARAHAN, cycle_id=cycle_id)
    return [Screen.of(t("kepala.ask_arahan", member.language))]


def answer_kepala_arahan(session: Session, member: Member, text: str) -> list[Screen]:
    cycle, problem = _typed(session, member, text, lambda data: dispose_measurement(
        session, member, data["cycle_id"], DispositionDecision.ARAHAN, text, now=now_of(session)))
    if cycle is None:
        return problem
    return [Screen.of(t("measurement.disposed_arahan", member.language, period=_label(cycle, member.language),
                        arahan=esc(text.strip())))]


TEXT_STEPS = {ChatStep.MEASUREMENT_ANALYSIS: answer_analysis, ChatStep.MEASUREMENT_RETURN: answer_return,
              ChatStep.MEASUREMENT_ARAHAN: answer_kepala_arahan}
