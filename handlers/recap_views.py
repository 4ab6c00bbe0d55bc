"""The recap in chat, on one screen whatever the office's size: one album of at most ten pictures
(`reports.recap_album`), one message of at most `RECAP_LIMIT` characters with its buttons, and, for a report, the
full detail as a PDF. The Kepala Dinas's report of a period (`handlers/kepala/notices.py`), `/rekap`
(`handlers/status.py`) and the measurement report to the Kepala Dinas (`handlers/measurement/notices.py`) share it.

Read, then drawn: each caller reads a `RecapRead` (plain data: the album's data, the message, its buttons, the
Laporan's rows) while its session is open; `draw_recap` draws it after the transaction has ended (in the chart
pool), touching no ORM object, so no lock is held while it draws (on SQLite every transaction, a read too, holds
the write lock: the whole bot would wait).

The recap message counts, never lists in full: the tercapai count, the few lowest indicators, the late units
(named up to `UNITS_NAMED`), the SOP clock and where the rest is (the PDF, the per-unit button).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, replace

from telegram.constants import ChatAction
from telegram.error import TelegramError

from handlers.callbacks import Button, pack
from handlers.common import Context
from handlers.drawn import LaterDocument, drawn_now
from handlers.render import split_blocks, telegram_length
from handlers.screens import Album, Buttons, Document, Part, Screen, send_screens
from i18n import t
from models.calc.dates import format_duration
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.timing.mutu_baku import StepTiming
from models.timing.steps import SOP_NUMBER
from reports import heavy
from reports.render_pool import RENDER_POOL
from reports.wording import capaian_text, esc, step_state, tercapai_lines

RECAP_LIMIT = 1500  # characters: one phone screen
NAME_CHARS = 60  # of an indicator's name in the recap message
NOTE_CHARS = 120  # of a kendala or tindak lanjut in the per-unit detail
UNITS_NAMED = 5  # late units named; the rest counted
EVIDENCE_INLINE = 4  # 📎 buttons under the recap itself; more go behind "Rincian per unit"


@dataclass(frozen=True)
class PdfRead:
    """The Laporan (DRAF) that follows the recap as a PDF: its rows read, its charts not drawn yet (the album's
    pictures go in)."""

    laporan: heavy.Laporan
    filename: str
    caption: str


@dataclass(frozen=True)
class RecapRead:
    """A recap as read from the database: plain data only, drawn after the session ended (`draw_recap`)."""

    language: str
    caption: str  # the album's
    album: heavy.AlbumData
    text: str  # the recap message, one screen
    buttons: Buttons
    pdf: PdfRead | None = None


def draw_recap(read: RecapRead) -> list[Screen | LaterDocument]:
    """One album (at most ten pictures), the recap message with its buttons, then the PDF (the album's pictures
    in it), drawn only when its turn to be sent comes: the buttons never wait for a long PDF."""
    pictures = tuple(picture.png for picture in heavy.draw_album(read.album))
    screens: list[Screen | LaterDocument] = [Screen([], media=Album(pictures, read.caption)),
                                             Screen([read.text], read.buttons)]
    if read.pdf is not None:
        pdf = read.pdf

        def document() -> Document:
            return Document(pdf.filename, heavy.render_laporan(replace(pdf.laporan, charts=pictures), read.language),
                            pdf.caption)

        screens.append(LaterDocument(document))
    return screens


def short(text: str, chars: int = NAME_CHARS) -> str:
    """`text` on one line, cut to `chars` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def _named(names: list[str], language: str) -> str:
    shown = esc(", ".join(short(name, 40) for name in names[:UNITS_NAMED]))
    if len(names) <= UNITS_NAMED:
        return shown
    return t("kepala.and_more", language, names=shown, count=len(names) - UNITS_NAMED)


def recap_lines(recap: Recap, language: str, progress: list[UnitProgress] | None) -> list[str]:
    """The counts of the recap message: tercapai, the lowest few, missing values, the units' forms."""
    lines = tercapai_lines(recap, language,
                           lambda row: f"{short(row.indicator.name)} ({short(row.unit_name, 40)})")
    missing = sum(1 for row in recap.rows if row.realisasi is None)
    if missing:
        lines.append(t("kepala.missing_count", language, count=missing))
    if progress:
        approved = sum(1 for unit in progress if unit.status == "approved")
        late = [unit.unit.name for unit in progress if unit.late]
        lines.append(t("kepala.units_count", language, approved=approved, total=len(progress), late=len(late)))
        if late:
            lines.append(t("recap.late", language, units=_named(late, language)))
    return lines


