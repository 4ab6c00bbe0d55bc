"""The Laporan as a document an office hands in: on its letterhead, signed, dated in Indonesian, its numbers whole.

Given the letterhead and signatories from the settings (the Kepala Dinas, and a Sekretaris acting as "Plh."),
when the Laporan is rendered and read back with pypdf, then page 1 carries the kop surat (the parent line, the
office, the address), the summary stands under the title on that page (no page of three lines), the last page
the date line "Painan, 14 April 2026", "Mengetahui," and both names with their NIP; a DRAF says DRAF across every
page and a filed one nowhere; a Rupiah amount of a crowded table is never split across lines. Given the demo
office's values of January to April, the Triwulan I Laporan holds no April value.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import ConfigError, load_settings
from models.collection.workflow import enter_realisasi
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.archive import Procedure
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.laporan import render_laporan
from reports.laporan_data import laporan_file
from reports.letterhead import Letterhead, Signatory, dated, read_logo
from reports.pdf_layout import Column, Document
from tests.conftest import office_moment
from tests.test_laporan_pdf import laporan, row

KEPALA = Signatory("Kepala Dinas Penanaman Modal dan PTSP", "Drs. H. Budi Santoso, M.Si", "19700101 199503 1 001",
                   "Pembina Utama Muda (IV/c)")
PLH = Signatory("Plh. Sekretaris", "Rina Marlina, S.E.", "19800202 200501 2 002")


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 150), "#1f3b63").save(buffer, format="PNG")
    return buffer.getvalue()


KOP = Letterhead(office="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
                 parent="Pemerintah Kabupaten Pesisir Selatan", address="Jl. Imam Bonjol No. 1, Painan 25611",
                 phone="(0756) 21234", email="dpmptsp@pesisirselatankab.go.id", city="Painan", logo=logo_png(),
                 kepala=KEPALA, sekretaris=PLH)


def signed(**changes: object):
    return laporan(**{"letterhead": KOP, "verifier": PLH, "approver": KEPALA, "signed_on": "Painan, 10 Januari 2027",
                      **changes})


def pages_of(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() or "" for page in reader.pages]


def one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------ from plain data


def test_page_one_carries_the_kop_the_title_and_the_summary():
    reader, pages = pages_of(render_laporan(signed()))
    first = one_line(pages[0])
    assert "PEMERINTAH KABUPATEN PESISIR SELATAN" in first
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU" in first
    assert "Jl. Imam Bonjol No. 1, Painan 25611" in first and "Telepon (0756) 21234" in first
    assert first.index("PEMERINTAH") < first.index("Laporan Hasil Pengukuran Kinerja") < first.index("Ringkasan")
    assert "Tercapai 1 dari 3 indikator." in first  # the summary joins the title's page
    assert not any("Ringkasan" in page for page in pages[1:])
    assert len(reader.pages[0].images) == 1  # the logo


def test_the_last_page_is_signed_and_dated_in_indonesian():
    _, pages = pages_of(render_laporan(signed()))
    last = one_line(pages[-1])
    assert "Pengesahan" in last and "Painan, 10 Januari 2027" in last and "Mengetahui," in last
    assert "Kepala Dinas Penanaman Modal dan PTSP" in last and "Drs. H. Budi Santoso, M.Si" in last
    assert "NIP. 19700101 199503 1 001" in last and "Pembina Utama Muda (IV/c)" in last
    assert "Diverifikasi oleh," in last and "Plh. Sekretaris" in last and "Rina Marlina, S.E." in last
    assert "NIP. 19800202 200501 2 002" in last
    assert last.index("Mutu baku") < last.index("Pengesahan")  # after every section


def test_the_date_line_is_babels_indonesian_long_date():
    assert dated("Painan", date(2027, 1, 10)) == "Painan, 10 Januari 2027"
    assert dated("", date(2026, 8, 17)) == "17 Agustus 2026"
    assert dated("Painan", date(2027, 1, 10), "en") == "Painan, January 10, 2027"


def test_signatories_not_configured_leave_lines_to_sign_by_hand():
    _, pages = pages_of(render_laporan(laporan(letterhead=Letterhead(office="Dinas"), verifier=Signatory("Sekretaris"),
                                               approver=Signatory("Kepala Dinas"), signed_on="10 Januari 2027")))
    last = one_line(pages[-1])
    assert "Mengetahui, Kepala Dinas" in last and "(......" in last and "NIP. ......" in last
    _, unsigned = pages_of(render_laporan(laporan()))  # no signatories given: no signature section
    assert "Pengesahan" not in "".join(unsigned)


def test_a_draft_says_draf_across_every_page_and_a_filed_one_nowhere():
    _, drafts = pages_of(render_laporan(signed(draft=True)))
    assert all("DRAF" in page for page in drafts)
    _, filed = pages_of(render_laporan(signed(draft=False)))
    assert not any("DRAF" in page for page in filed)


AMOUNTS = ("Rp120.000.000.000,00", "Rp119.999.999.999,99", "Rp600.000.000.000", "Rp1.250.000.000,50")


def test_no_number_is_split_across_lines_even_in_the_crowded_measurement_table():
    rows = tuple(row(f"S.{n}", f"Nilai realisasi investasi PMA dan PMDN sektor {n}", target=AMOUNTS[n % 4],
                     realisasi=AMOUNTS[(n + 1) % 4], capaian="100,00%", previous="101,23%", last_year="99,00%",
                     year_progress="1.234,56%") for n in range(12))
    _, pages = pages_of(render_laporan(signed(rows=rows, comparisons=True)))
    table = "\n".join(pages[1:-1])
    tokens = set(table.split())
    for amount in (*AMOUNTS, "101,23%", "99,00%", "1.234,56%"):
        assert amount in tokens, amount  # whole, on one line: a wrapped one reads "Rp120.000.000.00" / "0,00"
    for token in tokens:  # nor any number cut: every Rupiah token is one of the amounts
        if token.startswith("Rp"):
            assert token in AMOUNTS, token


def test_an_unreadable_logo_gives_a_kop_without_logo_and_a_warning(caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        reader, pages = pages_of(render_laporan(signed(letterhead=replace(KOP, logo=b"not a picture"))))
    assert len(reader.pages[0].images) == 0 and "PEMERINTAH KABUPATEN PESISIR SELATAN" in pages[0]
    assert "logo is not a picture" in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert read_logo(tmp_path / "logo.png") is None
    assert "OFFICE_LOGO" in caplog.text and "no logo" in caplog.text
    (tmp_path / "logo.png").write_bytes(logo_png())
    assert read_logo(tmp_path / "logo.png") == logo_png()


# ------------------------------------------------------------------------ from the settings


def test_the_letterhead_comes_from_the_settings(tmp_path, monkeypatch):
    (tmp_path / "logo.png").write_bytes(logo_png())
    for name, value in {"OFFICE_NAME": "Dinas Penanaman Modal dan PTSP", "OFFICE_PARENT": "Pemerintah Kabupaten X",
                        "OFFICE_ADDRESS": "Jl. Merdeka 1", "OFFICE_CITY": "Painan",
                        "OFFICE_LOGO": str(tmp_path / "logo.png"), "KEPALA_NAME": "Budi", "KEPALA_NIP":
                        "197001011995031001", "SEKRETARIS_NAME": "Rina", "SEKRETARIS_TITLE": "Plh. Sekretaris",
                        "SEKRETARIS_NIP": "19800202 200501 2 002"}.items():
        monkeypatch.setenv(name, value)
    letterhead = load_settings(_env_file=None).letterhead()
    assert letterhead.office == "Dinas Penanaman Modal dan PTSP" and letterhead.city == "Painan"
    assert letterhead.logo == logo_png()
    assert letterhead.kepala == Signatory("Kepala Dinas", "Budi", "19700101 199503 1 001")
    assert letterhead.sekretaris == Signatory("Plh. Sekretaris", "Rina", "19800202 200501 2 002")

    monkeypatch.setenv("OFFICE_LOGO", str(tmp_path / "missing.png"))
    assert load_settings(_env_file=None).letterhead().logo is None  # logged, never an error
    monkeypatch.setenv("KEPALA_NIP", "1970")
    with pytest.raises(ConfigError, match="KEPALA_NIP"):
        load_settings(_env_file=None)


# ------------------------------------------------------------------------ from the database


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The demo office, S.1 (Rp) and P.2 (%) entered for January to April; April's P.2 a telling 37."""
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        s1, p2 = indicator(session, "S.1"), indicator(session, "P.2")
        for number in (1, 2, 3, 4):
            period = Period(kind=PeriodKind.MONTH, year=2026, number=number, status=PeriodStatus.OPEN)
            session.add(period)
            session.flush()
            when = office_moment(date(2026, 5, 2))
            enter_realisasi(session, s1, period, Decimal("40000000000.5") * number, Actor.cli(), now=when)
            enter_realisasi(session, p2, period, Decimal(37) if number == 4 else Decimal(91), Actor.cli(),
                            kendala="kendala bulan april" if number == 4 else None, now=when)
        session.add(Period(kind=PeriodKind.QUARTER, year=2026, number=1, status=PeriodStatus.OPEN))
    return engine


