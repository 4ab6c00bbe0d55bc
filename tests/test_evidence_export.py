"""The evidence of a period in one ZIP, in the Formulir, and its files' names (SOP step 10, and the archive).

Given January 2026 with Bidang Penanaman Modal's form approved (a photo, a PDF with a hostile name and a link for
S.1, a file sent after the approval) and Bidang Pelayanan Perizinan's a draft (a PDF and a text for P.1), when the
evidence is exported (`/ekspor bukti`, `sakip-bot export --jenis bukti`), then the ZIP holds the approved form's
files as `<unit>/<code> <n>.<ext>`, cleaned and at most 100 characters, and an index listing the link; with the
drafts flag, the draft's too. The Formulir lists each indicator's files, links and texts. Orphan files on disk are
removed once old enough, never a stored one.
"""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import main
from bot.config import Settings
from handlers.evidence import unit_buttons as evidence_unit_buttons
from handlers.kepala.notices import kepala_report
from models.collection.evidence import stored_file_paths
from models.collection.forms import UnitForm
from models.collection.progress import period_progress
from models.collection.realisasi import Evidence, EvidenceKind, clean_file_name, typed_evidence_kind
from models.collection.workflow import approve_form, enter_realisasi, form_for, submit_form
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.messaging.notices import KepalaReport
from models.office.audit import Actor
from models.office.organisation import Member, MemberRole, Role, Unit, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus, parse_scope
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.evidence_files import remove_orphans
from reports.export_kinds import ExportKind, export_kind
from reports.letterhead import Letterhead
from reports.workbooks import ExportError, export_files
from tests.conftest import office_moment

MODAL, PERIZINAN = "Bidang Penanaman Modal", "Bidang Pelayanan Perizinan"
HOSTILE = "../../etc/" + "x" * 200 + "\x07\n.pdf"
LINK = "https://drive.google.com/drive/folders/modal-januari"
NOTE = "=HYPERLINK(\"http://evil\") daftar hadir di arsip"


def at(day: int, hour: int = 9) -> datetime:
    return office_moment(date(2026, 2, day), hour)


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def add(session: Session, folder: Path, period: Period, code: str, kind: EvidenceKind, *, data: bytes = b"",
        name: str | None = None, text: str | None = None, when: datetime) -> Evidence:
    """An evidence row as the chat stores it: a file's copy under `folder/<period>/<indicator>/`."""
    target = indicator(session, code)
    stored = text
    if kind.is_file:
        path = folder / str(period.id) / str(target.id) / f"U{when.timestamp():.0f}{len(data)}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stored = str(path)
    evidence = Evidence(indicator_id=target.id, period_id=period.id, kind=kind.value, file_name=clean_file_name(name),
                        telegram_file_id=f"FILE-{len(data)}" if kind.is_file else None, stored_path=stored,
                        uploaded_at=when)
    session.add(evidence)
    session.flush()
    return evidence


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "evidence"


@pytest.fixture
def office(engine: Engine, folder: Path) -> Engine:
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        january = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(january)
        session.flush()
        s1, p1 = indicator(session, "S.1"), indicator(session, "P.1")
        add(session, folder, january, "S.1", EvidenceKind.PHOTO, data=b"photo-1", when=at(2))
        add(session, folder, january, "S.1", EvidenceKind.DOCUMENT, data=b"%PDF hostile", name=HOSTILE, when=at(2))
        add(session, folder, january, "S.1", EvidenceKind.LINK, text=LINK, when=at(2))
        for units_indicator in (s1, p1):
            enter_realisasi(session, units_indicator, january, Decimal(10), Actor.cli(), now=at(3))
        form = form_for(session, s1.unit_id, january.id)
        submit_form(session, form, Actor.cli(), now=at(4))
        session.flush()
        approve_form(session, form, Actor.cli(), now=at(5))
        add(session, folder, january, "S.1", EvidenceKind.DOCUMENT, data=b"after", name="sesudah.pdf", when=at(6))
        add(session, folder, january, "P.1", EvidenceKind.DOCUMENT, data=b"%PDF draft", name="draf.pdf", when=at(2))
        add(session, folder, january, "P.1", EvidenceKind.TEXT, text=NOTE, when=at(2))
    return engine


