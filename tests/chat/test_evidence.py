"""Evidence in the reviewer's hand (SOP step 10: realisasi checked against its bukti dukung).

Given November 2026 open and Rina of Bidang Pelayanan Perizinan at P.3's evidence question, when she sends a
photo, a document with a 300-character name, a link to a shared drive and a short text, then each is stored (the
name cleaned and shortened), and once her form is sent the Sekretaris's card carries "📎 Bukti (4)", whose press
brings him the two files captioned with the unit, the period and the indicator, and the link and text as a
message; a file id Telegram no longer takes is sent from the stored copy. A member of another unit pressing the
same button gets nothing but a refusal. Files over the size limit or over the member's quota of the period are
refused before they are downloaded, with nothing else lost, and orphan files are removed at start.
"""

from __future__ import annotations

import asyncio
import io
import os
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.application import remove_orphan_evidence
from bot.config import load_settings
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.forms import UnitForm
from models.collection.opening import open_period
from models.collection.realisasi import Evidence, EvidenceKind
from models.office.organisation import Member
from models.plan.indicators import Indicator
from models.plan.periods import Period
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World, button_data, has_button, month, press_and_see

ADMIN, KEPALA, SEKRETARIS, MODAL, RINA = 101, 102, 103, 120, 130
PNG = b"\x89PNG\r\n\x1a\n" + b"evidence photo bytes" * 10
PDF = b"%PDF-1.4 register perizinan"
LONG_NAME = "Register perizinan " + "sangat panjang " * 20 + ".pdf"
LINK = "https://drive.google.com/drive/folders/1AbC_perizinan-nov"
NOTE = "Daftar hadir rapat koordinasi ada di arsip Bidang <lantai 2>"
SEND, YES, NEXT, APPROVE = "📤 Kirim ke Sekretaris", "Ya, kirim", "Lanjut", "✅ Setujui"


def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def rina_form(session: Session) -> UnitForm:
    return session.exec(select(UnitForm).where(UnitForm.unit_id == member(session, RINA).unit_id)).one()


def evidence_rows(world: World) -> list[Evidence]:
    with world.session() as session:
        return list(session.exec(select(Evidence).order_by(Evidence.id)))


async def say(world: World, text: str, expect: str) -> dict:
    since = world.emu.mark()
    await world.emu.user(RINA).send_text(text)
    return await world.emu.wait_for_bot_message(RINA, expect, since=since)


async def press(world: World, user_id: int, label: str, expect: str) -> dict:
    return await press_and_see(world.emu, user_id, label, expect)



async def at_evidence_question(world: World) -> None:
    """November open, P.1 and P.2 entered, Rina typing P.3 in chat: its evidence question is on her screen."""
    with session_scope(world.engine) as session:
        open_period(session, member(session, ADMIN), month(2026, 11), date(2026, 12, 10), now=world.clock.now)
    await world.emu.wait_for_bot_message(RINA, "Formulir November 2026 dibuka")
    with session_scope(world.engine) as session:
        rina, period = member(session, RINA), session.exec(select(Period)).one()
        for code, value in (("P.1", Decimal(105)), ("P.2", Decimal(96))):
            indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
            record_value(session, rina, indicator, period, value, now=world.clock.now)
            item = next(i for i in form_items(session, rina_form(session)) if i.indicator.id == indicator.id)
            for field, needed in (("kendala", item.needs_kendala), ("tindak_lanjut", item.needs_tindak_lanjut)):
                if needed:
                    record_note(session, rina, indicator, period, field, "Koordinasi", now=world.clock.now)
    await say(world, "/isi", "P.3")
    await say(world, "6,5", "bukti dukung")


async def send_form(world: World, go_on: str = NEXT) -> dict:
    """Rina goes on ('Lanjut', or 'Lewati' without evidence), sends her form; the Sekretaris's card."""
    await press(world, RINA, go_on, "Ringkasan formulir")
    await press(world, RINA, SEND, "Kirim formulir ke Sekretaris?")
    await press(world, RINA, YES, "terkirim ke Sekretaris")
    return await world.emu.wait_for_bot_message(SEKRETARIS, "Bidang Pelayanan Perizinan")


