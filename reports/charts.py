"""Recap charts for the Kepala Dinas: capaian per indicator, one indicator through the year, each unit's form.

Pure functions from plain data (`Bar`, `Trend`, `UnitBar`) to a PNG (`Rendered`), with adapters from the domain
(`bars_from_recap`, `progress_bars`, `trend_from_plan`). Only matplotlib's object API is used (a `Figure` on an
Agg canvas, never pyplot): no global state is read or changed, so charts render in a worker thread, and nothing
is cached, so a figure's memory goes with it. Every chart is 1280 px wide (Telegram shows it full width on a
phone) and grows in height with its rows; fonts are 14 pt and larger.

Words come from a `ChartTexts` (Indonesian defaults; `ChartTexts.from_lookup(lambda key: t(key, language))` takes
them from the catalogue), numbers and month names from `models.numbers` and Babel in `locale`.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from models.capaian import Rating, YearTargets, is_tercapai, month_target, quarter_target, rate, round_capaian
from models.dates import roman
from models.indicators import Frequency, Indicator, IndicatorLevel
from models.numbers import format_number, format_percent

if TYPE_CHECKING:
    from models.recap import Recap
    from models.reporting import UnitProgress

__all__ = [
    "CATALOGUE_KEYS", "Bar", "ChartTexts", "Rendered", "Trend", "TrendPoint", "UnitBar", "bars_from_recap",
    "capaian_chart", "capaian_pages", "completeness_chart", "month_labels", "progress_bars", "trend_chart",
    "trend_from_plan",
]

DPI = 100
WIDTH_PX = 1280
MAX_HEIGHT_PX = 20_000  # one chart's bound (80 MB of pixels); Telegram photos need width + height <= 10 000
CLIP_HIGH = 200  # capaian beyond these ends of the axis is drawn to the end; its true value is printed
CLIP_LOW = -100

_TITLE, _SUBTITLE, _LABEL, _VALUE, _TICK, _LEGEND = 22, 16, 15, 14, 14, 14
_LINE_IN = _LABEL * 1.25 / 72  # one line of a 15 pt label, in inches
_CHAR_PX = _LABEL / 72 * DPI * 0.56  # the average width of a character of a 15 pt label
_INK, _MUTED, _GRID, _HEADING = "#222222", "#666666", "#d9d9d9", "#e9eef5"

BAND_COLOURS = {
    Rating.SANGAT_TINGGI: "#1a7f37", Rating.TINGGI: "#7cb342", Rating.SEDANG: "#f2c12e",
    Rating.RENDAH: "#f08c2c", Rating.SANGAT_RENDAH: "#d32f2f",
}
BAND_RANGES = {  # Permendagri 86/2017, as the legend shows it
    Rating.SANGAT_TINGGI: "≥ 91%", Rating.TINGGI: "76–90%", Rating.SEDANG: "66–75%",
    Rating.RENDAH: "51–65%", Rating.SANGAT_RENDAH: "≤ 50%",
}
STATUSES = ("not_started", "draft", "submitted", "returned", "approved")
STATUS_COLOURS = {
    "not_started": "#bdbdbd", "draft": "#f2c12e", "submitted": "#1e88e5", "returned": "#e53935",
    "approved": "#2e7d32",
}
_LATE = "#b71c1c"
_BEHIND_TEXT = {"facecolor": "white", "edgecolor": "none", "pad": 3}  # lines never cross a printed value


# ------------------------------------------------------------------------ texts


@dataclass(frozen=True)
class ChartTexts:
    """Every word a chart shows; the defaults are Indonesian. Templates use `str.format` names."""

    capaian_title: str = "Capaian Kinerja {period}"
    capaian_summary: str = "Tercapai: {count} dari {total} indikator"
    capaian_axis: str = "Capaian terhadap target"
    target_line: str = "Target (100%)"
    no_data: str = "belum ada data"
    ungrouped: str = "Lainnya"
    band_sangat_tinggi: str = "Sangat Tinggi"
    band_tinggi: str = "Tinggi"
    band_sedang: str = "Sedang"
    band_rendah: str = "Rendah"
    band_sangat_rendah: str = "Sangat Rendah"
    trend_title: str = "Realisasi dan Target {code}"
    realisasi: str = "Realisasi"
    target: str = "Target"
    quarter_short: str = "TW {roman}"
    completeness_title: str = "Kelengkapan Pengisian {period}"
    completeness_summary: str = "{approved} dari {total} unit disetujui · {late} terlambat"
    completeness_axis: str = "Indikator terisi"
    status_not_started: str = "belum mulai"
    status_draft: str = "draf"
    status_submitted: str = "dikirim"
    status_returned: str = "dikembalikan"
    status_approved: str = "disetujui"
    late: str = "terlambat"
    on_time: str = "tepat waktu"

    @classmethod
    def from_lookup(cls, lookup: Callable[[str], str]) -> ChartTexts:
        """The texts from a catalogue: ``ChartTexts.from_lookup(lambda key: i18n.t(key, language))``."""
        return cls(**{name: lookup(key) for name, key in CATALOGUE_KEYS.items()})

    def band(self, band: str) -> str:
        return getattr(self, f"band_{band}", band)

    def status(self, status: str) -> str:
        return getattr(self, f"status_{status}", status)


DEFAULT_TEXTS = ChartTexts()

#: The catalogue key of each `ChartTexts` field (`rating.*`, `status.*` and `recap.tercapai` exist already).
CATALOGUE_KEYS = {
    "capaian_title": "chart.capaian_title",
    "capaian_summary": "recap.tercapai",
    "capaian_axis": "chart.capaian_axis",
    "target_line": "chart.target_line",
    "no_data": "chart.no_data",
    "ungrouped": "chart.ungrouped",
    **{f"band_{band.value}": f"rating.{band.value}" for band in Rating},
    "trend_title": "chart.trend_title",
    "realisasi": "chart.realisasi",
    "target": "chart.target",
    "quarter_short": "chart.quarter_short",
    "completeness_title": "chart.completeness_title",
    "completeness_summary": "chart.completeness_summary",
    "completeness_axis": "chart.completeness_axis",
    **{f"status_{status}": f"status.{status}" for status in STATUSES},
    "late": "status.late",
    "on_time": "status.on_time",
}


# ------------------------------------------------------------------------ data


@dataclass(frozen=True)
class Bar:
    """One indicator's capaian (percent, full precision; None: no value) and its band (a `Rating` value)."""

    code: str
    name: str
    group: str = ""  # a sasaran or a unit; bars of one group are drawn together under its heading
    capaian: Decimal | None = None
    band: str | None = None  # derived from the rounded capaian when None


