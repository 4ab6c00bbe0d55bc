"""The Kertas Kerja Pengukuran Kinerja in the shape offices hand in.

One sheet, A4 landscape fitted to the page width:

- rows 1–3: the title ("KERTAS KERJA PENGUKURAN KINERJA"), the instansi, the period; with a kop configured
  (`Letterhead.kop_lines`: a parent line or an address) the kop's lines first, then the title and the period;
- two rows below them (rows 5–6 without a kop): a two-tier header (`HEADER_ROWS`) that stays frozen on screen
  and repeats on every printed page: No, Kode, Indikator, Satuan, the unit responsible; target, realisasi,
  capaian (%) and category of the period, then the same cumulatively (January to the end of the period, judged
  against the target to date, `models.calc.year_path`); kendala, tindak lanjut and the evidence listed (its count
  and names, links, texts);
- the indicators in the PK's hierarchy, tujuan → sasaran → program → kegiatan: each indicator followed by the
  indicators under it (depth first, in Renstra order; an indicator whose parent is not in the scope, e.g. a monthly
  sasaran under a quarterly tujuan in a month's Kertas Kerja, starts a branch of its own), its name indented by its
  depth, and a group row (`Group`) wherever the level changes: "Sasaran · induk T.1";
- below the table the signature block: prepared by the Tim SAKIP, checked by the Sekretaris, known by the Kepala
  Dinas ("Mengetahui, Kepala Dinas …"), each with name, NIP and the day from the audit (`reports.signatories`),
  under the date line above the Kepala Dinas's block ("Painan, 17 April 2026": the letterhead's city and the latest
  day anyone signed on, else the day the workbook is made).

Numbers are numbers with the Rekapitulasi's formats (`#,##0`, `#,##0.00`, capaian `0.00`), which Excel shows with
the reader's separators: 120.000.000.000 and 95,63 on an Indonesian system. The machine-readable table is the data
export (`reports.data_export`), not this sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from i18n import t
from models.calc.capaian import CapaianResult, Target, aggregate, months_of_quarter
from models.calc.dates import format_date
from models.calc.year_path import year_path
from models.collection.recap import Recap, RecapRow
from models.plan.indicators import Frequency, IndicatorLevel
from models.plan.periods import PeriodKind, PeriodRef
from reports.letterhead import Letterhead, dated
from reports.signatories import Signature, Signatures
from reports.spreadsheet_writer import HEADER_FILL, HEADER_FONT
from reports.templates import APPROVAL_COLUMN
from reports.workbook_style import (
    GRID,
    GROUP_FILL,
    GROUP_FONT,
    TOP,
    TOP_WRAPPED,
    Group,
    capaian,
    measured,
    new_workbook,
    print_setup,
    put,
    rating_label,
    scope_label,
    sheet_title,
    target_cell,
    write_signature,
)

HEADER_ROWS = 2  # the two-tier header, two rows below the top lines
SIGNATURE_GAP = 2  # blank rows between the table and the signature block
HEADING_FONT = Font(bold=True, size=14)
CENTERED = Alignment(horizontal="center", vertical="center", wrap_text=True)
NAME_FONT = Font(bold=True, underline="single")
# (name, width, wraps); the measured four appear twice: the period, then cumulatively
LEADING = (("no", 5, False), ("kode", 9, False), ("indikator", 46, True), ("satuan", 10, True),
           ("unit_pj", 24, True))
MEASURED = (("target", 15, False), ("realisasi", 15, False), ("capaian", 11, False), ("kategori", 13, True))
TRAILING = (("kendala", 30, True), ("tindak_lanjut", 30, True), ("bukti", 32, True))


@dataclass(frozen=True)
class ToDate:
    """An indicator from January to the end of the scope: its target to date, realisasi and capaian."""

    target: Target
    realisasi: Decimal | None
    capaian: CapaianResult


def to_date(row: RecapRow, scope: PeriodRef | int) -> ToDate | None:
    """The row's year to date (`models.calc.year_path`); None without the year's PK targets."""
    if row.plan is None:
        return None
    monthly = Frequency(row.indicator.frequency) is Frequency.MONTHLY
    if isinstance(scope, int):
        end = 12 if monthly else 4
    elif scope.kind is PeriodKind.MONTH:
        end = scope.number if monthly else scope.number // 3  # a quarterly one: its triwulan ended by then
    else:
        end = months_of_quarter(scope.number)[-1] if monthly else scope.number
    if end < 1:
        return None
    realisasi = aggregate([row.series.get(number) for number in range(1, end + 1)], row.indicator.rule)
    path = year_path(realisasi, row.plan, row.indicator.rule, end, monthly=monthly)
    return ToDate(path.target_to_date, realisasi, path.path)


def hierarchy(recap: Recap) -> list[tuple[RecapRow, int]]:
    """The recap's rows depth first under their parents (Renstra order among siblings), each with its depth."""
    present = {row.indicator.id for row in recap.rows}
    children: dict[int | None, list[RecapRow]] = {}
    for row in recap.rows:
        parent = row.indicator.parent_id if row.indicator.parent_id in present else None
        children.setdefault(parent, []).append(row)
    ordered: list[tuple[RecapRow, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            ordered.append((row, depth))
            walk(row.indicator.id, depth + 1)

    walk(None, 0)
    return ordered


def group_text(row: RecapRow, parent_codes: dict[int, str], language: str) -> str:
    level = t(f"level.{IndicatorLevel(row.indicator.level).value}", language)
    parent = parent_codes.get(row.indicator.parent_id) if row.indicator.parent_id is not None else None
    if parent is None:
        return level
    return t("workbook.kertas_kerja.group", language, level=level, parent=parent)


def body_rows(recap: Recap, parent_codes: dict[int, str], evidence: dict[int, str], language: str,
              marked: bool) -> list[tuple[list[object] | Group, int]]:
    """The table's rows in hierarchy order with their depth (0 for a group row): a group row where the level or
    the parent changes."""
    rows: list[tuple[list[object] | Group, int]] = []
    last: tuple[str, int | None] | None = None
    for number, (row, depth) in enumerate(hierarchy(recap), start=1):
        indicator = row.indicator
        key = (str(indicator.level), indicator.parent_id)
        if key != last:
            rows.append((Group(group_text(row, parent_codes, language)), 0))
            last = key
        decimals = indicator.decimals
        so_far = to_date(row, recap.scope)
        rows.append(([
            number,
            indicator.code,
            indicator.name,
            indicator.satuan,
            row.unit_name or None,
            target_cell(row.target, indicator.polarity, decimals, language),
            measured(row.realisasi, decimals),
            capaian(row.capaian.rounded),
            rating_label(row.capaian.rating, language),
            target_cell(so_far.target, indicator.polarity, decimals, language) if so_far else None,
            measured(so_far.realisasi, decimals) if so_far else None,
            capaian(so_far.capaian.rounded) if so_far else None,
            rating_label(so_far.capaian.rating, language) if so_far else None,
            "; ".join(row.kendala) or None,
            "; ".join(row.tindak_lanjut) or None,
            evidence.get(indicator.id),
            *([t("workbook.unapproved", language) if row.unapproved else None] if marked else []),
        ], depth))
    return rows


def _columns(marked: bool) -> list[tuple[str, int, bool]]:
    columns = [*LEADING, *MEASURED, *MEASURED, *TRAILING]
    return [*columns, (APPROVAL_COLUMN, 16, True)] if marked else columns


def _write_header(sheet: Worksheet, columns: list[tuple[str, int, bool]], label: str, language: str,
                  top: int) -> None:
    below = top + 1
    spans = {len(LEADING) + 1: label,
             len(LEADING) + len(MEASURED) + 1: t("workbook.kertas_kerja.cumulative", language, period=label)}
    measured_columns = range(len(LEADING) + 1, len(LEADING) + 2 * len(MEASURED) + 1)
    for index, (name, width, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        heading = t(f"workbook.column.{name}", language)
        if index in measured_columns:
            put(sheet.cell(row=below, column=index), heading)
            if index in spans:
                put(sheet.cell(row=top, column=index), spans[index])
                sheet.merge_cells(start_row=top, start_column=index, end_row=top,
                                  end_column=index + len(MEASURED) - 1)
        else:
            put(sheet.cell(row=top, column=index), heading)
            sheet.merge_cells(start_row=top, start_column=index, end_row=below, end_column=index)
        for row in (top, below):
            cell = sheet.cell(row=row, column=index)
            cell.fill, cell.font, cell.border, cell.alignment = HEADER_FILL, HEADER_FONT, GRID, CENTERED


def _write_body(sheet: Worksheet, columns: list[tuple[str, int, bool]],
                rows: list[tuple[list[object] | Group, int]], first: int) -> int:
    """The rows from `first`; returns the row after the last one."""
    row_number = first - 1
    indicator_column = [name for name, _, _ in columns].index("indikator")
    for values, depth in rows:
        row_number += 1
        if isinstance(values, Group):
            cell = put(sheet.cell(row=row_number, column=1), values.text)
            cell.font, cell.fill = GROUP_FONT, GROUP_FILL
            sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=len(columns))
            continue
        for index, ((_, _, wraps), value) in enumerate(zip(columns, values, strict=True)):
            cell = put(sheet.cell(row=row_number, column=index + 1), value)
            cell.border = GRID
            if index == indicator_column:
                cell.alignment = Alignment(vertical="top", wrap_text=True, indent=depth)
            else:
                cell.alignment = TOP_WRAPPED if wraps else TOP
    return row_number + 1


def _write_signatures(sheet: Worksheet, top: int, signatures: Signatures, width: int, language: str,
                      date_line: str) -> None:
    """The date line at `top` above the right block, then three blocks side by side: Tim SAKIP (left), Sekretaris
    (middle), Kepala Dinas (right)."""
    third = max(width // 3, 1)
    write_signature(sheet, top, width - third + 1, width, [(date_line, None)])
    top += 1
    blocks = (
        (1, "prepared", signatures.prepared, t("workbook.kertas_kerja.tim_title", language)),
        (third + 1, "checked", signatures.checked, t("workbook.kertas_kerja.sekretaris_title", language)),
        (width - third + 1, "known", signatures.known, t("workbook.kertas_kerja.kepala_title", language)),
    )
    for left, role, signature, title in blocks:
        write_signature(sheet, top, left, left + third - 1, _signature_lines(role, signature, title, language))


def _signature_lines(role: str, signature: Signature, title: str,
                     language: str) -> list[tuple[str | None, Font | None]]:
    """Role, title (the signatory's own, e.g. "Plh. Sekretaris", else the role's), room to sign, name, NIP, day."""
    signatory = signature.signatory
    name = signatory.name if signatory else t("workbook.kertas_kerja.unsigned", language)
    nip = t("workbook.kertas_kerja.nip", language, nip=signatory.nip) if signatory and signatory.nip else None
    day = t("workbook.kertas_kerja.signed_on", language, date=format_date(signature.signed_on, language)) \
        if signature.signed_on else t("workbook.kertas_kerja.not_signed_yet", language)
    return [
        (t(f"workbook.kertas_kerja.{role}", language), None),
        (signatory.title if signatory and signatory.title else title, Font(bold=True)),
        (None, None), (None, None), (None, None),  # room to sign
        (name, NAME_FONT),
        (nip, None),
        (day, None),
    ]


def kertas_kerja_workbook(recap: Recap, letterhead: Letterhead, signatures: Signatures, today: date,
                          language: str = "id", *, parent_codes: dict[int, str] | None = None,
                          evidence: dict[int, str] | None = None, marked: bool = False) -> Workbook:
    """The Kertas Kerja of the recap's scope (module docstring) on `letterhead` (its office the instansi, its kop's
    lines on top, its city in the date line; `today`: the date line's day when nobody signed yet).
    `parent_codes`: the code of each parent indicator by id (also of parents outside the scope); `evidence`: the
    evidence listed per indicator id; `marked` (a recap with values not approved yet) adds the `persetujuan`
    column."""
    label = scope_label(recap.scope, language)
    heading = t("workbook.kertas_kerja.heading", language)
    workbook = new_workbook(f"{t('workbook.kertas_kerja.title', language)} – {label}")
    sheet = workbook.create_sheet(sheet_title(t("workbook.kertas_kerja.sheet", language)))
    columns = _columns(marked)
    width = len(columns)
    period = (t("workbook.kertas_kerja.period", language, period=label), Font(bold=True))
    kop = letterhead.kop_lines()
    top_lines = [*((line, Font(bold=True, size=12)) for line in kop), (None, None), (heading, HEADING_FONT), period] \
        if kop else [(heading, HEADING_FONT), (letterhead.office, Font(bold=True, size=12)), period]
    for row, (text, font) in enumerate(top_lines, start=1):
        if text is None:
            continue
        cell = put(sheet.cell(row=row, column=1), text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    header_top = len(top_lines) + 2
    first_row = header_top + HEADER_ROWS
    _write_header(sheet, columns, label, language, header_top)
    rows = body_rows(recap, parent_codes or {}, evidence or {}, language, marked)
    end = _write_body(sheet, columns, rows, first_row)
    if marked:
        put(sheet.cell(row=end + 1, column=1), t("workbook.unapproved_legend", language)).font = Font(bold=True)
        end += 2
    date_line = dated(letterhead.city, signatures.latest_day() or today, language)
    _write_signatures(sheet, end + SIGNATURE_GAP, signatures, width, language, date_line)
    sheet.freeze_panes = sheet.cell(row=first_row, column=4).coordinate  # below the header, right of the name
    sheet.print_title_rows = f"{header_top}:{first_row - 1}"
    print_setup(sheet, f"{t('workbook.kertas_kerja.title', language)} – {label}")
    return workbook

