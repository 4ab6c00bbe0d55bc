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

from handlers.callbacks import Button, pack
from models.demo import DEMO_REALISASI
from models.exchange.realisasi_import import import_realisasi
from models.measurement.cycle import MeasurementCycle, MeasurementStatus
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor
from models.plan.periods import Period, PeriodStatus
from models.reporting.archive import ArchivedDocument, Procedure
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, TODAY, World, alert_of, has_button, until_button
from tests.chat.test_full_cycle import press, say
from tests.conftest import office_moment

KEPALA, SEKRETARIS, TIM = 102, 103, 104
ANALYSIS = "Promosi <investasi> tertunda & anggaran cair Maret"
RENCANA_AKSI = "Forum bisnis April & promosi ulang"
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


async def write(world: World, button: str, messages: list[str]) -> dict:
    """The Tim presses the button, types the messages, presses "Selesai"; returns the first message shown back."""
    await press(world, TIM, button, "Boleh dalam beberapa pesan")
    for message in messages:
        await say(world, TIM, message, "Diterima")
    return await press(world, TIM, "✅ Selesai", "tersimpan")


def current(emu, chat_id: int, message: dict) -> dict:
    """The message as it shows now (after edits)."""
    return next(m for m in emu.sent_by_bot(chat_id) if m["message_id"] == message["message_id"])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_a_triwulan_measurement_goes_through_review_and_disposition_and_is_filed(world: World):
    emu = world.emu
    archive_triwulan_i(world)

    # The Tim SAKIP looks at the measurement and starts procedure B.
    shown = await say(world, TIM, "/pengukuran 2026-TW1", "Pengukuran Kinerja Triwulan I 2026")
    assert "belum dimulai" in shown["text"] or has_button(await until_button(emu, TIM, "▶️ Mulai pengukuran"),
                                                           "▶️ Mulai pengukuran")
    since = emu.mark()
    await press(world, TIM, "▶️ Mulai pengukuran", "dimulai")
    ready = await emu.wait_for_bot_message(TIM, "siap: semua data triwulan", since=since)  # either may come first
    assert ready
    measurement = await until_button(emu, TIM, "📤 Kirim ke Sekretaris")
    assert "Capaian per tingkat" in measurement["text"] or "Capaian per tingkat" in "\n".join(
        m.get("text") or "" for m in emu.sent_by_bot(TIM))

    # B7: analysis and rencana aksi, then sent to the Sekretaris.
    await write(world, "✍️ Tulis analisis", [ANALYSIS])
    await write(world, "🎯 Tulis rencana aksi", [RENCANA_AKSI])
    await press(world, TIM, "📤 Kirim ke Sekretaris", "terkirim ke Sekretaris")

    # B8: returned once with arahan; the Tim sends it again.
    await emu.wait_for_bot_message(SEKRETARIS, "menunggu verifikasi Anda")
    first_review = await emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, "✅ Setujui"))
    assert ANALYSIS in "\n".join(m.get("text") or "" for m in emu.sent_by_bot(SEKRETARIS))
    assert RENCANA_AKSI in "\n".join(m.get("text") or "" for m in emu.sent_by_bot(SEKRETARIS))
    await press(world, SEKRETARIS, "↩️ Kembalikan", "Tulis arahan")
    await say(world, SEKRETARIS, ARAHAN, "dikembalikan ke Tim SAKIP")
    returned = await emu.wait_for_bot_message(TIM, "mengembalikan Pengukuran Kinerja")
    assert ARAHAN in returned["text"]
    await press(world, TIM, "📤 Kirim ke Sekretaris", "terkirim ke Sekretaris")
    await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang")
    await emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, "✅ Setujui"))  # the measurement again

    # The first review message shows the return; its button, pressed on a client that still shows it, is
    # answered by an alert saying who acted.
    assert not has_button(current(emu, SEKRETARIS, first_review), "✅ Setujui")
    assert "Dikembalikan oleh Pak Sekretaris" in current(emu, SEKRETARIS, first_review)["text"]
    query = await emu.user(SEKRETARIS).press(first_review, next(
        b["callback_data"] for row in first_review["reply_markup"]["inline_keyboard"] for b in row
        if b["text"] == "✅ Setujui"), force=True)
    assert (await alert_of(emu, query)).startswith("Sudah ditangani oleh Tim SAKIP")

    # B8 approved, B9 reported to the Kepala Dinas, who sees the charts and agrees.
    await press(world, SEKRETARIS, "✅ Setujui", "disetujui. Laporkan")
    since, before = emu.mark(), len(emu.sent_by_bot(KEPALA))
    await press(world, SEKRETARIS, "📤 Laporkan ke Kepala Dinas", "dikirim ke Kepala Dinas")
    first = await emu.wait_for_bot_message(KEPALA, lambda m: "photo" in m, since=since, timeout=DRAWING)
    assert first["caption"] == "📐 Pengukuran Kinerja Triwulan I 2026 · menunggu disposisi Kepala Dinas"
    recap = await until_button(emu, KEPALA, "✅ Setuju")
    assert recap["text"].startswith("📐 Laporan Pengukuran Kinerja Triwulan I 2026 menunggu disposisi Anda.\n"
                                    "Tercapai: 10 dari 14 indikator")
    assert "Capaian per tingkat" in recap["text"] and "Promosi <investasi> tertunda" in recap["text"]
    draft = await emu.wait_for_bot_message(KEPALA, lambda m: "document" in m, since=since, timeout=4 * DRAWING)
    assert draft["document"]["file_name"] == "laporan-pengukuran-2026-TW1.pdf" and "(DRAF)" in draft["caption"]
    assert "DRAF" in pdf_text(emu.file_bytes(draft["document"]["file_id"]))
    album = [m for m in emu.sent_by_bot(KEPALA)[before:] if "photo" in m]
    assert len(album) == 3 and {m["media_group_id"] for m in album} == {first["media_group_id"]}  # sasaran, trends,
    # the lowest (a triwulan's measurement has no forms of its own to count)
    assert emu.sent_by_bot(KEPALA)[before:] == [*album, recap, draft]  # one album, one message, the PDF
    agreed = await press(world, KEPALA, "✅ Setuju", "Disetujui Kepala Dinas Ibu Kepala")
    assert agreed["message_id"] == recap["message_id"] and not has_button(agreed, "✅ Setuju")

    # B10: everyone involved is told (the Kepala Dinas sees it on her card); the Tim gets the filed PDF.
    for user_id in (TIM, SEKRETARIS):
        await emu.wait_for_bot_message(user_id, "Kepala Dinas menyetujui Pengukuran Kinerja")
    document = await emu.wait_for_bot_message(TIM, lambda m: "document" in m, timeout=DRAWING)
    assert document["document"]["file_name"] == "laporan-pengukuran-2026-TW1.pdf"
    data = emu.file_bytes(document["document"]["file_id"])
    text = pdf_text(data)
    assert "Laporan Hasil Pengukuran Kinerja" in text and "Triwulan I 2026" in text and "DRAF" not in text
    assert "Promosi <investasi> tertunda" in text and ARAHAN in text  # the analysis and the return
    assert "Forum bisnis April" in text

    with world.session() as session:
        cycle = session.exec(select(MeasurementCycle)).one()
        assert MeasurementStatus(cycle.status) is MeasurementStatus.ARCHIVED and cycle.analysis == ANALYSIS
        assert cycle.rencana_aksi == RENCANA_AKSI
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
    assert reply["text"].startswith("Di sini perlu triwulan, bukan '2026-01'")


