"""Recap charts read like what the Kepala Dinas sees on a phone.

Given the capaian of a period's indicators, when the recap is charted, then every indicator with a value gets one
bar coloured by its band and its value in Indonesian ("95,63%"), an indicator without one reads "belum ada
data", and the picture is 1280 px wide whatever the number of rows; likewise an indicator's year against its
target and each unit's form. No database: the charts take plain data.
"""

from __future__ import annotations

import gc
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import RendererAgg
from PIL import Image

from i18n import catalogue
from models.calc.capaian import Aggregation, Polarity, Target, YearTargets, compute_capaian
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel
from reports.charts import (
    CATALOGUE_KEYS,
    MAX_HEIGHT_PX,
    WIDTH_PX,
    Bar,
    ChartTexts,
    Rendered,
    Trend,
    TrendPoint,
    UnitBar,
    bars_from_recap,
    capaian_chart,
    capaian_pages,
    completeness_chart,
    month_labels,
    progress_bars,
    trend_chart,
    trend_from_plan,
)
from reports.recap_album import MAX_PICTURES, AlbumData, draw_album
from reports.trend_grid_chart import trend_grid_chart

LONG_NAME = (
    "Persentase perizinan berusaha berbasis risiko yang diterbitkan tepat waktu sesuai standar pelayanan "
    "melalui sistem Online Single Submission dan Mal Pelayanan Publik Kabupaten Pesisir Selatan"
)


def picture(rendered: Rendered) -> Image.Image:
    image = Image.open(io.BytesIO(rendered.png))
    image.load()
    return image.convert("RGB")


def assert_readable(rendered: Rendered) -> Image.Image:
    """1280 px wide, within Telegram's and our bounds, and a real drawing (not blank, many colours)."""
    image = picture(rendered)
    assert image.width == WIDTH_PX == rendered.width
    assert image.height == rendered.height <= MAX_HEIGHT_PX
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 20
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert white < image.width * image.height * 0.97
    return image


def with_value(bars: list[Bar]) -> int:
    return sum(1 for bar in bars if bar.capaian is not None)


# ------------------------------------------------------------------------ capaian


def test_one_bar_per_indicator_with_a_value_in_indonesian_and_grouped_by_sasaran():
    bars = [
        Bar("IKU.1", "Indeks Kepuasan Masyarakat", "S.1 Pelayanan prima", Decimal("95.625")),
        Bar("IKU.3", "Realisasi investasi", "S.2 Investasi meningkat", Decimal("1000")),
        Bar("IKU.2", "Izin terbit tepat waktu", "S.1 Pelayanan prima", Decimal("-24.65")),
        Bar("IKK.1", "Jumlah inovasi", "S.1 Pelayanan prima", None),
    ]
    rendered = capaian_chart(bars, period="Triwulan I 2026")

    assert_readable(rendered)
    assert rendered.bars == 3 == with_value(bars)
    # the bars of one sasaran are drawn together, in the order given
    assert [label.split()[0] for label in rendered.labels] == ["IKU.1", "IKU.2", "IKK.1", "IKU.3"]
    assert rendered.values == ("95,63%", "-24,65%", "belum ada data", "1.000,00%")


def test_values_follow_the_locale():
    rendered = capaian_chart([Bar("IKU.1", "Indeks", capaian=Decimal("1234.5"))], locale="en")
    assert rendered.values == ("1,234.50%",)


def test_sixty_indicators_with_gaps_extremes_and_long_names_render_taller():
    values = [None, Decimal("-350"), Decimal("1000"), Decimal("0"), Decimal("99.995"), Decimal("50"), Decimal("76")]
    bars = [Bar(f"IKK.{i}", LONG_NAME, f"Sasaran {i // 12}: {LONG_NAME}", values[i % len(values)])
            for i in range(60)]
    short = capaian_chart(bars[:6])
    rendered = capaian_chart(bars, period="Tahun 2026")

    assert_readable(rendered)
    assert rendered.bars == with_value(bars)
    assert len(rendered.labels) == 60
    assert all(label.endswith("…") for label in rendered.labels)  # long names are wrapped and shortened
    assert rendered.height > 5 * short.height
    assert "-350,00%" in rendered.values and "1.000,00%" in rendered.values


