"""The capaian chart: per indicator a bar coloured by its band against the 100% line, grouped under sasaran (or
units), in pages of at most `per_page` bars so that an album of them reads on a phone."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import blended_transform_factory

from models.calc.capaian import Rating, is_tercapai, rate, round_capaian
from models.calc.numbers import format_percent
from reports.chart_data import Bar
from reports.chart_style import (
    BAND_COLOURS,
    BAND_RANGES,
    BEHIND_TEXT,
    CLIP_HIGH,
    CLIP_LOW,
    HEADING,
    INK,
    LABEL_PT,
    LINE_IN,
    MUTED,
    VALUE_PT,
    ChartTexts,
    Rendered,
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
    bars: Sequence[Bar], texts: ChartTexts | None = None, locale: str = "id",
    *, period: str = "", page: str = "",
) -> Rendered:
    """Horizontal bars of capaian coloured by band, a line at 100%, the value on each bar ("95,63%"), grouped
    under headings (when any bar has a group); a bar without a value reads "belum ada data". The axis runs
    from at least 0 to 100%, at most from -100% to 200%: a bar beyond is drawn to the end, marked "//",
    and its true value printed."""
    texts = texts or chart_texts()
    groups = _grouped(bars)
    headed = any(group for group, _ in groups)
    label_chars, heading_chars = chars_across(_CAPAIAN_LEFT - 0.03), chars_across(0.95)
    rows: list[tuple[str, list[str], float, Bar | None]] = []  # kind, lines, height (in), bar
    for group, members in groups:
        if headed:
            lines = wrap(group or texts.ungrouped, heading_chars, 2)
            rows.append(("heading", lines, len(lines) * LINE_IN + 0.3, None))
        for bar in members:
            lines = wrap(f"{bar.code} {bar.name}", label_chars, 3)
            rows.append(("bar", lines, max(0.55, len(lines) * LINE_IN + 0.2), bar))
    if not rows:
        rows.append(("empty", [texts.no_data], 0.6, None))

    values = [float(bar.capaian) for bar in bars if bar.capaian is not None]
    high = min(max([100.0, *values]), CLIP_HIGH)
    low = max(min([0.0, *values]), CLIP_LOW)
    span = high - low
    x_min = low - 0.03 * span if low < 0 else 0.0
    x_max = high + 0.24 * span  # room for the value after the longest bar

    count = sum(1 for bar in bars if bar.capaian is not None and is_tercapai(round_capaian(bar.capaian)))
    title = wrap(texts.capaian_title.format(period=period).strip() + (f" ({page})" if page else ""), 80, 2)
    subtitle = [texts.capaian_summary.format(count=count, total=len(bars))]
    handles = [Patch(facecolor=BAND_COLOURS[band], label=f"{texts.band(band.value)} ({BAND_RANGES[band]})")
               for band in Rating]
    handles.append(Line2D([], [], color=INK, linestyle="--", linewidth=2, label=texts.target_line))
    header_in, rows_in, bottom_in = header_height_in(title, subtitle, 2), sum(r[2] for r in rows) + 0.2, 0.95
    height_in = header_in + rows_in + bottom_in

    figure = new_figure(height_in)
    ax = figure.add_axes((_CAPAIAN_LEFT, bottom_in / height_in, _CAPAIAN_RIGHT - _CAPAIAN_LEFT, rows_in / height_in))
    ax.set_facecolor("none")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(0, rows_in)
    percent_axis(ax, locale, 25 if span <= 150 else 50, low, high)
    ax.set_xlabel(texts.capaian_axis, fontsize=LABEL_PT, color=INK, labelpad=8)
    ax.axvline(100, color=INK, linestyle="--", linewidth=2, zorder=4)
    if x_min < 0:
        ax.axvline(0, color=MUTED, linewidth=1.2, zorder=1)
    draw_header(figure, height_in, title, subtitle, handles, ncols=3)

    across = blended_transform_factory(figure.transFigure, ax.transData)
    pad = 0.01 * (x_max - x_min)
    top = rows_in - 0.1
    centres, widths, colours = [], [], []
    for kind, lines, row_in, bar in rows:
        centre = top - row_in / 2
        top -= row_in
        if kind == "heading":
            ax.add_artist(Rectangle((0, centre - row_in / 2 + 0.06), 1, row_in - 0.12, transform=across,
                                    facecolor=HEADING, edgecolor="none", zorder=4.5, clip_on=False, gid="heading"))
            row_label(ax, 0.015, centre, lines, fontweight="bold", zorder=5, gid="heading")
            continue
        if kind == "empty":
            row_label(ax, 0.015, centre, lines, color=MUTED, style="italic")
            continue
        row_label(ax, 0.015, centre, lines, gid="label")
        if bar.capaian is None:
            ax.text(pad, centre, texts.no_data, fontsize=VALUE_PT, color=MUTED, style="italic", ha="left",
                    va="center", parse_math=False, gid="value")
            continue
        value = float(bar.capaian)
        drawn = min(max(value, low), high)
        centres.append(centre)
        widths.append(drawn)
        colours.append(BAND_COLOURS.get(_band(bar), MUTED))
        shown = format_percent(bar.capaian, 2, locale)
        if value > high or value < low:  # clipped: a break mark at the end of the bar
            ax.text(drawn - math.copysign(2 * pad, drawn), centre, "//", fontsize=VALUE_PT, fontweight="bold",
                    color="white", ha="right" if drawn > 0 else "left", va="center", zorder=5, gid="clip")
        at, align = (drawn + pad, "left") if value >= 0 else (pad, "left")
        ax.text(at, centre, shown, fontsize=VALUE_PT, fontweight="bold", color=INK, ha=align, va="center",
                zorder=5, gid="value", bbox=BEHIND_TEXT)
    for patch in ax.barh(centres, widths, height=0.4, color=colours, zorder=3):
        patch.set_gid("bar")
    return rendered(figure, ax)


def capaian_pages(
    bars: Sequence[Bar], texts: ChartTexts | None = None, locale: str = "id",
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
