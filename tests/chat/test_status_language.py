"""Where every unit stands, the recap and the kertas kerja, the member's language, and group chats.

Given the demo office, when units are at different steps of SOP procedure A (not started, filling, sent, returned,
approved), then `/status` shows each unit's step, its count and whether it is on time, and what the member's own
unit still has to fill; `/rekap` and `/ekspor` give the Tim SAKIP's recap (step 8) in chat and as the Excel
Kertas Kerja Pengukuran Kinerja; `/bahasa` switches replies and the command menu between Indonesian and English;
in a group the bot says once that it works in private chat.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, select

from models.collection.form_filling import record_value
from models.collection.forms import UnitForm
from models.collection.review import approve_unit_form, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_REALISASI
from models.exchange.realisasi_import import import_realisasi
from models.messaging.chat_state import get_state
from models.office.audit import Actor
from models.office.invites import member_by_telegram_id
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from tests.chat.conftest import DRAWING, World, has_button
from tests.chat.test_full_cycle import press, say
from tests.conftest import office_moment

ADMIN, SEKRETARIS, TIM = 101, 103, 104
SEKRETARIAT, MODAL, PERIZINAN, PENGADUAN = 110, 120, 130, 140
KABID_MODAL = 121
PENGADUAN_UNIT = "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"
JAKARTA = ZoneInfo("Asia/Jakarta")
IMPORT_DAY = date(2026, 11, 24)  # after Triwulan I 2026: the imported periods are closed


def today(world: World) -> date:
    """Today by the bot's clock."""
    return world.clock.now.astimezone(JAKARTA).date()


def chat_step(world: World, telegram_id: int) -> str | None:
    """What the bot waits for from the member (None: nothing)."""
    member = world.member(telegram_id)
    with world.session() as session:
        return get_state(session, member.id)[0]


# -- set-up in the database, as if the units had worked in chat ---------------------------------------------
def fill(session: Session, telegram_id: int, period: Period, values: dict[str, str],
         now: datetime) -> tuple[Member, UnitForm]:
    member = member_by_telegram_id(session, telegram_id)
    for code, value in values.items():
        indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
        record_value(session, member, indicator, period, Decimal(value), now=now)
    return member, form_for(session, member.unit_id, period.id)


def units_at_every_step(world: World, deadline: date) -> tuple[int, int]:
    """Oktober 2026: Sekretariat approved, Perizinan sent, Penanaman Modal half filled, Pengaduan returned;
    Triwulan IV 2026: nobody started. Returns the two period ids."""
    with session_scope(world.engine) as session:
        month = Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN, deadline=deadline)
        quarter = Period(kind=PeriodKind.QUARTER, year=2026, number=4, status=PeriodStatus.OPEN, deadline=deadline)
        session.add_all([month, quarter])
        session.flush()
        sekretaris = member_by_telegram_id(session, SEKRETARIS)

        member, form = fill(session, SEKRETARIAT, month, {"SEK.1": "90"}, world.clock.now)
        submit_unit_form(session, member, form.id, now=world.clock.now)
        approve_unit_form(session, sekretaris, form.id, None, now=world.clock.now)

        member, form = fill(session, PERIZINAN, month, {"P.1": "100", "P.2": "95", "P.3": "6"}, world.clock.now)
        submit_unit_form(session, member, form.id, now=world.clock.now)

        fill(session, MODAL, month, {"K.3": "5"}, world.clock.now)

        member, form = fill(session, PENGADUAN, month, {"P.4": "100", "P.5": "5"}, world.clock.now)
        submit_unit_form(session, member, form.id, now=world.clock.now)
        p5 = session.exec(select(Indicator).where(Indicator.code == "P.5")).one()
        return_unit_form(session, sekretaris, form.id, None, [p5.id], "Lampirkan register pengaduan",
                         now=world.clock.now)
        return month.id, quarter.id


def status_block(text: str, header: str) -> list[str]:
    """The lines of one period's block of a /status reply."""
    block = next(block for block in text.split("\n\n") if block.startswith(header))
    return block.split("\n")[1:]


