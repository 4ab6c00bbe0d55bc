"""The staff journey through a form, as functions of (session, member, input) → screens.

They run in a worker thread inside one transaction: each answer is saved the moment it is given, and the next
question is derived from what is stored, so leaving, /batal, a restart or another bot process loses nothing.
The chat state (`models.messaging.chat_state`) only says what the member's next message means.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from handlers import bound
from handlers.callbacks import Button, pack
from handlers.common import now_of, rules_of
from handlers.fill import views
from handlers.screens import Screen, free_text_problem, joined
from i18n import t
from i18n.codes import text_key
from models.calc.numbers import AmbiguousNumber, NumberError, format_number, parse_number
from models.collection.form_filling import (
    Item,
    attach_evidence_text,
    check_fillable,
    context_for,
    far_off_reasons,
    fillable,
    fillable_periods,
    first_pending,
    form_item,
    form_items,
    keep_value,
    note_receipt,
    record_note,
    record_value,
    returned_ids,
    step_subject,
    unit_indicators,
    year_paths,
)
from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import MAX_EVIDENCE_TEXT, EvidenceKind, Realisasi, evidence_counts, latest_revision
from models.collection.review import edits_since, form_mark, goes_to_kabid, submit_unit_form
from models.collection.workflow import form_for
from models.errors import ErrorCode, WorkflowError
from models.messaging.chat_state import ChatStep, clear_state, get_state, question_of, set_state
from models.office.organisation import Member, Unit
from models.office.permissions import Action, require
from models.plan.indicators import Indicator, check_admissible
from models.plan.periods import Period
from reports.wording import esc, value_text

NOTE_STEPS = {"kendala": ChatStep.FILL_KENDALA, "tindak_lanjut": ChatStep.FILL_TINDAK_LANJUT}  # by field


def start(session: Session, member: Member) -> list[Screen]:
    """/isi: the open period of the member's unit (or a choice when several are open)."""
    language = member.language
    require(session, member, Action.FILL_FORM, target_unit_id=member.unit_id)
    periods = [p for p in fillable_periods(session, member.unit_id) if unit_indicators(session, member.unit_id, p)]
    if not periods:
        clear_state(session, member.id)
        return [Screen.of(t("fill.no_open_period", language))]
    if len(periods) == 1:
        return walk(session, member, periods[0], resume=True)
    buttons = [[(views.period_name(p, language), pack(Button.FILL_PERIOD, p.id))] for p in periods]
    return [Screen.of(t("fill.choose_period", language), buttons)]


def walk(session: Session, member: Member, period: Period | None, prefix: list[Screen] | None = None,
         resume: bool = False) -> list[Screen]:
    """Ask the first pending item of the form, or show the summary when nothing is pending. `resume` (/isi, "Isi
    sekarang"): a form with anything entered says where the member takes it up (`resumed`)."""
    language = member.language
    require(session, member, Action.FILL_FORM, target_unit_id=member.unit_id)
    if period is None:
        return [Screen.of(t("common.expired_button", language))]
    screens = list(prefix or [])
    note_receipt(session, member, period, now=now_of(session))
    form = form_for(session, member.unit_id, period.id)
    unit = session.get(Unit, member.unit_id)
    items = form_items(session, form)
    status = FormStatus(form.status)
    if status in (FormStatus.WAITING_KABID, FormStatus.SUBMITTED, FormStatus.APPROVED):
        clear_state(session, member.id)
        screens.append(Screen.of(t(f"fill.form_{status.value}", language, period=views.period_name(period, language))))
        screens.append(views.summary(form, period, unit.name, items, language, editable=False,
                                     unlockable=status is FormStatus.APPROVED,
                                     paths=year_paths(session, period, items)))
        return screens
    if not fillable(period, form):
        clear_state(session, member.id)
        screens.append(Screen.of(t(text_key(ErrorCode.PERIOD_CLOSED), language,
                                   period=views.period_name(period, language))))
        return screens
    pending = first_pending(items)
    if pending is None:
        clear_state(session, member.id)
        editable_ids = returned_ids(session, form) if status is FormStatus.RETURNED else None
        to_kabid = goes_to_kabid(session, form, member.id, rules_of(session).kabid_review)
        screens.append(views.summary(form, period, unit.name, items, language, editable=True,
                                     editable_ids=editable_ids, mark=form_mark(session, form),
                                     paths=year_paths(session, period, items), to_kabid=to_kabid))
        return screens
    position = (items.index(pending) + 1, len(items))
    if pending.current is None or pending.returned is not None:
        number = set_state(session, member.id, ChatStep.FILL_VALUE, period_id=period.id,
                           indicator_id=pending.indicator.id)
        asked = views.question(pending, context_for(session, pending.indicator, period), period, position,
                               language, number, viewer=member.id)
    else:
        field = "kendala" if pending.needs_kendala else "tindak_lanjut"
        asked = _ask_note(session, member, pending.indicator, period, field)
    done = sum(item.current is not None for item in items)
    if resume and done:
        return [*screens, *bound.with_notice(resumed(pending, done, len(items), language), [asked])]
    return [*screens, asked]


