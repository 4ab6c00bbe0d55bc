"""What every recap chart shares: its size, fonts, colours and words, the `Rendered` result, and a figure's life.

Only matplotlib's object API is used (a `Figure` on an Agg canvas, never pyplot): no global state is read or
changed, so charts render in worker threads. Every chart is 1280 px wide (Telegram shows it full width on a
phone) and grows in height with its rows; fonts are 14 pt and larger. A chart draws on `new_figure(...)` and
ends with `rendered(figure, ax)`, which releases the figure as soon as its PNG is made (see `release`),
so many pages in a row keep the memory of a few. Numbers are worded by `models.calc.numbers` and Babel in `locale`.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import numbers as babel_numbers
from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import blended_transform_factory

from i18n import DEFAULT_LANGUAGE, t
from models.calc.capaian import Rating
from models.calc.numbers import format_number, format_percent

DPI = 100
WIDTH_PX = 1280
MAX_HEIGHT_PX = 20_000  # one chart's bound (80 MB of pixels); Telegram photos need width + height <= 10 000
CLIP_HIGH = 200  # capaian beyond these ends of the axis is drawn to the end; its true value is printed
CLIP_LOW = -100

TITLE_PT, SUBTITLE_PT, LABEL_PT, VALUE_PT, TICK_PT, LEGEND_PT = 22, 16, 15, 14, 14, 14
LINE_IN = LABEL_PT * 1.25 / 72  # one line of a 15 pt label, in inches
CHAR_PX = LABEL_PT / 72 * DPI * 0.56  # the average width of a character of a 15 pt label
INK, MUTED, GRID, HEADING = "#222222", "#666666", "#d9d9d9", "#e9eef5"

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
    "approved": "#2e7d32", "at_kabid": "#90caf9",  # at_kabid: only with KABID_REVIEW, so not in the legend
}
BEHIND_TEXT = {"facecolor": "white", "edgecolor": "none", "pad": 3}  # lines never cross a printed value


# ------------------------------------------------------------------------ texts


@dataclass(frozen=True)
class ChartTexts:
    """Every word a chart shows, from the catalogue (`chart_texts(language)`). Templates use `str.format` names."""

    capaian_title: str
    capaian_summary: str
    capaian_axis: str
    target_line: str
    no_data: str
    ungrouped: str
    band_sangat_tinggi: str
    band_tinggi: str
    band_sedang: str
    band_rendah: str
    band_sangat_rendah: str
    trend_title: str
    realisasi: str
    target: str
    quarter_short: str
    completeness_title: str
    completeness_summary: str
    completeness_axis: str
    status_not_started: str
    status_draft: str
    status_submitted: str
    status_returned: str
    status_approved: str
    status_at_kabid: str
    late: str
    on_time: str

    @classmethod
    def from_lookup(cls, lookup: Callable[[str], str]) -> ChartTexts:
        """The texts from a catalogue: ``ChartTexts.from_lookup(lambda key: i18n.t(key, language))``."""
        return cls(**{name: lookup(key) for name, key in CATALOGUE_KEYS.items()})

    def band(self, band: str) -> str:
        return getattr(self, f"band_{band}", band)

    def status(self, status: str) -> str:
        return getattr(self, f"status_{status}", status)


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
    **{f"status_{status}": f"status.{status}" for status in (*STATUSES, "at_kabid")},
    "late": "status.late",
    "on_time": "status.on_time",
}


@cache
def chart_texts(language: str = DEFAULT_LANGUAGE) -> ChartTexts:
    """The chart texts in `language`; a chart given none speaks Indonesian (whatever its `locale`)."""
    return ChartTexts.from_lookup(lambda key: t(key, language))


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


# ------------------------------------------------------------------------ a figure's life




def new_figure(height_in: float) -> Figure:
    """A white figure `WIDTH_PX` wide on an Agg canvas; `rendered` makes its PNG and releases it."""
    if height_in * DPI > MAX_HEIGHT_PX:
        raise ValueError(f"a chart of {height_in * DPI:.0f} px is too tall; split the rows (capaian_pages)")
    figure = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def release(figure: Figure) -> None:
    """Let a saved figure's pixels go now. Each drawn `Text` keeps the last renderer it was drawn with
    (`Text._renderer`, matplotlib's own cache), and the artists sit in reference cycles, so the Agg renderer
    and its pixel buffer (4 bytes a pixel: 15 MB for a capaian page) waited for Python's cyclic collector: 40
    pages in a row raised the peak RSS by 150-200 MB, and collecting often costs 0.1-1 s a time in a big
    process. Dropping those references and the Agg canvas frees the buffer at once by reference counting."""
    for text in figure.findobj(Text):
        text._renderer = None
    figure.clear()
    FigureCanvasBase(figure)  # replaces the Agg canvas, which holds the renderer


def rendered(figure: Figure, ax: Axes, columns: bool = False) -> Rendered:
    """The figure as a PNG, with the bars, labels and values drawn on `ax`; then the figure is released."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        bars = sum(1 for patch in ax.patches if patch.get_gid() == "bar" and patch.get_visible())
        if columns:  # the labels are the x ticks
            labels = tuple(label.get_text() for label in ax.get_xticklabels())
        else:
            labels = tuple(text.get_text() for text in ax.texts if text.get_gid() == "label")
        values = tuple(text.get_text() for text in ax.texts if text.get_gid() == "value")
    finally:
        release(figure)  # a failed drawing must not keep its pixels either
    return Rendered(png=buffer.getvalue(), bars=bars, labels=labels, values=values)


# ------------------------------------------------------------------------ drawing helpers


def wrap(text: str, chars: int, max_lines: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), chars, max_lines=max_lines, placeholder=" …") or [""]


