"""📎 Bukti: a form's evidence sent to whoever pressed the button (SOP step 10: the Sekretaris checks realisasi
against it), if they may see the form (`models.collection.evidence.form_evidence`).

Each file goes by its Telegram file id, captioned with the unit, the period and the indicator; when Telegram no
longer takes the id (a 400, e.g. a file id of another bot or one Telegram forgot) the stored copy is uploaded
instead, and when there is none either the member is told which file is missing. Links and texts follow as one
message. The pressed message keeps its buttons (Setujui / Kembalikan stay under the review card). The Kepala
Dinas's recap notice and the /rekap screen carry one such button per unit form with evidence that the reader may
see (`unit_buttons`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.callbacks import Button, pack, unpack
from handlers.common import Context, act
from handlers.fill.views import period_name
from handlers.screens import Buttons, Screen, acknowledge, fit_caption, send_screens
from i18n import t
from models.collection.evidence import EvidenceEntry, FormEvidence, form_evidence, form_evidence_count, may_see_form
from models.collection.progress import UnitProgress
from models.collection.realisasi import EvidenceKind
from models.office.organisation import Member
from reports.evidence_files import read_stored
from reports.wording import esc

log = logging.getLogger(__name__)


def caption(listing: FormEvidence, entry: EvidenceEntry, language: str) -> str:
    """What a file (or a link) is evidence of: the unit, the period, the indicator's code and name."""
    return t("evidence.caption", language, unit=esc(listing.unit.name), period=period_name(listing.period, language),
             code=esc(entry.indicator.code), name=esc(entry.indicator.name), number=entry.number,
             file=esc(entry.evidence.file_name or t(f"evidence.kind.{entry.kind.value}", language)))


def unit_buttons(session: Session, member: Member, progress: list[UnitProgress]) -> Buttons:
    """One 📎 button per unit form with evidence that the member may see (under a recap listing the units'
    results: the Kepala Dinas's notice, /rekap); a form they may not see gets no button, not a refusal later."""
    rows = []
    for unit in progress:
        form = unit.form
        if form is None or not form.id or not may_see_form(session, member, form):
            continue
        if count := form_evidence_count(session, form):
            rows.append([(t("evidence.unit_button", member.language, unit=unit.unit.name, count=count),
                          pack(Button.EVIDENCE, form.id))])
    return rows


def texts_screen(listing: FormEvidence, language: str) -> Screen:
    """The form's links and texts, one block each (split into several messages when long)."""
    blocks = [t("evidence.texts_header", language, unit=esc(listing.unit.name),
                period=period_name(listing.period, language))]
    for entry in listing.texts:
        key = "evidence.link_line" if entry.kind is EvidenceKind.LINK else "evidence.text_line"
        blocks.append(t(key, language, code=esc(entry.indicator.code), name=esc(entry.indicator.name),
                        text=esc(entry.evidence.text or "")))
    return Screen(blocks)


async def on_button(update: Update, context: Context) -> None:
    """📎 Bukti (n): the evidence of the form the button names, to the member who pressed it."""
    query = update.callback_query
    await acknowledge(update)
    pressed = unpack(query.data)
    found: dict = {}

    def look(session: Session, member: Member) -> list[Screen]:
        listing = form_evidence(session, member, pressed.ids[0])
        found.update(listing=listing, language=member.language)
        if not listing.entries:
            return [Screen.of(t("evidence.none", member.language, unit=esc(listing.unit.name),
                                period=period_name(listing.period, member.language)))]
        return [texts_screen(listing, member.language)] if listing.texts else []

    screens = await act(update, context, look, send=False)
    chat_id = update.effective_chat.id
    if found:
        listing, language = found["listing"], found["language"]
        for entry in listing.files:
            await send_file(context, chat_id, entry, caption(listing, entry, language), language)
    if screens:  # the links and texts, or what `act` worded (a refusal); a stranger was answered by `act`
        await send_screens(context, chat_id, screens)


async def send_file(context: Context, chat_id: int, entry: EvidenceEntry, text: str, language: str) -> None:
    """One file by its Telegram id, else from its stored copy, else a line saying it is missing."""
    evidence = entry.evidence
    photo = entry.kind is EvidenceKind.PHOTO
    text = fit_caption(text)
    if evidence.telegram_file_id:
        try:
            await _send(context, chat_id, photo, evidence.telegram_file_id, text)
            return
        except BadRequest as exc:
            log.info("evidence %s: Telegram refused its file id (%s); sending the stored copy", evidence.id, exc)
    data = await asyncio.to_thread(read_stored, context.bot_data.evidence_dir, evidence.file_path)
    if data is None:
        await context.bot.send_message(chat_id, t("evidence.file_missing", language, caption=text),
                                       parse_mode=ParseMode.HTML)
        return
    name = evidence.file_name or Path(evidence.file_path or "").name or "bukti"
    try:
        await _send(context, chat_id, photo, data, text, name)
    except BadRequest:
        if not photo:
            raise
        await _send(context, chat_id, False, data, text, name)  # e.g. over Telegram's 10 MB for a photo


async def _send(context: Context, chat_id: int, photo: bool, media: str | bytes, text: str,
                name: str | None = None) -> None:
    if photo:
        await context.bot.send_photo(chat_id, media, caption=text, parse_mode=ParseMode.HTML)
    else:
        await context.bot.send_document(chat_id, media, filename=name, caption=text, parse_mode=ParseMode.HTML)
