"""Messages that always arrive: whatever users type is shown literally, and long tables are split, never cut.

Given the demo office, when users put HTML, Markdown and emoji into every free-text field (their own name, kendala,
tindak lanjut, the reason for an unusual value, the Sekretaris's and the Kepala Dinas's arahan), then every
message that shows those texts is accepted by Telegram and shows them exactly as typed; and given a unit with more
indicators than one message holds, then its form reaches the Sekretaris in several messages, each within
Telegram's 4096 characters, together holding every indicator, with Setujui/Kembalikan under the last one.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from i18n import t
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.opening import open_period
from models.collection.review import approve_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.exchange.pk_import import PK_COLUMNS, import_pk
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.periods import Period
from models.store.database import session_scope
from tests.chat.conftest import World, button_data, has_button, month, press_and_see, until_button

ADMIN, KEPALA, SEKRETARIS = 101, 102, 103
SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN = 110, 120, 130, 140
PENGADUAN_UNIT = "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"
OCTOBER = month(2026, 10)
NASTY = "<b>x</b> & _*[ 🙂 <script>"
NAME = f"Nama {NASTY}"
KENDALA = f"Kendala {NASTY}"
TINDAK_LANJUT = f"Tindak lanjut {NASTY}"
REASON = f"Alasan {NASTY}"
UNLOCK_REASON = f"Buka kunci karena {NASTY}"
ARAHAN_SEKRETARIS = f"Arahan Sekretaris {NASTY}"
ARAHAN_KEPALA = f"Arahan Kepala {NASTY}"
APPROVE, RETURN = t("review.approve_button", "id"), t("review.return_button", "id")
TELEGRAM_LIMIT = 4096


def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def wake(world: World) -> None:
    world.application.bot_data.wake()


def failed_calls(world: World) -> list:
    return [call for call in world.emu.calls if not call.ok and call.method != "getUpdates"]


def telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def say(world: World, user_id: int, text: str, expect: str | None = None) -> dict:
    await world.emu.user(user_id).send_text(text)
    return await world.emu.wait_for_bot_message(user_id, expect)


async def press(world: World, user_id: int, label: str, expect: str | None = None) -> dict:
    return await press_and_see(world.emu, user_id, label, expect)



def approve_in_database(world: World, period_id: int, staff: tuple[int, ...]) -> None:
    """These units' forms filled (every value 100, notes where below target), sent and approved."""
    with session_scope(world.engine) as session:
        period, sekretaris = session.get(Period, period_id), member(session, SEKRETARIS)
        for telegram_id in staff:
            person = member(session, telegram_id)
            form = form_for(session, person.unit_id, period_id)
            for item in form_items(session, form):
                record_value(session, person, item.indicator, period, Decimal(100), now=world.clock.now)
            for item in form_items(session, form):
                if item.needs_kendala:
                    record_note(session, person, item.indicator, period, "kendala", "Data terlambat",
                                now=world.clock.now)
                    record_note(session, person, item.indicator, period, "tindak_lanjut", "Koordinasi",
                                now=world.clock.now)
            submit_unit_form(session, person, form.id, now=world.clock.now)
            approve_unit_form(session, sekretaris, form.id, form.version, now=world.clock.now)