async def test_status_shows_every_unit_step_count_and_timing_and_what_the_member_still_has_to_fill(world: World):
    month_id, _ = units_at_every_step(world, today(world) + timedelta(days=30))

    reply = await say(world, MODAL, "/status", "Oktober 2026")
    assert status_block(reply["text"], "Oktober 2026") == [
        "• Bidang Pelayanan Perizinan: dikirim (3/3) · tepat waktu",
        "• Bidang Penanaman Modal: draf (1/2) · tepat waktu",
        f"• {PENGADUAN_UNIT}: dikembalikan (2/2) · tepat waktu",
        "• Sekretariat: disetujui (1/1) · tepat waktu",
        "Sisa isian unit Anda: S.1",
    ]
    assert status_block(reply["text"], "Triwulan IV 2026") == [
        "• Bidang Pelayanan Perizinan: belum mulai (0/1) · tepat waktu",
        "• Bidang Penanaman Modal: belum mulai (0/2) · tepat waktu",
        f"• {PENGADUAN_UNIT}: belum mulai (0/1) · tepat waktu",
        "• Sekretariat: belum mulai (0/2) · tepat waktu",
        "Sisa isian unit Anda: K.1, K.2",
    ]

    reply = await say(world, PERIZINAN, "/status", "Oktober 2026")
    assert status_block(reply["text"], "Oktober 2026")[-1] == "Isian unit Anda lengkap."
    assert status_block(reply["text"], "Triwulan IV 2026")[-1] == "Sisa isian unit Anda: S.2"

    # The deadline passes: a form sent before it stays on time, the rest are late.
    with session_scope(world.engine) as session:
        month = session.get(Period, month_id)
        month.deadline = today(world) - timedelta(days=1)
        for form in session.exec(select(UnitForm).where(UnitForm.period_id == month_id)):
            if form.unit_id in {unit_id(session, "Sekretariat"), unit_id(session, "Bidang Pelayanan Perizinan")}:
                form.submitted_at = datetime.combine(month.deadline - timedelta(days=2), datetime.min.time(),
                                                     tzinfo=JAKARTA)
                session.add(form)
        session.add(month)
    reply = await say(world, ADMIN, "/status", "Oktober 2026")
    assert status_block(reply["text"], "Oktober 2026") == [
        "• Bidang Pelayanan Perizinan: dikirim (3/3) · tepat waktu",
        "• Bidang Penanaman Modal: draf (1/2) · terlambat",
        f"• {PENGADUAN_UNIT}: dikembalikan (2/2) · terlambat",
        "• Sekretariat: disetujui (1/1) · tepat waktu",
    ]  # the admin's own unit (the office) has no form, so no line about it
    quarter = status_block(reply["text"], "Triwulan IV 2026")
    assert quarter and all(line.endswith("tepat waktu") for line in quarter)


async def test_lateness_counts_the_day_the_form_was_sent_in_the_office_time_zone(world: World):
    """Sent at 03:00 WIB the day after the deadline is late, although it is still the deadline day in UTC;
    sent at 23:00 WIB on the deadline day is on time."""
    deadline = today(world) - timedelta(days=5)
    month_id, _ = units_at_every_step(world, deadline)
    with session_scope(world.engine) as session:
        sent_at = {"Bidang Pelayanan Perizinan": datetime.combine(deadline + timedelta(days=1), time(3), JAKARTA),
                   "Sekretariat": datetime.combine(deadline, time(23), JAKARTA)}
        for name, moment in sent_at.items():
            form = session.exec(select(UnitForm).where(UnitForm.period_id == month_id,
                                                       UnitForm.unit_id == unit_id(session, name))).one()
            form.submitted_at = moment
            session.add(form)
    reply = await say(world, ADMIN, "/status", "Oktober 2026")
    lines = status_block(reply["text"], "Oktober 2026")
    assert "• Bidang Pelayanan Perizinan: dikirim (3/3) · terlambat" in lines
    assert "• Sekretariat: disetujui (1/1) · tepat waktu" in lines


def unit_id(session: Session, name: str) -> int:
    return session.exec(select(Unit).where(Unit.name == name)).one().id


async def test_status_without_an_open_period_says_so(world: World):
    reply = await say(world, PERIZINAN, "/status")
    assert "Tidak ada periode yang sedang dibuka" in reply["text"]


# -- recap and kertas kerja ---------------------------------------------------------------------------------
def import_demo_realisasi(world: World) -> None:
    """The Tim SAKIP imported Triwulan I from Excel (periods 2026-01..03 and 2026-TW1, all closed)."""
    with session_scope(world.engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(IMPORT_DAY))


async def recap_reply(world: World, user_id: int, command: str,
                      header: str = "Rekap capaian") -> tuple[list[dict], dict]:
    """Send /rekap; returns the album of charts and the text recap that follows it."""
    since, before = world.emu.mark(), len(world.emu.sent_by_bot(user_id))
    await world.emu.user(user_id).send_text(command)
    text = await world.emu.wait_for_bot_message(user_id, lambda m: header in (m.get("text") or ""), since=since,
                                                timeout=DRAWING)
    album = [m for m in world.emu.sent_by_bot(user_id)[before:] if "photo" in m]
    return album, text


