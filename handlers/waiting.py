"""/tugas (/inbox): what waits for the member, one section per role, each item with the button that opens the card
to act on: the very card the notification brought (the review card, the unlock card, the report to send, the
Kepala Dinas's report), so its buttons are answered by the journeys' own handlers. The card opened is recorded as
one more copy (`handlers/cards.py: record_delivered`): decided with its buttons or elsewhere, it shows the outcome
as every copy does. A measurement opens as
`/pengukuran` shows it (its step's buttons for the member's role), a form to fill as `/isi` does.

With nothing waiting it says so, and what comes next (the deadlines ahead, the next period to open).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, tzinfo

from sqlmodel import Session
from telegram import Update

from handlers import cards
from handlers.callbacks import Button, pack, unpack
from handlers.common import Context, act, answer_expired, now_of, office_now, schedule_rules
from handlers.kepala import follow_ups
from handlers.kepala import notices as kepala
from handlers.recap_views import RecapRead, send_with_drawings
from handlers.review import notices as review
from handlers.screens import Buttons, Part, Screen, acknowledge
from i18n import t
from models.calc.dates import format_date, format_duration
from models.messaging.notices import (
    KabidReviewRequest,
    KepalaReport,
    Notice,
    ReportReady,
    ReviewRequest,
    UnlockAsked,
)
from models.office.organisation import Member
from models.plan.periods import PeriodKind, PeriodRef
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from models.timing.standing import NextUp
from models.timing.waiting import (
    FollowUpToDo,
    FormSent,
    FormToFill,
    FormToReview,
    Inbox,
    Item,
    MeasurementToDo,
    PeriodToReport,
    ReportToDispose,
    Section,
    SectionKind,
    UnitsMissing,
    UnlockToDecide,
    Waited,
    disposition_waiting,
    form_waiting_kabid,
    form_waiting_review,
    inbox,
    report_waiting,
    unlock_waiting,
)
from reports.letterhead import Letterhead
from reports.wording import esc

ITEMS_SHOWN = 8  # of a section, each with its button; the rest counted


def _waited(waited: Waited, language: str) -> tuple[str, str]:
    """(mark, "menunggu … · baku …") of an item against its step's standard."""
    return (t("tugas.late" if waited.overdue else "tugas.in_time", language),
            t("tugas.waited", language, actual=format_duration(waited.actual, language),
              standard=format_duration(waited.standard, language)))


def _due(item: FormToFill | UnitsMissing, language: str) -> str:
    if item.deadline is None:
        return ""
    return t("tugas.due_late" if item.late else "tugas.due", language, deadline=format_date(item.deadline, language))


def item_line(item: Item, language: str) -> str:
    """One line of the list."""
    if isinstance(item, FormToReview | UnlockToDecide | PeriodToReport | ReportToDispose | MeasurementToDo):
        mark, waited = _waited(item.waited, language)
    if isinstance(item, FormToReview) and item.kabid:
        return t("tugas.kabid_review_again" if item.resubmission else "tugas.kabid_review", language, mark=mark,
                 unit=esc(item.unit), period=item.period.label(language), waited=waited)
    if isinstance(item, FormToReview):
        return t("tugas.review_again" if item.resubmission else "tugas.review", language, mark=mark,
                 unit=esc(item.unit), period=item.period.label(language), waited=waited)
    if isinstance(item, UnlockToDecide):
        return t("tugas.unlock", language, mark=mark, name=esc(item.requester), code=esc(item.code),
                 unit=esc(item.unit), period=item.period.label(language), waited=waited)
    if isinstance(item, PeriodToReport):
        return t("tugas.report", language, mark=mark, period=item.period.label(language), waited=waited)
    if isinstance(item, ReportToDispose):
        return t("tugas.dispose", language, mark=mark, period=item.period.label(language), waited=waited)
    if isinstance(item, MeasurementToDo):
        key = "measure_returned" if item.returned else f"measure_{item.task.value}"
        return t(f"tugas.{key}", language, mark=mark, period=item.quarter.label(language), waited=waited)
    if isinstance(item, UnitsMissing):
        return t("tugas.missing", language, period=item.period.label(language), count=len(item.units),
                 units=esc(", ".join(item.units)), due=_due(item, language))
    if isinstance(item, FormToFill):
        if item.status == "returned":
            return t("tugas.fill_returned", language, period=item.period.label(language),
                     codes=esc(", ".join(item.returned_codes) or "-"))
        return t(f"tugas.fill_{item.status}", language, period=item.period.label(language), answered=item.answered,
                 total=item.total, due=_due(item, language))
    if isinstance(item, FormSent):
        return t(f"tugas.sent_{item.status}", language, period=item.period.label(language))
    if isinstance(item, FollowUpToDo):
        return t("tugas.follow_up", language, period=item.period.label(language), arahan=esc(item.arahan),
                 codes=esc(", ".join(item.codes) or "-"))
    raise TypeError(f"no line for {item!r}")


