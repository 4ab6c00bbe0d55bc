"""Procedure B in chat, as (session, member, input) → screens: the Tim checks, annotates and sends the
measurement; the Sekretaris approves, returns or reports it; the Kepala Dinas disposes."""

from __future__ import annotations

from sqlmodel import Session

from handlers.bound import Bound
from handlers.callbacks import Button, pack
from handlers.cards import decided_in_place
from handlers.common import now_of
from handlers.measurement import views
from handlers.period_choice import choice_screen, refusal
from handlers.screens import Screen, free_text_problem
from i18n import t
from i18n.codes import text_key
from models.collection.forms import DispositionDecision
from models.errors import ErrorCode, WorkflowError
from models.measurement.cycle import (
    MAX_TEXT,
    MeasurementCycle,
    MeasurementStatus,
    MeasurementText,
    approve_measurement,
    cycle_of,
    dispose_measurement,
    due_measurement,
    missing_periods,
    report_measurement,
    return_measurement,
    start_by_hand,
    submit_measurement,
    write_text,
)
from models.measurement.results import measure_quarter
from models.messaging.chat_state import ChatStep, amend_state, clear_state, get_state, question_of, set_state
from models.office.organisation import Member
from models.office.permissions import Action, may, require, roles_of_member
from models.plan.period_words import FIRST_YEAR, LAST_YEAR, PeriodWordsError, parse_quarter
from models.plan.periods import PeriodKind, PeriodRef, recent_periods
from reports.wording import esc


def _label(cycle: MeasurementCycle, language: str) -> str:
    return cycle.ref.label(language)


def _due(session: Session, language: str) -> tuple[PeriodRef | None, MeasurementCycle | None, list[Screen]]:
    """The triwulan due for measurement and its cycle; else the screen that says what it waits for."""
    due = due_measurement(session, now_of(session).date())
    if due.quarter is not None:
        return due.quarter, due.cycle, []
    if due.waiting is not None and due.missing:
        return None, None, [Screen.of(t("measurement.not_ready", language, period=due.waiting.label(language),
                                        missing=views.missing_lines(due.missing, language)))]
    if due.done is not None:
        return None, None, [Screen.of(t("measurement.nothing_due_done", language, period=due.done.label(language)))]
    return None, None, [Screen.of(t("measurement.nothing_due", language))]


QUARTERS_SHOWN = 4  # the triwulan /pengukuran offers without one


def show(session: Session, member: Member, argument: str | None) -> list[Screen]:
    """/pengukuran [triwulan]: the measurement of a triwulan typed in any words `period_words` reads (`TW1`,
    `triwulan 1 2026`, `q1`, `2026-TW1`), with the buttons the member's role may press at its step; alone: a
    choice of triwulan, the one due first (see `due_measurement`), or the one due when there is no other."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    if not argument:
        return _choice(session, member)
    try:
        ref = parse_quarter(argument, now_of(session).date())
    except PeriodWordsError as error:
        return refusal(error, language)
    return _show_quarter(session, member, ref)


def show_chosen(session: Session, member: Member, year: int, quarter: int) -> list[Screen]:
    """A triwulan pressed in /pengukuran's choice: what typing it after /pengukuran shows."""
    require(session, member, Action.VIEW_RECAP)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= quarter <= 4):
        return [Screen.of(t("common.expired_button", member.language))]
    return _show_quarter(session, member, PeriodRef(PeriodKind.QUARTER, year, quarter))


def _choice(session: Session, member: Member) -> list[Screen]:
    """The triwulan to press: the one due (or waited for) first, then the latest ended ones with periods opened.
    With one or none to choose from, what there is is shown at once: the triwulan due, or what the measurement
    waits for, or that nothing is due."""
    language = member.language
    today = now_of(session).date()
    due = due_measurement(session, today)
    first = due.quarter or due.waiting
    ended = [PeriodRef(PeriodKind.QUARTER, ref.year, ref.quarter) for ref in recent_periods(session, 12)]
    quarters = [first] if first else []
    for ref in sorted(ended, reverse=True):
        if ref.end_date < today and ref not in quarters:
            quarters.append(ref)
    if len(quarters) <= 1:
        ref, _, waiting = _due(session, language)
        return waiting if ref is None else _show_quarter(session, member, ref)
    choices = [(t("period_choice.due", language, period=ref.label(language)) if ref == due.quarter
                else ref.label(language), pack(Button.MEASUREMENT_PERIOD, ref.year, ref.number))
               for ref in quarters[:QUARTERS_SHOWN]]
    return choice_screen("measurement", choices, language)


def _show_quarter(session: Session, member: Member, ref: PeriodRef) -> list[Screen]:
    """The measurement of triwulan `ref`; one not started whose periods are not all archived shows what is
    missing, and nothing starts."""
    language = member.language
    cycle = cycle_of(session, ref)
    if cycle is None and (missing := missing_periods(session, ref)):
        return [Screen.of(t("measurement.not_ready", language, period=ref.label(language),
                            missing=views.missing_lines(missing, language)))]
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


