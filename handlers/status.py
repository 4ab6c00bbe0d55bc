"""/status and /rekap: where every unit stands, and the recap of a period with its charts (and each unit's
📎 Bukti)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import datetime

from sqlmodel import Session, select
from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from handlers import evidence
from handlers.common import Context, act, office_now, schedule_rules
from handlers.fill.views import period_name
from handlers.recap_views import mutu_baku_block, recap_album, recap_blocks
from handlers.screens import Screen, send_screens
from i18n import t
from models.collection.form_filling import form_items, open_periods, receipts, unit_indicators
from models.collection.forms import UnitForm
from models.collection.progress import period_progress, period_units
from models.collection.recap import compute_recap
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.organisation import Member, Role, unit_members
from models.office.permissions import Action, require, roles_of_member
from models.plan.periods import Period, PeriodCodeError, find_period, parse_scope
from models.timing.mutu_baku import timeline
from models.timing.schedule import ScheduleRules
from reports.render_pool import RENDER_POOL
from reports.wording import esc

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
        return [Screen.of(t("status.no_open_period", language))]
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


def _scope(session: Session, argument: str | None):
    """The period named by the argument, else the latest open one, else the latest stored one."""
    return parse_scope(argument) if argument else latest_scope(session)


def latest_scope(session: Session):
    """The latest open period, else the latest stored one (None: no period yet)."""
    periods = open_periods(session) or sorted(session.exec(select(Period)).all(), key=lambda p: p.sort_key)
    return periods[-1].ref if periods else None


def recap_screens(session: Session, member: Member, argument: str | None, now: datetime,
                  rules: ScheduleRules, charts: dict | None = None) -> list[Screen]:
    """The recap as text; what its charts need goes into `charts` (drawn afterwards, off the database thread)."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    try:
        scope = _scope(session, argument)
    except PeriodCodeError:
        return [Screen.of(t("recap.bad_period", language, value=esc(argument)))]
    if scope is None:
        return [Screen.of(t("recap.nothing", language))]
    recap = compute_recap(session, scope, language)
    progress = None
    if not isinstance(scope, int):
        period = find_period(session, scope)
        progress = period_progress(session, period, now.date(), rules.tz) if period else None
    blocks = recap_blocks(recap, language, progress)
    buttons = []
    if progress is not None:
        blocks.insert(1, period_clock(session, period, now, rules, language))
        buttons = evidence.unit_buttons(session, member, progress)  # each unit's 📎 Bukti the member may see
    if charts is not None:
        charts.update(recap=recap, progress=progress, language=language)
    return [Screen(blocks, buttons)]


async def status_command(update: Update, context: Context) -> None:
    """/status: completeness per unit for the open periods, and the member's own remaining items."""
    await act(update, context, lambda s, m: status_screens(s, m, office_now(context), schedule_rules(context)))


async def recap_command(update: Update, context: Context) -> None:
    """/rekap [periode]: the charts of a period (default: the latest open one) as an album, then the recap.

    The charts are drawn in the chart pool while the chat shows "sending photo…", so other members' updates
    are served meanwhile."""
    argument = context.args[0] if context.args else None
    charts: dict = {}
    screens = await act(update, context, lambda s, m: recap_screens(s, m, argument, office_now(context),
                                                                    schedule_rules(context), charts), send=False)
    if screens is None:
        return
    chat_id = update.effective_chat.id
    if charts:
        with suppress(TelegramError):  # a hint only
            await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        album = await asyncio.get_running_loop().run_in_executor(
            RENDER_POOL, recap_album, charts["recap"], charts["language"], charts["progress"])
        screens = [album, *screens]
    await send_screens(context, chat_id, screens)