@dataclass(frozen=True)
class TrendPoint:
    label: str
    realisasi: Decimal | None
    target: Decimal | None = None


@dataclass(frozen=True)
class Trend:
    code: str
    name: str
    satuan: str
    points: Sequence[TrendPoint]
    decimals: int | None = None  # places shown on the values; None: the value's own


@dataclass(frozen=True)
class UnitBar:
    unit: str
    status: str  # not_started | draft | submitted | returned | approved
    late: bool = False
    answered: int = 0
    total: int = 0


@dataclass(frozen=True)
class Rendered:
    """A chart's PNG and what was actually drawn: the number of bars, the row (or column) labels and the values
    printed on the chart."""

    png: bytes
    bars: int
    labels: tuple[str, ...]
    values: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return int.from_bytes(self.png[16:20], "big")  # the PNG's IHDR

    @property
    def height(self) -> int:
        return int.from_bytes(self.png[20:24], "big")


# ------------------------------------------------------------------------ adapters


def _ancestors(indicator: Indicator, by_id: Mapping[int, Indicator]) -> Iterable[Indicator]:
    seen: set[int | None] = set()
    current: Indicator | None = indicator
    while current is not None and current.id not in seen:
        seen.add(current.id)
        yield current
        current = by_id.get(current.parent_id) if current.parent_id is not None else None


def _sasaran_heading(indicator: Indicator, by_id: Mapping[int, Indicator]) -> str:
    """The nearest sasaran at or above the indicator; else its tujuan; else "" (the "Lainnya" group)."""
    top = None
    for node in _ancestors(indicator, by_id):
        if IndicatorLevel(node.level) is IndicatorLevel.SASARAN:
            return f"{node.code} {node.name}"
        if IndicatorLevel(node.level) is IndicatorLevel.TUJUAN:
            top = node
    return f"{top.code} {top.name}" if top else ""