TEXT_STEPS_OF = {MeasurementText.ANALYSIS: ChatStep.MEASUREMENT_ANALYSIS,
                 MeasurementText.RENCANA_AKSI: ChatStep.MEASUREMENT_RENCANA_AKSI}
PART_OF_STEP = {step: part for part, step in TEXT_STEPS_OF.items()}


def _ask_text(session: Session, member: Member, cycle_id: int, part: MeasurementText) -> list[Screen]:
    """Start typing the analysis or rencana aksi: a new draft, which the messages that follow extend."""
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    number = set_state(session, member.id, TEXT_STEPS_OF[part], cycle_id=cycle_id, draft="")
    return [_text_question(session, member, cycle_id, part, "", number)]


def _text_question(session: Session, member: Member, cycle_id: int, part: MeasurementText, draft: str,
                   number: int) -> Screen:
    """Question `number`: the analysis or rencana aksi of the measurement (and the draft kept so far, if any)."""
    language = member.language
    period = _label(session.get(MeasurementCycle, cycle_id), language)
    text = t(f"measurement.ask_{part.value}", language, limit=MAX_TEXT, period=period)
    if not draft:
        return Screen.of(text, question=number)
    text += "\n\n" + t("measurement.draft_kept", language, length=len(draft), limit=MAX_TEXT)
    return Screen.of(text, views.text_buttons(number, cycle_id, language), question=number)


