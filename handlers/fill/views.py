"""What staff see while filling a form: the question for one indicator, the capaian feedback, the summary."""

from __future__ import annotations

from decimal import Decimal

from handlers.callbacks import Button, pack
from handlers.screens import Screen
from i18n import t
from models.calc.year_path import YearPath
from models.collection.form_filling import Context, Item
from models.collection.forms import UnitForm
from models.collection.review import Edit
from models.messaging.chat_state import ChatStep
from models.plan.indicators import Indicator, ValueKind, value_kind
from models.plan.periods import Period
from reports.wording import capaian_text, esc, target_text, value_text, year_path_text

KEEP_NOTE = {"kendala": Button.FILL_KEEP_KENDALA, "tindak_lanjut": Button.FILL_KEEP_TINDAK_LANJUT}  # by field
ASKED = {  # what each step of the form asks (`fill.asked_*`)
    ChatStep.FILL_VALUE: "value", ChatStep.FILL_AMBIGUOUS: "value", ChatStep.FILL_FAR_OFF: "value",
    ChatStep.FILL_FAR_OFF_REASON: "reason", ChatStep.FILL_KENDALA: "kendala",
    ChatStep.FILL_TINDAK_LANJUT: "tindak_lanjut", ChatStep.FILL_EVIDENCE: "evidence",
}


def where(indicator: Indicator, value: Decimal | None, language: str) -> str:
    """An indicator and its value saved so far (none: the indicator alone), as a re-asked or resumed question
    names where the member is."""
    if value is None:
        return t("fill.where", language, code=esc(indicator.code), name=esc(indicator.name))
    return t("fill.where_saved", language, code=esc(indicator.code), name=esc(indicator.name),
             value=value_text(value, indicator, language))


def period_name(period: Period, language: str) -> str:
    return period.ref.label(language)


def question(item: Item, context: Context, period: Period, position: tuple[int, int], language: str,
             number: int, viewer: int | None = None) -> Screen:
    """Question `number`, the value: name, satuan, targets, last period, year to date (and the arahan of a return,
    or, for an item reopened by an unlock, who asked and why; "you" when `viewer`, a member id, asked)."""
    indicator = item.indicator
    lines = [
        t("fill.item_header", language, number=position[0], total=position[1], period=period_name(period, language)),
        f"<b>{esc(indicator.code)} {esc(indicator.name)}</b>",
        t("fill.satuan", language, satuan=esc(indicator.satuan)),
        t("fill.targets", language, target=target_text(context.target, indicator, language),
          annual=target_text(context.annual, indicator, language)),
    ]
    if context.previous_ref is not None:
        lines.append(t("fill.previous", language, period=context.previous_ref.label(language),
                       value=value_text(context.previous, indicator, language)))
    if context.year_to_date is not None:
        lines.append(t("fill.year_to_date", language, value=value_text(context.year_to_date, indicator, language)))
    if context.year_path is not None and context.previous_ref is not None:
        lines.append(year_path_text(context.year_path, context.previous_ref.label(language), language))
    buttons = []
    if item.returned is not None and item.unlock is not None:
        lines.append(unlocked_line(item, language, viewer))
    elif item.returned is not None and item.returned_by_kabid is not None:
        lines.append(t("fill.returned_arahan_kabid", language, name=esc(item.returned_by_kabid),
                       arahan=esc(item.returned.arahan or "-")))
    elif item.returned is not None:
        lines.append(t("fill.returned_arahan", language, arahan=esc(item.returned.arahan or "-")))
    if item.current is not None:
        lines.append(t("fill.current_value", language, value=value_text(item.current.value, indicator, language)))
        buttons.append([(t("fill.keep_button", language), pack(Button.FILL_KEEP, number, item.indicator.id))])
    lines.append("")
    lines.append(t("fill.ask_value", language, example=t(f"fill.example_{example_of(indicator)}", language)))
    return Screen.of("\n".join(lines), buttons, question=number)


def unlocked_line(item: Item, language: str, viewer: int | None) -> str:
    """An item open again because a unit member asked: the Sekretaris unlocked it, no arahan of theirs."""
    unlock, code = item.unlock, esc(item.indicator.code)
    reason = esc(unlock.reason or "-")
    if unlock.requested_by_id == viewer:
        return t("fill.unlocked_for_you", language, code=code, reason=reason)
    return t("fill.unlocked_for", language, code=code, name=esc(unlock.requested_by), reason=reason)