def bars_from_recap(
    recap: Recap, group_by: Literal["sasaran", "unit"] = "sasaran", *, indicators: Iterable[Indicator] = ()
) -> list[Bar]:
    """One bar per recap row, in the recap's order, grouped by sasaran (found through `parent_id` among the
    recap's indicators and `indicators`, e.g. a quarterly sasaran above a monthly recap) or by unit."""
    if group_by not in ("sasaran", "unit"):
        raise ValueError(f"group_by must be 'sasaran' or 'unit', not {group_by!r}")
    by_id = {i.id: i for i in indicators} | {row.indicator.id: row.indicator for row in recap.rows}
    bars = []
    for row in recap.rows:
        group = row.unit_name if group_by == "unit" else _sasaran_heading(row.indicator, by_id)
        rating = row.capaian.rating
        bars.append(Bar(code=row.indicator.code, name=row.indicator.name, group=group, capaian=row.capaian.value,
                        band=None if rating is None else rating.value))
    return bars


def progress_bars(progress: Iterable[UnitProgress]) -> list[UnitBar]:
    return [UnitBar(unit=p.unit.name, status=p.status, late=p.late, answered=p.answered, total=p.total)
            for p in progress]


def month_labels(locale: str = "id") -> tuple[str, ...]:
    """Babel's short month names: ("Jan", "Feb", …, "Mei", …, "Agu", …, "Des") for ``id``."""
    names = babel_dates.get_month_names("abbreviated", context="stand-alone", locale=locale)
    return tuple(names[month] for month in range(1, 13))


def trend_from_plan(
    indicator: Indicator, plan: YearTargets, realisasi: Mapping[int, Decimal | None],
    texts: ChartTexts = DEFAULT_TEXTS, locale: str = "id",
) -> Trend:
    """An indicator's year: `realisasi` by month (1..12) or triwulan (1..4, quarterly indicators) against the
    period targets of its PK (`month_target` / `quarter_target`: a range target has no single line)."""
    monthly = Frequency(indicator.frequency) is Frequency.MONTHLY
    if monthly:
        labels = month_labels(locale)
        targets = [month_target(plan, m, indicator.rule).value for m in range(1, 13)]
    else:
        labels = tuple(texts.quarter_short.format(roman=roman(q)) for q in range(1, 5))
        targets = [quarter_target(plan, q, indicator.rule).value for q in range(1, 5)]
    points = tuple(TrendPoint(label, realisasi.get(n), target)
                   for n, (label, target) in enumerate(zip(labels, targets, strict=True), start=1))
    return Trend(indicator.code, indicator.name, indicator.satuan, points, indicator.decimals)


# ------------------------------------------------------------------------ drawing helpers


def _wrap(text: str, chars: int, max_lines: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), chars, max_lines=max_lines, placeholder=" …") or [""]


def _chars(fraction_of_width: float) -> int:
    return max(10, int(fraction_of_width * WIDTH_PX / _CHAR_PX))


def _figure(height_in: float) -> Figure:
    if height_in * DPI > MAX_HEIGHT_PX:
        raise ValueError(f"a chart of {height_in * DPI:.0f} px is too tall; split the rows (capaian_pages)")
    figure = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _header_in(title: list[str], subtitle: list[str], legend_rows: int) -> float:
    return 0.25 + 0.42 * len(title) + 0.3 * len(subtitle) + 0.15 + 0.34 * legend_rows + 0.1


def _draw_header(figure: Figure, height_in: float, title: list[str], subtitle: list[str],
                 handles: list, ncols: int) -> None:
    y = 0.25
    figure.text(0.015, 1 - y / height_in, "\n".join(title), fontsize=_TITLE, fontweight="bold", color=_INK,
                va="top", ha="left", parse_math=False)
    y += 0.42 * len(title)
    if subtitle:
        figure.text(0.015, 1 - y / height_in, "\n".join(subtitle), fontsize=_SUBTITLE, color=_MUTED,
                    va="top", ha="left", parse_math=False)
        y += 0.3 * len(subtitle)
    if handles:
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.008, 1 - (y + 0.1) / height_in),
                      ncols=ncols, frameon=False, fontsize=_LEGEND, handlelength=1.6, columnspacing=1.8,
                      borderaxespad=0)