def recap_text(blocks: list[str], clock: str, hint: str) -> str:
    """The recap message: `blocks` (the first one headed), the SOP `clock` and the `hint` to the detail, within
    `RECAP_LIMIT`: the clock is left out when long names would push it over, and whole lines are cut as a last
    resort (the hint stays: it says where the rest is)."""
    text = "\n\n".join(part for part in [*blocks, clock, hint] if part)
    if telegram_length(text) <= RECAP_LIMIT:
        return text
    body = "\n\n".join(part for part in blocks if part)
    text = f"{body}\n\n{hint}"
    if telegram_length(text) <= RECAP_LIMIT:
        return text
    room = RECAP_LIMIT - telegram_length(hint) - 4  # "\n…\n\n"
    return split_blocks(body.split("\n"), room, "\n")[0] + "\n…\n\n" + hint


def detail_buttons(period_id: int, evidence: Buttons, language: str) -> Buttons:
    """The per-unit detail of a period, and the units' 📎 buttons while there are few of them (more are under
    the per-unit detail)."""
    return [[(t("kepala.units_button", language), pack(Button.KEPALA_UNITS, period_id))],
            *(evidence if len(evidence) <= EVIDENCE_INLINE else [])]


def unit_line(unit: UnitProgress, rows: list[RecapRow], language: str) -> str:
    """A unit's form, how many of its indicators are tercapai, its lowest with its kendala and tindak lanjut."""
    measured = [row for row in rows if row.capaian.value is not None]
    tercapai = sum(1 for row in measured if row.capaian.tercapai)
    line = t("kepala.unit_line", language, unit=esc(unit.unit.name), status=t(f"status.{unit.status}", language),
             answered=unit.answered, total=unit.total, tercapai=tercapai, measured=len(measured))
    if unit.late:
        line += t("kepala.unit_late", language)
    below = [row for row in measured if not row.capaian.tercapai]
    if below:
        low = min(below, key=lambda row: row.capaian.value)
        line += "\n" + t("kepala.unit_lowest", language, code=esc(low.indicator.code),
                         name=esc(short(low.indicator.name, 50)), capaian=capaian_text(low.capaian, language))
        if low.kendala:
            line += "\n" + t("fill.row_kendala", language, text=esc(short("; ".join(low.kendala), NOTE_CHARS)))
        if low.tindak_lanjut:
            line += "\n" + t("fill.row_tindak_lanjut", language,
                             text=esc(short("; ".join(low.tindak_lanjut), NOTE_CHARS)))
    return line


def unit_blocks(header: str, recap: Recap, progress: list[UnitProgress], language: str) -> list[str]:
    """One block per unit (`unit_line`), under `header`."""
    rows: dict[int, list[RecapRow]] = defaultdict(list)
    for row in recap.rows:
        rows[row.indicator.unit_id].append(row)
    return [header, *(unit_line(unit, rows[unit.unit.id], language) for unit in progress)]


def mutu_baku_block(timings: list[StepTiming], language: str, received: int | None = None,
                    members: int | None = None, procedure: str = "mutu_baku") -> str:
    """The SOP's clock of a period (`procedure` "mutu_baku", procedure A) or of a measurement ("mutu_baku_b"):
    each step's working time against its standard, marked ✅ / ⚠️ / ⏳."""
    lines = [t(f"{procedure}.header", language)]
    for timing in timings:
        mark, actual = step_state(timing, language)
        if timing.running:
            actual = t("mutu_baku.running", language, actual=actual)
        lines.append(t("mutu_baku.line", language, mark=mark, number=SOP_NUMBER[timing.step],
                       step=t(f"{procedure}.{timing.step.value}", language), actual=actual,
                       standard=format_duration(timing.standard, language)))
    if received is not None and members:
        lines.append(t("mutu_baku.receipts", language, count=received, total=members))
    return "\n".join(lines)


async def send_with_drawings(context: Context, chat_id: int, reads: list[RecapRead], screens: list[Screen], *,
                             sent: list[tuple[Part, int]] | None = None) -> None:
    """Send a reply whose recaps were read in its transaction: each drawn now in the render pool (the upload
    chat action shown meanwhile), its pictures before the screens. `sent`: as `send_screens`'s."""
    for read in reads:
        with suppress(TelegramError):  # a hint only
            await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        drawn = await asyncio.get_running_loop().run_in_executor(RENDER_POOL, draw_recap, read)
        screens = [*drawn_now(drawn), *screens]
    await send_screens(context, chat_id, screens, sent=sent)