def ask_analysis(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    return _ask_text(session, member, cycle_id, MeasurementText.ANALYSIS)


def ask_rencana_aksi(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    return _ask_text(session, member, cycle_id, MeasurementText.RENCANA_AKSI)


def answer_text(session: Session, member: Member, text: str) -> list[Screen]:
    """A message of the analysis or rencana aksi: appended to the draft (one a line) while the whole fits in
    `MAX_TEXT`; a message that would not fit is refused and the draft kept. The question keeps its number and
    message, so the messages that follow, sent before this one is confirmed, extend the same draft."""
    question = question_of(session, member.id)
    _, data = get_state(session, member.id)
    language, cycle_id, draft = member.language, data["cycle_id"], data.get("draft", "")
    buttons = views.text_buttons(question.number, cycle_id, language)
    piece = text.strip()
    if not piece:
        return [Screen.of(t("common.empty_text", language), buttons)]
    joined = f"{draft}\n{piece}" if draft else piece
    if len(joined) > MAX_TEXT:
        return [Screen.of(t("measurement.text_too_long", language, limit=MAX_TEXT, length=len(draft),
                            added=len(piece)), buttons)]
    amend_state(session, member.id, question.number, cycle_id=cycle_id, draft=joined)
    part = PART_OF_STEP[question.step]
    return [Screen.of(t("measurement.text_received", language, length=len(joined), limit=MAX_TEXT,
                        part=t(f"measurement.part_{part.value}", language),
                        period=_label(session.get(MeasurementCycle, cycle_id), language)), buttons)]


def ask_text_again(session: Session, member: Member) -> list[Screen]:
    """The analysis or rencana aksi asked again under a new number, its draft kept (`handlers.bound`)."""
    step, data = get_state(session, member.id)
    number = set_state(session, member.id, step, **data)
    return [_text_question(session, member, data["cycle_id"], PART_OF_STEP[step], data.get("draft", ""), number)]


def _typing(session: Session, member: Member, cycle_id: int) -> tuple[MeasurementText | None, dict]:
    """Which text the member is typing for this measurement (None: none, e.g. after /batal or Selesai)."""
    require(session, member, Action.PREPARE_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    step, data = get_state(session, member.id)
    if step not in PART_OF_STEP or data.get("cycle_id") != cycle_id:
        return None, data
    return PART_OF_STEP[step], data


def finish_text(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    """"Selesai": the draft replaces the analysis or rencana aksi, and is shown back whole before sending."""
    part, data = _typing(session, member, cycle_id)
    language = member.language
    if part is None:
        return [Screen.of(t("measurement.nothing_typed", language))]
    if not data.get("draft"):
        buttons = views.text_buttons(question_of(session, member.id).number, cycle_id, language)
        return [Screen.of(t("measurement.draft_empty", language), buttons)]
    cycle = write_text(session, member, cycle_id, part, data["draft"], now=now_of(session))
    clear_state(session, member.id)
    label = _label(cycle, language)
    blocks = [t(f"measurement.{part.value}_saved", language, period=label, length=len(data["draft"])),
              *views.text_blocks(cycle, language, part)]
    blocks += [t(f"measurement.{other.value}_missing", language) for other in MeasurementText
               if not getattr(cycle, other.value)]
    return [Screen(blocks, views.preparer_buttons(cycle, language))]


def restart_text(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    """"Ulangi": the draft is thrown away (what was saved before stays until "Selesai")."""
    part, _ = _typing(session, member, cycle_id)
    if part is None:
        return [Screen.of(t("measurement.nothing_typed", member.language))]
    return _ask_text(session, member, cycle_id, part)


def _typed(session: Session, member: Member, text: str, record) -> tuple[MeasurementCycle | None, list[Screen]]:
    """A typed arahan: asked again when empty or too long (nothing lost), else recorded with `record(data)` and
    the question closed."""
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return None, problem
    cycle = record(data)
    clear_state(session, member.id)
    return cycle, []


INCOMPLETE = frozenset({ErrorCode.MEASUREMENT_NO_ANALYSIS, ErrorCode.MEASUREMENT_NO_RENCANA_AKSI})


def submit(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    """B7; refused without the analysis or the rencana aksi, with the buttons to write them."""
    try:
        cycle = submit_measurement(session, member, cycle_id, version, now=now_of(session))
    except WorkflowError as error:
        if error.code not in INCOMPLETE:
            raise
        cycle = session.get(MeasurementCycle, cycle_id)
        return [Screen.of(t(text_key(error.code), member.language), views.preparer_buttons(cycle, member.language))]
    return [Screen.of(t("measurement.submitted", member.language, period=_label(cycle, member.language)))]


def approve(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    cycle = approve_measurement(session, member, cycle_id, version, now=now_of(session))
    language = member.language
    card = decided_in_place(session, member, now_of(session))  # the pressed card shows it; then the next step
    return [*([card] if card else []), Screen.of(t("measurement.approved", language, period=_label(cycle, language)),
                                                 views.report_buttons(cycle, language))]


def ask_return(session: Session, member: Member, cycle_id: int, version: int) -> list[Screen]:
    require(session, member, Action.REVIEW_MEASUREMENT, entity="measurement", entity_id=cycle_id)
    number = set_state(session, member.id, ChatStep.MEASUREMENT_RETURN, cycle_id=cycle_id, version=version)
    return [_arahan_question(session, member, ChatStep.MEASUREMENT_RETURN, cycle_id, number)]


ASK_ARAHAN = {ChatStep.MEASUREMENT_RETURN: "ask_return", ChatStep.MEASUREMENT_ARAHAN: "ask_arahan"}  # by step


def _arahan_question(session: Session, member: Member, step: ChatStep, cycle_id: int, number: int) -> Screen:
    """Question `number`: the Sekretaris's arahan returning the measurement, or the Kepala Dinas's on it."""
    period = _label(session.get(MeasurementCycle, cycle_id), member.language)
    return Screen.of(t(f"measurement.{ASK_ARAHAN[step]}", member.language, period=period), question=number)


def ask_arahan_again(session: Session, member: Member) -> list[Screen]:
    """An arahan asked again under a new number (`handlers.bound`)."""
    step, data = get_state(session, member.id)
    number = set_state(session, member.id, step, **data)
    return [_arahan_question(session, member, step, data["cycle_id"], number)]


QUESTION_NAMES = {ChatStep.MEASUREMENT_ANALYSIS: "question_analysis",  # what each question asks, by step
                  ChatStep.MEASUREMENT_RENCANA_AKSI: "question_rencana_aksi",
                  ChatStep.MEASUREMENT_RETURN: "question_return", ChatStep.MEASUREMENT_ARAHAN: "question_arahan"}


def question_name(session: Session, member: Member, step: ChatStep, data: dict) -> str:
    period = _label(session.get(MeasurementCycle, data["cycle_id"]), member.language)
    return t(f"measurement.{QUESTION_NAMES[step]}", member.language, period=period)


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
    if card := decided_in_place(session, member, now_of(session)):
        return [card]
    return [Screen.of(t("measurement.disposed", member.language, period=_label(cycle, member.language)))]


def ask_kepala_arahan(session: Session, member: Member, cycle_id: int) -> list[Screen]:
    require(session, member, Action.DISPOSE, entity="measurement", entity_id=cycle_id)
    number = set_state(session, member.id, ChatStep.MEASUREMENT_ARAHAN, cycle_id=cycle_id)
    return [_arahan_question(session, member, ChatStep.MEASUREMENT_ARAHAN, cycle_id, number)]


def answer_kepala_arahan(session: Session, member: Member, text: str) -> list[Screen]:
    cycle, problem = _typed(session, member, text, lambda data: dispose_measurement(
        session, member, data["cycle_id"], DispositionDecision.ARAHAN, text, now=now_of(session)))
    if cycle is None:
        return problem
    return [Screen.of(t("measurement.disposed_arahan", member.language, period=_label(cycle, member.language),
                        arahan=esc(text.strip())))]


TEXT_STEPS = {ChatStep.MEASUREMENT_ANALYSIS: answer_text, ChatStep.MEASUREMENT_RENCANA_AKSI: answer_text,
              ChatStep.MEASUREMENT_RETURN: answer_return, ChatStep.MEASUREMENT_ARAHAN: answer_kepala_arahan}
QUESTIONS = {  # free text bound to its question
    ChatStep.MEASUREMENT_ANALYSIS: Bound(question_name, ask_text_again),
    ChatStep.MEASUREMENT_RENCANA_AKSI: Bound(question_name, ask_text_again),
    ChatStep.MEASUREMENT_RETURN: Bound(question_name, ask_arahan_again),
    ChatStep.MEASUREMENT_ARAHAN: Bound(question_name, ask_arahan_again),
}
