"""The LKjIP's measurement tables of a year as one workbook (`ExportKind.LKJIP`, `/ekspor 2026 lkjip`,
`sakip-bot export --periode 2026 --jenis lkjip`), from `reports.lkjip_data`.

Two sheets, each with the kop's lines when the letterhead has them, the title, the instansi and the year above a
table whose header stays frozen and repeats on every printed page, A4 landscape:

- *Capaian Kinerja*: per tujuan and sasaran indicator (grouped by level, in Renstra order) the target, realisasi
  and capaian of each previous year the database holds and of the year, the Renstra's end target and the
  progress towards it;
- *Anggaran*: per sasaran the programs and kegiatan with a pagu, their realisasi anggaran, serapan and capaian,
  a "Jumlah" line with the sasaran's capaian and the tingkat efisiensi, and how the efficiency is computed.

Below each table the Kepala Dinas's signature block, right-aligned under the date line ("Painan, 10 Januari
2027"): "Mengetahui," the title ("Kepala Dinas …", or "Plt. Kepala Dinas" for the acting official named on that day),
room to sign, the name and the NIP (`reports.signatories.kepala_on`).

Numbers are numbers with Excel format codes (`reports.workbook_style`): an Indonesian Excel shows
1.250.000.000 and 95,63. Percentages are rounded half up to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from i18n import t
from models.calc.numbers import round_half_up
from models.plan.indicators import IndicatorLevel
from reports.letterhead import Signatory
from reports.lkjip_data import BudgetGroup, LkjipData, PerformanceRow
from reports.workbook_style import (
    COUNT_FORMAT,
    LABEL_FONT,
    Column,
    Group,
    Number,
    capaian,
    measured,
    new_workbook,
    print_setup,
    put,
    sheet_title,
    target_cell,
    write_signature,
    write_table,
    write_title,
)

SIGNATURE_COLUMNS = 3  # the block spans the table's last three columns
NAME_FONT = Font(bold=True, underline="single")


def percent(value: Decimal | None) -> Number | None:
    return capaian(None if value is None else round_half_up(value, 2))


def rupiah(value: Decimal | None) -> Number | None:
    return None if value is None else Number(value, COUNT_FORMAT)


def _title(sheet: Worksheet, data: LkjipData, key: str, language: str, kop: Sequence[str]) -> tuple[str, int]:
    title = t(key, language, year=data.year)
    top = write_title(sheet, title, [(t("workbook.office", language), data.office),
                                     (t("lkjip.year", language), str(data.year))], kop=kop)
    return title, top


def signature_lines(kepala: Signatory, date_line: str, language: str) -> list[tuple[str | None, Font | None]]:
    """The date line, "Mengetahui,", the Kepala Dinas's title, room to sign, the name (a line to write it by hand
    when none is known) and the NIP."""
    return [
        (date_line, None),
        (t("workbook.kertas_kerja.known", language), None),
        (kepala.title or t("workbook.kertas_kerja.kepala_title", language), Font(bold=True)),
        (None, None), (None, None), (None, None),  # room to sign
        (kepala.name or t("workbook.kertas_kerja.unsigned", language), NAME_FONT),
        (t("workbook.kertas_kerja.nip", language, nip=kepala.nip) if kepala.nip else None, None),
    ]


def _sign(sheet: Worksheet, top: int, width: int, lines: list[tuple[str | None, Font | None]] | None) -> None:
    if lines:
        write_signature(sheet, top, max(width - SIGNATURE_COLUMNS + 1, 1), width, lines)


def _year_cells(row: PerformanceRow, year: int, language: str) -> list[object]:
    recap = row.years.get(year)
    if recap is None:
        return [None, None, None]
    decimals = row.indicator.decimals
    return [target_cell(recap.target, row.indicator.polarity, decimals, language),
            measured(recap.realisasi, decimals), percent(recap.capaian.value)]


def performance_sheet(workbook: Workbook, data: LkjipData, language: str, kop: Sequence[str] = (),
                      signature: list[tuple[str | None, Font | None]] | None = None) -> None:
    sheet = workbook.create_sheet(sheet_title(t("lkjip.performance_sheet", language)))
    title, top = _title(sheet, data, "lkjip.performance_title", language, kop)
    columns = [Column(t("lkjip.column.no", language), 5), Column(t("lkjip.column.code", language), 8, 12),
               Column(t("lkjip.column.indicator", language), 36, 60, wrap=True),
               Column(t("lkjip.column.satuan", language), 9, 14)]
    for year in (*data.previous_years, data.year):
        columns += [Column(t("lkjip.column.target", language, year=year), 12, 20),
                    Column(t("lkjip.column.realisasi", language, year=year), 12, 20),
                    Column(t("lkjip.column.capaian", language, year=year), 12, 14)]
    columns += [Column(t("lkjip.column.renstra_target", language), 14, 20),
                Column(t("lkjip.column.renstra_year", language), 10, 10),
                Column(t("lkjip.column.renstra_progress", language), 14, 16)]
    rows: list[object] = []
    level = None
    for number, row in enumerate(data.performance, start=1):
        indicator = row.indicator
        if IndicatorLevel(indicator.level) is not level:
            level = IndicatorLevel(indicator.level)
            rows.append(Group(t(f"lkjip.level.{level.value}", language)))
        cells = [number, indicator.code, indicator.name, indicator.satuan]
        for year in (*data.previous_years, data.year):
            cells += _year_cells(row, year, language)
        cells += [measured(indicator.target_renstra, indicator.decimals), indicator.tahun_renstra,
                  percent(row.renstra_progress)]
        rows.append(cells)
    end = write_table(sheet, top, columns, rows, freeze_columns=3, autofilter=False)
    if data.unapproved:
        put(sheet.cell(row=end + 1, column=1), t("workbook.unapproved_legend", language))
    _sign(sheet, end + 3, len(columns), signature)
    print_setup(sheet, title)


def _group_rows(group: BudgetGroup, start: int, language: str) -> list[object]:
    heading = f"{group.sasaran.code} {group.sasaran.name}" if group.sasaran else t("lkjip.no_sasaran", language)
    rows: list[object] = [Group(heading)]
    for number, line in enumerate(group.lines, start=start):
        rows.append([number, line.program.code, line.program.name, rupiah(line.pagu), rupiah(line.spent),
                     percent(line.serapan), percent(line.capaian), percent(line.efisiensi)])
    total = t("lkjip.total", language, code=group.sasaran.code) if group.sasaran else t("lkjip.total_other", language)
    rows.append([None, None, total, rupiah(group.pagu), rupiah(group.spent), percent(group.serapan),
                 percent(group.capaian), percent(group.efisiensi)])
    return rows


def budget_sheet(workbook: Workbook, data: LkjipData, language: str, kop: Sequence[str] = (),
                 signature: list[tuple[str | None, Font | None]] | None = None) -> None:
    sheet = workbook.create_sheet(sheet_title(t("lkjip.budget_sheet", language)))
    title, top = _title(sheet, data, "lkjip.budget_title", language, kop)
    columns = [Column(t("lkjip.column.no", language), 5), Column(t("lkjip.column.code", language), 8, 12),
               Column(t("lkjip.column.program", language), 36, 60, wrap=True),
               Column(t("lkjip.column.pagu", language), 16, 22), Column(t("lkjip.column.spent", language), 16, 22),
               Column(t("lkjip.column.serapan", language), 12, 14),
               Column(t("lkjip.column.program_capaian", language), 12, 14),
               Column(t("lkjip.column.efisiensi", language), 12, 14)]
    rows: list[object] = []
    number = 1
    for group in data.budget:
        rows += _group_rows(group, number, language)
        number += len(group.lines)
    if not data.budget:
        rows.append([None, None, t("lkjip.no_budget", language), None, None, None, None, None])
    end = write_table(sheet, top, columns, rows, freeze_columns=3, autofilter=False)
    for row in range(top + 1, end):  # the sums of each sasaran in bold
        if sheet.cell(row=row, column=1).value is None and sheet.cell(row=row, column=4).value is not None:
            for column in range(1, len(columns) + 1):
                sheet.cell(row=row, column=column).font = LABEL_FONT
    put(sheet.cell(row=end + 1, column=1), t("lkjip.efficiency_note", language))
    if data.unapproved:
        put(sheet.cell(row=end + 2, column=1), t("workbook.unapproved_legend", language))
    _sign(sheet, end + 4, len(columns), signature)
    print_setup(sheet, title)


def lkjip_workbook(data: LkjipData, language: str = "id", *, kop: Sequence[str] = (),
                   kepala: Signatory | None = None, date_line: str = "") -> Workbook:
    """Both sheets (module docstring); `kop`: the letterhead's lines on top; `kepala` (None: no signature block)
    signs under `date_line`."""
    signature = signature_lines(kepala, date_line, language) if kepala is not None else None
    workbook = new_workbook(t("lkjip.performance_title", language, year=data.year))
    performance_sheet(workbook, data, language, kop, signature)
    budget_sheet(workbook, data, language, kop, signature)
    return workbook
