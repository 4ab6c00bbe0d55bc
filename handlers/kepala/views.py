"""What the Kepala Dinas reads of a reported period: the recap on one screen (whatever the office's size) and,
on request, one line per unit.

The recap message stays within `RECAP_LIMIT` characters: the counts, the few lowest indicators, the late units
(named up to `UNITS_NAMED`), the SOP clock and where the rest is (the PDF, the per-unit button). Everything in
it is counted, never listed in full; the PDF has the full table.
"""

from __future__ import annotations

from collections import defaultdict

from handlers.callbacks import Button, pack
from handlers.render import split_blocks, telegram_length
from handlers.screens import Buttons
from i18n import t
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from reports.wording import capaian_text, esc, tercapai_lines

RECAP_LIMIT = 1500  # characters: one phone screen
NAME_CHARS = 60  # of an indicator's name in the recap message
NOTE_CHARS = 120  # of a kendala or tindak lanjut in the per-unit detail
UNITS_NAMED = 5  # late units named; the rest counted
EVIDENCE_INLINE = 4  # 📎 buttons under the recap itself; more go behind "Rincian per unit"


def _short(text: str, chars: int = NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def _named(names: list[str], language: str) -> str:
    shown = esc(", ".join(_short(name, 40) for name in names[:UNITS_NAMED]))
    if len(names) <= UNITS_NAMED:
        return shown
    return t("kepala.and_more", language, names=shown, count=len(names) - UNITS_NAMED)


def recap_lines(recap: Recap, language: str, progress: list[UnitProgress]) -> list[str]:
    """The counts of the recap message: tercapai, the lowest few, missing values, the units' forms."""
    lines = tercapai_lines(recap, language,
                           lambda row: f"{_short(row.indicator.name)} ({_short(row.unit_name, 40)})")
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


def recap_text(header: str, lines: list[str], clock: str, language: str) -> str:
    """The recap message: `header`, `lines`, the SOP `clock` and the hint to the detail, within `RECAP_LIMIT`:
    the clock is left out when long names would push it over, and whole lines are cut as a last resort."""
    hint = t("kepala.detail_hint", language)
    text = "\n\n".join(["\n".join([header, *lines]), clock, hint])
    if telegram_length(text) > RECAP_LIMIT:
        text = "\n\n".join(["\n".join([header, *lines]), hint])
    if telegram_length(text) > RECAP_LIMIT:
        text = split_blocks(text.split("\n"), RECAP_LIMIT - 2, "\n")[0] + "\n…"
    return text


def recap_buttons(period_id: int, evidence: Buttons, language: str) -> Buttons:
    """Setuju / Beri arahan, the per-unit detail, and the units' 📎 buttons while there are few of them."""
    buttons = [[(t("notify.agree_button", language), pack(Button.KEPALA_AGREE, period_id)),
                (t("notify.arahan_button", language), pack(Button.KEPALA_ARAHAN, period_id))],
               [(t("kepala.units_button", language), pack(Button.KEPALA_UNITS, period_id))]]
    return buttons + (evidence if len(evidence) <= EVIDENCE_INLINE else [])


def _unit_line(unit: UnitProgress, rows: list[RecapRow], language: str) -> str:
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
                         name=esc(_short(low.indicator.name, 50)), capaian=capaian_text(low.capaian, language))
        if low.kendala:
            line += "\n" + t("fill.row_kendala", language, text=esc(_short("; ".join(low.kendala), NOTE_CHARS)))
        if low.tindak_lanjut:
            line += "\n" + t("fill.row_tindak_lanjut", language,
                             text=esc(_short("; ".join(low.tindak_lanjut), NOTE_CHARS)))
    return line


def unit_blocks(header: str, recap: Recap, progress: list[UnitProgress], language: str) -> list[str]:
    """One block per unit (its form, how many of its indicators are tercapai, its lowest with its kendala and
    tindak lanjut), under `header`."""
    rows: dict[int, list[RecapRow]] = defaultdict(list)
    for row in recap.rows:
        rows[row.indicator.unit_id].append(row)
    return [header, *(_unit_line(unit, rows[unit.unit.id], language) for unit in progress)]