def item_button(item: Item, language: str) -> tuple[str, str] | None:
    """The button that opens the item's card (none for what is only said)."""
    if isinstance(item, FormToReview):
        opens = pack(Button.INBOX_KABID_REVIEW, item.form_id) if item.kabid else pack(Button.INBOX_REVIEW, item.form_id)
        return t("tugas.button_review", language, unit=item.unit, period=item.period.label(language)), opens
    if isinstance(item, UnlockToDecide):
        return (t("tugas.button_unlock", language, code=item.code, unit=item.unit, period=item.period.label(language)),
                pack(Button.INBOX_UNLOCK, item.request_id))
    if isinstance(item, PeriodToReport):
        return t("tugas.button_report", language, period=item.period.label(language)), pack(Button.INBOX_REPORT,
                                                                                            item.period_id)
    if isinstance(item, ReportToDispose):
        return t("tugas.button_dispose", language, period=item.period.label(language)), pack(Button.INBOX_DISPOSE,
                                                                                             item.period_id)
    if isinstance(item, MeasurementToDo):
        return (t("tugas.button_measurement", language, period=item.quarter.label(language)),
                pack(Button.MEASUREMENT_PERIOD, item.quarter.year, item.quarter.number))
    if isinstance(item, FormToFill):
        key = "tugas.button_fix" if item.status == "returned" else "tugas.button_fill"
        return t(key, language, period=item.period.label(language)), pack(Button.FILL_PERIOD, item.period_id)
    if isinstance(item, FollowUpToDo):
        return t("notify.follow_up_done_button", language), pack(Button.FOLLOW_UP_DONE, item.follow_up_id)
    return None


def section_block(section: Section, language: str) -> tuple[str, Buttons]:
    title = t(f"tugas.section_{section.kind.value}", language, unit=esc(section.unit or ""))
    shown = section.items[:ITEMS_SHOWN]
    lines = [title, *(item_line(item, language) for item in shown)]
    if len(section.items) > ITEMS_SHOWN:
        lines.append(t("tugas.more", language, count=len(section.items) - ITEMS_SHOWN))
    if not section.items:
        lines.append(t("tugas.section_empty", language))
    buttons = [[button] for item in shown if (button := item_button(item, language)) is not None]
    return "\n".join(lines), buttons


def next_lines(next_up: NextUp, tz: tzinfo, language: str) -> str:
    """What comes next when nothing waits: the deadlines ahead, the next period to open, and that the member will be
    told when something comes."""
    lines = [t("tugas.next_deadline", language, period=ref.label(language), deadline=format_date(deadline, language))
             for ref, deadline in next_up.deadlines]
    if next_up.opening is not None:
        ref, moment = next_up.opening
        lines.append(t("tugas.next_opening", language, period=ref.label(language),
                       date=format_date(moment.astimezone(tz).date(), language)))
    lines.append(t("tugas.next_told", language))
    return "\n".join(lines)


def inbox_screens(session: Session, member: Member, now: datetime, rules: ScheduleRules) -> list[Screen]:
    """/tugas: each role's section with its items' buttons; nothing waiting: said, with what comes next."""
    language = member.language
    found: Inbox = inbox(session, member, now, rules)
    blocks, buttons = [], []
    follow_ups = kepala_follow_ups(session, found, now, language)
    if found.empty:
        blocks.append(t("tugas.nothing", language))
        for section in found.sections:  # a kabid still sees where his unit's forms stand
            if section.items:
                block, _ = section_block(section, language)
                blocks.append(block)
        blocks += follow_ups
        blocks.append(next_lines(found.next_up, rules.tz, language))
        return [Screen(blocks)]
    blocks.append(t("tugas.header", language))
    for section in found.sections:
        block, rows = section_block(section, language)
        blocks.append(block)
        buttons += rows
    return [Screen([*blocks, *follow_ups], buttons)]


def kepala_follow_ups(session: Session, found: Inbox, now: datetime, language: str) -> list[str]:
    """For the Kepala Dinas: which units have followed up her latest arahan, and which not yet (nothing waits
    for her there: the units act)."""
    if not any(section.kind is SectionKind.KEPALA for section in found.sections):
        return []
    block = follow_ups.recap_block(session, PeriodRef(PeriodKind.MONTH, now.year, now.month), language)
    return [block] if block else []


