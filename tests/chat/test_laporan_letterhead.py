"""/laporan sends the Laporan on the letterhead and with the signatories the settings name.

Given the settings' kop surat (OFFICE_PARENT, OFFICE_NAME, OFFICE_CITY, a logo file) and signatories (the Kepala
Dinas, and the Sekretaris's jabatan written "Plh. Sekretaris" while one acts), and Triwulan I archived, when the
Sekretaris asks `/laporan 2026-TW1`, then the PDF the chat sends carries the kop on page 1 with the logo, the
date line "Painan, 22 November 2026" (the bot's clock) and both names with their NIP on its last page: wired
from the settings in `bot/`, not in the documents.
"""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from tests.chat.conftest import DRAWING, running_world
from tests.chat.test_measurement import SEKRETARIS, archive_triwulan_i


async def test_the_laporan_the_chat_sends_is_on_the_configured_letterhead(office_engine, tmp_path, monkeypatch):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (100, 120), "#1f3b63").save(logo)
    settings = {"OFFICE_PARENT": "Pemerintah Kabupaten Pesisir Selatan",
                "OFFICE_NAME": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
                "OFFICE_ADDRESS": "Jl. Imam Bonjol No. 1, Painan", "OFFICE_CITY": "Painan", "OFFICE_LOGO": str(logo),
                "KEPALA_NAME": "Drs. Budi Santoso, M.Si", "KEPALA_NIP": "197001011995031001",
                "KEPALA_TITLE": "Kepala Dinas Penanaman Modal dan PTSP",
                "SEKRETARIS_NAME": "Rina Marlina, S.E.", "SEKRETARIS_NIP": "198002022005012002",
                "SEKRETARIS_TITLE": "Plh. Sekretaris"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    async with running_world(office_engine, tmp_path, monkeypatch) as world:
        archive_triwulan_i(world)
        since = world.emu.mark()
        await world.emu.user(SEKRETARIS).send_text("/laporan 2026-TW1")
        sent = await world.emu.wait_for_bot_message(SEKRETARIS, lambda m: "document" in m, since=since,
                                                    timeout=DRAWING)
        reader = PdfReader(io.BytesIO(world.emu.file_bytes(sent["document"]["file_id"])))
    first = " ".join(reader.pages[0].extract_text().split())
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "PEMERINTAH KABUPATEN PESISIR SELATAN" in first
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU" in first and "Ringkasan" in first
    assert len(reader.pages[0].images) == 1  # the logo
    assert "Painan, 22 November 2026" in last and "Mengetahui," in last
    assert "Drs. Budi Santoso, M.Si" in last and "NIP. 19700101 199503 1 001" in last
    assert "Plh. Sekretaris" in last and "Rina Marlina, S.E." in last and "NIP. 19800202 200501 2 002" in last
