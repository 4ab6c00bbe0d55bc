"""The `sakip-bot` command line, as the office's IT officer uses it.

Given DATABASE_URL names a database, when the officer runs init, template, import-pk, import-realisasi and
export, then each says in Indonesian what it did and exits 0; a file with problems exits 1 with one
`baris N, kolom X` line per problem; a bad setting exits 2 with one line naming the variable.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.cli import main
from bot.config import Settings
from models.demo import DEMO_PK, DEMO_REALISASI
from models.plan.indicators import Indicator
from models.store.database import create_db_engine, session_scope


def use_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> None:
    """Only DATABASE_URL is set, and the working folder has no `.env`, so every other setting is the default."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend_url: str) -> str:
    use_settings(monkeypatch, tmp_path, backend_url)
    return backend_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Run one command in-process; its exit code and its stdout and stderr lines."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def count_indicators(url: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM indicators").scalar_one()
    finally:
        engine.dispose()


def test_full_round_trip_from_init_to_kertas_kerja(cli, capsys, tmp_path):
    """Given an empty database, when the officer sets up the demo, fills the template, imports the realisasi and
    exports TW I, then every step succeeds and says so in Indonesian."""
    code, out, err = run(capsys, "init", "--demo")
    assert (code, err) == (0, [])
    assert out[0] == "Data demo dimuat: 14 indikator baru, 4 unit baru."
    assert out[1].startswith("Basis data siap: ")

    code, out, err = run(capsys, "template", "pk.xlsx")
    assert (code, out, err) == (0, ["Templat Perjanjian Kinerja ditulis ke pk.xlsx."], [])
    assert (tmp_path / "pk.xlsx").is_file()

    # the template's rows are a whole PK of 2026: the demo's indicators leave it, and come back with the demo
    code, out, err = run(capsys, "import-pk", "pk.xlsx")
    assert (code, err) == (0, [])
    assert out[:2] == ["Perjanjian Kinerja diimpor: 4 indikator baru, 0 indikator diubah, 4 target baru, "
                       "0 target diubah, 14 indikator keluar dari PK. Unit baru: -.",
                       "  Masuk PK 2026: CONTOH.1, CONTOH.2, ANG.CONTOH.2, CONTOH.3"]  # CONTOH.2's budget line
    assert out[2].startswith("  Keluar dari PK 2026: ") and "S.1" in out[2] and len(out) == 3

    code, out, err = run(capsys, "import-pk", str(DEMO_PK))
    assert (code, err) == (0, [])
    assert out[0] == ("Perjanjian Kinerja diimpor: 0 indikator baru, 0 indikator diubah, 14 target baru, "
                      "0 target diubah, 4 indikator keluar dari PK. Unit baru: -.")
    assert out[2] == "  Keluar dari PK 2026: CONTOH.1, CONTOH.2, ANG.CONTOH.2, CONTOH.3"

    code, out, err = run(capsys, "import-pk", str(DEMO_PK))
    assert (code, out, err) == (
        0, ["Tidak ada perubahan: Perjanjian Kinerja di berkas sama dengan yang tersimpan."], [])

    code, out, err = run(capsys, "import-realisasi", str(DEMO_REALISASI))
    assert (code, err) == (0, [])
    assert out[0] == ("Realisasi diimpor: 30 nilai dicatat, 0 nilai sama seperti sebelumnya. "
                      "Periode baru: 2026-01, 2026-02, 2026-03, 2026-TW1.")
    assert len(out) == 1 + 16
    assert "  Formulir Bidang Penanaman Modal periode 2026-TW1 dikirim ke Sekretaris untuk diperiksa." in out

    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "out.xlsx")
    assert (code, out, err) == (0, ["Kertas Kerja ditulis ke out.xlsx (14 indikator)."], [])
    assert load_workbook(tmp_path / "out.xlsx").active["A1"].value == "KERTAS KERJA PENGUKURAN KINERJA"

    # the period in the chat's words; the data export's CSV alone when TARGET names a .csv
    code, out, err = run(capsys, "export", "--periode", "tw1 2026", "--jenis", "data", "data.csv")
    assert (code, out, err) == (0, ["Data Capaian Kinerja Triwulan I 2026 ditulis ke data.csv."], [])
    rows = list(csv.DictReader((tmp_path / "data.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == 14
    s1 = next(row for row in rows if row["kode"] == "S.1")
    assert (s1["capaian_persen"], s1["status"]) == ("", "kosong")  # sent, not approved yet: not exported

    # the values sent for review only on request, each row marked (they appeared unasked before)
    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "data", "--termasuk-draf", "data.csv")
    assert (code, err) == (0, [])
    rows = list(csv.DictReader((tmp_path / "data.csv").open(encoding="utf-8", newline="")))
    s1 = next(row for row in rows if row["kode"] == "S.1")
    assert (s1["capaian_persen"], s1["status"]) == ("95.63", "belum_disetujui")

    code, out, err = run(capsys, "init", "--demo")  # running init again is safe
    assert (code, out[0], err) == (0, "Data demo dimuat: 0 indikator baru, 0 unit baru.", [])


def test_broken_file_exits_1_with_a_line_per_problem(cli, capsys, tmp_path):
    """Given the demo PK, when a file with two bad rows is imported, then exit 1, one line each, nothing written."""
    assert main(["init", "--demo"]) == 0
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(";sasaran;", ";provinsi;")           # S.1
    lines[4] = lines[4].replace(";1.200;300;", ";seribu;300;")        # P.1
    broken = tmp_path / "pk.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()

    code, out, err = run(capsys, "import-pk", "pk.csv")

    assert (code, out) == (1, [])
    assert err == [
        "Berkas tidak diimpor: ada 2 masalah.",
        "  baris 3, kolom tingkat: nilai 'provinsi' tidak dikenal; pilihan: "
        "tujuan | sasaran | program | kegiatan | subkegiatan",
        "  baris 5, kolom target_tahunan: 'seribu' bukan angka",
        "Tidak ada data yang diubah. Perbaiki berkas lalu jalankan lagi.",
    ]
    assert count_indicators(cli) == 14


def test_missing_file_exits_1(cli, capsys):
    code, out, err = run(capsys, "import-realisasi", "tidak-ada.xlsx")

    assert (code, out) == (1, [])
    assert err == ["Berkas tidak-ada.xlsx tidak ditemukan."]


def test_export_of_an_invalid_period_exits_1(cli, capsys, tmp_path):
    """Given a month 13, or a year's Laporan, then the export refuses it and writes no file."""
    code, out, err = run(capsys, "export", "--periode", "2026-13", "out.xlsx")

    assert (code, out) == (1, [])
    assert err == ["Periode '2026-13' tidak valid; gunakan misalnya 2026-01, \"april 2026\", 2026-TW1, \"tw1 2026\" "
                   "atau 2026."]
    assert not (tmp_path / "out.xlsx").exists()

    code, out, err = run(capsys, "export", "--periode", "2026", "--jenis", "laporan", "laporan.pdf")
    assert (code, out) == (1, [])
    assert err == ["Laporan dibuat per bulan atau triwulan, bukan per tahun; gunakan misalnya 2026-01 atau 2026-TW1."]
    assert not (tmp_path / "laporan.pdf").exists()


def test_unsupported_database_url_exits_2_with_one_line(monkeypatch, capsys, tmp_path):
    """Given DATABASE_URL=mysql://x, then exit 2 and one stderr line that names DATABASE_URL."""
    use_settings(monkeypatch, tmp_path, "mysql://x")

    code, out, err = run(capsys, "init")

    assert (code, out) == (2, [])
    assert len(err) == 1
    assert err[0].startswith("sakip-bot: DATABASE_URL")
    assert "postgresql://" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_csv_saved_by_excel_on_windows_imports_with_its_characters(monkeypatch, capsys, tmp_path):
    """Given a PK CSV saved by Excel on Windows (cp1252, with an en dash), then it imports and keeps the dash."""
    url = f"sqlite:///{tmp_path / 'sakip.db'}"
    use_settings(monkeypatch, tmp_path, url)
    text = DEMO_PK.read_text(encoding="utf-8").replace("Jumlah NIB terbit", "Jumlah NIB terbit – OSS")
    (tmp_path / "pk.csv").write_bytes(text.encode("cp1252"))

    code, out, err = run(capsys, "import-pk", "pk.csv")

    assert (code, err) == (0, [])
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        names = {indicator.name for indicator in session.exec(select(Indicator))}
    engine.dispose()
    assert "Jumlah NIB terbit – OSS" in names


def sakip_bot() -> list[str]:
    script = Path(sys.executable).with_name("sakip-bot")
    if script.exists():
        return [str(script)]
    found = shutil.which("sakip-bot")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def test_help_explains_the_commands(tmp_path):
    """Given the installed console script, when asked for --help, then it explains itself and exits 0."""
    overall = subprocess.run([*sakip_bot(), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert overall.returncode == 0, overall.stderr
    assert overall.stdout.startswith("usage: sakip-bot")
    for command in ("init", "template", "import-pk", "import-realisasi", "export", "invite", "run", "sandbox"):
        assert command in overall.stdout
    assert "Perjanjian Kinerja" in overall.stdout

    import_pk = subprocess.run([*sakip_bot(), "import-pk", "--help"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=60)
    assert import_pk.returncode == 0, import_pk.stderr
    assert import_pk.stdout.startswith("usage: sakip-bot import-pk")
    assert "row and column" in import_pk.stdout
    assert ".xlsx" in import_pk.stdout
