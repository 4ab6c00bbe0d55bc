"""/status and /rekap: where every unit stands, and the recap of a period on one screen with its album (and the
per-unit detail and each unit's 📎 Bukti on request)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select
from telegram import Update

from handlers import evidence
from handlers.callbacks import Button, pack, unpack
from handlers.common import Context, act, answer_expired, office_now, schedule_rules
from handlers.fill.views import period_name
from handlers.kepala import follow_ups
from handlers.period_choice import choice_screen, refusal, scope_choices, scope_of, typed_scope, with_years
from handlers.recap_views import (
    RecapRead,
    detail_buttons,
    mutu_baku_block,
    recap_lines,
    recap_text,
    send_with_drawings,
    unit_blocks,
)
from handlers.screens import Screen, acknowledge
from i18n import t
from models.calc.dates import format_date
from models.collection.form_filling import form_items, open_periods, receipts, unit_indicators
from models.collection.forms import UnitForm
from models.collection.progress import period_progress, period_units
from models.collection.recap import compute_recap
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.organisation import Member, Role, unit_members
from models.office.permissions import Action, require, roles_of_member
from models.plan.period_words import PeriodWordsError
from models.plan.periods import Period, PeriodRef, find_period, recent_periods
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from models.timing.standing import last_period_standing, next_up
from reports import heavy
from reports.wording import esc, scope_label

FAILED_SHOWN = 10


def period_clock(session: Session, period: Period, now: datetime, rules: ScheduleRules, language: str) -> str:
    """The mutu baku block of a period, with how many members have opened their form."""
    members = {m.id for unit in period_units(session, period) for m in unit_members(session, unit.id)}
    received = len(receipts(session, period) & members)
    return mutu_baku_block(timeline(session, period, now, rules), language, received, len(members))


def status_screens(session: Session, member: Member, now: datetime, rules: ScheduleRules) -> list[Screen]:
    require(session, member, Action.VIEW_STATUS)
    language = member.language
    periods = open_periods(session)
    if not periods:
        return [no_open_period(session, language, now, rules)]
    blocks = []
    for period in periods:
        lines = [t("status.period_header", language, period=period_name(period, language))]
        for progress in period_progress(session, period, now.date(), rules.tz):
            lines.append(t("status.unit_line", language, unit=esc(progress.unit.name),
                           status=t(f"status.{progress.status}", language), answered=progress.answered,
                           total=progress.total,
                           timing=t("status.late" if progress.late else "status.on_time", language)))
        if unit_indicators(session, member.unit_id, period):
            form = session.exec(select(UnitForm).where(UnitForm.unit_id == member.unit_id,
                                                       UnitForm.period_id == period.id)).first()
            items = form_items(session, form) if form else []
            pending = [item.indicator.code for item in items if item.pending] if form else \
                [indicator.code for indicator in unit_indicators(session, member.unit_id, period)]
            lines.append(t("status.yours_pending", language, codes=esc(", ".join(pending)))
                         if pending else t("status.yours_done", language))
        blocks.append("\n".join(lines))
        blocks.append(period_clock(session, period, now, rules, language))
    if Role.ADMIN in roles_of_member(session, member):
        failed = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
                              .order_by(OutboxMessage.id.desc()).limit(FAILED_SHOWN)).all()
        if failed:
            lines = [t("status.failed_header", language)]
            for row in failed:
                lines.append(f"• {esc(session.get(Member, row.member_id).name)}: {esc(row.error or '-')}")
            blocks.append("\n".join(lines))
    return [Screen(blocks)]


def no_open_period(session: Session, language: str, now: datetime, rules: ScheduleRules) -> Screen:
    """Nothing open: where the last period stands (archived, waiting for the Kepala Dinas, units missing…), when
    the next one opens, and /tugas for what waits for the member; never a dead end."""
    lines = [t("status.no_open_period", language)]
    standing = last_period_standing(session, now, rules)
    if standing is None:
        lines.append(t("status.no_period_yet", language))
    else:
        stage = t(f"status.stage_{standing.stage.value}", language, units=esc(", ".join(standing.units_missing)),
                  count=standing.forms_to_review)
        lines.append(t("status.last_period", language, period=standing.period.label(language), stage=stage))
    if (opening := next_up(session, now, rules).opening) is not None:
        ref, moment = opening
        lines.append(t("status.next_opening", language, period=ref.label(language),
                       date=format_date(moment.astimezone(rules.tz).date(), language)))
    lines.append(t("status.tugas_hint", language))
    return Screen.of("\n".join(lines))


RECENT_SHOWN = 6  # the periods /rekap, /ekspor and /laporan offer without one (then the year)


def recap_choice(session: Session, language: str) -> list[Screen]:
    """/rekap alone: the latest months and triwulan opened (so holding data), and their year, to press."""
    periods = recent_periods(session, RECENT_SHOWN)
    if not periods:
        return [Screen.of(t("recap.nothing", language))]
    return choice_screen("recap", scope_choices(with_years(periods), language,
                                                          lambda scope: pack(Button.RECAP_PERIOD, scope)), language)


def recap_screens(session: Session, member: Member, asked: str | PeriodRef | int | None, now: datetime,
                  rules: ScheduleRules, reads: list[RecapRead]) -> list[Screen]:
    """The recap of a period (or a year) as the Kepala Dinas's report shows it: read here into `reads` (plain
    data, drawn by `recap_command` after the transaction has ended); a problem is a screen returned instead.

    `asked`: the period as typed (`april`, `tw1`, `2026`…, read by the injected clock's date), as chosen from the
    buttons, or None: the choice of recent periods is returned."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    if not asked:
        return recap_choice(session, language)
    try:
        scope = typed_scope(asked, now.date()) if isinstance(asked, str) else asked
    except PeriodWordsError as error:
        return refusal(error, language)
    recap = compute_recap(session, scope, language)
    label = scope_label(recap, language)
    header = t("recap.header", language, period=label)
    period = None if isinstance(scope, int) else find_period(session, scope)
    code = str(scope) if isinstance(scope, int) else scope.code
    if period is None:  # a year, or a period not stored: no forms, no per-unit detail, no Laporan
        text = recap_text(["\n".join([header, *recap_lines(recap, language, None)])], "",
                          t("recap.export_hint", language, code=code))
        reads.append(RecapRead(language, header, heavy.album_data(recap, label, language), text, []))
        return []
    progress = period_progress(session, period, now.date(), rules.tz)
    blocks = ["\n".join([header, *recap_lines(recap, language, progress)])]
    own = [unit for unit in progress if unit.unit.id == member.unit_id]
    if own and Role.KABID in roles_of_member(session, member):  # a Kepala Bidang sees their own unit's line
        blocks.append("\n".join(unit_blocks(t("recap.your_unit", language), recap, own, language)))
    blocks.append(follow_ups.recap_block(session, period.ref, language))  # the latest arahan's follow-ups
    text = recap_text(blocks, period_clock(session, period, now, rules, language),
                      t("recap.detail_hint", language, code=code))
    buttons = detail_buttons(period.id, evidence.unit_buttons(session, member, progress), language)
    reads.append(RecapRead(language, header, heavy.album_data(recap, label, language, progress), text, buttons))
    return []


async def status_command(update: Update, context: Context) -> None:
    """/status: completeness per unit for the open periods, and the member's own remaining items."""
    await act(update, context, lambda s, m: status_screens(s, m, office_now(context), schedule_rules(context)))


async def recap_command(update: Update, context: Context) -> None:
    """/rekap [periode]: the recap of a period (`april`, `tw1`, `2026-04`…; alone: a choice of recent periods) or a
    year, as the Kepala Dinas's report: one album of at most ten pictures, then one message with the per-unit
    detail's button.

    The recap is read in the command's transaction; the album is drawn after it ended, in the chart pool, while
    the chat shows "sending photo…", so no lock is held meanwhile and other members' updates are served."""
    await _recap(update, context, " ".join(context.args or []) or None)


async def on_recap_period(update: Update, context: Context) -> None:
    """A period pressed in /rekap's choice: what typing it after /rekap shows."""
    pressed = unpack(update.callback_query.data)
    scope = scope_of(pressed.ids[0]) if pressed else None
    if scope is None:
        await answer_expired(update, context)
        return
    await acknowledge(update)
    await _recap(update, context, scope)


async def _recap(update: Update, context: Context, asked: str | PeriodRef | int | None) -> None:
    """/rekap's work for a typed or pressed period (None: the choice)."""
    reads: list[RecapRead] = []
    screens = await act(update, context, lambda s, m: recap_screens(s, m, asked, office_now(context),
                                                                    schedule_rules(context), reads), send=False)
    if screens is None:
        return
    await send_with_drawings(context, update.effective_chat.id, reads, screens)