def resumed(pending: Item, done: int, total: int, language: str) -> str:
    """Where a form is taken up again: the indicator, and its value saved so far or how many have one."""
    where = views.where(pending.indicator, pending.current.value if pending.current else None, language)
    if pending.current is not None:
        return t("fill.resume", language, where=where)
    return t("fill.resume_count", language, where=where, done=done, total=total)


def ask_item(session: Session, member: Member, period: Period, indicator: Indicator) -> list[Screen]:
    """Edit one indicator from the summary: its question with the current value to keep."""
    require(session, member, Action.FILL_FORM, target_unit_id=member.unit_id)
    if period is None or indicator is None:
        return [Screen.of(t("common.expired_button", member.language))]
    form = form_for(session, member.unit_id, period.id)
    check_fillable(session, period, form, indicator.id)
    items = form_items(session, form)
    item = next((i for i in items if i.indicator.id == indicator.id), None)
    if item is None:
        return walk(session, member, period)
    number = set_state(session, member.id, ChatStep.FILL_VALUE, period_id=period.id, indicator_id=indicator.id)
    return [views.question(item, context_for(session, indicator, period), period,
                           (items.index(item) + 1, len(items)), member.language, number, viewer=member.id)]


def _ask_note(session: Session, member: Member, indicator: Indicator, period: Period, field: str) -> Screen:
    current = latest_revision(session, indicator.id, period.id)
    number = set_state(session, member.id, NOTE_STEPS[field], period_id=period.id, indicator_id=indicator.id,
                       revision=current.revision if current else None)
    return views.ask_note(field, indicator, getattr(current, field) if current else None, member.language, number)


def _target(session: Session, data: dict) -> tuple[Period, Indicator]:
    return step_subject(session, data["period_id"], data["indicator_id"])


def answer_value(session: Session, member: Member, text: str) -> list[Screen]:
    """A typed value: parsed the Indonesian way; invalid → the same question again; ambiguous → asked back."""
    _, data = get_state(session, member.id)
    period, indicator = _target(session, data)
    language = member.language
    try:
        value = parse_number(text, decimals=indicator.decimals, satuan=indicator.satuan)
    except AmbiguousNumber as exc:
        grouping, decimal = exc.candidates
        number = set_state(session, member.id, ChatStep.FILL_AMBIGUOUS, period_id=period.id,
                           indicator_id=indicator.id, candidates=[format(grouping, "f"), format(decimal, "f")],
                           raw=text.strip())
        return [_ambiguous(indicator, text.strip(), (grouping, decimal), language, number)]
    except NumberError as exc:
        return [_refused(exc, text.strip(), language)] + ask_item(session, member, period, indicator)
    return accept_value(session, member, period, indicator, value)


def _refused(exc: NumberError, raw: str, language: str) -> Screen:
    """Why a typed value is not taken: not a number, or not admissible for the indicator (`fill.invalid_*`)."""
    details = {name: esc(str(value)) for name, value in exc.details.items()}
    return Screen.of(t(text_key(exc.code), language, raw=esc(raw), **details))


def _ambiguous(indicator: Indicator, raw: str, candidates: tuple[Decimal, Decimal], language: str,
               number: int) -> Screen:
    grouping, decimal = candidates
    return views.ambiguous(indicator, raw, format_number(grouping, None, language),
                           format_number(decimal, None, language), language, number)


def choose_candidate(session: Session, member: Member, index: int) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != ChatStep.FILL_AMBIGUOUS or index not in (0, 1):
        return [Screen.of(t("common.expired_button", member.language))]
    period, indicator = _target(session, data)
    return accept_value(session, member, period, indicator, Decimal(data["candidates"][index]))


