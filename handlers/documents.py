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

from handlers.callbacks import Button, pack, unpack
from handlers.common import Context, act, answer_expired, office_now, schedule_rules
from handlers.period_choice import choice_screen, refusal, scope_choices, scope_of, typed_scope, with_years
from handlers.screens import Document, Screen, acknowledge, send_screens
from handlers.status import RECENT_SHOWN
from i18n import t
from i18n.codes import text_key
from models.office.organisation import Member
from models.office.permissions import Action, require
from models.plan.period_words import PeriodWordsError, parse_period_only
from models.plan.periods import PeriodKind, PeriodRef, recent_periods
from models.reporting.archive import Procedure
from reports import heavy
from reports.export_bundle import BOT_UPLOAD_LIMIT, bundle_export, scope_bundle_name, scope_files
from reports.export_kinds import ExportError, ExportKind, export_kind, includes_drafts
from reports.letterhead import Letterhead
from reports.render_pool import RENDER_POOL
from reports.wording import esc

MEASUREMENT_WORDS = ("pengukuran", "measurement")  # /laporan TW1 pengukuran: the Pengukuran's Laporan
# the kinds a year has
YEAR_WIDE = (ExportKind.SEMUA, ExportKind.KERTAS_KERJA, ExportKind.REKAPITULASI, ExportKind.DATA, ExportKind.LKJIP)


def export_screens(session: Session, member: Member, arguments: list[str], now: datetime,
                   evidence_dir: Path | None = None, letterhead: Letterhead | None = None) -> list[Screen]:
    """/ekspor [periode] [semua|kertas|rekap|formulir|bukti|data] [semua-data]: the workbooks as documents (default: all
    of them), or the evidence ZIP, of approved values only unless `semua-data` asks for the others too (marked).
    The period is in any words `period_words` reads (`april`, `tw1 2026`, `2026`); without one, a choice."""
    require(session, member, Action.EXPORT)
    language = member.language
    words = [word.lower() for word in arguments]
    kinds = [kind for kind in map(export_kind, words) if kind]  # e.g. /ekspor 2026-TW1 formulir
    kind = kinds[0] if kinds else ExportKind.SEMUA
    include_drafts = any(map(includes_drafts, words))
    rest = " ".join(word for word in words if export_kind(word) is None and not includes_drafts(word))
    if not rest:
        periods = recent_periods(session, RECENT_SHOWN)
        if not periods:
            return [Screen.of(t("recap.nothing", language))]
        scopes = with_years(periods) if kind in YEAR_WIDE else periods
        kind_id = list(ExportKind).index(kind)
        drafts = int(include_drafts)
        return choice_screen("export", scope_choices(
            scopes, language, lambda scope: pack(Button.EXPORT_PERIOD, scope, kind_id, drafts)), language)
    try:
        scope = typed_scope(rest, now.date())
    except PeriodWordsError as error:
        return refusal(error, language)
    return export_scope(session, member, scope, kind, include_drafts, now, evidence_dir, letterhead)


def export_scope(session: Session, member: Member, scope: PeriodRef | int, kind: ExportKind, include_drafts: bool,
                 now: datetime, evidence_dir: Path | None = None,
                 letterhead: Letterhead | None = None) -> list[Screen]:
    """The files of /ekspor for a period typed or pressed: all of them (`semua`, the default) in one ZIP, a kind
    asked by name (`formulir`, `bukti`, …) as its own file(s); on the office's `letterhead` (settings), as the
    command line's `export` makes them."""
    require(session, member, Action.EXPORT)
    language = member.language
    evidence = None
    try:
        if kind is ExportKind.SEMUA:
            files, evidence = scope_files(session, scope, language, today=now.date(), tz=now.tzinfo,
                                          include_drafts=include_drafts, evidence_dir=evidence_dir,
                                          letterhead=letterhead)
        else:
            files = heavy.export_files(session, scope, kind, language, today=now.date(), tz=now.tzinfo,
                                       include_drafts=include_drafts, evidence_dir=evidence_dir,
                                       letterhead=letterhead)
    except ExportError as exc:
        return [Screen.of(t(text_key(exc.code), language, **{k: esc(v) for k, v in exc.details.items()}))]
    if kind is ExportKind.SEMUA:
        return bundle_screens(session, scope, files, evidence, language)
    if any(len(file.data) > BOT_UPLOAD_LIMIT for file in files):  # a large evidence archive
        return [too_large(language)]
    return [Screen([], media=Document(file.filename, file.data, esc(file.title))) for file in files]


