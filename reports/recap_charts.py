"""The charts of a recap in the Laporan that `/laporan` sends and the archive files (`reports/laporan_data.py`):
capaian per indicator in pages, each unit's form, each IKU's year. The chat shows the one album of at most ten of
`reports.recap_album` instead (the Kepala Dinas's report, `/rekap`, the measurement report), which also goes in
their Laporan DRAF.

Built from a computed `Recap` (and the period's progress), so the pictures show exactly the figures of the text
beside them. Rendering is CPU work of a second or more at regency scale: callers run it off the event loop, in
the bounded pool `reports.render_pool.RENDER_POOL`, so a burst of /rekap never takes the threads that serve
other users' updates. Loaded on first use (`reports.heavy`): it brings matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.collection.progress import UnitProgress
from models.collection.recap import Recap
from models.plan.indicators import IndicatorKind
from reports.charts import (
    Rendered,
    bars_from_recap,
    capaian_pages,
    chart_texts,
    completeness_chart,
    progress_bars,
    trend_chart,
    trend_of_row,
)
from reports.render_pool import RENDER_POOL  # noqa: F401  (where it was; the pool lives apart from the drawing)

BARS_PER_PAGE = 30  # about a phone screen and a half of bars per picture


@dataclass(frozen=True)
class RecapCharts:
    capaian: tuple[Rendered, ...]
    completeness: Rendered | None
    trends: tuple[Rendered, ...]

    @property
    def pictures(self) -> tuple[Rendered, ...]:
        """In the order the album shows them: capaian pages, completeness, then the IKU trends."""
        return (*self.capaian, *((self.completeness,) if self.completeness else ()), *self.trends)

    @property
    def pngs(self) -> tuple[bytes, ...]:
        return tuple(picture.png for picture in self.pictures)


def render_recap_charts(recap: Recap, period_label: str, language: str,
                        progress: list[UnitProgress] | None = None) -> RecapCharts:
    """The recap's charts: capaian grouped by sasaran (in pages), the units' completeness when the recap is
    of one period, and the year's trend of every IKU in the recap up to the recap's end."""
    texts = chart_texts(language)
    capaian = capaian_pages(bars_from_recap(recap, "sasaran"), texts, language, period=period_label,
                            per_page=BARS_PER_PAGE)
    completeness = (completeness_chart(progress_bars(progress), texts, language, period=period_label)
                    if progress else None)
    trends = tuple(
        trend_chart(trend_of_row(row, recap, texts, language), texts, language)  # the year so far
        for row in recap.rows
        if IndicatorKind(row.indicator.kind) is IndicatorKind.IKU and row.plan is not None
    )
    return RecapCharts(tuple(capaian), completeness, trends)