async def test_the_sekretaris_gets_the_files_the_link_and_the_text_of_the_form_he_reviews(world: World):
    emu = world.emu
    await at_evidence_question(world)
    await emu.user(RINA).send_photo(PNG)
    await emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas")
    await emu.user(RINA).send_document(PDF, LONG_NAME, "application/pdf")
    await emu.wait_for_bot_message(RINA, "Tersimpan: 2 berkas")
    saved = await say(world, LINK, "Tautan disimpan")
    assert "P.3" in saved["text"] and "Tersimpan: 3 berkas" in saved["text"]  # with the question, one message
    saved = await say(world, NOTE, "Keterangan disimpan")
    assert "Tersimpan: 4 berkas" in saved["text"]

    photo, document, link, note = evidence_rows(world)
    assert [row.evidence_kind for row in (photo, document, link, note)] == [
        EvidenceKind.PHOTO, EvidenceKind.DOCUMENT, EvidenceKind.LINK, EvidenceKind.TEXT]
    assert len(document.file_name) == 100 and document.file_name.startswith("Register perizinan sangat")
    assert document.file_name.endswith(".pdf")
    assert link.text == LINK and note.text == NOTE and link.file_path is None

    card = await send_form(world)
    label = "📎 Bukti (4)"
    assert has_button(card, label) and has_button(card, APPROVE)
    # Telegram forgot the photo's file id: the stored copy goes instead
    stale = emu.faults.add("sendPhoto", "400", times=None, description="Bad Request: wrong file identifier",
                           when=lambda params: params.get("photo") == photo.telegram_file_id)
    since = emu.mark()
    await emu.user(SEKRETARIS).press(card, button_data(card, label))
    texts = await emu.wait_for_bot_message(SEKRETARIS, "Tautan dan keterangan", since=since)
    assert LINK in texts["text"] and "Daftar hadir rapat koordinasi ada di arsip Bidang <lantai 2>" in texts["text"]
    assert "P.3" in texts["text"]
    sent_photo = await emu.wait_for_bot_message(SEKRETARIS, lambda m: "photo" in m, since=since)
    sent_document = await emu.wait_for_bot_message(SEKRETARIS, lambda m: "document" in m, since=since)
    assert stale.hits == 1
    assert emu.state.files[sent_photo["photo"][-1]["file_id"]].data == PNG  # uploaded from the stored copy
    assert sent_document["document"]["file_id"] == document.telegram_file_id  # by its file id
    for message in (sent_photo, sent_document):
        caption = message["caption"]
        assert "Bidang Pelayanan Perizinan" in caption and "November 2026" in caption and "P.3" in caption
        assert "Persentase" in caption or "Jumlah" in caption or "P.3 " in caption
    assert document.file_name in sent_document["caption"]

    # the document's id refused too and its copy gone: he is told which file is missing, the rest still comes
    Path(document.stored_path).unlink()
    emu.faults.add("sendDocument", "400", times=None, description="Bad Request: wrong file identifier",
                   when=lambda params: params.get("document") == document.telegram_file_id)
    since = emu.mark()
    await emu.user(SEKRETARIS).press(card, button_data(card, label))
    missing = await emu.wait_for_bot_message(SEKRETARIS, "tidak tersedia lagi", since=since)
    assert document.file_name in missing["text"] and "P.3" in missing["text"]
    await emu.wait_for_bot_message(SEKRETARIS, "Tautan dan keterangan", since=since)
    assert stale.hits == 2

    # a member of another unit pressing the same data gets a refusal and no file; the Kepala Dinas gets them
    data = button_data(card, label)
    for user_id in (MODAL, KEPALA):
        await emu.user(user_id).send_command("/status")
        await emu.wait_for_bot_message(user_id)
    since = emu.mark()
    await emu.user(MODAL).press(emu.sent_by_bot(MODAL)[-1], data, force=True)
    await emu.wait_for_bot_message(MODAL, "tidak berwenang", since=since)
    await emu.user(KEPALA).press(emu.sent_by_bot(KEPALA)[-1], data, force=True)
    await emu.wait_for_bot_message(KEPALA, lambda m: "photo" in m, since=since)
    assert not [m for m in emu.sent_by_bot(MODAL) if "photo" in m or "document" in m]

    # the card keeps Setujui: looking at the evidence decided nothing
    await press(world, SEKRETARIS, APPROVE, "Disetujui oleh")


async def test_the_review_card_of_a_form_without_evidence_has_no_evidence_button(world: World):
    await at_evidence_question(world)
    card = await send_form(world, "Lewati")
    assert not any("Bukti" in b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row)


async def test_a_file_over_the_limit_or_the_quota_is_refused_and_nothing_else_is_lost(world: World):
    emu, data = world.emu, world.application.bot_data
    assert data.evidence_max_bytes == 20 * 1024 * 1024 and data.evidence_quota_bytes == 200 * 1024 * 1024
    await at_evidence_question(world)
    data.evidence_max_bytes, data.evidence_quota_bytes = 3000, 5000

    await emu.user(RINA).send_document(b"x" * 3001, "besar.pdf")
    refusal = await emu.wait_for_bot_message(RINA, "terlalu besar")
    assert "tidak disimpan" in refusal["text"]
    await emu.user(RINA).send_document(b"a" * 3000, "pertama.pdf")
    await emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas")
    since = emu.mark()
    await emu.user(RINA).send_document(b"b" * 2500, "kedua.pdf")
    refusal = await emu.wait_for_bot_message(RINA, "batas", since=since)
    assert "tidak disimpan" in refusal["text"]
    await say(world, LINK, "Tautan disimpan")  # a link is no file: still taken
    rows = evidence_rows(world)
    assert [row.file_name for row in rows] == ["pertama.pdf", None]
    on_disk = [path for path in (Path.cwd() / "evidence").rglob("*") if path.is_file()]
    assert [path.read_bytes() for path in on_disk] == [b"a" * 3000]  # the refused ones were never kept
    long_text = "x" * 501
    await say(world, long_text, "terlalu panjang")
    await say(world, "lanjut", "Ringkasan formulir")  # the button's label typed: no evidence, the form goes on
    assert len(evidence_rows(world)) == 2


