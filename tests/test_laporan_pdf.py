"""The "Laporan Hasil Pengukuran Kinerja" PDF of a period: rendered from plain data, then parsed back with pypdf."""

import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader

from reports.charts import BAND_COLOURS, Bar, capaian_chart
from reports.laporan import BELOW_TARGET_FILL, Laporan, LaporanRow, LevelLine, TimelineLine, render_laporan
from reports.pdf_layout import Document

OFFICE = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Pesisir Selatan"
BAND_LABELS = {"sangat_tinggi": "Sangat Tinggi", "tinggi": "Tinggi", "sedang": "Sedang", "rendah": "Rendah",
               "sangat_rendah": "Sangat Rendah"}


def row(code: str, name: str = "Persentase realisasi investasi terhadap target", *, band: str | None = "sangat_tinggi",
        tercapai: bool | None = True, **fields: str) -> LaporanRow:
    return LaporanRow(code=code, name=name, unit="Bidang Penanaman Modal", level="Sasaran",
                      target=fields.pop("target", "Rp1.250.000.000"),
                      realisasi=fields.pop("realisasi", "Rp1.300.000.000"),
                      capaian=fields.pop("capaian", "104,00%" if band else "–"), band=band,
                      band_label=BAND_LABELS.get(band or "", "–"), tercapai=tercapai, **fields)


def laporan(**changes: object) -> Laporan:
    """A Triwulan I report: one indicator above target, one below with its kendala, one without a value."""
    base = Laporan(
        office=OFFICE, period="Triwulan I 2026", period_code="2026-TW1", generated_at="14 April 2026 10.15 WIB",
        summary=("Tercapai 1 dari 3 indikator.", "Rata-rata capaian 86,82%."),
        rows=(row("IKU 1.1", "Nilai realisasi investasi PMA dan PMDN"),
              row("IKU 2.1", "Indeks kepuasan masyarakat", band="sedang", tercapai=False, target="≥ 91%",
                  realisasi="85 – 95", capaian="69,64%", kendala="Server OSS RBA terganggu selama dua minggu",
                  tindak_lanjut="Pendampingan pelaku usaha secara luring"),
              row("IKU 3.1", "Jumlah izin terbit", band=None, tercapai=None, target="7 hari", realisasi="–")),
        levels=(LevelLine("Tujuan", 1, 1, 1, "104,00%"), LevelLine("Sasaran", 3, 2, 1, "86,82%")),
        review=("12 April 2026 09.10 — Sekretaris Rina: disetujui",),
        disposition=("Kepala Dinas Budi, 13 April 2026: setuju", "Percepat pendampingan OSS di kecamatan"),
        timeline=(TimelineLine("1", "Distribusi formulir", "2 jam", "1 hari", "✅"),
                  TimelineLine("6", "Pengisian formulir unit", "6 hari 2 jam", "5 hari", "⚠️"),
                  TimelineLine("9", "Disposisi Kepala Dinas", "berjalan 3 jam", "1 hari", "⏳")),
    )
    return replace(base, **changes)


