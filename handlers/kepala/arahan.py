"""The Kepala Dinas's arahan shown back before it is sent: its text, the units that get a follow-up and the
indicators it concerns (toggle buttons), then "Kirim" or "Ubah".

The choice lives in the chat state (`ChatStep.KEPALA_ARAHAN_PREVIEW`: the text and the chosen ids), so a restart
or another bot process shows the same preview; its buttons carry the preview's question number first, so a
preview replaced by a newer one (after "Ubah") is expired. By default the units are those below target in the
period (every unit when none is: `units_concerned`) and the indicators those below target of the chosen units.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.callbacks import Button, pack
from handlers.common import now_of
from handlers.fill.views import period_name
from handlers.screens import Screen
from i18n import t
from models.collection.forms import DispositionDecision
from models.collection.progress import period_units
from models.messaging.chat_state import ChatStep, amend_state, clear_state, get_state, question_of, set_state
from models.office.organisation import Member
from models.office.permissions import Action, require
from models.plan.indicators import Indicator, frequency_of
from models.plan.periods import Period
from models.plan.pk import indicators_of
from models.reporting.report import dispose, indicators_below_target, units_concerned
from reports.wording import esc

INDICATORS_PER_ROW = 3


def default_choice(session: Session, period: Period) -> tuple[list[int], list[int]]:
    """The units below target (or every unit) and their indicators below target."""
    units = units_concerned(session, period)
    below = indicators_below_target(session, period)
    return units, sorted(indicator for unit_id in units for indicator in below.get(unit_id, []))


def show_preview(session: Session, member: Member, period_id: int, arahan: str, units: list[int] | None = None,
                 indicators: list[int] | None = None) -> list[Screen]:
    """Ask "Kirim / Ubah" on the typed arahan, with the units and indicators chosen so far (default: below
    target)."""
    period = session.get(Period, period_id)
    if units is None:
        units, indicators = default_choice(session, period)
    number = set_state(session, member.id, ChatStep.KEPALA_ARAHAN_PREVIEW, period_id=period_id, arahan=arahan,
                       units=units, indicators=indicators or [])
    return [_preview(session, member, number, period, arahan, units, indicators or [])]


def _period_indicators(session: Session, period: Period) -> dict[int, list[Indicator]]:
    by_unit: dict[int, list[Indicator]] = {}
    for indicator in indicators_of(session, period.ref, frequency=frequency_of(period.kind)):
        by_unit.setdefault(indicator.unit_id, []).append(indicator)
    return by_unit


def _preview(session: Session, member: Member, number: int, period: Period, arahan: str, units: list[int],
             indicators: list[int]) -> Screen:
    language = member.language
    all_units = period_units(session, period)
    by_unit = _period_indicators(session, period)
    chosen_units = [unit for unit in all_units if unit.id in units]
    shown = [indicator for unit in chosen_units for indicator in by_unit.get(unit.id, [])]
    chosen = [indicator for indicator in shown if indicator.id in indicators]
    none = t("kepala.preview_none", language)
    text = t("kepala.preview", language, period=period_name(period, language), arahan=esc(arahan),
             units=esc(", ".join(unit.name for unit in chosen_units)) or none,
             indicators=esc(", ".join(f"{i.code} {i.name}" for i in chosen)) or none)
    rows = [[(f"{'✅' if unit.id in units else '⬜'} {unit.name}"[:60],
              pack(Button.KEPALA_PREVIEW_UNIT, number, unit.id))] for unit in all_units]
    toggles = [(f"{'✅' if indicator.id in indicators else '⬜'} {indicator.code}",
                pack(Button.KEPALA_PREVIEW_INDICATOR, number, indicator.id)) for indicator in shown]
    rows += [toggles[i:i + INDICATORS_PER_ROW] for i in range(0, len(toggles), INDICATORS_PER_ROW)]
    rows.append([(t("kepala.preview_send", language), pack(Button.KEPALA_PREVIEW_SEND, number, period.id)),
                 (t("kepala.preview_edit", language), pack(Button.KEPALA_PREVIEW_EDIT, number, period.id))])
    return Screen.of(text, rows)


def toggle_unit(session: Session, member: Member, unit_id: int) -> list[Screen]:
    """A unit in or out; its indicators below target come in with it, and all of its indicators go with it."""
    number, data = question_of(session, member.id).number, get_state(session, member.id)[1]
    period = session.get(Period, data["period_id"])
    require(session, member, Action.DISPOSE, entity="period", entity_id=period.id)
    units, indicators = list(data["units"]), set(data["indicators"])
    own = {indicator.id for indicator in _period_indicators(session, period).get(unit_id, [])}
    if unit_id in units:
        units.remove(unit_id)
        indicators -= own
    else:
        units.append(unit_id)
        indicators |= set(indicators_below_target(session, period).get(unit_id, []))
    return _amended(session, member, number, period, data["arahan"], units, sorted(indicators))


def toggle_indicator(session: Session, member: Member, indicator_id: int) -> list[Screen]:
    number, data = question_of(session, member.id).number, get_state(session, member.id)[1]
    period = session.get(Period, data["period_id"])
    require(session, member, Action.DISPOSE, entity="period", entity_id=period.id)
    indicators = set(data["indicators"]) ^ {indicator_id}
    return _amended(session, member, number, period, data["arahan"], list(data["units"]), sorted(indicators))


def _amended(session: Session, member: Member, number: int, period: Period, arahan: str, units: list[int],
             indicators: list[int]) -> list[Screen]:
    amend_state(session, member.id, number, period_id=period.id, arahan=arahan, units=units, indicators=indicators)
    return [_preview(session, member, number, period, arahan, units, indicators)]


def send(session: Session, member: Member, period_id: int) -> list[Screen]:
    """"Kirim": the disposition with follow-ups for the chosen units, naming the chosen indicators."""
    _, data = get_state(session, member.id)
    arahan = data["arahan"]
    dispose(session, member, period_id, DispositionDecision.ARAHAN, arahan, now=now_of(session),
            units=data["units"], indicators=data["indicators"])
    clear_state(session, member.id)
    period = session.get(Period, period_id)
    return [Screen.of(t("kepala.disposed_arahan", member.language, period=period_name(period, member.language),
                        arahan=esc(arahan)))]


def typed_while_previewing(session: Session, member: Member, _text: str) -> list[Screen]:
    """Text typed at the preview is not the arahan (that is changed with "Ubah"): a hint, nothing filed."""
    return [Screen.of(t("kepala.preview_hint", member.language))]