async def tugas_command(update: Update, context: Context) -> None:
    """/tugas: what waits for the member, with a button to each card to act on."""
    await act(update, context, lambda s, m: inbox_screens(s, m, office_now(context), schedule_rules(context)))


# -- the cards behind the buttons -------------------------------------------------------------------------
Shown = list[tuple[Notice, int]]  # the notice a card opened shows, and whose copy it is (member id)
Card = Callable[[Session, Member, int, ScheduleRules, list[RecapRead], Shown], list[Screen]]


def review_card(session: Session, member: Member, form_id: int, rules: ScheduleRules,
                reads: list[RecapRead], shown: Shown) -> list[Screen]:
    """The form's review card, as the notification brought it, at its current version."""
    form, resubmission = form_waiting_review(session, member, form_id)
    notice = ReviewRequest(form.id, form.version, resubmission)
    shown.append((notice, member.id))
    return review.review_request(session, member, notice, now_of(session), rules)


def kabid_card(session: Session, member: Member, form_id: int, rules: ScheduleRules,
               reads: list[RecapRead], shown: Shown) -> list[Screen]:
    """The kabid's card of a form his staff sent him (KABID_REVIEW), at its current version."""
    form, resubmission = form_waiting_kabid(session, member, form_id)
    return review.kabid_review_request(session, member, KabidReviewRequest(form.id, form.version, resubmission),
                                       now_of(session), rules)


def unlock_card(session: Session, member: Member, request_id: int, rules: ScheduleRules,
                reads: list[RecapRead], shown: Shown) -> list[Screen]:
    request = unlock_waiting(session, member, request_id)
    notice = UnlockAsked(request.id)
    shown.append((notice, member.id))
    return review.unlock_request(session, member, notice, now_of(session), rules)


def report_card(session: Session, member: Member, period_id: int, rules: ScheduleRules,
                reads: list[RecapRead], shown: Shown) -> list[Screen]:
    period = report_waiting(session, member, period_id)
    notice = ReportReady(period.id)
    shown.append((notice, member.id))
    return kepala.report_ready(session, member, notice, now_of(session), rules)


def disposition_card(session: Session, member: Member, period_id: int, rules: ScheduleRules,
                     reads: list[RecapRead], shown: Shown, *, letterhead: Letterhead) -> list[Screen]:
    """The Kepala Dinas's report of the period again (album, recap with Setuju / Beri arahan, the Laporan DRAF
    on the office's letterhead), read here and drawn after the transaction."""
    period = disposition_waiting(session, member, period_id)
    notice = KepalaReport(period.id)
    shown.append((notice, member.id))
    reads.append(kepala.kepala_report(session, member, notice, now_of(session), rules, letterhead=letterhead))
    return []


CARDS: dict[Button, Card] = {Button.INBOX_REVIEW: review_card, Button.INBOX_KABID_REVIEW: kabid_card,
                             Button.INBOX_UNLOCK: unlock_card,
                             Button.INBOX_REPORT: report_card, Button.INBOX_DISPOSE: disposition_card}
BUTTONS = frozenset(CARDS)
DOCUMENT_CARDS = frozenset({Button.INBOX_DISPOSE})  # cards that make a document: told the `letterhead` too


def record_copies(context: Context, chat_id: int, shown: Shown, sent: list[tuple[Part, int]]) -> None:
    """The cards just sent are copies like those the notifications brought: recorded, so a decision edits them."""
    with session_scope(context.bot_data.engine) as session:
        for notice, member_id in shown:
            cards.record_delivered(session, notice, member_id, chat_id, [part for part, _ in sent],
                                   [message_id for _, message_id in sent])


async def on_button(update: Update, context: Context) -> None:
    """A button of the list: the item's card as a new message (the list keeps its buttons, to open the next)."""
    pressed = unpack(update.callback_query.data)
    if pressed is None or pressed.button not in CARDS:
        await answer_expired(update, context)
        return
    await acknowledge(update)
    card, rules, reads, shown = CARDS[pressed.button], schedule_rules(context), [], []
    documents = {"letterhead": context.bot_data.letterhead} if pressed.button in DOCUMENT_CARDS else {}
    screens = await act(update, context, lambda s, m: card(s, m, *pressed.ids, rules, reads, shown, **documents),
                        send=False)
    if screens is None:
        return
    chat_id, sent = update.effective_chat.id, []
    await send_with_drawings(context, chat_id, reads, screens, sent=sent)
    if shown and sent:
        await asyncio.to_thread(record_copies, context, chat_id, shown, sent)