def accept_value(session: Session, member: Member, period: Period, indicator: Indicator, value: Decimal,
                 reason: str | None = None) -> list[Screen]:
    """Store the value, unless it is not admissible for the indicator (refused, the question again) or far off
    and not yet confirmed with a reason; then the capaian."""
    language = member.language
    try:
        check_admissible(value, indicator)
    except NumberError as exc:
        return [_refused(exc, format_number(value, None, language), language)] + \
            ask_item(session, member, period, indicator)
    if reason is None:
        context = context_for(session, indicator, period)
        reasons = far_off_reasons(value, context)
        if reasons:
            number = set_state(session, member.id, ChatStep.FILL_FAR_OFF, period_id=period.id,
                               indicator_id=indicator.id, value=format(value, "f"))
            return [views.far_off(indicator, value_text(value, indicator, language), reasons, context, language,
                                  number)]
    row = record_value(session, member, indicator, period, value, anomaly_reason=reason, now=now_of(session))
    return after_value(session, member, period, indicator, row)


def after_value(session: Session, member: Member, period: Period, indicator: Indicator,
                current: Realisasi | None = None) -> list[Screen]:
    """The capaian of the value just entered (`current`, None when it was kept), then its notes or evidence."""
    item = form_item(session, form_for(session, member.unit_id, period.id), period, indicator, current)
    if item is None:  # the indicator left the form meanwhile (deactivated, moved to another unit)
        return walk(session, member, period)
    feedback = Screen.of(views.capaian_feedback(item, member.language))
    if item.below_target:
        return saved_and_next(feedback, [_ask_note(session, member, indicator, period, "kendala")])
    return saved_and_next(feedback, [_ask_evidence(session, member, period, indicator, item.evidence)])


def saved_and_next(saved: Screen, next_screens: list[Screen]) -> list[Screen]:
    """What was saved (the value and its capaian, or the evidence) on top of the next question, in one message: one
    Telegram call per answered step, and the saved value stays in the chat history above what is asked next.

    The next question is a new message, never the previous question's card edited: an answer is filed under a
    question only when the member's message is newer than the message that shows it
    (`models.messaging.chat_state.Question.unseen`; message ids of a private chat increase over both sides'
    messages). A new message's id is newer than everything the member sent before it arrived; an edit keeps the
    card's older id, so an answer typed for the previous question while the edit was on its way (after the card,
    before the edit) would pass as the answer to a question its author never saw. (Telegram dates are whole
    seconds, too coarse to tell "before the edit" from "after".)"""
    return joined([saved, *next_screens])


def _ask_evidence(session: Session, member: Member, period: Period, indicator: Indicator, count: int) -> Screen:
    number = set_state(session, member.id, ChatStep.FILL_EVIDENCE, period_id=period.id, indicator_id=indicator.id)
    return views.ask_evidence(indicator, count, member.language, number)


def evidence_saved(session: Session, member: Member, period: Period, indicator: Indicator) -> list[Screen]:
    """The evidence question shown again with its new count, under its number and first message, so that
    several files sent together all answer it."""
    count = evidence_counts(session, period.id).get(indicator.id, 0)
    question = question_of(session, member.id)
    if question is None or question.step is not ChatStep.FILL_EVIDENCE:
        return [_ask_evidence(session, member, period, indicator, count)]
    return [views.ask_evidence(indicator, count, member.language, question.number)]


def _where(session: Session, member: Member, _step: ChatStep, data: dict) -> str:
    """Where the member is in the form's question: the indicator and its value saved so far, if any."""
    period, indicator = _target(session, data)
    current = latest_revision(session, indicator.id, period.id)
    return views.where(indicator, current.value if current else None, member.language)


def ask_anew(session: Session, member: Member) -> list[Screen]:
    """The current question asked again under a new number and message, the evidence question too (after an
    update that did not answer it: `bound.open_again`)."""
    step, data = get_state(session, member.id)
    if step is not ChatStep.FILL_EVIDENCE:
        return ask_again(session, member)
    period, indicator = _target(session, data)
    return [_ask_evidence(session, member, period, indicator, evidence_counts(session, period.id).get(indicator.id, 0))]


def _question_name(session: Session, member: Member, step: ChatStep, data: dict) -> str:
    """A question of the form as the member reads it: the indicator and what is asked of it."""
    indicator = session.get(Indicator, data["indicator_id"])
    return t("fill.question_label", member.language, code=esc(indicator.code), name=esc(indicator.name),
             asked=t(f"fill.asked_{views.ASKED[step]}", member.language))


