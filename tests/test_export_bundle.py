"""The one ZIP of `/ekspor <periode>` (reports/export_bundle.py): the same files give the same bytes, in whatever
order they come; evidence that would carry it over Telegram's limit stays out (and says so); over the limit
without it, no archive."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from handlers.documents import bundle_screens, too_large
from i18n import t
from models.office.audit import Actor
from models.office.organisation import ensure_office
from reports.export_bundle import bundle_export, bundle_name, entry_names
from reports.workbook_style import new_workbook, workbook_bytes
from tests.chat.conftest import month


@dataclass(frozen=True)
class File:
    filename: str
    data: bytes
    title: str


KERTAS = File("kertas-kerja-2026-11.xlsx", b"kertas" * 100, "Kertas Kerja Pengukuran Kinerja November 2026")
REKAP = File("rekapitulasi-2026-11.xlsx", b"rekap" * 100, "Rekapitulasi Capaian Kinerja November 2026")
FORM = File("formulir-2026-11-umum.xlsx", b"form" * 100, "Formulir Pengumpulan Data Umum/Kepegawaian November 2026")


def evidence(size: int) -> File:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Umum/P.1 1.jpg", bytes(range(256)) * (size // 256))
        archive.writestr("daftar-bukti.csv", "unit,kode\n")
    return File("bukti-2026-11.zip", buffer.getvalue(), "Bukti dukung November 2026")


def test_the_same_files_give_the_same_bytes_whatever_their_time():
    first = bundle_export([KERTAS, REKAP, FORM], evidence(1024), name="a.zip")
    again = bundle_export([KERTAS, REKAP, FORM], evidence(1024), name="a.zip")
    assert first.data == again.data and not first.evidence_left_out
    archive = zipfile.ZipFile(io.BytesIO(first.data))
    assert archive.namelist() == sorted(archive.namelist()) == [
        "01 Kertas Kerja Pengukuran Kinerja November 2026.xlsx",
        "02 Rekapitulasi Capaian Kinerja November 2026.xlsx",
        "03 Formulir Pengumpulan Data Umum_Kepegawaian November 2026.xlsx",  # no folder made of a unit's slash
        "04 Bukti dukung November 2026/Umum/P.1 1.jpg",
        "04 Bukti dukung November 2026/daftar-bukti.csv"]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.read("03 Formulir Pengumpulan Data Umum_Kepegawaian November 2026.xlsx") == FORM.data


def test_evidence_over_the_limit_stays_out_and_the_workbooks_still_go():
    small = bundle_export([KERTAS, REKAP], None, name="a.zip")
    with_evidence = bundle_export([KERTAS, REKAP], evidence(4096), name="a.zip")
    limit = len(small.data) + 100  # the workbooks fit, the evidence does not
    assert len(with_evidence.data) > limit

    bundle = bundle_export([KERTAS, REKAP], evidence(4096), limit, name="a.zip")
    assert bundle.evidence_left_out and bundle.data == small.data
    assert bundle_export([KERTAS, REKAP], evidence(4096), len(with_evidence.data), name="a.zip") == with_evidence
    assert bundle_export([KERTAS, REKAP], evidence(4096), len(small.data) - 1, name="a.zip") is None


def test_names_in_the_offices_words():
    assert bundle_name("Dinas", "November 2026") == "SAKIP-Dinas-November-2026.zip"
    assert bundle_name("DPMPTSP Kabupaten Contoh", "Triwulan I 2026") == \
        "SAKIP-DPMPTSP-Kabupaten-Contoh-Triwulan-I-2026.zip"
    long = bundle_name("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten", "Tahun 2026")
    assert long == "SAKIP-Dinas-Penanaman-Modal-dan-Pelayanan-Tahun-2026.zip"
    assert entry_names([File("x.xlsx", b"", "../../etc " * 20)])[0].endswith(".xlsx")
    assert all(len(name) <= 100 and "/" not in name for name in entry_names([File("x.xlsx", b"", "a/b " * 40)]))


def test_a_workbook_saved_a_second_later_is_the_same_file():
    """openpyxl stamps the properties and every part with the time of saving; `workbook_bytes` does not."""
    def saved() -> bytes:
        workbook = new_workbook("Kertas Kerja Pengukuran Kinerja November 2026")
        workbook.create_sheet("Kertas Kerja").append(["P.1", 105])
        return workbook_bytes(workbook)

    first = saved()
    time.sleep(1.1)  # zip and document times have a resolution of a second
    assert saved() == first
    assert load_workbook(io.BytesIO(first))["Kertas Kerja"]["B1"].value == 105


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_chat_sends_the_workbooks_and_says_how_the_evidence_comes(session, language):
    """Over the limit with the evidence: the ZIP of the workbooks, then the command that brings the evidence."""
    ensure_office(session, Actor.cli())
    files, proof = [KERTAS, REKAP], evidence(4096)
    limit = len(bundle_export(files, None, name="a.zip").data) + 100

    document, note = bundle_screens(session, month(2026, 11), files, proof, language, limit)
    assert document.media.filename == "SAKIP-Dinas-November-2026.zip"
    assert "bukti" not in document.media.caption.lower() and "evidence" not in document.media.caption.lower()
    assert note.blocks == [t("documents.evidence_separately", language, limit=50, command="/ekspor 2026-11 bukti")]
    assert "/ekspor 2026-11 bukti" in note.blocks[0] and "50 MB" in note.blocks[0]

    [whole] = bundle_screens(session, month(2026, 11), files, proof, language, limit * 10)
    assert any("P.1 1.jpg" in name for name in zipfile.ZipFile(io.BytesIO(whole.media.data)).namelist())
    assert bundle_screens(session, month(2026, 11), files, proof, language, 10) == [too_large(language)]