def bundle_screens(session: Session, scope: PeriodRef | int, files: list[heavy.ExportFile],
                   evidence: heavy.ExportFile | None, language: str, limit: int = BOT_UPLOAD_LIMIT) -> list[Screen]:
    """The one ZIP of /ekspor <periode>, and a word on the evidence if it would not fit in with the workbooks
    (`limit`: Telegram's, smaller in a test)."""
    label = scope.label(language) if isinstance(scope, PeriodRef) else t("workbook.scope_year", language, year=scope)
    bundle = bundle_export(files, evidence, limit, name=scope_bundle_name(session, scope, language))
    if bundle is None:
        return [too_large(language)]
    with_evidence = evidence is not None and not bundle.evidence_left_out
    caption = t("documents.bundle_caption_evidence" if with_evidence else "documents.bundle_caption", language,
                period=label, count=len(files))
    screens = [Screen([], media=Document(bundle.filename, bundle.data, esc(caption)))]
    if bundle.evidence_left_out:
        code = scope.code if isinstance(scope, PeriodRef) else str(scope)
        screens.append(Screen.of(t("documents.evidence_separately", language,
                                   limit=BOT_UPLOAD_LIMIT // (1024 * 1024), command=f"/ekspor {code} bukti")))
    return screens


def too_large(language: str) -> Screen:
    return Screen.of(t("documents.too_large", language, limit=BOT_UPLOAD_LIMIT // (1024 * 1024)))


def laporan_screens(session: Session, member: Member, arguments: list[str], now, rules,
                    letterhead: Letterhead) -> list[Screen]:
    """/laporan [periode] [pengukuran]: the filed Laporan of an archived period or triwulan measurement (a DRAF
    before). The period is a month or a triwulan in any words `period_words` reads; without one, a choice."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    measurement = any(word.lower() in MEASUREMENT_WORDS for word in arguments)
    rest = " ".join(word for word in arguments if word.lower() not in MEASUREMENT_WORDS)
    if not rest:
        periods = recent_periods(session, RECENT_SHOWN, PeriodKind.QUARTER if measurement else None)
        if not periods:
            return [Screen.of(t("recap.nothing", language))]
        return choice_screen("laporan", scope_choices(
            periods, language, lambda scope: pack(Button.LAPORAN_PERIOD, scope, int(measurement))), language)
    try:
        scope = parse_period_only(rest, now.date())
    except PeriodWordsError as error:
        return refusal(error, language)
    return laporan_scope(session, member, scope, measurement, now, rules, letterhead)


def laporan_scope(session: Session, member: Member, scope: PeriodRef, measurement: bool, now, rules,
                  letterhead: Letterhead) -> list[Screen]:
    """The Laporan of /laporan for a period typed or pressed (the Pengukuran's of a triwulan if asked)."""
    require(session, member, Action.VIEW_RECAP)
    language = member.language
    procedure = Procedure.MEASUREMENT if scope.kind is PeriodKind.QUARTER and measurement else Procedure.COLLECTION
    document = heavy.laporan_file(session, scope, procedure, now, rules, language, letterhead)
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
                      context.bot_data.evidence_dir, context.bot_data.letterhead)


async def laporan_command(update: Update, context: Context) -> None:
    """/laporan [periode] [pengukuran]: the Laporan Hasil Pengukuran Kinerja as a PDF."""
    await _send_files(update, context, laporan_screens, list(context.args or []), office_now(context),
                      schedule_rules(context), context.bot_data.letterhead, pool=RENDER_POOL)


async def on_export_period(update: Update, context: Context) -> None:
    """A period pressed in /ekspor's choice: the files typing it after /ekspor (with the same kind) sends."""
    pressed = unpack(update.callback_query.data)
    scope = scope_of(pressed.ids[0]) if pressed else None
    kinds = list(ExportKind)
    if scope is None or not 0 <= pressed.ids[1] < len(kinds) or pressed.ids[2] not in (0, 1):
        await answer_expired(update, context)
        return
    await acknowledge(update)
    await _send_files(update, context, export_scope, scope, kinds[pressed.ids[1]], bool(pressed.ids[2]),
                      office_now(context), context.bot_data.evidence_dir, context.bot_data.letterhead)


async def on_laporan_period(update: Update, context: Context) -> None:
    """A period pressed in /laporan's choice: the Laporan typing it after /laporan sends."""
    pressed = unpack(update.callback_query.data)
    scope = scope_of(pressed.ids[0]) if pressed else None
    if not isinstance(scope, PeriodRef) or pressed.ids[1] not in (0, 1):
        await answer_expired(update, context)
        return
    await acknowledge(update)
    await _send_files(update, context, laporan_scope, scope, bool(pressed.ids[1]), office_now(context),
                      schedule_rules(context), context.bot_data.letterhead, pool=RENDER_POOL)