async def test_recap_of_a_month_and_of_a_triwulan(world: World):
    import_demo_realisasi(world)
    with session_scope(world.engine) as session:
        february = session.exec(select(Period).where(Period.kind == PeriodKind.MONTH, Period.number == 2)).one()
        february.status = PeriodStatus.OPEN  # reopened, though Triwulan I is stored later
        session.add(february)

    _, reply = await recap_reply(world, SEKRETARIS, "/rekap februari")
    assert reply["text"].startswith("Rekap capaian Februari 2026\nTercapai: 3 dari 8 indikator")
    assert re.search(r"• P\.5 Rata-rata waktu tindak lanjut pengaduan \(Bidang Pengaduan.*\): 83,33%",
                     reply["text"])  # T/R: 5 ÷ 6
    assert "/laporan 2026-02" in reply["text"] and has_button(reply, "🏢 Rincian per unit")

    _, reply = await recap_reply(world, SEKRETARIS, "/rekap 2026-TW1")
    text = reply["text"]
    assert text.startswith("Rekap capaian Triwulan I 2026\nTercapai: 10 dari 14 indikator")
    assert re.search(r"• K\.1 Jumlah kegiatan promosi investasi \(.*\): 50,00% 🔴 Sangat Rendah", text)
    assert re.search(r"• S\.1 .*: 95,63%", text)  # cumulative: Rp114.750.000.000 of Rp120.000.000.000
    # the rest is on request: the per-unit detail names each unit's lowest with its kendala
    detail = await press(world, SEKRETARIS, "🏢 Rincian per unit", "Rincian per unit · Triwulan I 2026")
    assert "Kendala: Anggaran promosi baru cair Maret" in detail["text"]


async def test_recap_is_one_album_then_one_message(world: World):
    """Capaian by sasaran, each unit's form, the IKU trends and the lowest indicators, drawn while the chat shows
    "sending photo…", as one album; then one message with the per-unit detail's button."""
    import_demo_realisasi(world)
    emu = world.emu
    since, before = emu.mark(), len(emu.sent_by_bot(TIM))
    album, text = await recap_reply(world, TIM, "/rekap 2026-TW1")
    assert len(album) == 4  # sasaran, the units' completeness, one picture of IKU trends, the lowest
    assert len({m["media_group_id"] for m in album}) == 1 and all(m["message_id"] < text["message_id"]
                                                                   for m in album)
    assert album[0]["caption"] == "Rekap capaian Triwulan I 2026"
    assert all("caption" not in m for m in album[1:])
    assert emu.sent_by_bot(TIM)[before:] == [*album, text]  # one album, one message: nothing else
    assert has_button(text, "🏢 Rincian per unit")
    action = emu.calls_to("sendChatAction", since=since)
    assert action and action[0].params.get("action") == "upload_photo"
    for message in album:
        picture = Image.open(io.BytesIO(emu.file_bytes(message["photo"][-1]["file_id"])))
        assert picture.width == 1280 and picture.height > 400


async def test_a_year_recap_has_no_completeness_chart_nor_per_unit_detail(world: World):
    import_demo_realisasi(world)
    album, text = await recap_reply(world, TIM, "/rekap 2026")
    assert text["text"].startswith("Rekap capaian 2026")
    assert len(album) == 3  # sasaran, IKU trends, the lowest
    assert text["text"].endswith("Rincian lengkap: /ekspor 2026 (Excel).") and "reply_markup" not in text


async def test_a_kepala_bidang_sees_their_own_unit_beside_the_recap(world: World):
    import_demo_realisasi(world)
    _, reply = await recap_reply(world, KABID_MODAL, "/rekap 2026-02")
    own = re.search(r"\n\nUnit Anda\nBidang Penanaman Modal: .*", reply["text"])
    assert own and "tercapai" in own.group(0)
    _, reply = await recap_reply(world, TIM, "/rekap 2026-02")
    assert "Unit Anda" not in reply["text"]  # the Tim SAKIP's is the whole office's


async def test_recap_of_an_impossible_period_explains_the_codes(world: World):
    import_demo_realisasi(world)
    reply = await say(world, TIM, "/rekap 2026-13")
    assert reply["text"] == ("Periode '2026-13' tidak dikenal. Tulis bulan (april, april 2026, 2026-04), triwulan "
                             "(TW1, triwulan 1 2026, 2026-TW1) atau tahun (2026). Bulan atau triwulan tanpa tahun "
                             "berarti yang terakhir, bukan yang akan datang.")


