"""/ekspor and /laporan: the Excel workbooks of a period and its Laporan Hasil Pengukuran Kinerja (PDF).

Files are built in a worker thread (the PDF with its charts in the chart pool) while the chat shows
"sending file…", then sent as documents in reply to the member's own command.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from pathlib import Path

from sqlmodel import Session
from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from handlers.common import Context, act, office_now, schedule_rules
from handlers.screens import Document, Screen, send_screens
from handlers.status import latest_scope
from i18n import t
from i18n.codes import text_key
from models.office.organisation import Member
from models.office.permissions import Action, require
from models.plan.periods import PeriodCodeError, PeriodKind, parse_scope
from models.reporting.archive import Procedure
from reports import heavy
from reports.export_kinds import ExportError, ExportKind, export_kind, includes_drafts
from reports.render_pool import RENDER_POOL
from reports.wording import esc

BOT_UPLOAD_LIMIT = 50 * 1024 * 1024  # the largest file a bot may send


def export_screens(session: Session, member: Member, arguments: list[str], now: datetime,
                   evidence_dir: Path | None = None) -> list[Screen]:
    """/ekspor [periode] [semua|kertas|rekap|formulir|bukti] [semua-data]: the workbooks as documents (default: all
    of them), or the evidence ZIP, of approved values only unless `semua-data` asks for the others too (marked)."""
    require(session, member, Action.EXPORT)
    language = member.language
    words = [word.lower() for word in arguments]
    kinds = [kind for kind in map(export_kind, words) if kind]  # e.g. /ekspor 2026-TW1 formulir
    include_drafts = any(map(includes_drafts, words))
    rest = [word for word in words if export_kind(word) is None and not includes_drafts(word)]
    try:
        scope = parse_scope(rest[0]) if rest else latest_scope(session)
    except PeriodCodeError:
        return [Screen.of(t("recap.bad_period", language, value=esc(rest[0])))]
    if scope is None:
        return [Screen.of(t("recap.nothing", language))]
    try:
        files = heavy.export_files(session, scope, kinds[0] if kinds else ExportKind.SEMUA, language,
                                   today=now.date(), tz=now.tzinfo, include_drafts=include_drafts,
                                   evidence_dir=evidence_dir)
    except ExportError as exc:
        return [Screen.of(t(text_key(exc.code), language, **{k: esc(v) for k, v in exc.details.items()}))]
    if any(len(file.data) > BOT_UPLOAD_LIMIT for file in files):  # a large evidence archive
        return [Screen.of(t("documents.too_large", language, limit=BOT_UPLOAD_LIMIT // (1024 * 1024)))]
    return [Screen([], media=Document(file.filename, file.data, esc(file.title))) for file in files]


def laporan_screens(session: Session, member: Member, arguments: list[str], now, rules) -> list[Screen]:
    """/laporan [periode]: the filed Laporan of an archived period or triwulan measurement (a DRAF before)."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    try:
        scope = parse_scope(arguments[0]) if arguments else latest_scope(session)
    except PeriodCodeError:
        scope = None
    if scope is None or isinstance(scope, int):
        return [Screen.of(t("laporan_views.bad_period", language, value=esc(arguments[0] if arguments else "")))]
    procedure = Procedure.MEASUREMENT if scope.kind is PeriodKind.QUARTER and len(arguments) > 1 and \
        arguments[1].lower() in ("pengukuran", "measurement") else Procedure.COLLECTION
    document = heavy.laporan_file(session, scope, procedure, now, rules, language)
    if document is None:
        return [Screen.of(t("laporan_views.none_yet", language, period=scope.label(language)))]
    caption = t("measurement.document_caption", language, title=document.title, period=scope.label(language))
    return [Screen([], media=Document(document.filename, document.data, esc(caption)))]


async def _send_files(update: Update, context: Context, work, *args, pool=None) -> None:
    """Build the member's files off the event loop with "sending file…" shown, then send them."""
    chat_id = update.effective_chat.id
    with suppress(TelegramError):  # a hint only
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    screens = await act(update, context, work, *args, send=False, executor=pool)
    if screens:
        await send_screens(context, chat_id, screens)


async def export_command(update: Update, context: Context) -> None:
    """/ekspor [periode] [jenis] [semua-data]: Formulir, Rekapitulasi and Kertas Kerja as Excel files."""
    await _send_files(update, context, export_screens, list(context.args or []), office_now(context),
                      context.bot_data.evidence_dir)


async def laporan_command(update: Update, context: Context) -> None:
    """/laporan [periode] [pengukuran]: the Laporan Hasil Pengukuran Kinerja as a PDF."""
    await _send_files(update, context, laporan_screens, list(context.args or []), office_now(context),
                      schedule_rules(context), pool=RENDER_POOL)