def example_of(indicator: Indicator) -> str:
    """Which example fits the value asked (`fill.example_*`): whole, with a decimal, Rupiah, or a growth rate."""
    kind = value_kind(indicator)
    if kind is ValueKind.MONEY:
        return "money"
    if kind is ValueKind.GROWTH:
        return "growth"
    if kind is ValueKind.COUNT or indicator.decimals == 0:
        return "whole"
    return "decimal"


def capaian_feedback(item: Item, language: str) -> str:
    """What was saved, under which indicator, and its capaian."""
    indicator = item.indicator
    key = "fill.saved_tercapai" if item.capaian.tercapai else "fill.saved"
    if item.capaian.value is None:
        key = "fill.saved_no_target"
    return t(key, language, code=esc(indicator.code), name=esc(indicator.name),
             value=value_text(item.current.value, indicator, language),
             capaian=capaian_text(item.capaian, language))


def ask_note(field: str, indicator: Indicator, current: str | None, language: str, number: int) -> Screen:
    text = t(f"fill.ask_{field}", language, code=esc(indicator.code))
    buttons = []
    if current:
        text += "\n\n" + t("fill.current_note", language, text=esc(current))
        buttons.append([(t("fill.keep_button", language), pack(KEEP_NOTE[field], number, indicator.id))])
    return Screen.of(text, buttons, question=number)


def ask_evidence(indicator: Indicator, count: int, language: str, number: int) -> Screen:
    text = t("fill.ask_evidence", language, code=esc(indicator.code), count=count)
    label = t("fill.next_button" if count else "fill.skip_button", language)
    return Screen.of(text, [[(label, pack(Button.FILL_NEXT, number))]], question=number)


def ambiguous(indicator: Indicator, raw: str, grouping: str, decimal: str, language: str, number: int) -> Screen:
    return Screen.of(t("fill.ambiguous", language, raw=esc(raw), code=esc(indicator.code)),
                     [[(grouping, pack(Button.FILL_AMBIGUOUS, number, 0)),
                       (decimal, pack(Button.FILL_AMBIGUOUS, number, 1))]], question=number)


def far_off(indicator: Indicator, value: str, reasons: list[str], context: Context, language: str,
            number: int) -> Screen:
    """The soft check: the value and what it was compared with (last period's value, the target, the range)."""
    compared = {
        "previous": {"value": value_text(context.previous, indicator, language)},
        "target": {"value": value_text(context.target.value, indicator, language)},
        "range": {"value": target_text(context.target, indicator, language)},
    }
    why = ", ".join(t(f"fill.far_off_{reason}", language, **compared[reason]) for reason in reasons)
    return Screen.of(t("fill.far_off", language, code=esc(indicator.code), value=value, why=why),
                     [[(t("fill.far_off_yes", language), pack(Button.FILL_FAR_OFF_SURE, number)),
                       (t("fill.far_off_no", language), pack(Button.FILL_RETYPE, number))]], question=number)


def ask_reason(language: str, number: int) -> Screen:
    return Screen.of(t("fill.ask_reason", language), question=number)


def item_block(number: int, item: Item, language: str, path: YearPath | None = None,
               period: str = "") -> str:
    """One indicator of the summary; with `path`, the year so far to the end of `period` on its own line."""
    indicator = item.indicator
    lines = [f"<b>{number}. {esc(indicator.code)}</b> {esc(indicator.name)}",
             t("fill.row", language, target=target_text(item.target, indicator, language),
               value=value_text(item.current.value if item.current else None, indicator, language),
               capaian=capaian_text(item.capaian, language))]
    if path is not None:
        lines.append(year_path_text(path, period, language))
    if item.current is not None and item.current.kendala:
        lines.append(t("fill.row_kendala", language, text=esc(item.current.kendala)))
    if item.current is not None and item.current.tindak_lanjut:
        lines.append(t("fill.row_tindak_lanjut", language, text=esc(item.current.tindak_lanjut)))
    if item.current is not None and item.current.anomaly_reason:
        lines.append(t("fill.row_reason", language, text=esc(item.current.anomaly_reason)))
    extra = [t("fill.row_evidence", language, count=item.evidence)]
    if item.entered_by:
        extra.append(t("fill.row_by", language, name=esc(item.entered_by)))
    lines.append(" · ".join(extra))
    return "\n".join(lines)