def archive(engine: Engine, folder: Path, include_drafts: bool = False) -> tuple[zipfile.ZipFile, list[list[str]]]:
    with session_scope(engine) as session:
        (file,) = export_files(session, parse_scope("2026-01"), ExportKind.BUKTI, "id", today=date(2026, 2, 20),
                               include_drafts=include_drafts, evidence_dir=folder)
    assert file.filename == "bukti-2026-01.zip"
    opened = zipfile.ZipFile(io.BytesIO(file.data))
    index = opened.read("daftar-bukti.csv").decode("utf-8-sig")
    return opened, list(csv.reader(io.StringIO(index)))


def test_the_zip_holds_the_approved_forms_files_as_unit_code_n_with_an_index_of_links(office, folder):
    opened, index = archive(office, folder)
    names = sorted(opened.namelist())
    assert names == [f"{MODAL}/S.1 1.bin", f"{MODAL}/S.1 2.pdf", "daftar-bukti.csv"]
    assert opened.read(f"{MODAL}/S.1 1.bin") == b"photo-1" and opened.read(f"{MODAL}/S.1 2.pdf") == b"%PDF hostile"
    header, *rows = index
    assert header == ["unit", "kode", "indikator", "jenis", "berkas / tautan / keterangan", "nama berkas asli"]
    assert [(row[0], row[1], row[3], row[4]) for row in rows] == [
        (MODAL, "S.1", "foto", f"{MODAL}/S.1 1.bin"), (MODAL, "S.1", "dokumen", f"{MODAL}/S.1 2.pdf"),
        (MODAL, "S.1", "tautan", LINK)]  # not the file sent after the approval, nor the draft's
    assert rows[1][5].startswith("_.._etc_xxx") and len(rows[1][5]) == 100


def test_with_the_drafts_flag_the_drafts_evidence_is_in_too_formula_safe(office, folder):
    opened, index = archive(office, folder, include_drafts=True)
    assert f"{PERIZINAN}/P.1 1.pdf" in opened.namelist() and f"{MODAL}/S.1 4.pdf" in opened.namelist()
    texts = [row[4] for row in index if row[3] == "keterangan"]
    assert texts == ["'" + NOTE]  # a spreadsheet does not run it


def test_every_name_in_the_zip_is_cleaned_and_at_most_100_characters(office, folder):
    with session_scope(office) as session:
        unit = session.exec(select(Unit).where(Unit.name == MODAL)).one()
        unit.name = "../Bidang/Penanaman\tModal\x01 " + "panjang " * 20
        indicator(session, "S.1").code = "S/1\\..\x1b"
    opened, _ = archive(office, folder)
    for name in opened.namelist():
        parts = name.split("/")
        assert len(parts) <= 2 and all(0 < len(part) <= 100 for part in parts), name
        assert not any(ord(char) < 32 for char in name) and "\\" not in name and not name.startswith(".")
    assert any(name.split("/")[1].startswith("S_1_..") for name in opened.namelist() if "/" in name)


def test_a_year_has_no_evidence_archive(office, folder):
    with session_scope(office) as session, pytest.raises(ExportError) as error:
        export_files(session, 2026, ExportKind.BUKTI, "id", today=date(2026, 2, 20), evidence_dir=folder)
    assert error.value.code == "evidence_needs_period"


def test_the_formulir_lists_files_links_and_texts(office, folder):
    with session_scope(office) as session:
        unit = session.exec(select(Unit).where(Unit.name == MODAL)).one()
        (file,) = export_files(session, parse_scope("2026-01"), ExportKind.FORMULIR, "id", unit.id,
                               today=date(2026, 2, 20))
    rows = list(load_workbook(io.BytesIO(file.data)).active.iter_rows(values_only=True))
    header = next(row for row in rows if row and "Bukti dukung" in row)
    s1 = next(row for row in rows if row and row[1] == "S.1")
    cell = s1[header.index("Bukti dukung")]
    assert cell.startswith("3 berkas: foto, _.._etc_") and "sesudah.pdf" in cell
    assert f"tautan: {LINK}" in cell