def test_pages_split_the_bars_for_a_telegram_album():
    bars = [Bar(f"IKK.{i}", LONG_NAME, f"Sasaran {i // 20}", Decimal(i * 3)) for i in range(60)]
    pages = capaian_pages(bars, period="Tahun 2026", per_page=25)

    assert [page.bars for page in pages] == [25, 25, 10]
    assert [label.split()[0] for page in pages for label in page.labels] == [bar.code for bar in bars]
    for page in pages:
        assert_readable(page)
        assert page.width + page.height <= 10_000  # Telegram's limit for a photo


def live_pixel_buffers() -> int:
    """Agg renderers (each holding a figure's pixels) still in memory."""
    return sum(1 for thing in gc.get_objects() if isinstance(thing, RendererAgg))


def test_each_page_lets_its_pixels_go_at_once_so_many_pages_keep_the_memory_of_one():
    """Without the cyclic collector (switched off here), each page's renderer and its pixels are freed as soon
    as the PNG is made; matplotlib's texts would keep them alive until a collection otherwise."""
    bars = [Bar(f"IKK.{i}", LONG_NAME, f"Sasaran {i // 20}", Decimal(i * 3)) for i in range(30)]
    gc.collect()
    before = live_pixel_buffers()
    gc.disable()
    try:
        assert len(capaian_pages(bars, per_page=5)) == 6
        assert live_pixel_buffers() == before
    finally:
        gc.enable()


def test_no_bars_still_render():
    rendered = capaian_chart([])
    assert_readable(rendered)
    assert rendered.bars == 0 and rendered.labels == ()


decimals = st.decimals(min_value=-5000, max_value=5000, places=3, allow_nan=False, allow_infinity=False)
names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDE-/().,%0123456789"), max_size=160)
random_bars = st.lists(
    st.builds(Bar, code=st.from_regex(r"[A-Z]{2,3}\.[0-9]{1,2}", fullmatch=True), name=names,
              group=st.sampled_from(["", "Sasaran 1", "Sasaran 2 " * 12]), capaian=st.none() | decimals),
    max_size=25,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_bars)
def test_any_list_of_bars_renders_one_bar_per_value(bars):
    rendered = capaian_chart(bars)
    assert rendered.width == WIDTH_PX
    assert rendered.bars == with_value(bars)
    assert len(rendered.labels) == len(bars)


# ------------------------------------------------------------------------ the domain's data


def indicator(id: int, code: str, level: IndicatorLevel, parent_id: int | None = None, unit_id: int = 1,
              frequency: Frequency = Frequency.QUARTERLY) -> Indicator:
    return Indicator(id=id, code=code, name=f"Indikator {code}", level=level, parent_id=parent_id,
                     kind=IndicatorKind.IKU, satuan="%", polarity=Polarity.POSITIVE, aggregation=Aggregation.AVERAGE,
                     unit_id=unit_id, frequency=frequency, decimals=2)


def row(ind: Indicator, unit: str, realisasi: str | None, target: str = "80") -> RecapRow:
    value = None if realisasi is None else Decimal(realisasi)
    return RecapRow(indicator=ind, unit_name=unit, target=Target(Decimal(target)), realisasi=value,
                    capaian=compute_capaian(value, Target(Decimal(target)), ind.rule))


