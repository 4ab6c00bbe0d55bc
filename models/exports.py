"""Spreadsheets SAKIP Bot writes: the PK import template and the Kertas Kerja Pengukuran Kinerja.

Column names are the fixed machine names of the import/export format; every other text (instructions, rating
labels) comes from the message catalogue in the chosen language.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from i18n import t
from models.capaian import Polarity, Target
from models.pk_import import ALLOWED_SHOWN, OPTIONAL_COLUMNS, PK_COLUMNS
from models.realisasi_import import REALISASI_COLUMNS
from models.recap import Recap
from models.spreadsheets import new_workbook, write_sheet

KERTAS_KERJA_COLUMNS = (
    "kode", "indikator", "satuan", "target", "realisasi", "capaian_persen", "kategori", "kendala", "tindak_lanjut",
)
NUMBER_FORMAT = "#,##0.##"
PERCENT_NUMBER_FORMAT = "0.00"

PK_EXAMPLE = [
    ["CONTOH.1", "Nilai realisasi investasi", "sasaran", "IKU", "", "Rp", "positif", "", "kumulatif", "bulanan",
     "Bidang Penanaman Modal", 2026, "600.000.000.000", "120.000.000.000", "150.000.000.000", "150.000.000.000",
     "180.000.000.000", "", "", "Jumlah nilai investasi PMA dan PMDN yang terealisasi", "LKPM Online"],
    ["CONTOH.2", "Rata-rata waktu penyelesaian izin", "program", "IKK", "CONTOH.1", "hari", "negatif", "2T-R",
     "rata_rata", "bulanan", "Bidang Pelayanan Perizinan", 2026, "7", "7", "7", "7", "7", "", "",
     "Rata-rata hari kerja sejak berkas lengkap sampai izin terbit", "SiCantik"],
    ["CONTOH.3", "Persentase serapan anggaran sesuai rencana", "program", "lainnya", "", "%", "rentang", "",
     "nilai_akhir", "bulanan", "Sekretariat", 2026, "", "", "", "", "", "85", "95", "", "SIPD"],
]
REALISASI_EXAMPLE = [
    ["S.1", "2026-01", "35.500.000.000", "PMDN 2 proyek", "", ""],
    ["K.1", "2026-TW1", "1", "", "Anggaran promosi baru cair Maret", "Promosi digeser ke TW II"],
]


def write_template(path: Path, kind: str = "pk", language: str = "id") -> None:
    """An import template: the data sheet with example rows, and an instructions sheet."""
    workbook = new_workbook()
    if kind == "pk":
        write_sheet(workbook, "PK", [*PK_COLUMNS], PK_EXAMPLE)
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


def target_cell(target: Target, polarity: Polarity) -> Decimal | str | None:
    """A point target as a number; a range as text `85 – 95` (Excel has no range number)."""
    if Polarity(polarity) is Polarity.RANGE:
        low, high = target.lower, target.upper
        if low is None and high is None:
            return None
        return f"{_plain(low if low is not None else high)} – {_plain(high if high is not None else low)}"
    return target.value


def _plain(value: Decimal) -> str:
    from models.numbers import format_number

    return format_number(value)


def kertas_kerja_rows(recap: Recap, language: str = "id") -> list[list[object]]:
    rows = []
    for row in recap.rows:
        rating = row.capaian.rating
        decimals = row.indicator.decimals
        rows.append([
            row.indicator.code,
            row.indicator.name,
            row.indicator.satuan,
            _rounded(target_cell(row.target, row.indicator.polarity), decimals),
            _rounded(row.realisasi, decimals),
            row.capaian.rounded,
            t(f"rating.{rating.value}", language) if rating else t("rating.none", language),
            "; ".join(row.kendala) or None,
            "; ".join(row.tindak_lanjut) or None,
        ])
    return rows


def _rounded(value: Decimal | str | None, decimals: int) -> Decimal | str | None:
    """Derived targets (a cumulative TW target ÷ 3) can have many digits; show the indicator's decimals."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-max(decimals, 2))).normalize() if value != value.to_integral_value() \
            else value
    return value


def write_kertas_kerja(recap: Recap, path: Path | BinaryIO, language: str = "id") -> None:
    """The Kertas Kerja Pengukuran Kinerja: one row per indicator, capaian rounded to 2 decimals."""
    workbook = new_workbook()
    write_sheet(
        workbook,
        "Kertas Kerja",
        KERTAS_KERJA_COLUMNS,
        kertas_kerja_rows(recap, language),
        number_formats={3: NUMBER_FORMAT, 4: NUMBER_FORMAT, 5: PERCENT_NUMBER_FORMAT},
        widths={1: 50, 7: 40, 8: 40},
    )
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
