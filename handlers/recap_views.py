"""The recap of a period in chat: a summary a Kepala Dinas reads on a phone, then one block per indicator."""

from __future__ import annotations

from handlers.screens import Album, Screen
from i18n import t
from models.calc.dates import format_duration
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.timing.mutu_baku import StepTiming
from models.timing.steps import SOP_NUMBER
from reports import heavy
from reports.wording import capaian_text, esc, scope_label, step_state, summary_lines, target_text, value_text


def summary_block(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> str:
    return "\n".join([t("recap.header", language, period=scope_label(recap, language)),
                      *summary_lines(recap, language, progress)])


def row_block(row: RecapRow, language: str) -> str:
    indicator = row.indicator
    lines = [f"<b>{esc(indicator.code)}</b> {esc(indicator.name)} <i>({esc(row.unit_name)})</i>",
             t("fill.row", language, target=target_text(row.target, indicator, language),
               value=value_text(row.realisasi, indicator, language), capaian=capaian_text(row.capaian, language))]
    if row.kendala:
        lines.append(t("fill.row_kendala", language, text=esc("; ".join(row.kendala))))
    if row.tindak_lanjut:
        lines.append(t("fill.row_tindak_lanjut", language, text=esc("; ".join(row.tindak_lanjut))))
    return "\n".join(lines)


def recap_blocks(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> list[str]:
    return [summary_block(recap, language, progress), *(row_block(row, language) for row in recap.rows)]


def recap_album(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> Screen:
    """The recap's charts as an album, the summary (tercapai, lowest, late units) as its caption."""
    charts = heavy.render_recap_charts(recap, scope_label(recap, language), language, progress)
    return Screen([], media=Album(charts.pngs, summary_block(recap, language, progress)))


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