def chars_across(fraction_of_width: float) -> int:
    """How many characters of a label fit across that fraction of the chart's width."""
    return max(10, int(fraction_of_width * WIDTH_PX / CHAR_PX))


def header_height_in(title: list[str], subtitle: list[str], legend_rows: int) -> float:
    return 0.25 + 0.42 * len(title) + 0.3 * len(subtitle) + 0.15 + 0.34 * legend_rows + 0.1


def draw_header(figure: Figure, height_in: float, title: list[str], subtitle: list[str],
                handles: list, ncols: int) -> None:
    y = 0.25
    figure.text(0.015, 1 - y / height_in, "\n".join(title), fontsize=TITLE_PT, fontweight="bold", color=INK,
                va="top", ha="left", parse_math=False)
    y += 0.42 * len(title)
    if subtitle:
        figure.text(0.015, 1 - y / height_in, "\n".join(subtitle), fontsize=SUBTITLE_PT, color=MUTED,
                    va="top", ha="left", parse_math=False)
        y += 0.3 * len(subtitle)
    if handles:
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.008, 1 - (y + 0.1) / height_in),
                      ncols=ncols, frameon=False, fontsize=LEGEND_PT, handlelength=1.6, columnspacing=1.8,
                      borderaxespad=0)


def percent_axis(ax: Axes, locale: str, step: int, low: float, high: float) -> None:
    """Percent ticks every `step` from `low` to `high` only (not over the room left for the values)."""
    ax.xaxis.set_major_locator(FixedLocator(range(math.ceil(low / step) * step, int(high) + 1, step)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_percent(Decimal(round(x)), 0, locale)))
    ax.tick_params(axis="x", labelsize=TICK_PT, colors=INK)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="x", color=GRID, linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def row_label(ax: Axes, x: float, y: float, lines: list[str], **style: object) -> None:
    """A label in the left column: x in figure fraction, y in the rows' data (inches from the bottom)."""
    style = {"fontsize": LABEL_PT, "color": INK, "ha": "left", "va": "center", "linespacing": 1.15, **style}
    ax.text(x, y, "\n".join(lines), transform=blended_transform_factory(ax.figure.transFigure, ax.transData),
            parse_math=False, **style)


def chart_number(value: Decimal | float, locale: str, decimals: int | None = None,
                 compact: bool | None = None) -> str:
    """Indonesian number; from 100 000 up (or when `compact`) in Babel's compact form ("1,25 M", "12,5 jt")."""
    if isinstance(value, float):
        value = Decimal(repr(round(float(value), 10)))
    if compact if compact is not None else abs(value) >= 100_000:
        return babel_numbers.format_compact_decimal(value, locale=locale, fraction_digits=2)
    return format_number(value, decimals, locale)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
