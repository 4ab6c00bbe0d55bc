"""The Sekretaris's side as (session, member, input) → screens: approve, return with arahan, unlock."""

from __future__ import annotations

from sqlmodel import Session

from handlers.bound import Bound
from handlers.common import now_of
from handlers.fill.views import period_name
from handlers.review import views
from handlers.screens import Screen, free_text_problem
from i18n import t
from models.collection.form_filling import form_items
from models.collection.forms import UnitForm, UnlockRequest, UnlockStatus
from models.collection.kabid_review import approve_as_kabid, check_kabid_review, return_as_kabid
from models.collection.review import (
    approve_unit_form,
    decide_unlock,
    pending_unlock,
    request_unlock,
    return_unit_form,
)
from models.errors import ErrorCode, WorkflowError
from models.messaging.chat_state import ChatStep, clear_state, get_state, set_state
from models.office.organisation import Member, Unit
from models.office.permissions import Action, require
from models.plan.indicators import Indicator
from models.plan.periods import Period
from reports.wording import esc


def _names(session: Session, form: UnitForm) -> tuple[str, Period]:
    return session.get(Unit, form.unit_id).name, session.get(Period, form.period_id)


def approve(session: Session, member: Member, form_id: int, version: int) -> list[Screen]:
    form = approve_unit_form(session, member, form_id, version, now=now_of(session))
    unit, period = _names(session, form)
    return [Screen.of(t("review.approved", member.language, unit=esc(unit),
                        period=period_name(period, member.language)))]


def start_return(session: Session, member: Member, form_id: int, version: int) -> list[Screen]:
    """'Kembalikan': choose the indicators to return (toggles), then write the arahan."""
    form = session.get(UnitForm, form_id)
    require(session, member, Action.REVIEW_FORM, entity="unit_form", entity_id=form_id)
    if form is None or form.version != version:
        raise WorkflowError(ErrorCode.STALE, form_id=form_id)
    set_state(session, member.id, ChatStep.REVIEW_SELECT, form_id=form_id, version=version, selected=[])
    return [views.return_toggles(form, form_items(session, form), set(), member.language)]


def kabid_approve(session: Session, member: Member, form_id: int, version: int) -> list[Screen]:
    """The kabid's 'Setujui' (KABID_REVIEW): the form goes on to the Sekretaris."""
    form = approve_as_kabid(session, member, form_id, version, now=now_of(session))
    unit, period = _names(session, form)
    return [Screen.of(t("review.kabid_approved", member.language, unit=esc(unit),
                        period=period_name(period, member.language)))]


def kabid_start_return(session: Session, member: Member, form_id: int, version: int) -> list[Screen]:
    """The kabid's 'Kembalikan': the same toggles and arahan as the Sekretaris's, returned in his name."""
    form = check_kabid_review(session, member, form_id, version)
    set_state(session, member.id, ChatStep.REVIEW_SELECT, form_id=form_id, version=version, selected=[], kabid=True)
    return [views.return_toggles(form, form_items(session, form), set(), member.language)]


def toggle(session: Session, member: Member, form_id: int, indicator_id: int) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != ChatStep.REVIEW_SELECT or data.get("form_id") != form_id:
        return [Screen.of(t("common.expired_button", member.language))]
    selected = set(data["selected"]) ^ {indicator_id}
    set_state(session, member.id, ChatStep.REVIEW_SELECT, **{**data, "selected": sorted(selected)})
    form = session.get(UnitForm, form_id)
    return [views.return_toggles(form, form_items(session, form), selected, member.language)]


def ask_arahan(session: Session, member: Member, form_id: int) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != ChatStep.REVIEW_SELECT or data.get("form_id") != form_id:
        return [Screen.of(t("common.expired_button", member.language))]
    if not data["selected"]:
        return [Screen.of(t("review.choose_at_least_one", member.language))]
    number = set_state(session, member.id, ChatStep.REVIEW_ARAHAN, **data)
    return [views.ask_arahan(*_returning(session, data, member.language), member.language, number)]


def _returning(session: Session, data: dict, language: str) -> tuple[str, str, str]:
    """What a return being written concerns: the unit, the period and the indicators' codes (escaped)."""
    unit, period = _names(session, session.get(UnitForm, data["form_id"]))
    codes = ", ".join(session.get(Indicator, i).code for i in data["selected"])
    return esc(unit), period_name(period, language), esc(codes)


def ask_arahan_again(session: Session, member: Member) -> list[Screen]:
    """The arahan question again, as a new message under a new number (`handlers.bound`)."""
    _, data = get_state(session, member.id)
    number = set_state(session, member.id, ChatStep.REVIEW_ARAHAN, **data)
    return [views.ask_arahan(*_returning(session, data, member.language), member.language, number)]


def arahan_question(session: Session, member: Member, _step: ChatStep, data: dict) -> str:
    unit, period, codes = _returning(session, data, member.language)
    return t("review.question_arahan", member.language, unit=unit, period=period, codes=codes)