def _render(figure: Figure, ax: Axes, columns: bool = False) -> Rendered:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    bars = sum(1 for patch in ax.patches if patch.get_gid() == "bar" and patch.get_visible())
    if columns:  # the labels are the x ticks
        labels = tuple(label.get_text() for label in ax.get_xticklabels())
    else:
        labels = tuple(text.get_text() for text in ax.texts if text.get_gid() == "label")
    values = tuple(text.get_text() for text in ax.texts if text.get_gid() == "value")
    return Rendered(png=buffer.getvalue(), bars=bars, labels=labels, values=values)


def _percent_axis(ax: Axes, locale: str, step: int, low: float, high: float) -> None:
    """Percent ticks every `step` from `low` to `high` only (not over the room left for the values)."""
    ax.xaxis.set_major_locator(FixedLocator(range(math.ceil(low / step) * step, int(high) + 1, step)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_percent(Decimal(round(x)), 0, locale)))
    ax.tick_params(axis="x", labelsize=_TICK, colors=_INK)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="x", color=_GRID, linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _row_label(ax: Axes, x: float, y: float, lines: list[str], **style: object) -> None:
    """A label in the left column: x in figure fraction, y in the rows' data (inches from the bottom)."""
    style = {"fontsize": _LABEL, "color": _INK, "ha": "left", "va": "center", "linespacing": 1.15, **style}
    ax.text(x, y, "\n".join(lines), transform=blended_transform_factory(ax.figure.transFigure, ax.transData),
            parse_math=False, **style)


def _number(value: Decimal | float, locale: str, decimals: int | None = None, compact: bool | None = None) -> str:
    """Indonesian number; from 100 000 up (or when `compact`) in Babel's compact form ("1,25 M", "12,5 jt")."""
    if isinstance(value, float):
        value = Decimal(repr(round(float(value), 10)))
    if compact if compact is not None else abs(value) >= 100_000:
        return babel_numbers.format_compact_decimal(value, locale=locale, fraction_digits=2)
    return format_number(value, decimals, locale)


# ------------------------------------------------------------------------ capaian


def _band(bar: Bar) -> str | None:
    if bar.band is not None or bar.capaian is None:
        return bar.band
    return rate(round_capaian(bar.capaian)).value