def answer_evidence_text(session: Session, member: Member, text: str) -> list[Screen]:
    """A typed message at the evidence question: a link or a short text stored as evidence (at most
    `MAX_EVIDENCE_TEXT` characters, else refused), then the question again with its new count. The label of its
    button typed ("Lewati", "Lanjut") is the button."""
    language = member.language
    if not text.strip():
        return [Screen.of(t("fill.evidence_hint", language))]
    if text.strip().casefold() in {t(key, language).casefold() for key in ("fill.skip_button", "fill.next_button")}:
        return next_item(session, member)  # "lanjut" typed instead of pressed: no evidence
    if len(text.strip()) > MAX_EVIDENCE_TEXT:
        return [Screen.of(t("fill.evidence_text_too_long", language, limit=MAX_EVIDENCE_TEXT,
                            length=len(text.strip())))]
    _, data = get_state(session, member.id)
    period, indicator = _target(session, data)
    evidence = attach_evidence_text(session, member, indicator, period, text, now=now_of(session))
    kind = "link" if evidence.evidence_kind is EvidenceKind.LINK else "text"
    saved = Screen.of(t(f"fill.evidence_{kind}_saved", language, code=esc(indicator.code)))
    return saved_and_next(saved, evidence_saved(session, member, period, indicator))


def unseen_answer(session: Session, member: Member, what: str, message_id: int,
                  reply_to: int | None) -> list[Screen] | None:
    """A message or file that does not answer the form's question shown: not saved, the member told, and the
    question asked again (`handlers.bound`). None when it answers it (or no question of the form is asked)."""
    return bound.unseen_answer(session, member, what, message_id, reply_to, QUESTIONS)


def ask_again(session: Session, member: Member) -> list[Screen]:
    """The current question asked again, as a new message under a new number (what it holds is kept; the
    evidence question keeps its number, `evidence_saved`)."""
    step, data = get_state(session, member.id)
    period, indicator = _target(session, data)
    language = member.language
    if step is ChatStep.FILL_VALUE:
        return ask_item(session, member, period, indicator)
    if step is ChatStep.FILL_EVIDENCE:
        return evidence_saved(session, member, period, indicator)
    number = set_state(session, member.id, step, **data)
    if step is ChatStep.FILL_AMBIGUOUS:
        grouping, decimal = (Decimal(candidate) for candidate in data["candidates"])
        raw = data.get("raw") or format_number(grouping, None, language)  # rows of older versions have no raw
        return [_ambiguous(indicator, raw, (grouping, decimal), language, number)]
    if step is ChatStep.FILL_FAR_OFF:
        value = Decimal(data["value"])
        context = context_for(session, indicator, period)
        reasons = far_off_reasons(value, context)
        if not reasons:  # no longer far off (its target or last period changed meanwhile): the value again
            return ask_item(session, member, period, indicator)
        return [views.far_off(indicator, value_text(value, indicator, language), reasons, context, language,
                              number)]
    if step is ChatStep.FILL_FAR_OFF_REASON:
        return [views.ask_reason(language, number)]
    field = next(name for name, note_step in NOTE_STEPS.items() if note_step is step)
    current = latest_revision(session, indicator.id, period.id)
    return [views.ask_note(field, indicator, getattr(current, field) if current else None, language, number)]


QUESTIONS = {step: bound.Bound(_question_name, ask_again, where=_where, anew=ask_anew)
             for step in views.ASKED}  # the form's questions


def confirm_far_off(session: Session, member: Member) -> list[Screen]:
    step, data = get_state(session, member.id)
    if step != ChatStep.FILL_FAR_OFF:
        return [Screen.of(t("common.expired_button", member.language))]
    number = set_state(session, member.id, ChatStep.FILL_FAR_OFF_REASON, **data)
    return [views.ask_reason(member.language, number)]


def retype(session: Session, member: Member) -> list[Screen]:
    _, data = get_state(session, member.id)
    if "period_id" not in data:
        return [Screen.of(t("common.expired_button", member.language))]
    period, indicator = _target(session, data)
    return ask_item(session, member, period, indicator)


def answer_reason(session: Session, member: Member, text: str) -> list[Screen]:
    _, data = get_state(session, member.id)
    if problem := free_text_problem(text, member.language):
        return problem
    period, indicator = _target(session, data)
    return accept_value(session, member, period, indicator, Decimal(data["value"]), reason=text.strip())