def test_a_recap_becomes_bars_grouped_by_sasaran_or_unit():
    sasaran = indicator(1, "S.1", IndicatorLevel.SASARAN)
    program = indicator(2, "P.1", IndicatorLevel.PROGRAM, parent_id=1)
    kegiatan = indicator(3, "K.1", IndicatorLevel.KEGIATAN, parent_id=2, unit_id=2)
    other_sasaran = indicator(4, "S.2", IndicatorLevel.SASARAN)  # not in the recap (say, collected otherwise)
    other = indicator(5, "P.2", IndicatorLevel.PROGRAM, parent_id=4, unit_id=2)
    orphan = indicator(6, "X.1", IndicatorLevel.KEGIATAN)
    recap = Recap(scope=2026, rows=[
        row(sasaran, "Sekretariat", "76.5"), row(program, "Sekretariat", "80"), row(kegiatan, "Bidang A", None),
        row(other, "Bidang A", "20"), row(orphan, "Sekretariat", "100"),
    ])

    by_sasaran = bars_from_recap(recap, indicators=[other_sasaran])
    assert [bar.group for bar in by_sasaran] == [
        "S.1 Indikator S.1", "S.1 Indikator S.1", "S.1 Indikator S.1", "S.2 Indikator S.2", ""]
    assert [bar.band for bar in by_sasaran] == ["sangat_tinggi", "sangat_tinggi", None, "sangat_rendah",
                                               "sangat_tinggi"]
    assert by_sasaran[0].capaian == Decimal("76.5") / Decimal("80") * 100
    assert [bar.group for bar in bars_from_recap(recap, "unit")] == [
        "Sekretariat", "Sekretariat", "Bidang A", "Bidang A", "Sekretariat"]

    rendered = capaian_chart(by_sasaran, period="2026")
    assert rendered.bars == 4
    assert [label.split()[0] for label in rendered.labels] == ["S.1", "P.1", "K.1", "P.2", "X.1"]
    assert rendered.values == ("95,63%", "100,00%", "belum ada data", "25,00%", "125,00%")
    with pytest.raises(ValueError):
        bars_from_recap(recap, "bidang")


# ------------------------------------------------------------------------ trend


def test_trend_shows_the_months_in_indonesian_and_one_bar_per_value():
    values = ["1250000000", "2500000000", None, "800000000"] + [None] * 8
    trend = Trend("IKU.3", "Nilai realisasi investasi", "Rp", [
        TrendPoint(label, None if v is None else Decimal(v), Decimal("2000000000"))
        for label, v in zip(month_labels("id"), values, strict=True)], decimals=0)
    rendered = trend_chart(trend)

    assert_readable(rendered)
    assert rendered.bars == 3
    assert rendered.labels == ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
    assert rendered.values[:3] == ("1,25\u00a0M", "2,5\u00a0M", "800\u00a0jt")  # Babel's compact form, no-break space


def test_long_values_and_negative_realisasi_render():
    trend = Trend("IKK.9", LONG_NAME, "orang", [
        TrendPoint(label, Decimal("-12345.678") if i % 3 == 0 else Decimal("98765.432"), Decimal("50000"))
        for i, label in enumerate(month_labels())], decimals=2)
    rendered = trend_chart(trend)
    assert_readable(rendered)
    assert rendered.bars == 12
    assert "-12.345,68" in rendered.values and "98.765,43" in rendered.values


def test_trend_from_the_pk_plan_monthly_and_quarterly():
    plan = YearTargets(annual=Decimal("100"), quarters=(Decimal("60"), Decimal("90"), Decimal("120"), Decimal("150")))
    monthly = indicator(7, "IKU.7", IndicatorLevel.SASARAN, frequency=Frequency.MONTHLY)
    monthly.aggregation = Aggregation.CUMULATIVE
    trend = trend_from_plan(monthly, plan, {1: Decimal("18"), 2: Decimal("22.5")})
    assert [p.label for p in trend.points][:5] == ["Jan", "Feb", "Mar", "Apr", "Mei"]
    assert [p.target for p in trend.points][:4] == [Decimal(20), Decimal(20), Decimal(20), Decimal(30)]
    assert trend_chart(trend).bars == 2

    quarterly = indicator(8, "IKU.8", IndicatorLevel.SASARAN)
    trend = trend_from_plan(quarterly, plan, {1: Decimal("55"), 4: Decimal("160")})
    assert [p.label for p in trend.points] == ["TW I", "TW II", "TW III", "TW IV"]
    assert [p.target for p in trend.points] == [Decimal(60), Decimal(90), Decimal(120), Decimal(150)]
    assert trend_chart(trend).bars == 2
    assert month_labels("en")[4] == "May"


def test_an_empty_trend_renders():
    assert trend_chart(Trend("X", "Tanpa data", "", [])).bars == 0


# ------------------------------------------------------------------------ completeness