def _grouped(bars: Iterable[Bar]) -> list[tuple[str, list[Bar]]]:
    groups: dict[str, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(bar.group, []).append(bar)
    return list(groups.items())


_CAPAIAN_LEFT, _CAPAIAN_RIGHT = 0.43, 0.97


def capaian_chart(
    bars: Sequence[Bar], texts: ChartTexts = DEFAULT_TEXTS, locale: str = "id",
    *, period: str = "", page: str = "",
) -> Rendered:
    """Horizontal bars of capaian coloured by band, a line at 100%, the value on each bar ("95,63%"), grouped
    under headings (when any bar has a group); a bar without a value reads "belum ada data". The axis runs
    from at least 0 to 100%, at most from -100% to 200%: a bar beyond is drawn to the end, marked "//",
    and its true value printed."""
    groups = _grouped(bars)
    headed = any(group for group, _ in groups)
    label_chars, heading_chars = _chars(_CAPAIAN_LEFT - 0.03), _chars(0.95)
    rows: list[tuple[str, list[str], float, Bar | None]] = []  # kind, lines, height (in), bar
    for group, members in groups:
        if headed:
            lines = _wrap(group or texts.ungrouped, heading_chars, 2)
            rows.append(("heading", lines, len(lines) * _LINE_IN + 0.3, None))
        for bar in members:
            lines = _wrap(f"{bar.code} {bar.name}", label_chars, 3)
            rows.append(("bar", lines, max(0.55, len(lines) * _LINE_IN + 0.2), bar))
    if not rows:
        rows.append(("empty", [texts.no_data], 0.6, None))

    values = [float(bar.capaian) for bar in bars if bar.capaian is not None]
    high = min(max([100.0, *values]), CLIP_HIGH)
    low = max(min([0.0, *values]), CLIP_LOW)
    span = high - low
    x_min = low - 0.03 * span if low < 0 else 0.0
    x_max = high + 0.24 * span  # room for the value after the longest bar

    count = sum(1 for bar in bars if bar.capaian is not None and is_tercapai(round_capaian(bar.capaian)))
    title = _wrap(texts.capaian_title.format(period=period).strip() + (f" ({page})" if page else ""), 80, 2)
    subtitle = [texts.capaian_summary.format(count=count, total=len(bars))]
    handles = [Patch(facecolor=BAND_COLOURS[band], label=f"{texts.band(band.value)} ({BAND_RANGES[band]})")
               for band in Rating]
    handles.append(Line2D([], [], color=_INK, linestyle="--", linewidth=2, label=texts.target_line))
    header_in, rows_in, bottom_in = _header_in(title, subtitle, 2), sum(r[2] for r in rows) + 0.2, 0.95
    height_in = header_in + rows_in + bottom_in

    figure = _figure(height_in)
    ax = figure.add_axes((_CAPAIAN_LEFT, bottom_in / height_in, _CAPAIAN_RIGHT - _CAPAIAN_LEFT, rows_in / height_in))
    ax.set_facecolor("none")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(0, rows_in)
    _percent_axis(ax, locale, 25 if span <= 150 else 50, low, high)
    ax.set_xlabel(texts.capaian_axis, fontsize=_LABEL, color=_INK, labelpad=8)
    ax.axvline(100, color=_INK, linestyle="--", linewidth=2, zorder=4)
    if x_min < 0:
        ax.axvline(0, color=_MUTED, linewidth=1.2, zorder=1)
    _draw_header(figure, height_in, title, subtitle, handles, ncols=3)

    across = blended_transform_factory(figure.transFigure, ax.transData)
    pad = 0.01 * (x_max - x_min)
    top = rows_in - 0.1
    centres, widths, colours = [], [], []
    for kind, lines, row_in, bar in rows:
        centre = top - row_in / 2
        top -= row_in
        if kind == "heading":
            ax.add_artist(Rectangle((0, centre - row_in / 2 + 0.06), 1, row_in - 0.12, transform=across,
                                    facecolor=_HEADING, edgecolor="none", zorder=4.5, clip_on=False, gid="heading"))
            _row_label(ax, 0.015, centre, lines, fontweight="bold", zorder=5, gid="heading")
            continue
        if kind == "empty":
            _row_label(ax, 0.015, centre, lines, color=_MUTED, style="italic")
            continue
        _row_label(ax, 0.015, centre, lines, gid="label")
        if bar.capaian is None:
            ax.text(pad, centre, texts.no_data, fontsize=_VALUE, color=_MUTED, style="italic", ha="left",
                    va="center", parse_math=False, gid="value")
            continue
        value = float(bar.capaian)
        drawn = min(max(value, low), high)
        centres.append(centre)
        widths.append(drawn)
        colours.append(BAND_COLOURS.get(_band(bar), _MUTED))
        shown = format_percent(bar.capaian, 2, locale)
        if value > high or value < low:  # clipped: a break mark at the end of the bar
            ax.text(drawn - math.copysign(2 * pad, drawn), centre, "//", fontsize=_VALUE, fontweight="bold",
                    color="white", ha="right" if drawn > 0 else "left", va="center", zorder=5, gid="clip")
        at, align = (drawn + pad, "left") if value >= 0 else (pad, "left")
        ax.text(at, centre, shown, fontsize=_VALUE, fontweight="bold", color=_INK, ha=align, va="center",
                zorder=5, gid="value", bbox=_BEHIND_TEXT)
    for patch in ax.barh(centres, widths, height=0.4, color=colours, zorder=3):
        patch.set_gid("bar")
    return _render(figure, ax)


def capaian_pages(
    bars: Sequence[Bar], texts: ChartTexts = DEFAULT_TEXTS, locale: str = "id",
    *, period: str = "", per_page: int = 30,
) -> list[Rendered]:
    """The capaian chart in pages of at most `per_page` bars (an album), groups kept in order; a group split
    across pages gets its heading on each. The title says "(1/3)" when there is more than one page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    ordered = [bar for _, members in _grouped(bars) for bar in members]
    chunks = [ordered[i:i + per_page] for i in range(0, len(ordered), per_page)] or [[]]
    return [capaian_chart(chunk, texts, locale, period=period, page=f"{n}/{len(chunks)}" if len(chunks) > 1 else "")
            for n, chunk in enumerate(chunks, start=1)]


# ------------------------------------------------------------------------ trend


def trend_chart(trend: Trend, texts: ChartTexts = DEFAULT_TEXTS, locale: str = "id") -> Rendered:
    """Realisasi per month or triwulan as bars, the target as a dashed line with markers, values on the bars."""
    points = list(trend.points)
    title = _wrap(texts.trend_title.format(code=trend.code), 80, 1)
    subtitle = _wrap(trend.name, 100, 2)
    has_target = any(p.target is not None for p in points)
    handles = [Patch(facecolor="#2b6cb0", label=texts.realisasi)]
    if has_target:
        handles.append(Line2D([], [], color="#e65100", linestyle="--", marker="D", markersize=9, linewidth=2.5,
                              label=texts.target))
    header_in, plot_in, bottom_in = _header_in(title, subtitle, 1), 5.2, 0.75
    height_in = header_in + plot_in + bottom_in

    figure = _figure(height_in)
    ax = figure.add_axes((0.1, bottom_in / height_in, 0.88, plot_in / height_in))
    _draw_header(figure, height_in, title, subtitle, handles, ncols=2)
    positions = list(range(len(points)))
    shown = [_number(p.realisasi, locale, trend.decimals) if p.realisasi is not None else "" for p in points]
    numbers = [float(v) for p in points for v in (p.realisasi, p.target) if v is not None] or [0.0]
    low, high = min(0.0, *numbers), max(0.0, *numbers)
    if high == low:
        high = low + 1
    slot_px = 0.88 * WIDTH_PX / max(1, len(points))
    upright = max((len(s) for s in shown), default=0) * _VALUE / 72 * DPI * 0.62 > 0.92 * slot_px
    label_in = (max((len(s) for s in shown), default=0) * _VALUE * 0.62 if upright else _VALUE * 1.4) / 72
    room = min(0.4, (label_in + 0.2) / plot_in)  # the share of the plot the value labels need beyond a bar
    span = (high - low) / (1 - room * (2 if low < 0 else 1))
    ax.set_ylim(low - room * span if low < 0 else low, high + room * span)
    ax.set_xlim(-0.6, max(1, len(points)) - 0.4)
    if not points:
        ax.text(0.5, 0.5, texts.no_data, transform=ax.transAxes, fontsize=_LABEL, color=_MUTED, style="italic",
                ha="center", va="center", parse_math=False)
        ax.tick_params(axis="y", left=False, labelleft=False)

    with_value = [(x, p) for x, p in zip(positions, points, strict=True) if p.realisasi is not None]
    container = ax.bar([x for x, _ in with_value], [float(p.realisasi) for _, p in with_value], width=0.62,
                       color="#2b6cb0", zorder=3)
    for patch in container:
        patch.set_gid("bar")
    # in data units: a small gap, half a target marker and more, a label's height
    lift, marker, tall = 0.01 * span, 0.1 * span / plot_in, label_in * span / plot_in
    for x, point in with_value:
        value = float(point.realisasi)
        at = value - lift if value < 0 else value + lift
        target = math.nan if point.target is None else float(point.target)
        if value >= 0 and value - marker <= target <= value + marker + tall:
            at = max(value, target) + marker  # the target's marker would be under the label: go above it
        ax.text(x, at, _number(point.realisasi, locale, trend.decimals),
                fontsize=_VALUE, fontweight="bold", color=_INK, ha="center",
                va=("bottom" if value >= 0 else "top"), rotation=90 if upright else 0, zorder=5, gid="value",
                bbox=_BEHIND_TEXT)
    for x, point in zip(positions, points, strict=True):
        if point.realisasi is None:
            ax.text(x, lift, "–", fontsize=_VALUE, color=_MUTED, ha="center", va="bottom", gid="value")
    if has_target:
        ax.plot(positions, [float(p.target) if p.target is not None else math.nan for p in points],
                color="#e65100", linestyle="--", marker="D", markersize=9, linewidth=2.5, zorder=4)
    ax.axhline(0, color=_MUTED, linewidth=1.2, zorder=2)
    ax.set_xticks(positions, [p.label for p in points])
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    compact = max(abs(limit) for limit in ax.get_ylim()) >= 100_000  # one form for the whole axis
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: _number(y, locale, compact=compact)))
    ax.tick_params(labelsize=_TICK, colors=_INK)
    ax.set_ylabel(trend.satuan, fontsize=_LABEL, color=_INK)
    ax.grid(axis="y", color=_GRID, linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _render(figure, ax, columns=True)


# ------------------------------------------------------------------------ completeness


_UNITS_LEFT, _UNITS_RIGHT = 0.35, 0.70


def completeness_chart(
    unit_bars: Sequence[UnitBar], texts: ChartTexts = DEFAULT_TEXTS, locale: str = "id",
    *, period: str = "",
) -> Rendered:
    """Per unit a track to 100% filled with the share of indicators answered, coloured by the form's status
    (late forms framed and hatched in red), and the status and timing written beside it."""
    label_chars = _chars(_UNITS_LEFT - 0.03)
    rows = []
    for unit_bar in unit_bars:
        lines = _wrap(unit_bar.unit, label_chars, 3)
        rows.append((unit_bar, lines, max(0.62, max(len(lines), 2) * _LINE_IN + 0.2)))
    approved = sum(1 for u in unit_bars if u.status == "approved")
    late = sum(1 for u in unit_bars if u.late)
    title = _wrap(texts.completeness_title.format(period=period).strip(), 80, 2)
    subtitle = [texts.completeness_summary.format(approved=approved, total=len(unit_bars), late=late)]
    handles = [Patch(facecolor=STATUS_COLOURS[s], label=_capitalised(texts.status(s))) for s in STATUSES]
    handles.append(Patch(facecolor="white", edgecolor=_LATE, hatch="//", linewidth=2,
                         label=_capitalised(texts.late)))
    rows_in = sum(r[2] for r in rows) + 0.2 if rows else 0.8
    header_in, bottom_in = _header_in(title, subtitle, 2), 0.95
    height_in = header_in + rows_in + bottom_in

    figure = _figure(height_in)
    ax = figure.add_axes((_UNITS_LEFT, bottom_in / height_in, _UNITS_RIGHT - _UNITS_LEFT, rows_in / height_in))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, rows_in)
    _percent_axis(ax, locale, 25, 0, 100)
    ax.set_xlabel(texts.completeness_axis, fontsize=_LABEL, color=_INK, labelpad=8)
    _draw_header(figure, height_in, title, subtitle, handles, ncols=3)
    if not rows:
        _row_label(ax, 0.015, rows_in / 2, [texts.no_data], color=_MUTED, style="italic")
    beside = blended_transform_factory(ax.transAxes, ax.transData)
    top = rows_in - 0.1
    for unit_bar, lines, row_in in rows:
        centre = top - row_in / 2
        top -= row_in
        _row_label(ax, 0.015, centre, lines, gid="label")
        colour = STATUS_COLOURS.get(unit_bar.status, _MUTED)
        share = 100 * unit_bar.answered / unit_bar.total if unit_bar.total > 0 else 0.0
        ax.add_patch(Rectangle((0, centre - 0.2), 100, 0.4, facecolor="#eeeeee", zorder=2, gid="track",
                               edgecolor=_LATE if unit_bar.late else "none", linewidth=2.5))
        ax.add_patch(Rectangle((0, centre - 0.2), min(100.0, max(0.0, share)), 0.4, facecolor=colour, zorder=3,
                               gid="bar", hatch="//" if unit_bar.late else None,
                               edgecolor=_LATE if unit_bar.late else "none", linewidth=0))
        status = texts.status(unit_bar.status)
        if unit_bar.total > 0:
            status = f"{status} · {unit_bar.answered}/{unit_bar.total}"
        timing = texts.late if unit_bar.late else texts.on_time if unit_bar.status in ("submitted", "approved") else ""
        first = centre + (_LINE_IN / 2 if timing else 0)
        ax.text(1.03, first, status, transform=beside, fontsize=_VALUE, color=_INK, ha="left", va="center",
                parse_math=False, gid="value")
        if timing:
            ax.text(1.03, centre - _LINE_IN / 2, timing, transform=beside, fontsize=_VALUE, ha="left", va="center",
                    color=_LATE if unit_bar.late else _MUTED, fontweight="bold" if unit_bar.late else "normal",
                    parse_math=False, gid="value")
    return _render(figure, ax)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
