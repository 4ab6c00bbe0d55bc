"""Export file names stay within what a file system accepts, whatever the unit is called.

Given a unit whose name is some 230 characters long (as one pasted with its full legal wording), when the IT
officer exports every unit's formulir, then each file is written under a short file name and nothing breaks
midway. (SQLite holds such a name although the column says 200 characters; the PK import refuses one now.)
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.cli import main
from models.demo import DEMO_REALISASI
from models.store.database import create_db_engine
from tests.test_cli import run, use_settings

LONG_NAME = "Sekretariat " + "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan " * 4 + "x" * 25


def test_a_unit_with_a_very_long_name_exports_under_a_short_file_name(monkeypatch, capsys, tmp_path):
    backend_url = f"sqlite:///{tmp_path / 'sakip.db'}"
    use_settings(monkeypatch, tmp_path, backend_url)
    assert main(["init", "--demo"]) == 0
    engine = create_db_engine(backend_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE units SET name = :name WHERE name = 'Sekretariat'"), {"name": LONG_NAME})
    engine.dispose()
    assert main(["import-realisasi", str(DEMO_REALISASI)]) == 0
    capsys.readouterr()

    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "formulir", "out")

    assert (code, err) == (0, [])
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert len(names) == 4
    assert "formulir-2026-TW1-sekretariat-bidang-pengaduan-kebijakan-dan-pelaporan-layanan.xlsx" in names
    assert all(len(name) <= 100 for name in names)