def test_the_triwulan_laporan_of_the_demo_office_is_on_letterhead_signed_and_holds_no_april(office):
    with session_scope(office) as session:
        document = laporan_file(session, PeriodRef(PeriodKind.QUARTER, 2026, 1), Procedure.COLLECTION,
                                office_moment(date(2026, 5, 4), 10), ScheduleRules(), "id", KOP)
    assert document.draft
    reader, pages = pages_of(document.data)
    text = one_line("\n".join(pages))
    assert "PEMERINTAH KABUPATEN PESISIR SELATAN" in pages[0] and "Ringkasan" in pages[0]
    last = one_line(pages[-1])
    assert "Painan, 4 Mei 2026" in last and "NIP. 19700101 199503 1 001" in last and "Rina Marlina, S.E." in last
    assert all("DRAF" in page for page in pages)
    assert "april" not in text.lower()  # neither April's kendala nor its name
    assert "Rp240.000.000.003" in text.replace(" ", "")  # January to March, cumulative
    rupiah = re.findall(r"Rp[\d.,]+", "\n".join(pages))
    assert rupiah and all(re.fullmatch(r"Rp\d{1,3}(\.\d{3})*(,\d+)?", token) for token in rupiah), rupiah
    for n, page in enumerate(reader.pages[:-1]):  # no page with a few lines and blank below, but for pictures
        lines = [line for line in pages[n].splitlines() if line.strip()]
        assert len(lines) >= 8 or page.images, (n, lines)


def test_a_table_too_narrow_for_its_numbers_takes_a_smaller_font_rather_than_break_them():
    """Five columns of Rupiah amounts on a portrait page: at 8 pt their longest words alone are wider than the
    numbers' share of the page, so the table is set smaller, and every amount stays whole."""
    pdf = Document()
    pdf.new_page()
    columns = [Column("Uraian", 2), *(Column(f"Nilai {n}", align="RIGHT", fit=40) for n in range(1, 6))]
    pdf.grid(columns, [(f"Baris {n}", *AMOUNTS, AMOUNTS[n % 4]) for n in range(6)], size=8)
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    tokens = reader.pages[0].extract_text().split()
    assert all(token in AMOUNTS for token in tokens if token.startswith("Rp")), tokens
    assert sum(token in AMOUNTS for token in tokens) == 6 * 5
