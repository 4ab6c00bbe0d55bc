"""The whole collection cycle of the SOP (procedure A, steps 6–12) in chat, by the real roles.

Given the demo office with a member in every role, when the admin opens the month, every unit fills its form
(with bad inputs on the way), the Sekretaris returns one form with arahan, the unit fixes and resubmits, every
form is approved, the Sekretaris reports to the Kepala Dinas and the Kepala gives arahan, then the period is
archived, the follow-up reaches the unit concerned, and every role received what it should.
"""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader
from sqlmodel import select

from models.collection.forms import Disposition, FollowUp, FormStatus, UnitForm
from models.collection.realisasi import Evidence, Realisasi
from models.office.audit import AuditEntry
from models.office.organisation import Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus, latest_ended
from tests.chat.conftest import DRAWING, World, has_button, press_and_see

ADMIN, KEPALA, SEKRETARIS = 101, 102, 103
SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN = 110, 120, 130, 140
NASTY = "<b>Investor</b> & mitra _*[ 🙂"


async def say(world: World, user_id: int, text: str, expect: str | None = None) -> dict:
    """The user types; returns the bot's next message to them (containing `expect` when given)."""
    await world.emu.user(user_id).send_text(text)
    return await world.emu.wait_for_bot_message(user_id, expect)


async def press(world: World, user_id: int, label: str, expect: str | None = None) -> dict:
    return await press_and_see(world.emu, user_id, label, expect)


