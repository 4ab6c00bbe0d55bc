"""The Kepala Dinas's album: one album of at most `MAX_PICTURES` pictures, whatever the office's size.

Capaian by sasaran (one bar per sasaran: the mean capaian of its measured indicators), completeness and
timeliness by unit, the IKU trends as small multiples (at most `TREND_CHARTS` pictures) and the lowest
indicators. The full detail goes in the Laporan's PDF; this album is the overview on a phone.

Two steps, so that nothing is drawn inside a database transaction (on SQLite every transaction, a read too,
holds the write lock): `album_data` reads what the pictures need from a computed `Recap` and the period's
progress into plain data while the session is open; `draw_album` draws that data afterwards (in the bounded
`reports.render_pool.RENDER_POOL`), touching no ORM object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

from i18n import t
from models.calc.capaian import is_tercapai, round_capaian
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.plan.indicators import IndicatorKind, IndicatorLevel
from reports.capaian_chart import capaian_chart
from reports.chart_data import Bar, Trend, UnitBar, bars_from_recap, progress_bars, trend_of_row
from reports.chart_style import Rendered, chart_texts
from reports.completeness_chart import completeness_chart
from reports.trend_grid_chart import COLUMNS, trend_grid_chart

MAX_PICTURES = 10  # one Telegram album
SASARAN_PAGES = 2  # pictures of capaian by sasaran, at most
SASARAN_PER_PAGE = 40  # bars a page (a regency's sasaran on one picture); beyond SASARAN_PAGES pages they grow taller
TREND_CHARTS = 2  # small-multiple pictures of IKU trends, at most
TRENDS_PER_CHART = COLUMNS * 5
LOWEST_SHOWN = 15


@dataclass(frozen=True)
class AlbumTexts:
    """The album's own words (the charts' common words are `ChartTexts`)."""

    sasaran_title: str
    sasaran_summary: str
    sasaran_bar: str
    lowest_title: str
    lowest_summary: str
    trends_title: str

    @classmethod
    def of(cls, language: str) -> AlbumTexts:
        return _album_texts(language)


@cache
def _album_texts(language: str) -> AlbumTexts:
    return AlbumTexts(**{name: t(key, language) for name, key in ALBUM_KEYS.items()})


ALBUM_KEYS = {"sasaran_title": "album.sasaran_title", "sasaran_summary": "album.sasaran_summary",
              "sasaran_bar": "album.sasaran_bar", "lowest_title": "album.lowest_title",
              "lowest_summary": "album.lowest_summary", "trends_title": "album.trends_title"}


@dataclass(frozen=True)
class AlbumData:
    """Everything the album draws, as plain data (no ORM object: it is drawn after the session ended)."""

    period: str
    language: str
    sasaran: tuple[Bar, ...]
    units: tuple[UnitBar, ...]  # empty: no completeness chart (a recap of several periods)
    trends: tuple[Trend, ...]
    iku: int  # IKU with a plan in the recap; `trends` shows the first TREND_CHARTS * TRENDS_PER_CHART
    lowest: tuple[Bar, ...]


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def sasaran_bars(recap: Recap, texts: AlbumTexts, ungrouped: str) -> tuple[Bar, ...]:
    """One bar per sasaran (in the recap's order): the mean capaian of its measured indicators, and how many
    of them are tercapai."""
    groups: dict[str, list[Decimal | None]] = {}
    for bar in bars_from_recap(recap, "sasaran"):
        groups.setdefault(bar.group, []).append(bar.capaian)
    bars = []
    for heading, values in groups.items():
        measured = [value for value in values if value is not None]
        tercapai = sum(1 for value in measured if is_tercapai(round_capaian(value)))
        code, _, name = heading.partition(" ")
        bars.append(Bar(code=code or ungrouped,
                        name=f"{name} · " + texts.sasaran_bar.format(tercapai=tercapai, measured=len(measured),
                                                                      total=len(values)),
                        capaian=_mean(measured)))
    return tuple(bars)


def lowest_bars(recap: Recap) -> tuple[Bar, ...]:
    """The `LOWEST_SHOWN` measured indicators furthest below their target, lowest first, each with its unit."""
    below = sorted((row for row in recap.rows if row.capaian.value is not None and not row.capaian.tercapai),
                   key=lambda row: row.capaian.value)[:LOWEST_SHOWN]
    return tuple(Bar(code=row.indicator.code, name=f"{row.indicator.name} ({row.unit_name})",
                     capaian=row.capaian.value,
                     band=None if row.capaian.rating is None else row.capaian.rating.value) for row in below)


def _trend_order(row: RecapRow) -> tuple[int, Decimal]:
    """Higher Renstra levels first (a sasaran IKU before a program IKU), then the lowest capaian."""
    level = list(IndicatorLevel).index(IndicatorLevel(row.indicator.level))
    return level, row.capaian.value if row.capaian.value is not None else Decimal("Infinity")


def album_data(recap: Recap, period_label: str, language: str,
               progress: list[UnitProgress] | None = None) -> AlbumData:
    """What the album shows, read while the session is open."""
    texts = chart_texts(language)
    iku = sorted((row for row in recap.rows
                  if IndicatorKind(row.indicator.kind) is IndicatorKind.IKU and row.plan is not None),
                 key=_trend_order)
    shown = iku[:TREND_CHARTS * TRENDS_PER_CHART]
    trends = tuple(trend_of_row(row, recap, texts, language) for row in shown)  # the year so far
    return AlbumData(period=period_label, language=language,
                     sasaran=sasaran_bars(recap, AlbumTexts.of(language), texts.ungrouped),
                     units=tuple(progress_bars(progress or ())), trends=trends, iku=len(iku),
                     lowest=lowest_bars(recap))


def _pages(bars: Sequence[Bar]) -> list[Sequence[Bar]]:
    per_page = max(SASARAN_PER_PAGE, -(-len(bars) // SASARAN_PAGES))
    return [bars[i:i + per_page] for i in range(0, len(bars), per_page)] or [[]]


def draw_album(data: AlbumData) -> tuple[Rendered, ...]:
    """The album's pictures, in order: capaian by sasaran, completeness, IKU trends, the lowest indicators."""
    texts, words, language = chart_texts(data.language), AlbumTexts.of(data.language), data.language
    sasaran_texts = replace(texts, capaian_title=words.sasaran_title, capaian_summary=words.sasaran_summary)
    pages = _pages(data.sasaran)
    pictures = [capaian_chart(page, sasaran_texts, language, period=data.period,
                              page=f"{n}/{len(pages)}" if len(pages) > 1 else "")
                for n, page in enumerate(pages, start=1)]
    if data.units:
        pictures.append(completeness_chart(data.units, texts, language, period=data.period))
    chunks = [data.trends[i:i + TRENDS_PER_CHART] for i in range(0, len(data.trends), TRENDS_PER_CHART)]
    for n, chunk in enumerate(chunks, start=1):
        title = words.trends_title.format(period=data.period, shown=len(data.trends), total=data.iku)
        pictures.append(trend_grid_chart(chunk, title=title + (f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""),
                                         realisasi=texts.realisasi, target=texts.target, no_data=texts.no_data,
                                         locale=language))
    if data.lowest:
        lowest_texts = replace(texts, capaian_title=words.lowest_title, capaian_summary=words.lowest_summary)
        pictures.append(capaian_chart(data.lowest, lowest_texts, language, period=data.period))
    return tuple(pictures)