def test_the_limits_are_settings_with_defaults(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_MB", "5")
    monkeypatch.setenv("EVIDENCE_QUOTA_MB", "50")
    settings = load_settings()
    assert (settings.evidence_max_mb, settings.evidence_quota_mb) == (5, 50)
    monkeypatch.delenv("EVIDENCE_MAX_MB")
    monkeypatch.delenv("EVIDENCE_QUOTA_MB")
    assert (load_settings().evidence_max_mb, load_settings().evidence_quota_mb) == (20, 200)


@pytest.fixture
def orphans(tmp_path: Path) -> dict[str, Path]:
    """Files in the evidence folder before the bot starts: an old orphan, a young one (maybe being saved by
    another process right now), and a file at another depth (not of the evidence layout)."""
    folder = tmp_path / "evidence"
    paths = {"old": folder / "7" / "9" / "lama.jpg", "young": folder / "7" / "9" / "baru.jpg",
             "other": folder / "catatan.txt"}
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"orphan")
    old = time.time() - 2 * 3600
    os.utime(paths["old"], (old, old))
    os.utime(paths["other"], (old, old))
    return paths


async def test_orphan_files_are_removed_at_start_and_stored_evidence_is_kept(orphans, world: World):
    assert not orphans["old"].exists()
    assert orphans["young"].exists() and orphans["other"].exists()
    await at_evidence_question(world)
    await world.emu.user(RINA).send_photo(PNG)
    await world.emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas")
    (photo,) = evidence_rows(world)
    stored = Path(photo.stored_path)
    old = time.time() - 2 * 3600
    os.utime(stored, (old, old))
    os.utime(orphans["young"], (old, old))
    await asyncio.to_thread(remove_orphan_evidence, world.engine, world.application.bot_data.evidence_dir)
    assert stored.exists() and stored.read_bytes() == PNG
    assert not orphans["young"].exists()



async def test_the_resubmission_card_carries_the_button_with_the_new_count(world: World):
    """Returned for P.3 ("lampirkan daftar hadir"), Rina keeps the value and adds a text: the card of the form sent
    again says 📎 Bukti (2), and its press brings both."""
    emu = world.emu
    await at_evidence_question(world)
    await say(world, LINK, "Tautan disimpan")
    card = await send_form(world)
    assert has_button(card, "📎 Bukti (1)")
    await emu.user(SEKRETARIS).press(card, button_data(card, "↩️ Kembalikan"))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.3")
    await emu.wait_for_call("editMessageReplyMarkup")
    await press(world, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.3")
    since = emu.mark()
    await emu.user(SEKRETARIS).send_text("Lampirkan daftar hadir")
    await emu.wait_for_bot_message(SEKRETARIS, "dikembalikan", since=since)

    await press(world, RINA, "Perbaiki sekarang", "Lampirkan daftar hadir")
    await press(world, RINA, "Tetap", "bukti dukung")
    await say(world, NOTE, "Keterangan disimpan")
    since = emu.mark()
    await send_form(world)
    again = await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang", since=since)
    assert has_button(again, "📎 Bukti (2)")
    since = emu.mark()
    await emu.user(SEKRETARIS).press(again, button_data(again, "📎 Bukti (2)"))
    texts = await emu.wait_for_bot_message(SEKRETARIS, "Tautan dan keterangan", since=since)
    assert LINK in texts["text"] and "Daftar hadir rapat koordinasi" in texts["text"]


async def test_ekspor_bukti_sends_the_periods_evidence_as_one_zip(world: World):
    """/ekspor 2026-11 bukti: the approved form's photo as `<unit>/P.3 1.jpg`, and the index with the link."""
    emu = world.emu
    await at_evidence_question(world)
    await emu.user(RINA).send_photo(PNG)
    await emu.wait_for_bot_message(RINA, "Tersimpan: 1 berkas")
    await say(world, LINK, "Tautan disimpan")
    await send_form(world)
    await press(world, SEKRETARIS, APPROVE, "Disetujui oleh")
    since = emu.mark()
    await emu.user(SEKRETARIS).send_command("/ekspor", "2026-11 bukti")
    message = await emu.wait_for_bot_message(SEKRETARIS, lambda m: "document" in m, since=since, timeout=DRAWING)
    assert message["document"]["file_name"] == "bukti-2026-11.zip"
    opened = zipfile.ZipFile(io.BytesIO(emu.state.files[message["document"]["file_id"]].data))
    assert opened.read("Bidang Pelayanan Perizinan/P.3 1.jpg") == PNG
    assert LINK in opened.read("daftar-bukti.csv").decode("utf-8-sig")