def answer_note(session: Session, member: Member, field: str, text: str | None) -> list[Screen]:
    """Kendala, then tindak lanjut (both required below target); `text` None keeps the stored one. When a
    colleague changed the value meanwhile, the note is not attached to their value: the item is asked again."""
    _, data = get_state(session, member.id)
    period, indicator = _target(session, data)
    current = latest_revision(session, indicator.id, period.id)
    if current is not None and data.get("revision") not in (None, current.revision) and \
            current.entered_by_id != member.id:
        colleague = session.get(Member, current.entered_by_id) if current.entered_by_id else None
        notice = Screen.of(t("fill.changed_by_colleague", member.language,
                             name=esc(colleague.name if colleague else "-")))
        return [notice, *ask_item(session, member, period, indicator)]
    if text is not None:
        if problem := free_text_problem(text, member.language):
            return problem
        record_note(session, member, indicator, period, field, text.strip(), now=now_of(session))
    if field == "kendala":
        return [_ask_note(session, member, indicator, period, "tindak_lanjut")]
    item = form_item(session, form_for(session, member.unit_id, period.id), period, indicator)
    if item is None:
        return walk(session, member, period)
    return [_ask_evidence(session, member, period, indicator, item.evidence)]


def keep(session: Session, member: Member, indicator_id: int) -> list[Screen]:
    """'Tetap': keep the current value of a returned or edited item and go on to its notes and evidence."""
    step, data = get_state(session, member.id)
    if step != ChatStep.FILL_VALUE or data.get("indicator_id") != indicator_id:
        return [Screen.of(t("common.expired_button", member.language))]
    period, indicator = _target(session, data)
    keep_value(session, member, indicator, period, now=now_of(session))
    return after_value(session, member, period, indicator)


def next_item(session: Session, member: Member) -> list[Screen]:
    """'Lewati'/'Lanjut' after evidence: on to the next pending item."""
    step, data = get_state(session, member.id)
    if step != ChatStep.FILL_EVIDENCE:
        return [Screen.of(t("common.expired_button", member.language))]
    return walk(session, member, session.get(Period, data["period_id"]))


def ask_submit(session: Session, member: Member, form_id: int, mark: int) -> list[Screen]:
    """'Kirim' on a summary: the values about to be sent, to confirm; the form again when it changed since."""
    form = session.get(UnitForm, form_id)
    if form is None:
        return [Screen.of(t("common.expired_button", member.language))]
    require(session, member, Action.SUBMIT_FORM, target_unit_id=form.unit_id, entity="unit_form", entity_id=form.id)
    status = FormStatus(form.status)
    if status not in (FormStatus.DRAFT, FormStatus.RETURNED):
        return walk(session, member, session.get(Period, form.period_id))
    if mark != form_mark(session, form):
        return changed(session, member, form, mark)
    to_kabid = goes_to_kabid(session, form, member.id, rules_of(session).kabid_review)
    return [views.confirm_send(form.id, mark, form_items(session, form), member.language, to_kabid)]


def changed(session: Session, member: Member, form: UnitForm, mark: int) -> list[Screen]:
    """Nothing sent: what changed since the member was shown the form and by whom, then the form as it is now."""
    notice = views.changed(edits_since(session, form, mark), member.language)
    return walk(session, member, session.get(Period, form.period_id), prefix=[notice])


def submit(session: Session, member: Member, form_id: int, mark: int) -> list[Screen]:
    """'Ya, kirim': the form is sent only as it was shown (`mark`), else it is shown again with what changed."""
    try:
        form = submit_unit_form(session, member, form_id, seen=mark, now=now_of(session),
                                kabid_review=rules_of(session).kabid_review)
    except WorkflowError as exc:
        if exc.code is ErrorCode.INCOMPLETE:
            return [Screen.of(t("fill.incomplete", member.language, codes=esc(", ".join(exc.details["codes"]))))]
        if exc.code is ErrorCode.FORM_CHANGED:
            return changed(session, member, session.get(UnitForm, form_id), mark)
        raise
    clear_state(session, member.id)
    period = session.get(Period, form.period_id)
    unit = session.get(Unit, form.unit_id)
    items = form_items(session, form)
    # the values sent stay in view under the news: the pressed card is edited into both (`act`'s `in_place`)
    sent = "fill.sent_to_kabid" if FormStatus(form.status) is FormStatus.WAITING_KABID else "fill.sent"
    return joined([Screen.of(t(sent, member.language, period=views.period_name(period, member.language))),
                   views.summary(form, period, unit.name, items, member.language,
                                 editable=False, paths=year_paths(session, period, items))])


def cancel_submit(session: Session, member: Member, form_id: int) -> list[Screen]:
    """'Batal' on the confirmation: nothing sent, and the form's summary again with its buttons."""
    cancelled = Screen.of(t("fill.send_cancelled", member.language))
    form = session.get(UnitForm, form_id)
    if form is None:
        return [cancelled]
    return joined(walk(session, member, session.get(Period, form.period_id), prefix=[cancelled]))
