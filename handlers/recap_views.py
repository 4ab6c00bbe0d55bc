"""The recap of a period in chat: a summary a Kepala Dinas reads on a phone, then one block per indicator."""

from __future__ import annotations

from handlers.render import capaian_text, esc, target_text, value_text
from handlers.screens import Album, Screen
from i18n import t
from models.calc.dates import format_duration
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.timing.mutu_baku import StepTiming
from models.timing.steps import SOP_NUMBER
from reports.recap_charts import render_recap_charts

LOWEST_SHOWN = 3


def scope_label(recap: Recap, language: str) -> str:
    return str(recap.scope) if isinstance(recap.scope, int) else recap.scope.label(language)


def summary_block(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> str:
    return "\n".join([t("recap.header", language, period=scope_label(recap, language)),
                      *summary_lines(recap, language, progress)])


def summary_lines(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> list[str]:
    """How many indicators are tercapai, the lowest ones, those without realisasi, and the late units."""
    measured = [row for row in recap.rows if row.capaian.value is not None]
    tercapai = sum(1 for row in measured if row.capaian.tercapai)
    lines = [t("recap.tercapai", language, count=tercapai, total=len(measured))]
    lowest = sorted((row for row in measured if not row.capaian.tercapai), key=lambda row: row.capaian.value)
    if lowest:
        lines.append(t("recap.lowest", language))
        lines += [f"• {esc(row.indicator.code)} {esc(row.indicator.name)}: {capaian_text(row.capaian, language)}"
                  for row in lowest[:LOWEST_SHOWN]]
    missing = [row for row in recap.rows if row.realisasi is None]
    if missing:
        lines.append(t("recap.missing", language, codes=", ".join(esc(row.indicator.code) for row in missing)))
    late = [p.unit.name for p in progress or [] if p.late]
    if late:
        lines.append(t("recap.late", language, units=esc(", ".join(late))))
    return lines


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
    charts = render_recap_charts(recap, scope_label(recap, language), language, progress)
    return Screen([], media=Album(charts.pngs, summary_block(recap, language, progress)))


def step_state(timing: StepTiming, language: str) -> tuple[str, str]:
    """A step's mark (✅ within its standard, ⚠️ over it, ⏳ running, ▫️ not started) and its working time."""
    if timing.started_at is None:
        return t("mutu_baku.waiting", language), t("mutu_baku.not_started", language)
    if timing.automatic and timing.ended_at is not None:
        return t("mutu_baku.ok", language), t("mutu_baku.automatic", language)
    mark = t("mutu_baku.late" if timing.overdue else "mutu_baku.pending" if timing.running else "mutu_baku.ok",
             language)
    return mark, format_duration(timing.actual, language)


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