def test_the_command_line_writes_the_zip_to_a_file_or_into_a_folder(office, folder, backend_url, tmp_path,
                                                                     monkeypatch, capsys):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", backend_url)
    monkeypatch.setenv("EVIDENCE_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--periode", "2026-01", "--jenis", "bukti", "januari.zip"]) == 0
    assert f"{MODAL}/S.1 2.pdf" in zipfile.ZipFile(tmp_path / "januari.zip").namelist()
    (tmp_path / "out").mkdir()
    assert main(["export", "--periode", "2026-01", "--jenis", "bukti", "--termasuk-draf", "out"]) == 0
    assert f"{PERIZINAN}/P.1 1.pdf" in zipfile.ZipFile(tmp_path / "out" / "bukti-2026-01.zip").namelist()
    assert "bukti-2026-01.zip" in capsys.readouterr().out


def test_bukti_is_an_export_kind_of_the_chat_and_the_command_line():
    assert export_kind("bukti") is ExportKind.BUKTI and export_kind("EVIDENCE") is ExportKind.BUKTI


@pytest.mark.parametrize(("name", "cleaned"), [
    ("laporan.pdf", "laporan.pdf"),
    ("../../rahasia.pdf", "_.._rahasia.pdf"),
    ("a\x00b\x1fc\u202e.pdf", "a b c .pdf"),
    ("   ", None),
    (None, None),
    ("..", None),
    ("a" * 300 + ".xlsx", "a" * 95 + ".xlsx"),
    ("b" * 300, "b" * 100),
    ("c" * 200 + "." + "d" * 50, "c" * 100),  # an "extension" that long is no extension
])
def test_file_names_are_cleaned_and_at_most_100_characters(name, cleaned):
    assert clean_file_name(name) == cleaned


@pytest.mark.parametrize(("text", "kind"), [
    ("https://drive.google.com/x", EvidenceKind.LINK), ("www.example.go.id/bukti", EvidenceKind.LINK),
    ("lihat https://drive.google.com/x", EvidenceKind.TEXT), ("Daftar hadir di arsip", EvidenceKind.TEXT),
])
def test_a_typed_evidence_is_a_link_when_it_is_one_url(text, kind):
    assert typed_evidence_kind(text) is kind


def test_orphans_older_than_an_hour_are_removed_and_stored_files_kept(office, folder):
    with Session(office) as session:
        stored = stored_file_paths(session)
    orphan = folder / "1" / "99" / "lost.jpg"
    young = folder / "1" / "99" / "new.jpg"
    for path in (orphan, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    old = time.time() - 7200
    for path in [orphan, *map(Path, stored)]:
        os.utime(path, (old, old))
    assert remove_orphans(folder, stored) == [orphan]
    assert young.exists() and all(Path(path).exists() for path in stored)
    assert remove_orphans(folder, stored, now=time.time() + 7200) == [young]
    assert not (folder / "1" / "99").exists()  # the folder left empty goes too


def test_the_kepala_dinas_recap_carries_a_button_per_unit_form_with_evidence(office):
    with session_scope(office) as session:
        january = session.exec(select(Period)).one()
        kepala = member_with_role(session, 102, "Ibu Kepala", Role.KEPALA, ensure_office(session, Actor.cli()))
        read = kepala_report(session, kepala, KepalaReport(january.id), at(20), ScheduleRules(),
                             letterhead=Letterhead())
        staff = member_with_role(session, 130, "Rina", Role.STAF, session.exec(select(Unit).where(
            Unit.name == PERIZINAN)).one())  # recap buttons are only those of forms the reader may see
        own = evidence_unit_buttons(session, staff, period_progress(session, january, date(2026, 2, 20),
                                                                     ScheduleRules().tz))
        forms = {session.get(Unit, form.unit_id).name: form.id for form in session.exec(select(UnitForm))}
    rows = read.buttons
    assert rows[0][0][0] == "✅ Setuju"
    assert rows[1] == [("🏢 Rincian per unit", f"kd.unit|{january.id}")]
    assert sorted(button for row in rows[2:] for button in row) == [  # in the units' order; sorted here
        (f"📎 Bukti {PERIZINAN} (2)", f"bk|{forms[PERIZINAN]}"), (f"📎 Bukti {MODAL} (4)", f"bk|{forms[MODAL]}")]
    assert own == [[(f"📎 Bukti {PERIZINAN} (2)", f"bk|{forms[PERIZINAN]}")]]


def member_with_role(session: Session, telegram_id: int, name: str, role: Role, unit: Unit) -> Member:
    member = Member(telegram_user_id=telegram_id, name=name, unit_id=unit.id)
    session.add(member)
    session.flush()
    session.add(MemberRole(member_id=member.id, role=role))
    session.flush()
    return member