async def test_text_typed_by_users_is_shown_literally_everywhere(world: World):
    """Given a new staff member of Pengaduan whose Telegram name holds HTML, Markdown and emoji, when they join,
    fill P.4 below target (kendala, tindak lanjut) and P.5 far off target (a reason), the Sekretaris returns P.4
    with arahan, the unit resends, asks to unlock, the form is approved and reported, and the Kepala Dinas
    gives arahan, then each text appears exactly as typed in every message that shows it, and Telegram
    accepted every message."""
    emu = world.emu
    with session_scope(world.engine) as session:
        period_id = open_period(session, member(session, ADMIN), OCTOBER, None, now=world.clock.now).id
        unit = session.exec(select(Unit).where(Unit.name == PENGADUAN_UNIT)).one()
        _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=world.clock.now)
    approve_in_database(world, period_id, (SEKRETARIAT, MODAL, PERIZINAN))
    wake(world)
    newcomer = emu.user(150, NAME)

    # Joining: the welcome names them.
    await newcomer.send_command("/start", token)
    welcome = await emu.wait_for_bot_message(150, "Selamat datang")
    assert NAME in welcome["text"]

    # Filling: P.4 below target with kendala and tindak lanjut; P.5 far off target, confirmed with a reason.
    await say(world, 150, "/isi", "P.4")
    await say(world, 150, "50", "kendala")
    await say(world, 150, KENDALA, "tindak lanjut")
    await say(world, 150, TINDAK_LANJUT, "bukti dukung")
    await press(world, 150, "Lewati", "P.5")
    await say(world, 150, "1", "jauh dari")
    await press(world, 150, "Ya, benar", "alasan")
    await say(world, 150, REASON, "tercapai")
    summary = await press(world, 150, "Lewati", "Ringkasan formulir")
    for text in (KENDALA, TINDAK_LANJUT, REASON, NAME):
        assert text in summary["text"], text
    await press(world, 150, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, 150, "Ya, kirim", "terkirim")

    # The Sekretaris's review message shows them all, and returns P.4 with an arahan.
    review = await emu.wait_for_bot_message(
        SEKRETARIS, lambda m: PENGADUAN_UNIT in m["text"] and has_button(m, APPROVE))
    for text in (KENDALA, TINDAK_LANJUT, REASON, NAME):
        assert text in review["text"], text
    await emu.user(SEKRETARIS).press(review, button_data(review, RETURN))
    await emu.wait_for_bot_message(SEKRETARIS, "Pilih indikator")
    await emu.user(SEKRETARIS).press_button(text="⬜ P.4")
    await emu.wait_for_call("editMessageReplyMarkup", lambda call: str(call.params.get("chat_id")) == "103")
    await press(world, SEKRETARIS, "Tulis arahan ➡️", "Tulis arahan untuk P.4")
    await say(world, SEKRETARIS, ARAHAN_SEKRETARIS, "dikembalikan")

    # The unit is told, with the arahan; the question and the stored notes show them again; they resend.
    returned = await emu.wait_for_bot_message(150, "dikembalikan Sekretaris")
    assert ARAHAN_SEKRETARIS in returned["text"]
    assert ARAHAN_SEKRETARIS in (await emu.wait_for_bot_message(PENGADUAN, "dikembalikan Sekretaris"))["text"]
    question = await press(world, 150, "Perbaiki sekarang", "Ketik nilai realisasi")
    assert ARAHAN_SEKRETARIS in question["text"]
    assert KENDALA in (await press(world, 150, "Tetap", "kendala"))["text"]
    assert TINDAK_LANJUT in (await press(world, 150, "Tetap", "tindak lanjut"))["text"]
    await press(world, 150, "Tetap", "bukti dukung")
    await press(world, 150, "Lewati", "Ringkasan formulir")
    await press(world, 150, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, 150, "Ya, kirim", "terkirim")
    again = await emu.wait_for_bot_message(SEKRETARIS, "dikirim ulang")
    for text in (KENDALA, TINDAK_LANJUT, REASON, NAME):
        assert text in again["text"], text
    await emu.user(SEKRETARIS).press(again, button_data(again, APPROVE))
    await emu.wait_for_bot_screen(SEKRETARIS, "Disetujui oleh")

    # An unlock request names who asks and why; the Sekretaris refuses it, and the refusal names the reason.
    await emu.wait_for_bot_message(150, "disetujui Sekretaris")
    await say(world, 150, "/isi", "Ringkasan formulir")
    await press(world, 150, "🔓 P.4", "alasan membuka kunci")
    await say(world, 150, UNLOCK_REASON, "dikirim ke Sekretaris")
    unlock = await emu.wait_for_bot_message(SEKRETARIS, "meminta buka kunci")
    assert NAME in unlock["text"] and f"Alasan: {UNLOCK_REASON}" in unlock["text"]
    await press(world, SEKRETARIS, "Tolak", "Ditolak oleh")
    refused = await emu.wait_for_bot_message(150, "Sekretaris menolak")
    assert f"(alasan: {UNLOCK_REASON})" in refused["text"]

    # The Kepala Dinas's detail per unit shows the kendala and tindak lanjut; the arahan reaches everyone involved.
    await press(world, SEKRETARIS, t("notify.report_button", "id"), "Dilaporkan ke Kepala Dinas oleh")
    await until_button(emu, KEPALA, t("kepala.units_button", "id"))
    detail = await press(world, KEPALA, t("kepala.units_button", "id"), "Rincian per unit ·")
    report = "\n".join(m.get("text") or "" for m in emu.sent_by_bot(KEPALA) if m["message_id"] >= detail["message_id"])
    assert KENDALA in report and TINDAK_LANJUT in report
    await press(world, KEPALA, t("notify.arahan_button", "id"), "Tulis arahan")
    preview = await say(world, KEPALA, ARAHAN_KEPALA, "Periksa arahan")
    assert ARAHAN_KEPALA in preview["text"]
    disposed = await press(world, KEPALA, "📤 Kirim", "diarsipkan")
    assert ARAHAN_KEPALA in disposed["text"]
    card = await emu.wait_for_bot_screen(KEPALA, "Arahan Kepala Dinas Ibu Kepala")  # her report's card shows it
    assert card["text"].split("\n")[0].endswith(f": {ARAHAN_KEPALA}")  # the outcome first, as typed
    notice = await emu.wait_for_bot_message(150, "Disposisi Kepala Dinas")
    assert notice["text"].count(ARAHAN_KEPALA) == 2  # the disposition and the follow-up for their unit
    assert ARAHAN_KEPALA in (await emu.wait_for_bot_message(SEKRETARIS, "Disposisi Kepala Dinas"))["text"]

    # The admin's member list and the member's page show the name as it is.
    members = await say(world, ADMIN, "/anggota", "Anggota per unit")
    assert f"• {NAME} — Staf" in members["text"]
    assert has_button(members, f"⚙️ {NAME}")
    with world.session() as session:
        newcomer_id = member(session, 150).id
    await emu.user(ADMIN).press_button(data=f"mb.m|{newcomer_id}")
    detail = await emu.wait_for_bot_message(ADMIN, "Ubah peran")
    assert NAME in detail["text"]

    assert failed_calls(world) == []