async def test_staff_see_status_but_not_the_recap(world: World):
    import_demo_realisasi(world)
    reply = await say(world, PERIZINAN, "/rekap 2026-TW1")
    assert "tidak berwenang" in reply["text"]


async def documents_after(world: World, user_id: int, command: str, count: int) -> list[dict]:
    """Send a command; returns the `count` documents the bot sends back."""
    since = world.emu.mark()
    await world.emu.user(user_id).send_text(command)

    def enough() -> list[dict] | None:
        documents = [m for m in world.emu.sent_by_bot(user_id)[since.bot_messages:] if "document" in m]
        return documents if len(documents) >= count else None

    documents = await world.emu._wait_until(enough, 15)
    assert world.emu.calls_to("sendChatAction", since=since)[0].params["action"] == "upload_document"
    return documents


async def test_export_sends_the_formulir_rekapitulasi_and_kertas_kerja_of_a_triwulan(world: World):
    import_demo_realisasi(world)
    with world.session() as session:
        quarterly = session.exec(select(Indicator).where(Indicator.frequency == "triwulanan")).all()
        quarterly_units = {indicator.unit_id for indicator in quarterly}
    # the forms are sent, not approved: their values only on request, marked (they appeared unasked before)
    [document] = await documents_after(world, TIM, "/ekspor 2026-TW1 semua-data", 1)
    assert document["document"]["file_name"] == "SAKIP-Dinas-Triwulan-I-2026.zip"
    archive = zipfile.ZipFile(io.BytesIO(world.emu.file_bytes(document["document"]["file_id"])))
    names = archive.namelist()
    assert names[:2] == ["01 Kertas Kerja Pengukuran Kinerja Triwulan I 2026.xlsx",
                         "02 Rekapitulasi Capaian Kinerja Triwulan I 2026.xlsx"]
    assert sum(" Formulir Pengumpulan Data " in name for name in names) == len(quarterly_units) == len(names) - 4
    assert names[-2:] == ["07 Data Capaian Kinerja Triwulan I 2026.xlsx", "08 Data Capaian Kinerja Triwulan I 2026.csv"]

    kertas = load_workbook(io.BytesIO(archive.read(names[0])))["Kertas Kerja"]
    assert (kertas["A1"].value, kertas["A3"].value) == ("KERTAS KERJA PENGUKURAN KINERJA", "Periode: Triwulan I 2026")
    assert kertas.cell(row=5, column=kertas.max_column).value == "Persetujuan"
    rows = list(csv.DictReader(io.StringIO(archive.read(names[-1]).decode("utf-8"))))
    assert len(rows) == 14
    by_code = {row["kode"]: row for row in rows}
    assert float(by_code["K.1"]["capaian_persen"]) == 50.0
    assert by_code["K.1"]["kendala"] == "Anggaran promosi baru cair Maret"
    assert {row["status"] for row in rows} == {"belum_disetujui"}


async def test_export_of_one_kind_and_a_year_without_forms(world: World):
    import_demo_realisasi(world)
    [kertas] = await documents_after(world, TIM, "/ekspor 2026-TW1 kertas", 1)
    assert kertas["document"]["file_name"] == "kertas-kerja-2026-TW1.xlsx"
    since = world.emu.mark()
    await world.emu.user(TIM).send_text("/ekspor 2026 formulir")
    reply = await world.emu.wait_for_bot_message(TIM, lambda m: "text" in m, since=since)
    assert "2026" in reply["text"]
    assert not [m for m in world.emu.sent_by_bot(TIM)[since.bot_messages:] if "document" in m]


async def test_laporan_of_a_period_not_yet_archived_is_a_draft_pdf(world: World):
    import_demo_realisasi(world)
    [laporan] = await documents_after(world, SEKRETARIS, "/laporan 2026-TW1", 1)
    assert laporan["document"]["file_name"] == "laporan-2026-TW1.pdf"
    reader = PdfReader(io.BytesIO(world.emu.file_bytes(laporan["document"]["file_id"])))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Laporan Hasil Pengukuran Kinerja" in text and "DRAF" in text and "K.1" in text
    assert "Anggaran promosi baru cair Maret" in text  # the kendala of an indicator below target


async def test_staff_may_not_export(world: World):
    import_demo_realisasi(world)
    reply = await say(world, PERIZINAN, "/ekspor 2026-TW1")
    assert "tidak berwenang" in reply["text"]
    assert not [m for m in world.emu.sent_by_bot(PERIZINAN) if "document" in m]


