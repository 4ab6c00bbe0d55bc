"""Recap charts for the Kepala Dinas: capaian per indicator, one indicator through the year, each unit's form.

Pure functions from plain data (`Bar`, `Trend`, `UnitBar`) to a PNG (`Rendered`), with adapters from the domain
(`bars_from_recap`, `progress_bars`, `trend_from_plan`). This module is their one address; they live in:

- `reports.chart_style`: size, fonts, colours (`BAND_COLOURS`), words (`ChartTexts`), `Rendered`, and a figure's
  life (drawn on an Agg canvas, released as soon as its PNG is made);
- `reports.chart_data`: the plain data and the adapters;
- `reports.capaian_chart`, `reports.trend_chart`, `reports.completeness_chart`: one chart each.

Words come from the catalogue as a `ChartTexts` (`chart_texts(language)`; Indonesian when a chart is given none),
numbers and month names from `models.calc.numbers` and Babel in `locale`.
"""

from __future__ import annotations

from reports.capaian_chart import capaian_chart, capaian_pages
from reports.chart_data import (
    Bar,
    Trend,
    TrendPoint,
    UnitBar,
    bars_from_recap,
    month_labels,
    progress_bars,
    trend_from_plan,
    trend_of_row,
)
from reports.chart_style import (
    BAND_COLOURS,
    BAND_RANGES,
    CATALOGUE_KEYS,
    DPI,
    MAX_HEIGHT_PX,
    STATUS_COLOURS,
    STATUSES,
    WIDTH_PX,
    ChartTexts,
    Rendered,
    chart_texts,
)
from reports.completeness_chart import completeness_chart
from reports.trend_chart import trend_chart

__all__ = [
    "BAND_COLOURS", "BAND_RANGES", "CATALOGUE_KEYS", "DPI", "MAX_HEIGHT_PX", "STATUSES", "STATUS_COLOURS",
    "WIDTH_PX", "Bar", "ChartTexts", "Rendered", "Trend", "TrendPoint", "UnitBar", "bars_from_recap",
    "capaian_chart", "capaian_pages", "chart_texts", "completeness_chart", "month_labels", "progress_bars",
    "trend_chart", "trend_from_plan", "trend_of_row",
]