def parse(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text without whitespace: a wrapped cell reads the same as the original."""
    return "".join(text.split())


def landscape(reader: PdfReader) -> list[int]:
    return [n for n, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height]


def fill_colours(page) -> set[tuple[float, float, float]]:
    stream = page.get_contents().get_data().decode("latin-1")
    return {tuple(round(float(part), 2) for part in match)
            for match in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", stream)}


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(round(int(colour[i:i + 2], 16) / 255, 2) for i in (1, 3, 5))


def png(width: int, height: int, colour: str = "#3366aa") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


# ------------------------------------------------------------------------ content


def test_a_triwulan_report_has_every_section_in_order():
    reader, pages = parse(render_laporan(laporan()))
    text = "\n".join(pages)
    assert "Laporan Hasil Pengukuran Kinerja" in pages[0]
    assert flat(OFFICE) in flat(pages[0]) and "Triwulan I 2026" in pages[0] and "2026-TW1" in pages[0]
    assert "14 April 2026 10.15 WIB" in pages[0]
    order = ["Ringkasan", "Tercapai 1 dari 3 indikator.", "Capaian per tingkat", "Capaian indikator kinerja",
             "IKU 2.1", "Kendala dan tindak lanjut", "Server OSS RBA terganggu selama dua minggu",
             "Pendampingan pelaku usaha secara luring", "Verifikasi Sekretaris", "Sekretaris Rina: disetujui",
             "Disposisi Kepala Dinas", "Percepat pendampingan OSS di kecamatan", "Mutu baku", "Distribusi formulir"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [part for part, at in zip(order, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    assert "Nilai realisasi investasi PMA dan PMDN" in text and "Kepala Dinas Budi, 13 April 2026: setuju" in text
    assert "Rata-rata capaian" in text and "86,82%" in text  # the levels table


def test_kendala_lists_only_the_indicators_below_target():
    _, pages = parse(render_laporan(laporan()))
    section = "\n".join(pages).split("Kendala dan tindak lanjut")[1].split("Verifikasi Sekretaris")[0]
    assert "IKU 2.1 Indeks kepuasan masyarakat" in section
    assert "Kendala: Server OSS RBA terganggu" in section and "Tindak lanjut: Pendampingan" in section
    assert "IKU 1.1" not in section and "IKU 3.1" not in section
    assert "Capaian 69,64% (Sedang)" in section


def test_no_indicator_below_target_says_tidak_ada_and_missing_answers_say_belum_ada():
    rows = (row("IKU 1.1"), row("IKU 1.2", tercapai=False, band="rendah"))
    _, pages = parse(render_laporan(laporan(rows=rows[:1], review=(), disposition=())))
    text = "\n".join(pages)
    kendala = text.split("Kendala dan tindak lanjut")[1]
    assert kendala.split("Verifikasi Sekretaris")[0].strip() == "tidak ada"
    assert kendala.split("Disposisi Kepala Dinas")[1].split("Mutu baku")[0].strip() == "belum ada"
    _, pages = parse(render_laporan(laporan(rows=rows)))
    assert "Kendala: belum diisi" in "\n".join(pages)


def test_mutu_baku_marks_become_words_the_font_can_print(caplog):
    caplog.set_level(logging.WARNING)
    report = laporan(rows=(row("IKU 2.1", tercapai=False, band="sedang", kendala="Menunggu data ✅ ⏳ 📋 ok"),))
    _, pages = parse(render_laporan(report))
    timeline = "\n".join(pages).split("Mutu baku")[1]
    assert "✓ sesuai baku" in timeline and "⚠ melebihi baku" in timeline and "… berjalan" in timeline
    assert "Menunggu data ✓ … ok" in "\n".join(pages)
    assert not [r for r in caplog.records if "missing" in r.getMessage()], "a glyph DejaVu lacks was drawn"
    for emoji in "✅⏳📋\ufe0f":
        assert emoji not in "".join(pages)


def test_numbers_and_symbols_survive_extraction():
    _, pages = parse(render_laporan(laporan()))
    text = "\n".join(pages)
    for shown in ("≥ 91%", "Rp1.250.000.000", "Rp1.300.000.000", "85 – 95", "69,64%", "—", "·"):
        assert shown in text, shown


# ------------------------------------------------------------------------ the table


def test_sixty_rows_span_several_pages_each_repeating_the_header_row():
    rows = tuple(row(f"IKU-{n:03}", f"Indikator kinerja nomor {n} " + "dengan uraian panjang " * (n % 4),
                     band="rendah" if n % 20 == 0 else "tinggi", tercapai=n % 20 != 0) for n in range(1, 61))
    reader, pages = parse(render_laporan(laporan(rows=rows)))
    table = landscape(reader)
    assert len(table) >= 3
    assert table == list(range(1, 1 + len(table)))  # after the title page with its summary, in one run
    assert len(pages) == 1 + len(table) + 1  # then kendala, review, disposition and mutu baku on one page
    for n in table:
        assert re.search(r"Kode\s+Tingkat\s+Indikator\s+Unit\s+Target\s+Realisasi\s+Capaian\s+Kategori", pages[n])
        assert "Triwulan I 2026" in pages[n]
    for code in (f"IKU-{n:03}" for n in range(1, 61)):  # every row whole on exactly one page
        assert sum(pages[n].count(code) for n in table) == 1, code
    where = [next(n for n in table if f"IKU-{i:03}" in pages[n]) for i in range(1, 61)]
    assert where == sorted(where)


def test_comparison_columns_only_for_a_triwulan_measurement():
    rows = (row("IKU 1.1", previous="98,00%", last_year="91,50%", year_progress="26,00%"),)
    reader, pages = parse(render_laporan(laporan(rows=rows, comparisons=True)))
    table = pages[landscape(reader)[0]]
    assert re.search(r"TW\s+sebelumnya", table) and "98,00%" in table and "91,50%" in table and "26,00%" in table
    reader, pages = parse(render_laporan(laporan(rows=rows)))
    table = pages[landscape(reader)[0]]
    assert not re.search(r"TW\s+sebelumnya", table) and "98,00%" not in table


def test_capaian_cells_take_the_band_colours_and_rows_below_target_are_tinted():
    rows = tuple(row(f"IKU {n}", band=band, tercapai=band == "sangat_tinggi")
                 for n, band in enumerate(BAND_LABELS, start=1))
    reader, _ = parse(render_laporan(laporan(rows=rows)))
    colours = fill_colours(reader.pages[landscape(reader)[0]])
    assert {rgb(colour) for colour in BAND_COLOURS.values()} <= colours
    assert rgb(BELOW_TARGET_FILL) in colours
    reader, _ = parse(render_laporan(laporan(rows=rows[:1])))
    colours = fill_colours(reader.pages[landscape(reader)[0]])
    assert rgb(BELOW_TARGET_FILL) not in colours and rgb(BAND_COLOURS["sedang"]) not in colours


def test_a_very_long_name_wraps_whole_and_an_empty_report_renders():
    name = ("Persentase penyelesaian perizinan berusaha berbasis risiko yang diterbitkan tepat waktu sesuai "
            "standar pelayanan ") * 3
    name = name[:300]
    assert len(name) == 300
    reader, pages = parse(render_laporan(laporan(rows=(row("IKU 9.9", name, tercapai=False, band="rendah"),))))
    assert flat(name) in flat(pages[landscape(reader)[0]])
    assert flat(name) in flat("".join(pages[landscape(reader)[-1] + 1:]))  # in the kendala too

    empty = Laporan(office=OFFICE, period="Januari 2026", period_code="2026-01", generated_at="5 Februari 2026",
                    summary=(), rows=())
    reader, pages = parse(render_laporan(empty))
    assert len(pages) == 3  # title with the summary, table, the rest
    assert "Belum ada indikator pada periode ini." in pages[1]
    assert sum(len(page.images) for page in reader.pages) == 0
    assert "tidak ada" in pages[2] and pages[2].count("belum ada") == 3  # review, disposition, mutu baku


# ------------------------------------------------------------------------ charts


def test_charts_are_embedded_once_each_and_a_tall_one_fits_a_page():
    chart = capaian_chart([Bar("IKU 1.1", "Nilai realisasi investasi", capaian=Decimal("104")),
                           Bar("IKU 2.1", "Indeks kepuasan masyarakat", capaian=Decimal("69.64"))],
                          period="Triwulan I 2026")
    tall = png(1280, 6000)
    reader, pages = parse(render_laporan(laporan(charts=(chart.png, tall, png(1280, 400, "#aa3366")))))
    assert sum(len(page.images) for page in reader.pages) == 3
    chart_pages = [n for n, page in enumerate(reader.pages) if page.images]
    assert "Grafik" in pages[chart_pages[0]]
    placed = []
    for n in chart_pages:
        page = reader.pages[n]
        stream = page.get_contents().get_data().decode("latin-1")
        for w, h, x, y in re.findall(r"q (-?[\d.]+) 0 0 (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) cm /I\w+ Do Q", stream):
            w, h, x, y = map(float, (w, h, x, y))
            assert x >= 0 and y > 0 and x + w <= float(page.mediabox.width) and y + h < float(page.mediabox.height)
            placed.append((w, h))
    assert len(placed) == 3
    assert placed[0][0] == placed[2][0] > 500  # the page width (pt)
    assert placed[1][1] > 650 and placed[1][0] == pytest.approx(placed[1][1] * 1280 / 6000, rel=0.01)  # aspect kept
    tall_image = max((image for n in chart_pages for image in reader.pages[n].images), key=lambda i: i.image.height)
    assert tall_image.image.size == (1280, 6000)  # embedded at full resolution


# ------------------------------------------------------------------------ draft, language, pages, metadata


def test_the_draft_mark_is_on_the_title_and_every_header_only_while_not_archived():
    _, pages = parse(render_laporan(laporan(draft=True)))
    assert all("DRAF" in page for page in pages)
    assert "Belum diarsipkan" in pages[0]
    _, pages = parse(render_laporan(laporan(draft=False)))
    assert not any("DRAF" in page for page in pages)
    assert "Belum diarsipkan" not in "".join(pages)


def test_every_page_is_numbered_and_carries_the_period():
    _, pages = parse(render_laporan(laporan(charts=(png(1280, 900),))))
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {total}" in page
        if number > 1:
            assert "Laporan Hasil Pengukuran Kinerja · Triwulan I 2026" in page


def test_english_reader_gets_english_headings():
    _, pages = parse(render_laporan(laporan(draft=True), "en"))
    text = "\n".join(pages)
    for heading in ("Performance Measurement Report", "Summary", "Performance indicators", "Actual",
                    "Achievement", "Obstacles and follow-up", "Sekretaris's review", "Kepala Dinas's disposition",
                    f"Page 1 of {len(pages)}", "DRAFT", "✓ within standard"):
        assert heading in text, heading
    for indonesian in ("Halaman", "Ringkasan", "Kendala dan tindak lanjut", "Realisasi"):
        assert indonesian not in text, indonesian


def test_the_same_data_gives_the_same_bytes_and_the_creation_date_is_kept():
    report = laporan(created_at=datetime(2026, 4, 14, 3, 15, tzinfo=UTC))
    first = render_laporan(report)
    assert render_laporan(report) == first
    reader, _ = parse(first)
    assert reader.metadata.creation_date == datetime(2026, 4, 14, 3, 15, tzinfo=UTC)
    assert reader.metadata.title == "Laporan Hasil Pengukuran Kinerja Triwulan I 2026"


def test_reports_render_side_by_side_in_worker_threads():
    reports = [laporan(period=f"Triwulan {roman} 2026", draft=n % 2 == 0)
               for n, roman in enumerate(("I", "II", "III", "IV"))]
    alone = [render_laporan(report) for report in reports]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(render_laporan, reports))
    assert together == alone


@pytest.mark.parametrize("language", ["id", "en"])
def test_forty_rows_with_three_charts_stay_small(language):
    rows = tuple(row(f"IKU {n}", tercapai=n % 4 != 0, band="tinggi" if n % 4 else "rendah") for n in range(40))
    charts = tuple(png(1280, height, colour) for height, colour in ((900, "#224488"), (1600, "#882244"),
                                                                     (700, "#228844")))
    data = render_laporan(laporan(rows=rows, charts=charts), language)
    reader, _ = parse(data)
    assert sum(len(page.images) for page in reader.pages) == 3
    assert len(data) < 1_000_000


# ------------------------------------------------------------------------ a whole office's report


class CountingDocument(Document):
    """The Laporan's document, counting the calls that go through fpdf2's line breaker (`multi_cell`, which
    `table()` calls per cell, and `write`): quadratic in a line's length, it made 1200 rows take two minutes."""

    line_breaks = 0

    def multi_cell(self, *args, **kwargs):
        CountingDocument.line_breaks += 1
        return super().multi_cell(*args, **kwargs)

    def write(self, *args, **kwargs):
        CountingDocument.line_breaks += 1
        return super().write(*args, **kwargs)


def office_rows(count: int, **fields: object) -> tuple[LaporanRow, ...]:
    """`count` indicators of 40 units: long names (some with a word longer than the column), a fifth below target
    with their kendala, every third with bukti dukung."""
    words = ("persentase", "realisasi", "investasi", "perizinan", "berusaha", "berbasis", "risiko", "pelayanan",
             "terpadu", "satu", "pintu")
    return tuple(
        row(f"U{n // 30 + 1:02}.IKU {n % 30 + 1}", " ".join(words[(n + k) % len(words)] for k in range(3 + n % 40))
            + (" Superpanjangkatatanpaspasi" * 4 if n % 97 == 0 else ""),
            band="rendah" if n % 5 == 0 else "tinggi", tercapai=n % 5 != 0,
            kendala="Server OSS RBA terganggu" if n % 5 == 0 else "",
            evidence=f"2 berkas: foto-{n}.jpg, register-{n}.pdf" if n % 3 == 0 else "", **fields)
        for n in range(count))


def test_the_report_does_not_go_through_fpdfs_line_breaker_per_row(monkeypatch):
    monkeypatch.setattr("reports.laporan.Document", CountingDocument)
    calls = []
    for count in (10, 200):
        CountingDocument.line_breaks = 0
        render_laporan(laporan(rows=office_rows(count), lists_evidence=True, draft=True))
        calls.append(CountingDocument.line_breaks)
    assert calls[0] == calls[1], f"fpdf2's line breaker is called per row: {calls} calls for 10 and 200 rows"
    assert calls[0] <= 12  # the section headings


def test_a_whole_office_of_1200_indicators_renders_every_row_once_with_its_heading_on_every_page():
    rows = office_rows(1200)
    reader, pages = parse(render_laporan(laporan(rows=rows, lists_evidence=True, draft=True)))
    table = landscape(reader)
    assert table == list(range(1, 1 + len(table)))
    heading = re.compile(r"Kode\s+Tingkat\s+Indikator\s+Unit\s+Target\s+Realisasi\s+Capaian\s+Kategori")
    assert all(heading.search(pages[n]) and "DRAF" in pages[n] for n in table)
    on_page = {}
    for n in table:
        for code in re.findall(r"U\d\d\.IKU \d+(?=\s)", pages[n]):
            assert code not in on_page, f"{code} on pages {on_page[code]} and {n}"
            on_page[code] = n
    codes = [item.code for item in rows]
    assert list(on_page) == codes  # every row, whole on one page, in order
    assert len({on_page[code] for code in codes}) == len(table)
    names = flat("".join(pages[n] for n in table))
    for item in rows[::97]:  # the longest, wrapped inside a word and at spaces
        assert flat(item.name) in names
    rest = "\n".join(pages[table[-1] + 1:])
    assert rest.count("Kendala: Server OSS RBA terganggu") == 240
    assert all(f"register-{n}.pdf" in rest for n in range(0, 1200, 3))
