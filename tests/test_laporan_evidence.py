"""The Laporan lists each indicator's bukti dukung as the Formulir does (SOP step 10's evidence, filed at step 12).

Given January 2026 with Bidang Penanaman Modal's form approved (for S.1 a photo, a PDF and a link before the
approval, a PDF after it) and Bidang Pelayanan Perizinan's a draft (a PDF and a text for P.1), when the period is
archived and its Laporan filed, then the PDF's "Bukti dukung" section counts and names S.1's two files and gives
its link, and holds neither the file sent after the approval nor the draft's evidence; the DRAF, a preview of
what is coming, holds them all.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.collection.realisasi import EvidenceKind
from models.collection.workflow import approve_form, enter_realisasi, form_for, submit_form
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import ensure_office
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.archive import Procedure
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.laporan_data import laporan_file
from reports.letterhead import Letterhead
from tests.test_evidence_export import LINK, add, at, indicator

JANUARY = PeriodRef(PeriodKind.MONTH, 2026, 1)
NOTE = "daftar hadir rapat ada di arsip bidang"


@pytest.fixture
def january(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "evidence"
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        period = Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        s1, p1 = indicator(session, "S.1"), indicator(session, "P.1")
        add(session, folder, period, "S.1", EvidenceKind.PHOTO, data=b"photo-1", when=at(2))
        add(session, folder, period, "S.1", EvidenceKind.DOCUMENT, data=b"%PDF", name="register-izin.pdf", when=at(2))
        add(session, folder, period, "S.1", EvidenceKind.LINK, text=LINK, when=at(2))
        for unit_indicator in (s1, p1):
            enter_realisasi(session, unit_indicator, period, Decimal(10), Actor.cli(), now=at(3))
        form = form_for(session, s1.unit_id, period.id)
        submit_form(session, form, Actor.cli(), now=at(4))
        session.flush()
        approve_form(session, form, Actor.cli(), now=at(5))
        add(session, folder, period, "S.1", EvidenceKind.DOCUMENT, data=b"after", name="sesudah.pdf", when=at(6))
        add(session, folder, period, "P.1", EvidenceKind.DOCUMENT, data=b"%PDF draft", name="draf-izin.pdf",
            when=at(2))
        add(session, folder, period, "P.1", EvidenceKind.TEXT, text=NOTE, when=at(2))
    return engine


def laporan_text(engine: Engine, archived: bool) -> tuple[bool, str]:
    """The Laporan as /laporan sends it (filed once the period is archived, else a DRAF), and its text."""
    with session_scope(engine) as session:
        if archived:
            session.exec(select(Period)).one().status = PeriodStatus.ARCHIVED
            session.flush()
        laporan = laporan_file(session, JANUARY, Procedure.COLLECTION, at(20, 12), ScheduleRules(), "id",
                              Letterhead())
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(laporan.data)).pages]
    return laporan.draft, " ".join(pages)


def evidence_section(text: str) -> str:
    """From the "Bukti dukung" heading to the Sekretaris's review that follows it."""
    start = text.index("Bukti dukung")
    return text[start:text.index("Verifikasi Sekretaris", start)]


def test_the_filed_laporan_lists_the_approved_forms_evidence_per_indicator(january):
    draft, text = laporan_text(january, archived=True)
    assert not draft
    section = evidence_section(text)
    assert "S.1" in section and "Bidang Penanaman Modal" in section
    assert "2 berkas: foto, register-izin.pdf" in section
    assert "tautan:" in section and LINK in section.replace(" ", "")
    assert "sesudah.pdf" not in section  # sent after the approval: not what was approved
    assert "P.1" not in section and "draf-izin.pdf" not in text and "daftar hadir" not in text  # a draft form


def test_the_draft_laporan_shows_every_current_piece_of_evidence(january):
    draft, text = laporan_text(january, archived=False)
    assert draft
    section = evidence_section(text)
    assert "3 berkas: foto, register-izin.pdf, sesudah.pdf" in section
    assert "1 berkas: draf-izin.pdf" in section and f"keterangan: {NOTE}" in section


def test_a_period_without_evidence_says_so(engine):
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN))
    _, text = laporan_text(engine, archived=False)
    assert evidence_section(text).strip() == "Bukti dukung tidak ada"


def test_a_triwulans_laporan_lists_its_months_evidence_under_their_names(january):
    """The monthly indicators' evidence comes with each month's form: Triwulan I's Laporan (and its measurement)
    lists January's, each line after the month's name."""
    for procedure in (Procedure.COLLECTION, Procedure.MEASUREMENT):
        with session_scope(january) as session:
            session.add(Period(kind=PeriodKind.QUARTER, year=2026, number=1, status=PeriodStatus.OPEN))
            session.flush()
            laporan = laporan_file(session, PeriodRef(PeriodKind.QUARTER, 2026, 1), procedure, at(20, 12),
                                   ScheduleRules(), "id", Letterhead())
            session.rollback()
        text = " ".join(" ".join((page.extract_text() or "").split())
                        for page in PdfReader(io.BytesIO(laporan.data)).pages)
        section = evidence_section(text)
        assert "Januari 2026: 3 berkas: foto, register-izin.pdf, sesudah.pdf" in section, procedure
        assert f"Januari 2026: keterangan: {NOTE}" in section