# -- procedure B only when it is ready ---------------------------------------------------------------------------
def cycles(world: World) -> list[MeasurementCycle]:
    with world.session() as session:
        return list(session.exec(select(MeasurementCycle)))


def no_button(message: dict) -> bool:
    return not (message.get("reply_markup") or {}).get("inline_keyboard")


async def test_pengukuran_with_nothing_due_says_what_is_missing_and_starts_nothing(world: World):
    # Nothing collected yet: Triwulan III 2026 (the last ended) waits for all its periods.
    reply = await say(world, TIM, "/pengukuran")
    assert "Triwulan III 2026 belum dapat dimulai" in reply["text"], reply["text"]
    for line in ("Juli 2026: belum dibuka", "Agustus 2026: belum dibuka", "September 2026: belum dibuka",
                 "Triwulan III 2026: belum dibuka"):
        assert line in reply["text"]
    assert "semua data triwulan sudah diarsipkan" not in reply["text"] and no_button(reply)
    assert cycles(world) == []

    # Its measurement archived: nothing is due.
    with session_scope(world.engine) as session:
        session.add(MeasurementCycle(year=2026, quarter=3, status=MeasurementStatus.ARCHIVED))
    reply = await say(world, TIM, "/pengukuran")
    assert "Tidak ada Pengukuran Kinerja yang perlu disiapkan" in reply["text"], reply["text"]
    assert "Triwulan III 2026 sudah diarsipkan" in reply["text"] and no_button(reply)
    assert len(cycles(world)) == 1


async def test_pengukuran_offers_the_triwulan_that_is_due(world: World):
    archive_triwulan_i(world)
    shown = await say(world, TIM, "/pengukuran", "Pengukuran Kinerja Triwulan I 2026")
    assert "belum dimulai" in shown["text"]
    await press(world, TIM, "▶️ Mulai pengukuran", "dimulai")
    assert [(c.year, c.quarter) for c in cycles(world)] == [(2026, 1)]
    shown = await say(world, SEKRETARIS, "/pengukuran", "Pengukuran Kinerja Triwulan I 2026")
    assert "disusun Tim SAKIP" in shown["text"]