# -- language -----------------------------------------------------------------------------------------------
SEKRETARIS_MENU_ID = ["isi", "tugas", "status", "rekap", "ekspor", "pengukuran", "laporan", "bahasa", "bantuan",
                      "batal"]
SEKRETARIS_MENU_EN = ["fill", "inbox", "status", "recap", "export", "measurement", "report", "language", "help",
                      "cancel"]


async def next_menu(world: World, chat_id: int, since) -> list[dict]:
    call = await world.emu.wait_for_call(
        "setMyCommands", lambda c: (c.params.get("scope") or {}).get("chat_id") == chat_id, since=since)
    return call.params["commands"]


async def test_a_member_switches_to_english_and_back(world: World):
    emu = world.emu
    with session_scope(world.engine) as session:
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN))

    await say(world, SEKRETARIS, "/bahasa", "Pilih bahasa")
    since = emu.mark()
    await press(world, SEKRETARIS, "English", "Language changed to English.")
    commands = await next_menu(world, SEKRETARIS, since)
    assert [c["command"] for c in commands] == SEKRETARIS_MENU_EN
    assert commands[0]["description"] == "Enter realisasi of the open period"
    assert [c["command"] for c in emu.commands_for(SEKRETARIS)] == SEKRETARIS_MENU_EN
    assert world.member(SEKRETARIS).language == "en"

    help_text = (await say(world, SEKRETARIS, "/help", "Your commands"))["text"]
    assert "/fill – Enter realisasi of the open period" in help_text and "/isi" not in help_text
    question = await say(world, SEKRETARIS, "/fill", "SEK.1")
    assert "Type the realisasi value" in question["text"]
    cancelled = await say(world, SEKRETARIS, "/cancel")
    assert cancelled["text"].startswith("Cancelled.")
    assert chat_step(world, SEKRETARIS) is None
    album, recap = await recap_reply(world, SEKRETARIS, "/recap october", "Capaian recap")
    assert recap["text"].startswith("Capaian recap October 2026")
    assert album[0]["caption"].startswith("Capaian recap October 2026")

    await say(world, SEKRETARIS, "/language", "Choose a language")
    since = emu.mark()
    await press(world, SEKRETARIS, "Bahasa Indonesia", "Bahasa diganti ke Bahasa Indonesia.")
    commands = await next_menu(world, SEKRETARIS, since)
    assert [c["command"] for c in commands] == SEKRETARIS_MENU_ID
    help_text = (await say(world, SEKRETARIS, "/bantuan", "Perintah untuk Anda"))["text"]
    assert "/isi – Isi realisasi periode berjalan" in help_text and "/fill" not in help_text


# -- groups -------------------------------------------------------------------------------------------------
PRIVATE_ONLY = "SAKIP Bot hanya bekerja di obrolan pribadi. Silakan buka @sakip_test_bot dan kirim /start."


async def handled_so_far(world: World) -> None:
    """Updates are handled in order: once a later private message is answered, the earlier ones were handled."""
    await say(world, ADMIN, "/bantuan", "Perintah untuk Anda")


async def test_a_group_is_told_once_that_the_bot_works_in_private_chat(world: World):
    emu = world.emu
    with session_scope(world.engine) as session:
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN))
    office = emu.group(-1001000000001, "Grup Kantor DPMPTSP", type="supergroup")

    await emu.user(PERIZINAN).send_text_in(office, "Selamat pagi semua")
    notice = await emu.wait_for_bot_message(office.id)
    assert notice["text"] == PRIVATE_ONLY

    await emu.user(MODAL).send_text_in(office, "Laporan bulan ini sudah?")
    await emu.user(PERIZINAN).send_command_in(office, "/isi")
    await handled_so_far(world)
    assert len(emu.sent_by_bot(office.id)) == 1
    assert not [m for m in emu.sent_by_bot(PERIZINAN) if "Ketik nilai realisasi" in (m.get("text") or "")]
    assert chat_step(world, PERIZINAN) is None  # no question of the form is waiting for an answer

    # Another group gets its own single notice.
    team = emu.group(-1001000000002, "Tim SAKIP")
    await emu.user(TIM).send_command_in(team, "/status")
    assert (await emu.wait_for_bot_message(team.id))["text"] == PRIVATE_ONLY
    await emu.user(TIM).send_text_in(team, "tes")
    await handled_so_far(world)
    assert len(emu.sent_by_bot(team.id)) == 1
    assert len(emu.sent_by_bot(office.id)) == 1