def summary(form: UnitForm, period: Period, unit_name: str, items: list[Item], language: str,
            editable: bool, unlockable: bool = False, editable_ids: set[int] | None = None, mark: int = 0,
            paths: dict[int, YearPath] | None = None, to_kabid: bool = False) -> Screen:
    """All values with capaian (and, from `paths`, the year so far against its path) and who entered them; edit
    buttons and 'Kirim' while editable, or a '🔓 unlock' button per indicator once approved. 'Kirim' carries
    `mark`, what identifies the form shown (`review.form_mark`), and says where the form goes (`to_kabid`: to the
    unit's kabid first, KABID_REVIEW)."""
    blocks = [t("fill.summary_header", language, unit=esc(unit_name), period=period_name(period, language))]
    paths = paths or {}
    blocks += [item_block(number, item, language, paths.get(item.indicator.id), period_name(period, language))
               for number, item in enumerate(items, start=1)]
    buttons: list[list[tuple[str, str]]] = []
    if editable:
        edit = [(f"✏️ {item.indicator.code}", pack(Button.FILL_EDIT, form.period_id, item.indicator.id))
                for item in items if editable_ids is None or item.indicator.id in editable_ids]
        buttons += [edit[i:i + 4] for i in range(0, len(edit), 4)]
        send = t("fill.send_button_kabid" if to_kabid else "fill.send_button", language)
        buttons.append([(send, pack(Button.FILL_SEND, form.id, mark))])
    elif unlockable:
        unlock = [(f"🔓 {item.indicator.code}", pack(Button.UNLOCK_REQUEST, form.id, item.indicator.id))
                  for item in items]
        buttons += [unlock[i:i + 4] for i in range(0, len(unlock), 4)]
        blocks.append(t("fill.unlock_hint", language))
    return Screen(blocks, buttons)


def confirm_send(form_id: int, mark: int, items: list[Item], language: str, to_kabid: bool = False) -> Screen:
    """'Are you sure': the values being sent (to the unit's kabid first, `to_kabid`), and a 'Ya, kirim' bound to
    the same form as shown."""
    rows = [t("fill.confirm_send_row", language, code=esc(item.indicator.code), name=esc(item.indicator.name),
              value=value_text(item.current.value if item.current else None, item.indicator, language))
            for item in items]
    question = t("fill.confirm_send_kabid" if to_kabid else "fill.confirm_send", language)
    text = "\n".join([question, "", t("fill.confirm_send_values", language), *rows])
    return Screen.of(text, [[(t("fill.confirm_send_yes", language), pack(Button.FILL_SEND_CONFIRM, form_id, mark)),
                             (t("common.cancel_button", language), pack(Button.FILL_SEND_CANCEL, form_id))]])


def _quoted(text: str | None) -> str:
    return esc(text) if text else "–"


def changed(edits: list[Edit], language: str) -> Screen:
    """Nothing was sent: what changed since the member was shown the form (old → new), and by whom."""
    lines = [t("fill.changed_since_shown", language)]
    for edit in edits:
        indicator, old, new = edit.indicator, edit.old, edit.new
        what = []
        if new is not None:
            if old is None or old.value != new.value:
                what.append(t("fill.changed_value", language,
                              old=value_text(old.value if old else None, indicator, language),
                              new=value_text(new.value, indicator, language)))
            for field in ("kendala", "tindak_lanjut"):
                before, after = getattr(old, field) if old else None, getattr(new, field)
                if before != after:
                    what.append(t(f"fill.changed_{field}", language, old=_quoted(before), new=_quoted(after)))
        if edit.files:
            what.append(t("fill.changed_files", language, count=edit.files))
        if what:
            lines.append(t("fill.changed_line", language, code=esc(indicator.code), name=esc(indicator.name),
                           what="; ".join(what), by=esc(", ".join(edit.by))))
    if len(lines) == 1:
        lines.append(t("fill.changed_other", language))
    lines.append(t("fill.changed_confirm_again", language))
    return Screen.of("\n".join(lines))