# -- a table longer than one message --------------------------------------------------------------------------
INDICATORS = 60


def long_name(number: int) -> str:
    return (f"Indikator nomor {number:02d}: persentase dokumen perizinan berusaha berbasis risiko yang diverifikasi "
            f"lengkap, benar dan tepat waktu oleh petugas front office & back office <{number}>")


def write_long_pk(path: Path, unit: str) -> None:
    """The demo's 2026 PK with the long unit's indicators added (a year's rows are its whole PK)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        with DEMO_PK.open(encoding="utf-8") as demo:
            rows = csv.DictReader(demo, delimiter=";")
            writer = csv.DictWriter(handle, fieldnames=rows.fieldnames or PK_COLUMNS, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        for number in range(1, INDICATORS + 1):
            writer.writerow({
                "kode": f"PJ.{number}", "indikator": long_name(number), "tingkat": "kegiatan", "jenis": "lainnya",
                "satuan": "dokumen", "polaritas": "positif", "agregasi": "kumulatif", "frekuensi": "bulanan",
                "unit": unit, "tahun": "2026", "target_tahunan": "1200", "target_tw1": "300", "target_tw2": "300",
                "target_tw3": "300", "target_tw4": "300",
            })


async def test_a_table_longer_than_one_message_is_split_never_cut_off(world: World, tmp_path: Path):
    """Given a unit with 60 long-named indicators and an open month, when its staff fill every value and send
    the form, then the Sekretaris receives it in several messages, each within 4096 characters, every
    indicator whole in one of them, and only the last carries Setujui/Kembalikan."""
    unit_name = "Bidang Penanaman Modal Panjang"
    write_long_pk(tmp_path / "pk_panjang.csv", unit_name)
    emu = world.emu
    emu.user(160, "Staf Panjang")
    with session_scope(world.engine) as session:
        import_pk(session, tmp_path / "pk_panjang.csv", Actor.cli())
        unit = session.exec(select(Unit).where(Unit.name == unit_name)).one()
        _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=world.clock.now)
        accept_invite(session, token, 160, "Staf Panjang", "id", now=world.clock.now)
        period_id = open_period(session, member(session, ADMIN), OCTOBER, None, now=world.clock.now).id
    wake(world)
    await emu.wait_for_bot_message(SEKRETARIS, "dibuka")  # the Sekretariat's own form; before the mark
    start = len(emu.sent_by_bot(SEKRETARIS))

    with session_scope(world.engine) as session:
        staff, period = member(session, 160), session.get(Period, period_id)
        form = form_for(session, staff.unit_id, period_id)
        items = form_items(session, form)
        assert len(items) == INDICATORS
        for item in items:
            record_value(session, staff, item.indicator, period, Decimal(100), now=world.clock.now)
        submit_unit_form(session, staff, form.id, now=world.clock.now)
    wake(world)
    last = await emu.wait_for_bot_message(SEKRETARIS, lambda m: has_button(m, APPROVE), timeout=10)

    parts = emu.sent_by_bot(SEKRETARIS)[start:]
    assert parts[-1]["message_id"] == last["message_id"]
    assert unit_name in parts[0]["text"] and "menunggu pemeriksaan" in parts[0]["text"]
    assert len(parts) >= 2
    for part in parts:
        assert 0 < telegram_length(part["text"]) <= TELEGRAM_LIMIT
    assert [has_button(part, APPROVE) and has_button(part, RETURN) for part in parts] == \
        [False] * (len(parts) - 1) + [True]
    assert all("reply_markup" not in part for part in parts[:-1])
    whole = "\n\n".join(part["text"] for part in parts)
    for number in range(1, INDICATORS + 1):
        assert re.search(rf"\bPJ\.{number}\b", whole), f"PJ.{number} missing"
        block = f"{number}. PJ.{number} {long_name(number)}\nTarget "
        assert sum(block in part["text"] for part in parts) == 1, f"PJ.{number} is cut or repeated"
    assert failed_calls(world) == []


@pytest.mark.parametrize("character", [
    "&", "<", "🙂",
], ids=["ampersand", "less-than", "emoji"])
async def test_the_longest_kendala_allowed_arrives_whole(world: World, character: str):
    """Given Pengaduan's P.4 below target, when staff type a kendala of the longest length the bot accepts
    (1000 characters), every one a character that HTML escaping or Telegram's counting makes longer, then the
    summary and the Sekretaris's review message arrive and show the kendala exactly as typed."""
    kendala = character * 1000
    emu = world.emu
    with session_scope(world.engine) as session:
        open_period(session, member(session, ADMIN), OCTOBER, None, now=world.clock.now)
    wake(world)

    await say(world, PENGADUAN, "/isi", "P.4")
    await say(world, PENGADUAN, "50", "kendala")
    await say(world, PENGADUAN, kendala, "tindak lanjut")
    await say(world, PENGADUAN, "Koordinasi", "bukti dukung")
    await press(world, PENGADUAN, "Lewati", "P.5")
    await say(world, PENGADUAN, "5", "bukti dukung")
    await press(world, PENGADUAN, "Lewati")
    await until_button(emu, PENGADUAN, "📤 Kirim ke Sekretaris")
    summary = "".join(m["text"] for m in emu.sent_by_bot(PENGADUAN))
    assert kendala in summary
    await press(world, PENGADUAN, "📤 Kirim ke Sekretaris", "Kirim formulir")
    await press(world, PENGADUAN, "Ya, kirim", "terkirim")
    await until_button(emu, SEKRETARIS, APPROVE)
    review = "".join(m["text"] for m in emu.sent_by_bot(SEKRETARIS))
    assert kendala in review
    assert failed_calls(world) == []
