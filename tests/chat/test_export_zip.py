"""/ekspor of a period as one ZIP a Tim SAKIP hands to the Inspektorat.

Given November 2026 with Rina's form approved, her photo and a PDF kept as evidence, when the Sekretaris types
`/ekspor 2026-11`, then exactly one document comes: `SAKIP-Dinas-November-2026.zip`, holding the Kertas Kerja,
the Rekapitulasi, each unit's Formulir (numbered in that order, named by their titles) and the evidence under
its own folder; every workbook opens, the PDF is a PDF. In English the same archive has English names. Asked for
one kind (`/ekspor 2026-11 formulir`), the files come as before, one by one.
"""

from __future__ import annotations

import asyncio
import io
import zipfile

from openpyxl import load_workbook

from tests.chat.conftest import DRAWING, World
from tests.chat.test_evidence import APPROVE, PDF, PNG, SEKRETARIS, at_evidence_question, press, send_form

BUNDLE = "SAKIP-Dinas-November-2026.zip"


async def sent_documents(world: World, command: str, arguments: str) -> list[dict]:
    """The Sekretaris sends a command; every document it brings (waiting a moment after the first for more)."""
    emu = world.emu
    since, before = emu.mark(), len(emu.sent_by_bot(SEKRETARIS))
    await emu.user(SEKRETARIS).send_command(command, arguments)
    await emu.wait_for_bot_message(SEKRETARIS, lambda m: "document" in m, since=since, timeout=DRAWING)
    await asyncio.sleep(1)
    return [m for m in emu.sent_by_bot(SEKRETARIS)[before:] if "document" in m]


def opened(world: World, message: dict) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(world.emu.file_bytes(message["document"]["file_id"])))


def assert_entries_open(archive: zipfile.ZipFile) -> None:
    assert archive.testzip() is None
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".xlsx"):
            assert load_workbook(io.BytesIO(data)).sheetnames, name
        elif name.endswith(".pdf"):
            assert data.startswith(b"%PDF"), name


async def evidence_approved(world: World) -> None:
    emu = world.emu
    await at_evidence_question(world)
    await emu.user(130).send_photo(PNG)
    await emu.wait_for_bot_message(130, "Tersimpan: 1 berkas")
    await emu.user(130).send_document(PDF, "register.pdf", "application/pdf")
    await emu.wait_for_bot_message(130, "Tersimpan: 2 berkas")
    await send_form(world)
    await press(world, SEKRETARIS, APPROVE, "Disetujui oleh")


async def test_ekspor_of_a_month_is_one_zip_of_the_workbooks_and_the_evidence_in_id_and_en(world: World):
    await evidence_approved(world)

    [document] = await sent_documents(world, "/ekspor", "2026-11")
    assert document["document"]["file_name"] == BUNDLE
    assert document["caption"].startswith("Ekspor SAKIP November 2026: ") and "bukti dukung" in document["caption"]
    archive = opened(world, document)
    names = archive.namelist()
    assert names == sorted(names)
    assert names[:2] == ["01 Kertas Kerja Pengukuran Kinerja November 2026.xlsx",
                         "02 Rekapitulasi Capaian Kinerja November 2026.xlsx"]
    formulir = [name for name in names if " Formulir Pengumpulan Data " in name]
    assert formulir and all(name.endswith(" November 2026.xlsx") for name in formulir)
    assert any("Bidang Pelayanan Perizinan" in name for name in formulir)
    assert {f"{len(formulir) + 3:02d} Data Capaian Kinerja November 2026.xlsx",  # the data export, XLSX and CSV
            f"{len(formulir) + 4:02d} Data Capaian Kinerja November 2026.csv"} <= set(names)
    folder = f"{len(formulir) + 5:02d} Bukti dukung November 2026"
    assert archive.read(f"{folder}/Bidang Pelayanan Perizinan/P.3 1.jpg") == PNG
    assert archive.read(f"{folder}/Bidang Pelayanan Perizinan/P.3 2.pdf") == PDF
    assert f"{folder}/daftar-bukti.csv" in names
    assert len(names) == 2 + len(formulir) + 2 + 3
    assert_entries_open(archive)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}

    with world.session() as session:
        sekretaris = world.member(SEKRETARIS)
        sekretaris = session.get(type(sekretaris), sekretaris.id)
        sekretaris.language = "en"
        session.add(sekretaris)
        session.commit()
    [english] = await sent_documents(world, "/ekspor", "2026-11")
    assert english["document"]["file_name"] == BUNDLE
    assert english["caption"].startswith("SAKIP export November 2026: ") and "evidence" in english["caption"]
    archive = opened(world, english)
    names = archive.namelist()
    assert names[:2] == ["01 Kertas Kerja Pengukuran Kinerja November 2026.xlsx",
                         "02 Recap of performance capaian November 2026.xlsx"]
    assert sum(" Data collection form " in name for name in names) == len(formulir)
    assert f"{len(formulir) + 4:02d} Performance data November 2026.csv" in names
    assert f"{len(formulir) + 5:02d} Evidence November 2026/Bidang Pelayanan Perizinan/P.3 1.jpg" in names
    assert_entries_open(archive)


async def test_one_kind_asked_by_name_still_comes_as_its_own_files(world: World):
    await evidence_approved(world)
    formulir = await sent_documents(world, "/ekspor", "2026-11 formulir")
    assert formulir and all(m["document"]["file_name"].startswith("formulir-2026-11-") for m in formulir)
    [evidence] = await sent_documents(world, "/ekspor", "2026-11 bukti")
    assert evidence["document"]["file_name"] == "bukti-2026-11.zip"