def answer_arahan(session: Session, member: Member, text: str) -> list[Screen]:
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    unit, period, codes = _returning(session, data, member.language)
    send_back = return_as_kabid if data.get("kabid") else return_unit_form  # who returns (`kabid.start_return`)
    send_back(session, member, data["form_id"], data["version"], data["selected"], text.strip(), now=now_of(session))
    clear_state(session, member.id)
    return [Screen.of(t("review.returned", member.language, unit=unit, period=period, codes=codes))]


def cancel(session: Session, member: Member, form_id: int) -> list[Screen]:
    """'Batal' under the toggles: ends the return of that form only (a return of another form goes on)."""
    step, data = get_state(session, member.id)
    if step not in (ChatStep.REVIEW_SELECT, ChatStep.REVIEW_ARAHAN) or data.get("form_id") != form_id:
        return [Screen.of(t("common.expired_button", member.language))]
    clear_state(session, member.id)
    return [Screen.of(t("review.return_cancelled", member.language))]


def ask_unlock(session: Session, member: Member, form_id: int, indicator_id: int) -> list[Screen]:
    """🔓 on an approved indicator: the member's reason is asked first (the Sekretaris decides on it); a request
    already waiting for the Sekretaris is said so instead."""
    if (pending := pending_unlock(session, member, form_id, indicator_id)) is not None:
        return _already_asked(session, member, pending)
    number = set_state(session, member.id, ChatStep.UNLOCK_REASON, form_id=form_id, indicator_id=indicator_id)
    return [views.ask_unlock_reason(*_unlocking(session, form_id, indicator_id, member.language), member.language,
                                    number)]


def _unlocking(session: Session, form_id: int, indicator_id: int, language: str) -> tuple[str, str, str]:
    """What an unlock being asked concerns: the indicator's code, the unit and the period (escaped)."""
    unit, period = _names(session, session.get(UnitForm, form_id))
    return esc(session.get(Indicator, indicator_id).code), esc(unit), period_name(period, language)


def _already_asked(session: Session, member: Member, pending: UnlockRequest) -> list[Screen]:
    code = esc(session.get(Indicator, pending.indicator_id).code)
    by = session.get(Member, pending.requested_by_id).name
    return [Screen.of(t("review.unlock_pending", member.language, code=code, name=esc(by)))]


def ask_unlock_reason_again(session: Session, member: Member) -> list[Screen]:
    """The reason question again, as a new message under a new number (`handlers.bound`)."""
    _, data = get_state(session, member.id)
    number = set_state(session, member.id, ChatStep.UNLOCK_REASON, **data)
    return [views.ask_unlock_reason(*_unlocking(session, data["form_id"], data["indicator_id"], member.language),
                                    member.language, number)]


def unlock_reason_question(session: Session, member: Member, _step: ChatStep, data: dict) -> str:
    code, unit, period = _unlocking(session, data["form_id"], data["indicator_id"], member.language)
    return t("review.question_unlock_reason", member.language, code=code, unit=unit, period=period)


def answer_unlock_reason(session: Session, member: Member, text: str) -> list[Screen]:
    """The reason typed: the request goes to the Sekretaris with it (unless someone asked meanwhile)."""
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    form_id, indicator_id = data["form_id"], data["indicator_id"]
    pending = pending_unlock(session, member, form_id, indicator_id)
    clear_state(session, member.id)
    if pending is not None:
        return _already_asked(session, member, pending)
    request = request_unlock(session, member, form_id, indicator_id, text.strip(), now=now_of(session))
    code = session.get(Indicator, request.indicator_id).code
    return [Screen.of(t("review.unlock_requested", member.language, code=esc(code)))]


def decide(session: Session, member: Member, request_id: int, grant: bool) -> list[Screen]:
    request = decide_unlock(session, member, request_id, grant, now=now_of(session))
    code = session.get(Indicator, request.indicator_id).code
    key = "review.unlock_granted" if UnlockStatus(request.status) is UnlockStatus.GRANTED else "review.unlock_refused"
    return [Screen.of(t(key, member.language, code=esc(code)))]


def typed_while_choosing(session: Session, member: Member, _text: str) -> list[Screen]:
    """Text while the indicators to return are being chosen: they are chosen with the buttons."""
    return [Screen.of(t("chat.unknown_input", member.language))]


TEXT_STEPS = {ChatStep.REVIEW_SELECT: typed_while_choosing, ChatStep.REVIEW_ARAHAN: answer_arahan,
              ChatStep.UNLOCK_REASON: answer_unlock_reason}
QUESTIONS = {  # free text bound to its question
    ChatStep.REVIEW_ARAHAN: Bound(arahan_question, ask_arahan_again),
    ChatStep.UNLOCK_REASON: Bound(unlock_reason_question, ask_unlock_reason_again),
}
