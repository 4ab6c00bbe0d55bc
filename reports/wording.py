"""Words for the domain's values, shared by the chat and the documents: numbers with their satuan, targets, capaian,
the recap's summary lines and the state of an SOP step. Text from users is escaped for HTML."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape

from i18n import t
from models.calc.capaian import CapaianResult, Polarity, Target
from models.calc.dates import format_duration
from models.calc.numbers import format_number, format_percent, round_half_up
from models.calc.year_path import YearPath
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.plan.indicators import Indicator
from models.timing.mutu_baku import StepTiming

RATING_MARK = {"sangat_tinggi": "🟢", "tinggi": "🟢", "sedang": "🟡", "rendah": "🟠", "sangat_rendah": "🔴"}


def esc(text: object) -> str:
    """User text made safe for HTML parse mode."""
    return escape("" if text is None else str(text), quote=False)


def _number(value: Decimal | None, indicator: Indicator, language: str) -> str:
    if value is None:
        return "–"
    return format_number(value, None, language) if value == value.to_integral_value() else \
        format_number(round_half_up(value, max(indicator.decimals, 2)), None, language)


def value_text(value: Decimal | None, indicator: Indicator, language: str) -> str:
    if value is None:
        return "–"
    number = _number(value, indicator, language)
    satuan = indicator.satuan.strip()
    if satuan.lower() in ("rp", "rupiah"):
        return f"Rp{number}"
    if satuan == "%":
        return f"{number}%"
    return f"{number} {esc(satuan)}"


def value_change_text(old: Decimal | None, new: Decimal | None, indicator: Indicator, language: str) -> str:
    """A value's change, its satuan said once: "90 → 92 NIB"; a sign that sticks to its number stays on both
    ("95% → 97%", "Rp1.000 → Rp1.200")."""
    satuan = indicator.satuan.strip()
    if satuan.lower() in ("rp", "rupiah") or satuan == "%" or new is None:
        return f"{value_text(old, indicator, language)} → {value_text(new, indicator, language)}"
    return f"{_number(old, indicator, language)} → {value_text(new, indicator, language)}"


def target_text(target: Target, indicator: Indicator, language: str) -> str:
    if Polarity(indicator.polarity) is Polarity.RANGE:
        if target.lower is None and target.upper is None:
            return "–"
        low = target.lower if target.lower is not None else target.upper
        high = target.upper if target.upper is not None else target.lower
        return f"{value_text(low, indicator, language)} – {value_text(high, indicator, language)}"
    return value_text(target.value, indicator, language)


def capaian_text(result: CapaianResult, language: str) -> str:
    if result.value is None:
        return "–"
    rating = result.rating.value
    return f"{format_percent(result.rounded, 2, language)} {RATING_MARK[rating]} {t(f'rating.{rating}', language)}"


def year_path_text(path: YearPath | None, period: str, language: str) -> str:
    """"Capaian tahunan s.d. Triwulan I: 25% dari target setahun (sesuai jalur: 25%) 🟢": realisasi to date against
    the year's target, coloured by the capaian against the target to date (`models.calc.year_path`). No PK: None."""
    if path is None:
        return t("year_path.none", language, period=period)
    mark = RATING_MARK[path.rating.value] if path.rating is not None else ""
    fields = {"period": period, "mark": mark, "annual": format_percent(path.annual.rounded, 2, language),
              "path": format_percent(path.path.rounded, 2, language)}
    if Polarity(path.rule.polarity) is Polarity.RANGE:
        key = "year_path.line_range"
    elif path.share is not None:
        key = "year_path.line"
    else:
        key = "year_path.line_level"
    return t(key, language, share=format_percent(path.share, 2, language), **fields).rstrip()


LOWEST_SHOWN = 3


def scope_label(recap: Recap, language: str) -> str:
    return str(recap.scope) if isinstance(recap.scope, int) else recap.scope.label(language)


def tercapai_lines(recap: Recap, language: str,
                   describe: Callable[[RecapRow], str] = lambda row: row.indicator.name) -> list[str]:
    """How many indicators are tercapai, then the lowest few below target, each as its code, `describe(row)`
    (plain text, escaped here) and its capaian."""
    measured = [row for row in recap.rows if row.capaian.value is not None]
    tercapai = sum(1 for row in measured if row.capaian.tercapai)
    lines = [t("recap.tercapai", language, count=tercapai, total=len(measured))]
    lowest = sorted((row for row in measured if not row.capaian.tercapai), key=lambda row: row.capaian.value)
    if lowest:
        lines.append(t("recap.lowest", language))
        lines += [f"• {esc(row.indicator.code)} {esc(describe(row))}: {capaian_text(row.capaian, language)}"
                  for row in lowest[:LOWEST_SHOWN]]
    return lines


def summary_lines(recap: Recap, language: str, progress: list[UnitProgress] | None = None) -> list[str]:
    """How many indicators are tercapai, the lowest ones, those without realisasi, and the late units."""
    lines = tercapai_lines(recap, language)
    missing = [row for row in recap.rows if row.realisasi is None]
    if missing:
        lines.append(t("recap.missing", language, codes=", ".join(esc(row.indicator.code) for row in missing)))
    late = [p.unit.name for p in progress or [] if p.late]
    if late:
        lines.append(t("recap.late", language, units=esc(", ".join(late))))
    return lines


def step_state(timing: StepTiming, language: str) -> tuple[str, str]:
    """A step's mark (✅ within its standard, ⚠️ over it, ⏳ running, ▫️ not started) and its working time."""
    if timing.started_at is None:
        return t("mutu_baku.waiting", language), t("mutu_baku.not_started", language)
    if timing.automatic and timing.ended_at is not None:
        return t("mutu_baku.ok", language), t("mutu_baku.automatic", language)
    mark = t("mutu_baku.late" if timing.overdue else "mutu_baku.pending" if timing.running else "mutu_baku.ok",
             language)
    return mark, format_duration(timing.actual, language)
