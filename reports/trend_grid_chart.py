"""The IKU trends as small multiples: many indicators' years on one picture, a small panel each.

One panel per `Trend`: realisasi per month (or triwulan) as bars against the target's dashed line, the
indicator's code and name above it and its scale ("0 – 1,2 M Rp") below. Each panel has its own scale (each IKU
has its own satuan); no value is printed on the bars (the PDF's table has every number). All panels are drawn
on one axes, a few artists for all of them, so forty panels draw in a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from reports.chart_data import Trend
from reports.chart_style import (
    INK,
    MUTED,
    Rendered,
    chart_number,
    draw_header,
    header_height_in,
    new_figure,
    rendered,
    wrap,
)

COLUMNS = 4
PANEL_IN = 2.3  # a panel's height, its title and scale included
_BAR, _TARGET, _TRACK = "#2b6cb0", "#e65100", "#f2f2f2"
_PANEL_PT, _SCALE_PT = 12, 11
# inside a panel (1 x 1 in the axes' units): where the plot sits, below the title and above the scale
_PLOT_LEFT, _PLOT_WIDTH, _PLOT_BOTTOM, _PLOT_HEIGHT = 0.04, 0.9, 0.2, 0.5


def trend_grid_chart(trends: Sequence[Trend], *, title: str, realisasi: str, target: str, no_data: str,
                     locale: str = "id") -> Rendered:
    """`trends` in panels of `COLUMNS` a row under `title`; the legend names the realisasi bars and the target
    line. An empty list draws one line saying `no_data`."""
    title_lines = wrap(title, 80, 2)
    handles = [Patch(facecolor=_BAR, label=realisasi),
               Line2D([], [], color=_TARGET, linestyle="--", linewidth=2, label=target)]
    rows = max(1, math.ceil(len(trends) / COLUMNS))
    header_in, bottom_in = header_height_in(title_lines, [], 1), 0.2
    height_in = header_in + rows * PANEL_IN + bottom_in
    figure = new_figure(height_in)
    draw_header(figure, height_in, title_lines, [], handles, ncols=2)
    ax = figure.add_axes((0.01, bottom_in / height_in, 0.98, rows * PANEL_IN / height_in))
    ax.set_axis_off()
    ax.set_xlim(0, COLUMNS)
    ax.set_ylim(0, rows)
    if not trends:
        ax.text(COLUMNS / 2, rows - 0.5, no_data, color=MUTED, style="italic", ha="center", va="center",
                fontsize=_PANEL_PT, parse_math=False)
    xs, heights, widths, bottoms, target_x, target_y, tracks = [], [], [], [], [], [], []
    for index, trend in enumerate(trends):
        row, column = divmod(index, COLUMNS)
        left, base = column, rows - row - 1  # the panel's lower left corner
        ax.text(left + 0.03, base + 0.97, "\n".join(wrap(f"{trend.code} {trend.name}", 28, 2)), fontsize=_PANEL_PT,
                fontweight="bold", color=INK, ha="left", va="top", parse_math=False, gid="label")
        points = list(trend.points)
        numbers = [float(v) for p in points for v in (p.realisasi, p.target) if v is not None]
        high = max([0.0, *numbers])
        scale = high if high > 0 else 1.0
        slot = _PLOT_WIDTH / max(1, len(points))
        tracks.append((left + _PLOT_LEFT, base + _PLOT_BOTTOM))
        for n, point in enumerate(points):
            x = left + _PLOT_LEFT + slot * (n + 0.5)
            if point.realisasi is not None:
                xs.append(x)
                widths.append(slot * 0.7)
                heights.append(max(0.0, float(point.realisasi)) / scale * _PLOT_HEIGHT)
                bottoms.append(base + _PLOT_BOTTOM)
            target_x.append(x)
            target_y.append(math.nan if point.target is None
                            else base + _PLOT_BOTTOM + float(point.target) / scale * _PLOT_HEIGHT)
        target_x.append(math.nan)
        target_y.append(math.nan)
        first, last = (points[0].label, points[-1].label) if points else ("", "")
        ax.text(left + 0.03, base + 0.06, f"{first}–{last} · 0–{chart_number(scale, locale, trend.decimals)} "
                f"{trend.satuan}", fontsize=_SCALE_PT, color=MUTED, ha="left", va="bottom", parse_math=False,
                gid="value")
    for x, y in tracks:
        ax.add_patch(Rectangle((x, y), _PLOT_WIDTH, _PLOT_HEIGHT, facecolor=_TRACK, edgecolor="none", zorder=1))
    for patch in ax.bar(xs, heights, width=widths, bottom=bottoms, color=_BAR, zorder=3):
        patch.set_gid("bar")
    ax.plot(target_x, target_y, color=_TARGET, linestyle="--", linewidth=1.8, zorder=4)
    return rendered(figure, ax)
