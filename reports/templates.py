"""The import templates SAKIP Bot writes, and the name of the column that marks values not approved yet.

Column names are the fixed machine names of the import/export format; every other text (instructions) comes from
the message catalogue in the chosen language. The Kertas Kerja, the Rekapitulasi and the Formulir Pengumpulan Data
are written by `reports.workbooks`, the data export's fixed columns by `reports.data_export`.
"""

from __future__ import annotations

from pathlib import Path

from i18n import t
from models.exchange.pk_import import ALLOWED_SHOWN, OPTIONAL_COLUMNS, PK_COLUMNS, RENSTRA_COLUMNS
from models.exchange.realisasi_import import REALISASI_COLUMNS
from reports.spreadsheet_writer import new_workbook, write_sheet

APPROVAL_COLUMN = "persetujuan"  # the last column, only in an export that includes values not approved yet

# The PK sheet's columns: the fixed ones, then the optional ones the LKjIP needs (the others are in the instructions).
PK_TEMPLATE_COLUMNS = (*PK_COLUMNS, *RENSTRA_COLUMNS, "pagu")
PK_EXAMPLE = [
    ["CONTOH.1", "Nilai realisasi investasi", "sasaran", "IKU", "", "Rp", "positif", "", "kumulatif", "bulanan",
     "Bidang Penanaman Modal", 2026, "600.000.000.000", "120.000.000.000", "150.000.000.000", "150.000.000.000",
     "180.000.000.000", "", "", "Jumlah nilai investasi PMA dan PMDN yang terealisasi", "LKPM Online",
     "3.000.000.000.000", 2026, ""],
    ["CONTOH.2", "Rata-rata waktu penyelesaian izin", "program", "IKK", "CONTOH.1", "hari", "negatif", "2T-R",
     "rata_rata", "bulanan", "Bidang Pelayanan Perizinan", 2026, "7", "7", "7", "7", "7", "", "",
     "Rata-rata hari kerja sejak berkas lengkap sampai izin terbit", "SiCantik", "5", 2026, "1.250.000.000"],
    ["CONTOH.3", "Persentase serapan anggaran sesuai rencana", "program", "lainnya", "", "%", "rentang", "",
     "nilai_akhir", "bulanan", "Sekretariat", 2026, "", "", "", "", "", "85", "95", "", "SIPD", "", "", ""],
]
REALISASI_EXAMPLE = [
    ["S.1", "2026-01", "35.500.000.000", "PMDN 2 proyek", "", ""],
    ["K.1", "2026-TW1", "1", "", "Anggaran promosi baru cair Maret", "Promosi digeser ke TW II"],
    ["ANG.P.1", "2026-01", "95.000.000", "SP2D Januari", "", ""],
]


def write_template(path: Path, kind: str = "pk", language: str = "id") -> None:
    """An import template: the data sheet with example rows, and an instructions sheet."""
    workbook = new_workbook()
    if kind == "pk":
        write_sheet(workbook, "PK", [*PK_TEMPLATE_COLUMNS], PK_EXAMPLE)
        columns = [*PK_COLUMNS, *OPTIONAL_COLUMNS]
    else:
        write_sheet(workbook, "Realisasi", [*REALISASI_COLUMNS], REALISASI_EXAMPLE)
        columns = [*REALISASI_COLUMNS]
    instructions = [[t(f"template.{kind}.intro", language), ""]]
    for column in columns:
        text = t(f"template.column.{column}", language)
        if column in ALLOWED_SHOWN:
            text += " " + t("template.allowed", language, allowed=ALLOWED_SHOWN[column])
        instructions.append([column, text])
    instructions.append(["", t("template.numbers", language)])
    write_sheet(workbook, t("template.sheet_instructions", language), [t("template.column_header", language),
                t("template.meaning_header", language)], instructions, widths={0: 24, 1: 100})
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