async def test_a_triwulan_with_a_month_not_archived_says_what_is_missing(world: World):
    archive_triwulan_i(world)
    with session_scope(world.engine) as session:
        march = session.exec(select(Period).where(Period.year == 2026, Period.number == 3,
                                                  Period.kind == "bulan")).one()
        march.status = PeriodStatus.CLOSED
        session.add(march)
    for command in ("/pengukuran 2026-TW1", "/pengukuran"):
        reply = await say(world, TIM, command)
        assert "Triwulan I 2026 belum dapat dimulai" in reply["text"], reply["text"]
        assert "Maret 2026: ditutup" in reply["text"] and "Januari" not in reply["text"] and no_button(reply)
    # A start button shown before March was reopened starts nothing either.
    reply = await say(world, TIM, "/bantuan")
    await world.emu.user(TIM).press(reply, pack(Button.MEASUREMENT_START, 2026, 1), force=True)
    refused = await world.emu.wait_for_bot_message(TIM, "belum dapat dimulai")
    assert "2026-03" in refused["text"]
    assert cycles(world) == []


async def test_sending_needs_the_analysis_and_the_rencana_aksi(world: World):
    archive_triwulan_i(world)
    await say(world, TIM, "/pengukuran 2026-TW1", "Pengukuran Kinerja Triwulan I 2026")
    await press(world, TIM, "▶️ Mulai pengukuran", "dimulai")
    refused = await press(world, TIM, "📤 Kirim ke Sekretaris", "belum dapat dikirim")
    assert "analisis capaian belum ditulis" in refused["text"] and has_button(refused, "✍️ Tulis analisis")
    await write(world, "✍️ Tulis analisis", [ANALYSIS])
    refused = await press(world, TIM, "📤 Kirim ke Sekretaris", "belum dapat dikirim")
    assert "rencana aksi belum ditulis" in refused["text"] and has_button(refused, "🎯 Tulis rencana aksi")
    [cycle] = cycles(world)
    assert MeasurementStatus(cycle.status) is MeasurementStatus.DRAFT and cycle.submitted_at is None
    assert not any("menunggu verifikasi" in (m.get("text") or "") for m in world.emu.sent_by_bot(SEKRETARIS))
    await write(world, "🎯 Tulis rencana aksi", [RENCANA_AKSI])
    await press(world, TIM, "📤 Kirim ke Sekretaris", "terkirim ke Sekretaris")


def long_text(prefix: str, length: int) -> str:
    words = (f"{prefix} kalimat {n} tentang capaian & kendala <OSS>." for n in range(10_000))
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > length:
            break
        text = f"{text} {word}" if text else word
    return text + "x" * (length - len(text))


async def test_a_long_analysis_in_two_messages_is_kept_whole_and_shown_back(world: World):
    emu = world.emu
    archive_triwulan_i(world)
    await say(world, TIM, "/pengukuran 2026-TW1", "Pengukuran Kinerja Triwulan I 2026")
    await press(world, TIM, "▶️ Mulai pengukuran", "dimulai")

    # A wrong start, thrown away.
    await press(world, TIM, "✍️ Tulis analisis", "Boleh dalam beberapa pesan")
    await say(world, TIM, "salah ketik", "Diterima: 11 dari 4000")
    await press(world, TIM, "🔄 Ulangi", "Boleh dalam beberapa pesan")

    first, second = long_text("Pertama", 600), long_text("Kedua", 569)  # 1,170 characters with the line break
    await say(world, TIM, first, "Diterima: 600 dari 4000")
    await say(world, TIM, second, "Diterima: 1170 dari 4000")
    shown = await press(world, TIM, "✅ Selesai", "Analisis Triwulan I 2026 tersimpan (1170 karakter)")
    assert f"{first}\n{second}" in shown["text"] and "salah ketik" not in shown["text"]
    assert "Rencana aksi belum ditulis" in shown["text"] and has_button(shown, "📤 Kirim ke Sekretaris")
    with world.session() as session:
        assert session.exec(select(MeasurementCycle)).one().analysis == f"{first}\n{second}"

    # A rencana aksi near the limit in three messages, over 4096 once written as HTML: shown in two messages.
    parts = [long_text(f"Aksi {n}", 1300) for n in range(3)]
    await press(world, TIM, "🎯 Tulis rencana aksi", "Boleh dalam beberapa pesan")
    for part in parts:
        await say(world, TIM, part, "Diterima")
    refused = await say(world, TIM, "x" * 200, "tidak muat")
    assert "3902" in refused["text"] and has_button(refused, "✅ Selesai")
    head = await press(world, TIM, "✅ Selesai", "Rencana aksi Triwulan I 2026 tersimpan (3902 karakter)")
    tail = await emu.wait_for_bot_message(TIM, lambda m: has_button(m, "📤 Kirim ke Sekretaris"))
    assert not has_button(head, "📤 Kirim ke Sekretaris")  # the buttons go under the last part
    assert all(part in head["text"] or part in tail["text"] for part in parts)
    with world.session() as session:
        assert session.exec(select(MeasurementCycle)).one().rencana_aksi == "\n".join(parts)
