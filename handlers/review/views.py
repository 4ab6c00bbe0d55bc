"""What the Sekretaris sees: a submitted form as one message, the return toggles, and unlock requests."""

from __future__ import annotations

from collections import Counter

from telegram import InlineKeyboardMarkup

from handlers.callbacks import Button, pack, unpack
from handlers.fill.views import item_block, period_name
from handlers.screens import Buttons, Screen
from i18n import t
from models.collection.form_filling import Item
from models.collection.forms import UnitForm
from models.collection.review import Change
from models.plan.periods import Period
from reports.wording import esc, value_change_text


def review_request(form: UnitForm, version: int, period: Period, unit_name: str, items: list[Item],
                   changes: list[Change], language: str, evidence: int = 0, *, kabid: bool = False) -> Screen:
    """The form as submitted (at `version`), with Setujui / Kembalikan; on resubmission what changed; with
    📎 Bukti (n) when it has `evidence`. The `kabid`'s card (KABID_REVIEW) says the form goes on to the
    Sekretaris once he approves it, and its buttons are his."""
    header = ("review.kabid_request_again" if changes else "review.kabid_request") if kabid else (
        "review.request_again" if changes else "review.request")
    blocks = [t(header, language, unit=esc(unit_name), period=period_name(period, language))]
    blocks += [item_block(number, item, language) for number, item in enumerate(items, start=1)]
    if changes:
        order = {item.indicator.id: number for number, item in enumerate(items)}
        lines = [t("review.changes", language)]
        lines += [change_line(change, language)
                  for change in sorted(changes, key=lambda change: order.get(change.indicator.id, len(order)))]
        blocks.append("\n".join(lines))
    approve, send_back = t("review.approve_button", language), t("review.return_button", language)
    buttons = [[(approve, pack(Button.KABID_APPROVE, form.id, version)),
                (send_back, pack(Button.KABID_RETURN, form.id, version))] if kabid else
               [(approve, pack(Button.REVIEW_APPROVE, form.id, version)),
                (send_back, pack(Button.REVIEW_RETURN, form.id, version))]]
    if evidence:
        buttons.append([evidence_button(form, evidence, language)])
    return Screen(blocks, buttons)


def change_line(change: Change, language: str) -> str:
    """One indicator of a resubmission: only what changed since the return ("P.1: 90 → 92 NIB; +1 bukti (foto);
    kendala diubah"), or that a returned indicator was left as it was."""
    parts = []
    if change.value_changed:
        parts.append(value_change_text(change.old.value if change.old else None,
                                       change.new.value if change.new else None, change.indicator, language))
    if change.evidence:
        counted = Counter(change.evidence)
        kinds = ", ".join(t(f"evidence.kind.{kind.value}", language) if count == 1 else
                          f"{count} {t(f'evidence.kind.{kind.value}', language)}" for kind, count in counted.items())
        parts.append(t("review.evidence_added", language, count=len(change.evidence), kinds=kinds))
    if change.kendala_changed:
        parts.append(t("review.kendala_changed", language))
    if change.tindak_lanjut_changed:
        parts.append(t("review.tindak_lanjut_changed", language))
    said = "; ".join(parts) if parts else t("review.no_change", language)
    return f"• <b>{esc(change.indicator.code)}</b>: {said}"


def evidence_button(form: UnitForm, count: int, language: str) -> tuple[str, str]:
    """📎 Bukti (n): sends the form's evidence to whoever presses it (`handlers.evidence`)."""
    return t("evidence.button", language, count=count), pack(Button.EVIDENCE, form.id)


def decided_keyboard(keyboard: InlineKeyboardMarkup | None) -> Buttons:
    """A review card's keyboard once the form is decided: Setujui / Kembalikan go, 📎 Bukti stays (the evidence
    remains reachable from the card it was checked on)."""
    rows = keyboard.inline_keyboard if keyboard is not None else ()
    kept = [[(button.text, button.callback_data) for button in row
             if (pressed := unpack(button.callback_data)) is not None and pressed.button is Button.EVIDENCE]
            for row in rows]
    return [row for row in kept if row]


def return_toggles(form: UnitForm, items: list[Item], selected: set[int], language: str) -> Screen:
    rows = [[(f"{'☑️' if item.indicator.id in selected else '⬜'} {item.indicator.code}",
              pack(Button.REVIEW_TOGGLE, form.id, item.indicator.id))] for item in items]
    rows.append([(t("review.write_arahan_button", language), pack(Button.REVIEW_ARAHAN, form.id)),
                 (t("common.cancel_button", language), pack(Button.REVIEW_CANCEL, form.id))])
    return Screen.of(t("review.choose_items", language), rows)


def unlock_request(code: str, unit_name: str, period: Period, requester: str, reason: str | None, request_id: int,
                   language: str) -> Screen:
    """The Sekretaris's card of an unlock request: who asks, for which indicator, and why."""
    return Screen.of(
        t("review.unlock_request", language, code=esc(code), unit=esc(unit_name),
          period=period_name(period, language), name=esc(requester), reason=esc(reason or "-")),
        [[(t("review.unlock_grant_button", language), pack(Button.UNLOCK_GRANT, request_id)),
          (t("review.unlock_refuse_button", language), pack(Button.UNLOCK_REFUSE, request_id))]],
    )


def ask_arahan(unit: str, period: str, codes: str, language: str, number: int) -> Screen:
    """Question `number`: the arahan of a return, naming the form and the indicators returned."""
    return Screen.of(t("review.ask_arahan", language, codes=codes, unit=unit, period=period), question=number)


def ask_unlock_reason(code: str, unit: str, period: str, language: str, number: int) -> Screen:
    """Question `number`: why the member asks to unlock the approved indicator (the Sekretaris reads it)."""
    return Screen.of(t("review.ask_unlock_reason", language, code=code, unit=unit, period=period), question=number)
