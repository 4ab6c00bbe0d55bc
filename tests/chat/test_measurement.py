"""Pengukuran Kinerja of a triwulan in chat (SOP procedure B, steps 7–10).

Given Triwulan I 2026 whose data is collected and archived, when the Tim SAKIP starts the measurement, writes
the analysis and sends it, the Sekretaris returns it once with arahan and then approves and reports it, and the
Kepala Dinas agrees, then every step reaches the right person with the right buttons, an old button says who
acted, the Kepala Dinas sees the charts, and the Tim gets the Laporan Hasil Pengukuran Kinerja as a PDF that is
filed once and sent again unchanged.
"""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader
from sqlmodel import select

from models.demo import DEMO_REALISASI
from models.exchange.realisasi_import import import_realisasi
from models.measurement.cycle import MeasurementCycle, MeasurementStatus
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor
from models.plan.periods import Period, PeriodStatus
from models.reporting.archive import ArchivedDocument, Procedure
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, TODAY, World, has_button, until_button
from tests.chat.test_full_cycle import press, say
from tests.conftest import office_moment

KEPALA, SEKRETARIS, TIM = 102, 103, 104
ANALYSIS = "Promosi <investasi> tertunda & anggaran cair Maret; rencana aksi: forum bisnis April"
ARAHAN = "Lengkapi analisis K.1 dengan jadwal promosi"


def archive_triwulan_i(world: World) -> None:
    """Triwulan I's data collected (the demo file) and archived, as after each period's disposition."""
    with session_scope(world.engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(TODAY))
    with session_scope(world.engine) as session:
        for period in session.exec(select(Period).where(Period.year == 2026)):
            period.status = PeriodStatus.ARCHIVED
            session.add(period)
        # The 16 review requests of procedure A went out long ago; without this the Sekretaris's own chat would
        # first replay them at one a second (other chats are not held up: tests/chat/test_delivery.py).
        for row in session.exec(select(OutboxMessage)):
            row.status, row.sent_at = OutboxStatus.SENT, row.created_at
            session.add(row)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_a_triwulan_measurement_goes_through_review_and_disposition_and_is_filed(world: World):
    emu = world.emu
    archive_triwulan_i(world)

    # The Tim SAKIP looks at the measurement and starts procedure B.
    shown = await say(world, TIM, "/pengukuran 2026-TW1", "Pengukuran Kinerja Triwulan I 2026")
    assert "belum dimulai" in shown["text"] or has_button(await until_button(emu, TIM, "▶️ Mulai pengukuran"),
                                                           "▶️ Mulai pengukuran")
    await press(world, TIM, "▶️ Mulai pengukuran", "dimulai")
    ready = await emu.wait_for_bot_message(TIM, "siap: semua data triwulan")
    assert ready
    measurement = await until_button(emu, TIM, "📤 Kirim ke Sekretaris")
    assert "Capaian per tingkat" in measurement["text"] or "Capaian per tingkat" in "\n".join(
        m.get("text") or "" for m in emu.sent_by_bot(TIM))

    # B7: analysis, then sent to the Sekretaris.
    await press(world, TIM, "✍️ Tulis analisis & rencana aksi", "Tulis analisis")
    await say(world, TIM, ANALYSIS, "tersimpan")
    await press(world, TIM, "📤 Kirim ke Sekretaris", "terkirim ke Sekretaris")

    # B8: returned once with arahan; the Tim sends it again.
    await emu.wait_for_bot_message(SEKRETARIS, "menunggu verifikasi Anda")
    first_review = await emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, "✅ Setujui"))
    assert ANALYSIS in "\n".join(m.get("text") or "" for m in emu.sent_by_bot(SEKRETARIS))
    await press(world, SEKRETARIS, "↩️ Kembalikan", "Tulis arahan")
    await say(world, SEKRETARIS, ARAHAN, "dikembalikan ke Tim SAKIP")
    returned = await emu.wait_for_bot_message(TIM, "mengembalikan Pengukuran Kinerja")
    assert ARAHAN in returned["text"]
    await press(world, TIM, "📤 Kirim ke Sekretaris", "terkirim ke Sekretaris")
    await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang")
    await emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, "✅ Setujui"))  # the measurement again

    # The first review message's button is stale now: it says who acted.
    await emu.user(SEKRETARIS).press(first_review, next(
        b["callback_data"] for row in first_review["reply_markup"]["inline_keyboard"] for b in row
        if b["text"] == "✅ Setujui"), force=True)
    await emu.wait_for_bot_message(SEKRETARIS, "Sudah ditangani oleh Tim SAKIP")

    # B8 approved, B9 reported to the Kepala Dinas, who sees the charts and agrees.
    await press(world, SEKRETARIS, "✅ Setujui", "disetujui. Laporkan")
    await press(world, SEKRETARIS, "📤 Laporkan ke Kepala Dinas", "dikirim ke Kepala Dinas")
    album = await emu.wait_for_bot_message(KEPALA, lambda m: "photo" in m, timeout=DRAWING)
    assert "Tercapai: 10 dari 14 indikator" in album["caption"]
    await press(world, KEPALA, "✅ Setuju", "diarsipkan")

    # B10: everyone involved is told; the Tim gets the filed PDF.
    for user_id in (TIM, SEKRETARIS, KEPALA):
        await emu.wait_for_bot_message(user_id, "Kepala Dinas menyetujui Pengukuran Kinerja")
    document = await emu.wait_for_bot_message(TIM, lambda m: "document" in m, timeout=DRAWING)
    assert document["document"]["file_name"] == "laporan-pengukuran-2026-TW1.pdf"
    data = emu.file_bytes(document["document"]["file_id"])
    text = pdf_text(data)
    assert "Laporan Hasil Pengukuran Kinerja" in text and "Triwulan I 2026" in text and "DRAF" not in text
    assert "Promosi <investasi> tertunda" in text and ARAHAN in text  # the analysis and the return

    with world.session() as session:
        cycle = session.exec(select(MeasurementCycle)).one()
        assert MeasurementStatus(cycle.status) is MeasurementStatus.ARCHIVED and cycle.analysis == ANALYSIS
        filed = session.exec(select(ArchivedDocument)).all()
        assert [(d.period_code, Procedure(d.procedure)) for d in filed] == [("2026-TW1", Procedure.MEASUREMENT)]
        assert filed[0].sha256 == hashlib.sha256(data).hexdigest()

    # Sent again later: the same filed bytes.
    since = emu.mark()
    await emu.user(SEKRETARIS).send_text("/laporan 2026-TW1 pengukuran")
    again = await emu.wait_for_bot_message(SEKRETARIS, lambda m: "document" in m, since=since, timeout=DRAWING)
    assert emu.file_bytes(again["document"]["file_id"]) == data


async def test_staff_cannot_start_or_send_a_measurement(world: World):
    archive_triwulan_i(world)
    reply = await say(world, 130, "/pengukuran 2026-TW1")
    assert "tidak berwenang" in reply["text"]
    shown = await say(world, KEPALA, "/pengukuran 2026-TW1", "Pengukuran Kinerja Triwulan I 2026")
    assert not has_button(shown, "▶️ Mulai pengukuran")  # the Kepala Dinas reads; the Tim prepares


async def test_a_month_is_not_a_triwulan(world: World):
    reply = await say(world, TIM, "/pengukuran 2026-01")
    assert "tidak valid" in reply["text"]
