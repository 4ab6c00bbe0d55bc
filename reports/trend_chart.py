"""The trend chart: one indicator's year, realisasi per month or triwulan as bars against its targets' line."""

from __future__ import annotations

import math

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reports.chart_data import Trend
from reports.chart_style import (
    BEHIND_TEXT,
    DPI,
    GRID,
    INK,
    LABEL_PT,
    MUTED,
    TICK_PT,
    VALUE_PT,
    WIDTH_PX,
    ChartTexts,
    Rendered,
    chart_number,
    chart_texts,
    draw_header,
    header_height_in,
    new_figure,
    rendered,
    wrap,
)


def trend_chart(trend: Trend, texts: ChartTexts | None = None, locale: str = "id") -> Rendered:
    """Realisasi per month or triwulan as bars, the target as a dashed line with markers, values on the bars."""
    texts = texts or chart_texts()
    points = list(trend.points)
    title = wrap(texts.trend_title.format(code=trend.code), 80, 1)
    subtitle = wrap(trend.name, 100, 2)
    has_target = any(p.target is not None for p in points)
    handles = [Patch(facecolor="#2b6cb0", label=texts.realisasi)]
    if has_target:
        handles.append(Line2D([], [], color="#e65100", linestyle="--", marker="D", markersize=9, linewidth=2.5,
                              label=texts.target))
    header_in, plot_in, bottom_in = header_height_in(title, subtitle, 1), 5.2, 0.75
    height_in = header_in + plot_in + bottom_in

    figure = new_figure(height_in)
    ax = figure.add_axes((0.1, bottom_in / height_in, 0.88, plot_in / height_in))
    draw_header(figure, height_in, title, subtitle, handles, ncols=2)
    positions = list(range(len(points)))
    shown = [chart_number(p.realisasi, locale, trend.decimals) if p.realisasi is not None else "" for p in points]
    numbers = [float(v) for p in points for v in (p.realisasi, p.target) if v is not None] or [0.0]
    low, high = min(0.0, *numbers), max(0.0, *numbers)
    if high == low:
        high = low + 1
    slot_px = 0.88 * WIDTH_PX / max(1, len(points))
    upright = max((len(s) for s in shown), default=0) * VALUE_PT / 72 * DPI * 0.62 > 0.92 * slot_px
    label_in = (max((len(s) for s in shown), default=0) * VALUE_PT * 0.62 if upright else VALUE_PT * 1.4) / 72
    room = min(0.4, (label_in + 0.2) / plot_in)  # the share of the plot the value labels need beyond a bar
    span = (high - low) / (1 - room * (2 if low < 0 else 1))
    ax.set_ylim(low - room * span if low < 0 else low, high + room * span)
    ax.set_xlim(-0.6, max(1, len(points)) - 0.4)
    if not points:
        ax.text(0.5, 0.5, texts.no_data, transform=ax.transAxes, fontsize=LABEL_PT, color=MUTED, style="italic",
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
        ax.text(x, at, chart_number(point.realisasi, locale, trend.decimals),
                fontsize=VALUE_PT, fontweight="bold", color=INK, ha="center",
                va=("bottom" if value >= 0 else "top"), rotation=90 if upright else 0, zorder=5, gid="value",
                bbox=BEHIND_TEXT)
    for x, point in zip(positions, points, strict=True):
        if point.realisasi is None:
            ax.text(x, lift, "–", fontsize=VALUE_PT, color=MUTED, ha="center", va="bottom", gid="value")
    if has_target:
        ax.plot(positions, [float(p.target) if p.target is not None else math.nan for p in points],
                color="#e65100", linestyle="--", marker="D", markersize=9, linewidth=2.5, zorder=4)
    ax.axhline(0, color=MUTED, linewidth=1.2, zorder=2)
    ax.set_xticks(positions, [p.label for p in points])
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    compact = max(abs(limit) for limit in ax.get_ylim()) >= 100_000  # one form for the whole axis
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: chart_number(y, locale, compact=compact)))
    ax.tick_params(labelsize=TICK_PT, colors=INK)
    ax.set_ylabel(trend.satuan, fontsize=LABEL_PT, color=INK)
    ax.grid(axis="y", color=GRID, linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return rendered(figure, ax, columns=True)
