"""`sakip-bot plt add|list|end`: the IT officer names an acting official from the command line, lists them and
ends one early; bad input exits 1 with one clear line and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.cli import main
from bot.config import Settings
from models.calc.clock import OFFICE_TZ, system_clock
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.acting_officials import ActingKind, ActingOfficial
from models.office.audit import Actor, AuditEntry
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Role, Unit
from models.store.database import create_db_engine, session_scope
from models.store.migrating import migrate


@pytest.fixture
def office(backend_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    """The demo office with a Sekretaris (Hendra, 103) and two staf (Budi 131, and two members named Wati)."""
    engine = create_db_engine(backend_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        unit = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one()
        for telegram_id, role, name in ((103, Role.SEKRETARIS, "Hendra"), (131, Role.STAF, "Budi"),
                                        (132, Role.STAF, "Wati"), (133, Role.STAF, "Wati")):
            _, token = create_invite(session, role, unit, Actor.cli(), now=system_clock())
            accept_invite(session, token, telegram_id, name, "id", now=system_clock())
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", backend_url)
    monkeypatch.chdir(tmp_path)
    yield engine
    engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["plt", *argv])
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err.strip()


def test_add_list_end(office: Engine, capsys: pytest.CaptureFixture[str]):
    today = datetime.now(UTC).astimezone(OFFICE_TZ).date()
    starts, ends = today + timedelta(days=10), today + timedelta(days=20)
    code, out, err = run(capsys, "add", "--jabatan", "sekretaris", "--anggota", "Budi", "--jenis", "plh",
                         "--mulai", starts.isoformat(), "--sampai", ends.isoformat())
    assert (code, err) == (0, "")
    assert "Budi ditunjuk sebagai Plh. Sekretaris" in out
    with session_scope(office) as session:
        acting = session.exec(select(ActingOfficial)).one()
        assert (acting.kind, acting.office, acting.starts_on, acting.ends_on) == \
            (ActingKind.PLH, Role.SEKRETARIS, starts, ends)
        acting_id = acting.id

    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.startswith(f"{acting_id}  Plh. Sekretaris  Budi") and out.endswith("direncanakan")

    # overlapping days for another member: refused, saying with whom
    code, out, err = run(capsys, "add", "--jabatan", "sekretaris", "--anggota", "132", "--jenis", "plt",
                         "--mulai", ends.isoformat(), "--sampai", (ends + timedelta(days=3)).isoformat())
    assert (code, out) == (1, "")
    assert "bertumpang tindih dengan Plh. Sekretaris Budi" in err

    code, out, err = run(capsys, "end", str(acting_id))
    assert (code, err) == (0, "")
    assert out == f"Plh. Sekretaris Budi diakhiri (nomor {acting_id})."
    code, out, _ = run(capsys, "list")
    assert (code, out) == (0, "Tidak ada Plt/Plh yang sedang atau akan menjabat.")
    code, _, err = run(capsys, "end", str(acting_id))
    assert (code, err) == (1, "Penunjukan ini sudah berakhir.")
    with session_scope(office) as session:
        actions = [(e.action, e.actor) for e in session.exec(select(AuditEntry).where(
            AuditEntry.entity == "acting_official").order_by(AuditEntry.id))]
        assert actions == [("acting.appoint", "cli"), ("acting.end", "cli")]


@pytest.mark.parametrize(("argv", "said"), [
    (["--jabatan", "bendahara", "--anggota", "Budi", "--jenis", "plh"], "Jabatan 'bendahara' tidak dikenal"),
    (["--jabatan", "kepala", "--anggota", "Budi", "--jenis", "pj"], "Jenis 'pj' tidak dikenal"),
    (["--jabatan", "kepala", "--anggota", "Wati", "--jenis", "plt"], "Wati (132), Wati (133)"),
    (["--jabatan", "kepala", "--anggota", "Tono", "--jenis", "plt"], "Anggota 'Tono' tidak ditemukan"),
    (["--jabatan", "sekretaris", "--anggota", "Hendra", "--jenis", "plt"], "Hendra sudah menjabat Sekretaris"),
])
def test_bad_input_says_what_is_wrong_and_names_nobody(office: Engine, capsys, argv, said):
    code, out, err = run(capsys, "add", *argv, "--mulai", "1 Januari 2099", "--sampai", "2099-01-31")
    assert (code, out) == (1, "")
    assert said in err
    with session_scope(office) as session:
        assert session.exec(select(ActingOfficial)).first() is None


def test_a_day_that_is_not_one_is_refused(office: Engine, capsys):
    code, _, err = run(capsys, "add", "--jabatan", "kepala", "--anggota", "131", "--jenis", "plt",
                       "--mulai", "31 Februari 2099", "--sampai", "2099-03-31")
    assert code == 1 and "Tanggal '31 Februari 2099' tidak ada di kalender" in err
