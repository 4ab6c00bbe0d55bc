"""Every document from the command line too: `sakip-bot export` writes the bytes the chat sends.

Given January 2026 reported and disposed (archived: its Laporan filed) and Triwulan I approved, when the Kepala
Dinas asks /laporan januari 2026 and the Tim SAKIP /ekspor tw1 2026 data and kertas, then the command line with
the same period in the same words writes the very files the emulator received: the filed Laporan PDF, the data
export's XLSX and CSV, and the Kertas Kerja on the letterhead the settings configure (its kop lines on top).
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlmodel import select

from bot.cli import main
from models.collection.forms import DispositionDecision, FormStatus, UnitForm
from models.collection.workflow import approve_form
from models.demo import DEMO_REALISASI
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor
from models.plan.periods import Period, PeriodKind
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from tests.chat.conftest import World, running_world
from tests.conftest import office_moment

KEPALA, SEKRETARIS, TIM = 102, 103, 104
WAIT = 30  # seconds: the filed Laporan draws its charts first


async def documents_after(world: World, user_id: int, command: str, count: int) -> list[dict]:
    """Send a command; the `count` documents the bot sends back to this chat (counted in it: notices go to many)."""
    before = len(world.emu.sent_by_bot(user_id))
    await world.emu.user(user_id).send_text(command)

    def enough() -> list[dict] | None:
        documents = [m for m in world.emu.sent_by_bot(user_id)[before:] if "document" in m]
        return documents if len(documents) >= count else None

    documents = await world.emu._wait_until(enough, WAIT)
    assert documents, f"no document after {command}"
    return documents


KOP = {"OFFICE_PARENT": "Pemerintah Kabupaten Pesisir Selatan", "OFFICE_NAME": "Dinas Penanaman Modal dan PTSP",
       "OFFICE_ADDRESS": "Jl. Imam Bonjol No. 1, Painan", "OFFICE_CITY": "Painan"}


async def test_the_command_line_writes_the_files_the_chat_sends(office_engine, monkeypatch, tmp_path):
    for name, value in KOP.items():
        monkeypatch.setenv(name, value)
    async with running_world(office_engine, tmp_path, monkeypatch) as world:
        chat = await chat_files(world)

    monkeypatch.setenv("DATABASE_URL", office_engine.url.render_as_string(hide_password=False))
    assert main(["export", "--periode", "januari 2026", "--jenis", "laporan", "laporan.pdf"]) == 0
    assert main(["export", "--periode", "tw1 2026", "--jenis", "data", "data"]) == 0
    assert main(["export", "--periode", "tw1 2026", "--jenis", "kertas-kerja", "kk.xlsx"]) == 0

    assert (tmp_path / "laporan.pdf").read_bytes() == chat["laporan-2026-01.pdf"]
    assert (tmp_path / "data" / "data-2026-TW1.xlsx").read_bytes() == chat["data-2026-TW1.xlsx"]
    assert (tmp_path / "data" / "data-2026-TW1.csv").read_bytes() == chat["data-2026-TW1.csv"]
    assert (tmp_path / "kk.xlsx").read_bytes() == chat["kertas-kerja-2026-TW1.xlsx"]
    sheet = load_workbook(io.BytesIO(chat["kertas-kerja-2026-TW1.xlsx"])).active
    assert [sheet[f"A{row}"].value for row in (1, 2, 3)] == [KOP["OFFICE_PARENT"], KOP["OFFICE_NAME"],
                                                              KOP["OFFICE_ADDRESS"]]
    assert "Painan, 15 April 2026" in [cell.value for row in sheet.iter_rows() for cell in row]  # approved then


async def chat_files(world: World) -> dict[str, bytes]:
    """January reported and disposed, Triwulan I approved; the files the chat sends of them, by name."""
    with session_scope(world.engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 4, 15)))
    sekretaris, kepala = world.member(SEKRETARIS), world.member(KEPALA)
    with session_scope(world.engine) as session:
        for form in session.exec(select(UnitForm).where(UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_form(session, form, Actor.member(sekretaris.id), now=office_moment(date(2026, 4, 15), 14))
        january = session.exec(select(Period).where(Period.kind == PeriodKind.MONTH, Period.number == 1)).one()
        report_to_kepala(session, sekretaris, january.id, now=office_moment(date(2026, 4, 16)))
    with session_scope(world.engine) as session:
        dispose(session, kepala, january.id, DispositionDecision.AGREE, now=office_moment(date(2026, 4, 17)))
    # the Tim SAKIP's copy is the first to be filed (SOP A12)
    filed = await world.emu._wait_until(lambda: next(
        (m for m in world.emu.sent_by_bot(TIM) if "document" in m), None), WAIT)

    [laporan] = await documents_after(world, KEPALA, "/laporan januari 2026", 1)
    [xlsx, csv_file] = await documents_after(world, TIM, "/ekspor tw1 2026 data", 2)
    [kertas] = await documents_after(world, TIM, "/ekspor tw1 2026 kertas", 1)
    chat = {document["document"]["file_name"]: world.emu.file_bytes(document["document"]["file_id"])
            for document in (laporan, xlsx, csv_file, kertas)}
    assert sorted(chat) == ["data-2026-TW1.csv", "data-2026-TW1.xlsx", "kertas-kerja-2026-TW1.xlsx",
                            "laporan-2026-01.pdf"]
    assert chat["laporan-2026-01.pdf"] == world.emu.file_bytes(filed["document"]["file_id"])
    return chat