async def fill_simple(world: World, user_id: int, values: list[str]) -> None:
    """A unit whose values are all on target: value, skip evidence, … then send."""
    await say(world, user_id, "/isi", "Ketik nilai realisasi")
    for index, value in enumerate(values):
        await say(world, user_id, value, "bukti dukung")
        expect = "Ketik nilai realisasi" if index < len(values) - 1 else "Ringkasan formulir"
        await press(world, user_id, "Lewati", expect)
    await press(world, user_id, "📤 Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
    await press(world, user_id, "Ya, kirim", "terkirim ke Sekretaris")


async def test_the_whole_cycle_from_opening_to_archive(world: World):
    emu = world.emu
    today = world.clock.now.date()  # the bot's own clock, so the test and the bot agree on the month
    ref = latest_ended(PeriodKind.MONTH, today)  # the month due to be opened
    month_label = ref.label("id")

    # SOP step 6: the admin opens the month (after a second look); every unit's members get their form.
    await say(world, ADMIN, "/periode", "Periode")
    await press(world, ADMIN, f"Buka {month_label}", "anggota akan diberi tahu")
    await press(world, ADMIN, "Ya, buka", "dibuka")
    for user_id in (SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN):
        await emu.wait_for_bot_message(user_id, f"Formulir {month_label} dibuka")

    # Sekretariat: a bad value first, then a range value inside 85–95.
    await say(world, SEKRETARIAT, "/isi", "SEK.1")
    message = await say(world, SEKRETARIAT, "sembilan puluh", "bukan angka")
    assert "sembilan puluh" in message["text"]
    await emu.wait_for_bot_message(SEKRETARIAT, "Ketik nilai realisasi")  # the same question again
    await say(world, SEKRETARIAT, "90", "100,00%")
    await press(world, SEKRETARIAT, "Lewati", "Ringkasan formulir")
    await press(world, SEKRETARIAT, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, SEKRETARIAT, "Ya, kirim", "terkirim")

    # Penanaman Modal: below target → kendala and tindak lanjut with awkward text, a photo as evidence;
    # then a value far above target, confirmed with a reason.
    await say(world, MODAL, "/isi", "S.1")
    saved = await say(world, MODAL, "Rp 55.000.000.000", "di bawah target")
    assert "kendala" in saved["text"]  # what was saved, and the next question, in one message
    await say(world, MODAL, NASTY, "tindak lanjut")
    await say(world, MODAL, "Jemput bola ke <investor> & \"mitra\"", "bukti dukung")
    await emu.user(MODAL).send_photo(b"\x89PNG fake photo bytes", caption=None)
    await emu.wait_for_bot_message(MODAL, "Tersimpan: 1 berkas")
    await press(world, MODAL, "Lanjut", "K.3")
    await say(world, MODAL, "40", "jauh dari")
    await press(world, MODAL, "Ya, benar", "alasan")
    saved = await say(world, MODAL, "Pameran <b>besar</b> & forum _bisnis_ 🎉", "tercapai")
    assert "bukti dukung" in saved["text"]  # pressed below, not S.1's first evidence question (its button stays)
    await press(world, MODAL, "Lewati", "Ringkasan formulir")
    summary = emu.last_bot_message(MODAL)["text"]
    assert NASTY in summary and "Dewi Modal" in summary and "Bukti: 1" in summary
    await press(world, MODAL, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, MODAL, "Ya, kirim", "terkirim")

    # Pelayanan Perizinan: an ambiguous number is asked back.
    await say(world, PERIZINAN, "/isi", "P.1")
    await say(world, PERIZINAN, "105", "bukti dukung")
    await press(world, PERIZINAN, "Lewati", "P.2")
    await say(world, PERIZINAN, "92,5", "kendala")
    await say(world, PERIZINAN, "Server OSS gangguan", "tindak lanjut")
    await say(world, PERIZINAN, "Koordinasi dengan Kementerian Investasi", "bukti dukung")
    await press(world, PERIZINAN, "Lewati", "P.3")
    await say(world, PERIZINAN, "6.500", "maksudnya yang mana")
    await press(world, PERIZINAN, "6,5", "tercapai")
    await press(world, PERIZINAN, "Lewati", "Ringkasan formulir")
    await press(world, PERIZINAN, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, PERIZINAN, "Ya, kirim", "terkirim")

    await fill_simple(world, PENGADUAN, ["100", "5"])

    # SOP step 10: the Sekretaris gets each form as one message; returns Perizinan's P.2 with arahan.
    request = await emu.wait_for_bot_message(SEKRETARIS, "Bidang Pelayanan Perizinan")
    assert "92,5%" in request["text"] and "Server OSS gangguan" in request["text"]
    await emu.user(SEKRETARIS).press(request, next(b["callback_data"] for row in request["reply_markup"]
                                                   ["inline_keyboard"] for b in row if "Kembalikan" in b["text"]))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.2")
    await emu.wait_for_call("editMessageReplyMarkup")
    await press(world, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.2")
    await say(world, SEKRETARIS, "Lampirkan <i>register</i> & cek ulang", "dikembalikan")

    # The unit gets exactly P.2 back with the arahan, fixes it and resubmits; the Sekretaris sees old → new.
    returned = await emu.wait_for_bot_message(PERIZINAN, "dikembalikan Sekretaris")
    assert "P.2" in returned["text"] and "Lampirkan <i>register</i> & cek ulang" in returned["text"]
    await press(world, PERIZINAN, "Perbaiki sekarang", "Lampirkan")
    await say(world, PERIZINAN, "96", "tercapai")
    await press(world, PERIZINAN, "Lewati", "Ringkasan formulir")
    await press(world, PERIZINAN, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, PERIZINAN, "Ya, kirim", "terkirim")
    again = await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang")
    assert "92,5% → 96%" in again["text"]

    # Every form approved (a second press of an approved form says who handled it).
    for message in [m for m in emu.sent_by_bot(SEKRETARIS) if m.get("reply_markup") and "Setujui" in str(
            m["reply_markup"]) and "menunggu pemeriksaan" in m["text"] and "Pelayanan Perizinan" not in m["text"]]:
        approve = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                       if "Setujui" in b["text"])
        await emu.user(SEKRETARIS).press(message, approve)
        await emu.wait_for_bot_message(SEKRETARIS, "disetujui dan dikunci")
    before_last_approval = emu.mark()
    await emu.user(SEKRETARIS).press(again, next(b["callback_data"] for row in again["reply_markup"]
                                                 ["inline_keyboard"] for b in row if "Setujui" in b["text"]))
    await emu.wait_for_bot_message(SEKRETARIS, "disetujui dan dikunci")
    await emu.user(SEKRETARIS).press(again, next(b["callback_data"] for row in again["reply_markup"]
                                                 ["inline_keyboard"] for b in row if "Setujui" in b["text"]),
                                     force=True)
    await emu.wait_for_bot_message(SEKRETARIS, "Sudah ditangani oleh Pak Sekretaris")

    # SOP step 11: report to the Kepala Dinas, who gives arahan.
    await emu.wait_for_bot_message(SEKRETARIS, "sudah disetujui", since=before_last_approval)
    await press(world, SEKRETARIS, "📤 Laporkan ke Kepala Dinas", "dikirim ke Kepala Dinas")
    # The Kepala gets one album of the charts ("sending photo…" shown meanwhile), the recap on one screen with the
    # buttons, then the Laporan DRAF as a PDF (drawn when its turn comes: the buttons never wait for it).
    caption = await emu.wait_for_bot_message(KEPALA, lambda m: "photo" in m and "Rekap capaian" in m["caption"],
                                             timeout=DRAWING)
    album = [m for m in emu.sent_by_bot(KEPALA) if m.get("media_group_id") == caption["media_group_id"]]
    assert 3 <= len(album) <= 10  # capaian by sasaran, each unit's form, the IKU trends (and the lowest)
    assert any(call.params.get("action") == "upload_photo" for call in emu.calls_to("sendChatAction"))
    report = await emu.wait_for_bot_message(KEPALA, lambda m: "Rekap capaian" in (m.get("text") or ""))
    assert "Tercapai:" in report["text"] and len(report["text"]) <= 1500
    assert has_button(report, "📝 Beri arahan") and has_button(report, "🏢 Rincian per unit")
    draft = await emu.wait_for_bot_message(KEPALA, lambda m: "document" in m, timeout=DRAWING)
    assert draft["message_id"] > report["message_id"]
    assert draft["document"]["file_name"] == f"laporan-{ref.code}.pdf"
    draft_text = "\n".join(page.extract_text()
                           for page in PdfReader(io.BytesIO(emu.file_bytes(draft["document"]["file_id"]))).pages)
    assert "DRAF" in draft_text and "Laporan Hasil Pengukuran Kinerja" in draft_text
    units = (await press(world, KEPALA, "🏢 Rincian per unit", "Rincian per unit ·"))["text"]
    assert "Bidang Pelayanan Perizinan" in units and "tercapai" in units
    await press(world, KEPALA, "📝 Beri arahan", "Tulis arahan")
    preview = await say(world, KEPALA, "Percepat <realisasi> investasi & promosi", "Periksa arahan")
    assert "Percepat <realisasi> investasi & promosi" in preview["text"]  # shown back before it is sent
    await press(world, KEPALA, "📤 Kirim", "diarsipkan")

    # SOP step 12: archived; everyone involved is told; the unit concerned gets the follow-up.
    follow_up = await emu.wait_for_bot_message(MODAL, "Tindak lanjut untuk unit Anda")
    assert "Percepat <realisasi> investasi & promosi" in follow_up["text"]
    for user_id in (SEKRETARIAT, PERIZINAN, PENGADUAN, SEKRETARIS, 104):
        await emu.wait_for_bot_message(user_id, "Disposisi Kepala Dinas")
    # The Tim SAKIP gets the period's Laporan Hasil Pengukuran Kinerja, filed with the archive (a PDF).
    laporan = await emu.wait_for_bot_message(104, lambda m: "document" in m, timeout=DRAWING)
    assert laporan["document"]["file_name"] == f"laporan-{ref.code}.pdf"
    pages = PdfReader(io.BytesIO(emu.file_bytes(laporan["document"]["file_id"]))).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "Laporan Hasil Pengukuran Kinerja" in text and "DRAF" not in text
    assert "Percepat <realisasi> investasi & promosi" in text  # the disposition

    with world.session() as session:
        period = session.exec(select(Period).where(Period.year == ref.year, Period.number == ref.number,
                                                   Period.kind == "bulan")).one()
        assert PeriodStatus(period.status) is PeriodStatus.ARCHIVED
        forms = session.exec(select(UnitForm).where(UnitForm.period_id == period.id)).all()
        assert len(forms) == 4 and {FormStatus(f.status) for f in forms} == {FormStatus.APPROVED}
        disposition = session.exec(select(Disposition).where(Disposition.period_id == period.id)).one()
        assert disposition.arahan == "Percepat <realisasi> investasi & promosi"
        units = {f.unit_id for f in session.exec(select(FollowUp))}
        assert units == {session.exec(select(Unit).where(Unit.name == "Bidang Penanaman Modal")).one().id}
        p2 = session.exec(select(Realisasi).where(Realisasi.period_id == period.id)
                          .order_by(Realisasi.id)).all()
        values = [r.value for r in p2 if r.indicator_id == _indicator_id(session, "P.2")]
        assert values[0] == Decimal("92.5") and values[-1] == Decimal(96)  # history kept
        assert len(session.exec(select(Evidence).where(Evidence.period_id == period.id)).all()) == 1
        actions = {entry.action for entry in session.exec(select(AuditEntry))}
        assert {"form.submitted", "form.returned", "form.approved", "period.reported", "period.disposed",
                "period.archived"} <= actions

    # Nothing Telegram would reject was ever sent.
    assert [call for call in emu.calls if not call.ok and call.method != "getUpdates"] == []


def _indicator_id(session, code: str) -> int:
    return session.exec(select(Indicator).where(Indicator.code == code)).one().id