def test_completeness_one_bar_per_unit_with_status_and_lateness():
    units = [
        UnitBar("Sekretariat", "approved", False, 12, 12),
        UnitBar("Bidang Pelayanan Perizinan dan Nonperizinan", "submitted", True, 15, 15),
        UnitBar("Bidang Penanaman Modal", "draft", False, 4, 10),
        UnitBar(LONG_NAME, "returned", False, 8, 9),
        UnitBar("Bidang Promosi", "not_started", True, 0, 0),
    ]
    rendered = completeness_chart(units, period="Maret 2026")

    assert_readable(rendered)
    assert rendered.bars == 5
    assert [" ".join(label.split()) for label in rendered.labels[:3]] == [unit.unit for unit in units[:3]]
    assert rendered.values == ("disetujui · 12/12", "tepat waktu", "dikirim · 15/15", "terlambat", "draf · 4/10",
                               "dikembalikan · 8/9", "belum mulai", "terlambat")


def test_progress_of_the_domain_becomes_unit_bars():
    progress = [UnitProgress(Unit(id=1, name="Sekretariat", kind=UnitKind.SEKRETARIAT), None, "draft", 3, 7, True)]
    assert progress_bars(progress) == [UnitBar("Sekretariat", "draft", True, 3, 7)]
    assert completeness_chart(progress_bars(progress)).bars == 1
    assert completeness_chart([]).bars == 0


# ------------------------------------------------------------------------ texts, threads


def test_texts_come_from_a_catalogue_lookup():
    texts = ChartTexts.from_lookup(lambda key: f"<{key}>")
    assert texts.capaian_title == "<chart.capaian_title>" and texts.band("tinggi") == "<rating.tinggi>"
    rendered = capaian_chart([Bar("A.1", "x", capaian=None)], texts)
    assert rendered.values == ("<chart.no_data>",)
    existing = catalogue("id")
    reused = [key for key in CATALOGUE_KEYS.values() if not key.startswith("chart.")]
    assert reused and all(key in existing for key in reused)


def test_charts_render_side_by_side_in_worker_threads_without_pyplot():
    bars = [Bar(f"IKU.{i}", LONG_NAME, f"S.{i % 3}", Decimal(i * 17)) for i in range(12)]
    alone = capaian_chart(bars).png
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _: capaian_chart(bars).png, range(6)))
    assert all(png == alone for png in together)

    script = ("import sys; from reports.charts import Bar, capaian_chart; capaian_chart([Bar('A', 'b')]); "
              "assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parent.parent)


# ------------------------------------------------------------------------ the Kepala Dinas's album


def test_trend_small_multiples_draw_a_panel_per_iku_with_its_bars():
    trends = [Trend(f"IKU.{n}", LONG_NAME, "%", [
        TrendPoint(label, Decimal(80 + n) if month < 3 else None, Decimal(90))
        for month, label in enumerate(month_labels())], decimals=2) for n in range(20)]
    rendered = trend_grid_chart(trends, title="Tren IKU Maret 2026", realisasi="Realisasi", target="Target",
                                no_data="belum ada data")
    image = assert_readable(rendered)
    assert rendered.bars == 20 * 3
    assert len(rendered.labels) == 20 and rendered.labels[0].startswith("IKU.0 Persentase")
    assert rendered.values[0] == "Jan–Des · 0–90,00 %"  # each panel's own scale: the target, 90
    assert image.width + image.height <= 10_000  # Telegram's bound for a photo
    assert trend_grid_chart([], title="Tren IKU", realisasi="R", target="T", no_data="kosong").bars == 0


def test_the_album_stays_within_ten_pictures_for_a_big_office():
    """100 sasaran, 100 units and 40 IKU: two sasaran pages, the completeness, two trend charts, the lowest."""
    bars = tuple(Bar(f"S.{n}", "Sasaran kinerja", capaian=Decimal(60 + n)) for n in range(100))
    units = tuple(UnitBar(f"Bidang {n}", "approved" if n % 3 else "draft", n % 4 == 0, 5, 8) for n in range(100))
    trends = tuple(Trend(f"IKU.{n}", "Nilai", "Rp", [TrendPoint("Jan", Decimal(n + 1), Decimal(50))])
                   for n in range(40))
    album = AlbumData(period="Maret 2026", language="id", sasaran=bars, units=units, trends=trends, iku=90,
                      lowest=bars[:15])
    pictures = draw_album(album)
    assert len(pictures) == 6 <= MAX_PICTURES
    assert all(picture.width + picture.height <= 10_000 for picture in pictures)
    assert [picture.bars for picture in pictures] == [50, 50, 100, 20, 20, 15]
