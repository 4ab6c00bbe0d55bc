"""The completeness chart: each unit's form of a period, the share of its indicators answered, its status, and
whether it was sent late."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import blended_transform_factory

from reports.chart_data import UnitBar
from reports.chart_style import (
    INK,
    LABEL_PT,
    LINE_IN,
    MUTED,
    STATUS_COLOURS,
    STATUSES,
    VALUE_PT,
    ChartTexts,
    Rendered,
    capitalised,
    chars_across,
    chart_texts,
    draw_header,
    header_height_in,
    new_figure,
    percent_axis,
    rendered,
    row_label,
    wrap,
)

_LATE = "#b71c1c"
_UNITS_LEFT, _UNITS_RIGHT = 0.35, 0.70


def completeness_chart(
    unit_bars: Sequence[UnitBar], texts: ChartTexts | None = None, locale: str = "id",
    *, period: str = "",
) -> Rendered:
    """Per unit a track to 100% filled with the share of indicators answered, coloured by the form's status
    (late forms framed and hatched in red), and the status and timing written beside it."""
    texts = texts or chart_texts()
    label_chars = chars_across(_UNITS_LEFT - 0.03)
    rows = []
    for unit_bar in unit_bars:
        lines = wrap(unit_bar.unit, label_chars, 3)
        rows.append((unit_bar, lines, max(0.62, max(len(lines), 2) * LINE_IN + 0.2)))
    approved = sum(1 for u in unit_bars if u.status == "approved")
    late = sum(1 for u in unit_bars if u.late)
    title = wrap(texts.completeness_title.format(period=period).strip(), 80, 2)
    subtitle = [texts.completeness_summary.format(approved=approved, total=len(unit_bars), late=late)]
    handles = [Patch(facecolor=STATUS_COLOURS[s], label=capitalised(texts.status(s))) for s in STATUSES]
    handles.append(Patch(facecolor="white", edgecolor=_LATE, hatch="//", linewidth=2,
                         label=capitalised(texts.late)))
    rows_in = sum(r[2] for r in rows) + 0.2 if rows else 0.8
    header_in, bottom_in = header_height_in(title, subtitle, 2), 0.95
    height_in = header_in + rows_in + bottom_in

    figure = new_figure(height_in)
    ax = figure.add_axes((_UNITS_LEFT, bottom_in / height_in, _UNITS_RIGHT - _UNITS_LEFT, rows_in / height_in))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, rows_in)
    percent_axis(ax, locale, 25, 0, 100)
    ax.set_xlabel(texts.completeness_axis, fontsize=LABEL_PT, color=INK, labelpad=8)
    draw_header(figure, height_in, title, subtitle, handles, ncols=3)
    if not rows:
        row_label(ax, 0.015, rows_in / 2, [texts.no_data], color=MUTED, style="italic")
    beside = blended_transform_factory(ax.transAxes, ax.transData)
    top = rows_in - 0.1
    for unit_bar, lines, row_in in rows:
        centre = top - row_in / 2
        top -= row_in
        row_label(ax, 0.015, centre, lines, gid="label")
        colour = STATUS_COLOURS.get(unit_bar.status, MUTED)
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
        first = centre + (LINE_IN / 2 if timing else 0)
        ax.text(1.03, first, status, transform=beside, fontsize=VALUE_PT, color=INK, ha="left", va="center",
                parse_math=False, gid="value")
        if timing:
            ax.text(1.03, centre - LINE_IN / 2, timing, transform=beside, fontsize=VALUE_PT, ha="left", va="center",
                    color=_LATE if unit_bar.late else MUTED, fontweight="bold" if unit_bar.late else "normal",
                    parse_math=False, gid="value")
    return rendered(figure, ax)
