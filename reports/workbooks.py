"""The Excel workbooks (and the data export's CSV) of a reporting scope, as the chat (`/ekspor`) and the CLI
(`sakip-bot export`) send them.

- Formulir Pengumpulan Data (SOP step 6): a unit's form of a month or triwulan, one row per indicator it reports,
  with the period's target and, once entered, realisasi, capaian, kendala, tindak lanjut and evidence. Before
  anything is entered it is the blank form to distribute.
- Rekapitulasi: the progress of every unit's form in each stored period of the scope, indicators per capaian
  category, and every indicator grouped by unit.
- Kertas Kerja Pengukuran Kinerja (`reports.kertas_kerja`): title, instansi, period, the indicators in the PK's
  hierarchy with the period's and the cumulative capaian, the unit, kendala, tindak lanjut, evidence, signatures.
- the data export (`reports.data_export`, `ExportKind.DATA`): one row per indicator under fixed snake_case column
  names, as XLSX and CSV, for systems that import it.

Data come from the same domain functions as the chat (`form_items`, `period_progress`, `compute_recap`), words
from the catalogue (`workbook.*`, `rating.*`, `status.*`, `level.*`) in the requested language. Numbers are stored as
numbers with Excel format codes (`#,##0`, `#,##0.00` after the indicator's decimals, capaian `0.00`); the codes
are locale independent in xlsx and Excel shows them with the reader's separators, so on an Indonesian system
114.750.000.000 and 95,63 (see `reports.workbook_style`). User text is formula-safe.

Only approved values by default: a value counts when its unit's form for that period is approved, as of that
approval (`models.collection.realisasi.approved_realisasi_of`: a form unlocked and returned after approval shows
the values it was approved with until it is approved again; a form never approved shows no value, as if nothing
was entered). `include_drafts=True` (`/ekspor … semua-data`, `sakip-bot export --termasuk-draf`) takes every
current value instead, and then each workbook has one more column, `persetujuan` (Persetujuan), saying
"belum disetujui" on every row one of whose values comes from a form not approved yet (draft, submitted or
returned), so its realisasi, capaian and kategori are not final, and a legend line (`workbook.unapproved_legend`)
below its table.

A year (`2026`) has no Formulir: `export_files(…, ExportKind.FORMULIR)` raises
`ExportError(ExportCode.FORMULIR_NEEDS_PERIOD)`, and `ExportKind.SEMUA` for a year gives the Kertas Kerja, the
Rekapitulasi, the data export and the LKjIP's measurement tables (`reports.lkjip`; `ExportKind.LKJIP` alone, of a
year only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, select

from i18n import t
from models.calc.capaian import Rating, compute_capaian
from models.calc.clock import OFFICE_TZ
from models.calc.dates import format_date
from models.collection.evidence import period_evidence
from models.collection.form_filling import Item, form_items, unit_indicators
from models.collection.forms import FormStatus, UnitForm
from models.collection.progress import NOT_STARTED, UnitProgress, period_progress, period_units
from models.collection.realisasi import Evidence, EvidenceKind, approved_realisasi_of
from models.collection.recap import Recap, compute_recap
from models.errors import ExportCode
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, find_period
from models.plan.targets import load_plans, target_for
from reports.data_export import data_csv, data_rows, data_xlsx, evidence_counts
from reports.evidence_archive import evidence_zip
from reports.export_kinds import ExportError, ExportKind
from reports.kertas_kerja import kertas_kerja_workbook
from reports.letterhead import Letterhead, dated
from reports.lkjip import lkjip_workbook
from reports.lkjip_data import lkjip_data
from reports.signatories import kepala_on, signatures
from reports.templates import APPROVAL_COLUMN
from reports.workbook_style import (
    COUNT_FORMAT,
    LABEL_FONT,
    Column,
    Group,
    Number,
    capaian,
    measured,
    new_workbook,
    number_format,
    print_setup,
    put,
    rating_label,
    scope_label,
    sheet_title,
    slug,
    target_cell,
    workbook_bytes,
    write_cells,
    write_table,
    write_title,
)


@dataclass(frozen=True)
class ExportFile:
    """One workbook to send or save: its file name (ASCII), its bytes, a human label, and for the Kertas Kerja
    and the Rekapitulasi the number of indicators (for a caption)."""

    filename: str
    data: bytes
    title: str
    rows: int = 0


def scope_code(scope: PeriodRef | int) -> str:
    return str(scope) if isinstance(scope, int) else scope.code


def office_name(session: Session) -> str:
    office = session.exec(select(Unit).where(Unit.kind == UnitKind.OFFICE)).first()
    return office.name if office else "-"


def heading(name: str, language: str) -> str:
    return t(f"workbook.column.{name}", language)


# --------------------------------------------------------------------------------------------- Kertas Kerja, data

WRAPPED = {"indikator", "kendala", "tindak_lanjut", "catatan", "bukti"}


def approval_cell(unapproved: bool, language: str) -> str | None:
    return t("workbook.unapproved", language) if unapproved else None


def put_legend(sheet: Worksheet, row: int, language: str) -> None:
    """The legend of the `persetujuan` column, one row below a table that ends before `row`."""
    put(sheet.cell(row=row + 1, column=1), t("workbook.unapproved_legend", language)).font = LABEL_FONT


def recap_rows(recap: Recap, language: str = "id", marked: bool = False) -> list[list[object]]:
    """One row per indicator; `marked` adds the `persetujuan` cell (module docstring)."""
    rows = []
    for row in recap.rows:
        decimals = row.indicator.decimals
        rows.append([
            row.indicator.code,
            row.indicator.name,
            row.indicator.satuan,
            target_cell(row.target, row.indicator.polarity, decimals, language),
            measured(row.realisasi, decimals),
            capaian(row.capaian.rounded),
            rating_label(row.capaian.rating, language),
            "; ".join(row.kendala) or None,
            "; ".join(row.tindak_lanjut) or None,
            *([approval_cell(row.unapproved, language)] if marked else []),
        ])
    return rows


def kertas_kerja_file(session: Session, recap: Recap, language: str, *, include_drafts: bool,
                      letterhead: Letterhead, today: date, tz: tzinfo) -> ExportFile:
    """The Kertas Kerja (`reports.kertas_kerja`) of the recap's scope: the office, the parents' codes, the evidence
    of the scope's periods listed (approved forms' only, unless `include_drafts`), the signatures."""
    scope = recap.scope
    parent_ids = {row.indicator.parent_id for row in recap.rows if row.indicator.parent_id is not None}
    parent_codes = {indicator.id: indicator.code for indicator in
                    session.exec(select(Indicator).where(Indicator.id.in_(parent_ids))).all()} if parent_ids else {}
    workbook = kertas_kerja_workbook(
        recap, letterhead, signatures(session, scope, tz, letterhead, language), today, language,
        parent_codes=parent_codes, evidence=scope_evidence(session, scope, language, include_drafts),
        marked=include_drafts)
    return ExportFile(f"kertas-kerja-{scope_code(scope)}.xlsx", workbook_bytes(workbook),
                      t("workbook.kertas_kerja.file_title", language, period=scope_label(scope, language)),
                      len(recap.rows))


def scope_evidence(session: Session, scope: PeriodRef | int, language: str, include_drafts: bool) -> dict[int, str]:
    """The evidence of each indicator in the scope's periods (`evidence_texts`), each period's under its name when
    more than one has some."""
    per_period = [(period, evidence_texts(session, period, language, approved_only=not include_drafts))
                  for period in periods_in_scope(session, scope)]
    per_period = [(period, texts) for period, texts in per_period if texts]
    merged: dict[int, list[str]] = defaultdict(list)
    for period, texts in per_period:
        for indicator_id, text in texts.items():
            merged[indicator_id].append(f"{period.ref.label(language)}: {text}" if len(per_period) > 1 else text)
    return {indicator_id: "\n".join(texts) for indicator_id, texts in merged.items()}


def data_files(session: Session, recap: Recap, language: str, include_drafts: bool) -> list[ExportFile]:
    """The plain data export (`reports.data_export`) as XLSX and as CSV."""
    scope = recap.scope
    counts = evidence_counts(session, periods_in_scope(session, scope), include_drafts)
    rows = data_rows(session, recap, counts)
    title = t("workbook.data.file_title", language, period=scope_label(scope, language))
    code = scope_code(scope)
    return [ExportFile(f"data-{code}.xlsx", data_xlsx(rows, title), title, len(rows)),
            ExportFile(f"data-{code}.csv", data_csv(rows), title, len(rows))]


# --------------------------------------------------------------------------------------------- Formulir

# Enough to tell units apart; a long name would make a file name the file system refuses (255 bytes).
UNIT_IN_FILE_NAME = 60
FORMULIR_COLUMNS = (("no", 5, None), ("kode", 8, 12), ("indikator", 36, 55), ("satuan", 9, 14), ("target", 12, 20),
                    ("realisasi", 14, 20), ("capaian", 11, 11), ("kategori", 14, 16), ("kendala", 28, 45),
                    ("tindak_lanjut", 28, 45), ("bukti", 18, 35), ("catatan", 22, 40))


def unit_items(session: Session, period: Period, unit: Unit, include_drafts: bool = False) -> list[Item]:
    """The unit's form items; for a period not stored yet (nothing entered), each indicator with its target.
    Without `include_drafts`, each item's value is its approved one (module docstring), or none."""
    if period.id is None:
        items = []
        indicators = unit_indicators(session, unit.id, period)
        plans = load_plans(session, [indicator.id for indicator in indicators], period.ref)
        for indicator in indicators:
            target = target_for(plans[indicator.id], indicator.rule, period.ref)
            items.append(Item(indicator=indicator, current=None, target=target, evidence=0, returned=None,
                              capaian=compute_capaian(None, target, indicator.rule), entered_by=None))
        return items
    form = session.exec(select(UnitForm).where(UnitForm.unit_id == unit.id, UnitForm.period_id == period.id)).first()
    # without a form the unit has entered nothing; an unsaved draft reads the same and creates nothing
    items = form_items(session, form or UnitForm(unit_id=unit.id, period_id=period.id))
    if include_drafts:
        return items
    approved = approved_realisasi_of(session, [period.id]).get(period.id, {})
    result = []
    for item in items:
        value = approved.get(item.indicator.id)
        result.append(replace(item, current=value, capaian=compute_capaian(value.value if value else None,
                                                                             item.target, item.indicator.rule)))
    return result


def evidence_texts(session: Session, period: Period, language: str, approved_only: bool = False) -> dict[int, str]:
    """Per indicator: `2 berkas: laporan.pdf, foto`, then its links and its texts, each on a line. With
    `approved_only`, only the evidence of approved forms as of their last approval (`period_evidence`), as the
    filed Laporan shows it."""
    if period.id is None:
        return {}
    if approved_only:
        rows = [entry.evidence for form in period_evidence(session, period) for entry in form.entries]
    else:
        rows = session.exec(select(Evidence).where(Evidence.period_id == period.id).order_by(Evidence.id)).all()
    pieces: dict[int, dict[EvidenceKind, list[str]]] = defaultdict(lambda: defaultdict(list))
    for evidence in rows:
        kind = evidence.evidence_kind
        if kind.is_file:
            pieces[evidence.indicator_id][EvidenceKind.DOCUMENT].append(
                evidence.file_name or t(f"workbook.evidence_{kind.value}", language))
        else:
            pieces[evidence.indicator_id][kind].append(evidence.text or "")
    texts = {}
    for indicator_id, kinds in pieces.items():
        lines = []
        if files := kinds.get(EvidenceKind.DOCUMENT):
            lines.append(t("workbook.evidence", language, count=len(files), names=", ".join(files)))
        if links := kinds.get(EvidenceKind.LINK):
            lines.append(t("workbook.evidence_links", language, links=", ".join(links)))
        if notes := kinds.get(EvidenceKind.TEXT):
            lines.append(t("workbook.evidence_texts", language, texts="; ".join(notes)))
        texts[indicator_id] = "\n".join(lines)
    return texts


def formulir_rows(items: list[Item], evidence: dict[int, str], language: str,
                  unapproved: bool | None = None) -> list[list[object]]:
    """One row per item; `unapproved` (the form is not approved) adds the `persetujuan` cell to each, marked on
    the rows with a value; None adds nothing."""
    rows = []
    for number, item in enumerate(items, start=1):
        indicator, current = item.indicator, item.current
        rows.append([
            number,
            indicator.code,
            indicator.name,
            indicator.satuan,
            target_cell(item.target, indicator.polarity, indicator.decimals, language),
            # a blank cell still carries the number format, for a form filled in by hand
            measured(current.value, indicator.decimals) if current else Number(None, number_format(indicator.decimals)),
            capaian(item.capaian.rounded),
            rating_label(item.capaian.rating, language, empty=True),
            current.kendala if current else None,
            current.tindak_lanjut if current else None,
            evidence.get(indicator.id),
            current.note if current else None,
            *([approval_cell(unapproved and current is not None, language)] if unapproved is not None else []),
        ])
    return rows


def status_text(progress: UnitProgress | None, language: str) -> str:
    if progress is None:
        return t(f"status.{NOT_STARTED}", language)
    text = t(f"status.{progress.status}", language)
    return f"{text} · {t('status.late', language)}" if progress.late else text


def formulir_workbook(session: Session, period: Period, unit: Unit, language: str,
                      progress: UnitProgress | None = None, include_drafts: bool = False, *,
                      letterhead: Letterhead | None = None, today: date | None = None) -> Workbook:
    """The unit's Formulir Pengumpulan Data of a month or triwulan (`period` may be unsaved: a blank form); its
    approved values, or with `include_drafts` its current ones marked while the form is not approved. Under the
    letterhead's kop lines when it has them, dated the day it is made ("Painan, 10 Januari 2027")."""
    letterhead = (letterhead or Letterhead()).for_office(office_name(session))
    items = unit_items(session, period, unit, include_drafts)
    label = period.ref.label(language)
    title = t("workbook.formulir.title", language)
    workbook = new_workbook(f"{title} – {unit.name} – {label}")
    sheet = workbook.create_sheet(sheet_title(t("workbook.formulir.sheet", language)))
    top = write_title(sheet, title, kop=letterhead.kop_lines(), details=[
        (t("workbook.office", language), letterhead.office),
        (t("workbook.unit", language), unit.name),
        (t("workbook.period", language), label),
        (t("workbook.deadline", language), format_date(period.deadline, language) if period.deadline else "-"),
        (t("workbook.formulir.status", language), status_text(progress, language)),
    ])
    names = FORMULIR_COLUMNS + ((APPROVAL_COLUMN, 16, 36),) if include_drafts else FORMULIR_COLUMNS
    columns = [Column(heading(name, language), low, high, wrap=name in WRAPPED) for name, low, high in names]
    unapproved = (progress is None or progress.form is None
                  or FormStatus(progress.form.status) is not FormStatus.APPROVED) if include_drafts else None
    end = write_table(sheet, top, columns, formulir_rows(items, evidence_texts(session, period, language), language,
                                                         unapproved), freeze_columns=2)
    if include_drafts:
        put_legend(sheet, end, language)
        end += 2
    if today is not None:
        put(sheet.cell(row=end + 1, column=len(columns)), dated(letterhead.city, today, language))
    print_setup(sheet, f"{title} – {unit.name} – {label}")
    return workbook


def formulir_files(session: Session, ref: PeriodRef, language: str, unit_id: int | None = None, *,
                   today: date, tz: tzinfo, include_drafts: bool = False,
                   letterhead: Letterhead | None = None) -> list[ExportFile]:
    period = find_period(session, ref) or Period(kind=ref.kind, year=ref.year, number=ref.number)
    units = period_units(session, period)
    label = ref.label(language)
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise ExportError(ExportCode.UNIT_NOT_FOUND, unit=str(unit_id))
        if unit.id not in {u.id for u in units}:
            raise ExportError(ExportCode.UNIT_NOT_IN_PERIOD, unit=unit.name, period=label)
        units = [unit]
    if not units:
        raise ExportError(ExportCode.NO_UNITS, period=label)
    progress = {p.unit.id: p for p in period_progress(session, period, today, tz)} if period.id else {}
    files, used = [], set()
    for unit in units:
        name = slug(unit.name)[:UNIT_IN_FILE_NAME].rstrip("-") or f"unit-{unit.id}"
        if name in used:
            name = f"{name}-{unit.id}"
        used.add(name)
        workbook = formulir_workbook(session, period, unit, language, progress.get(unit.id), include_drafts,
                                     letterhead=letterhead, today=today)
        files.append(ExportFile(f"formulir-{ref.code}-{name}.xlsx", workbook_bytes(workbook),
                                t("workbook.formulir.file_title", language, unit=unit.name, period=label)))
    return files


# --------------------------------------------------------------------------------------------- Rekapitulasi

PROGRESS_COLUMNS = (("no", 5, None), ("periode", 14, 22), ("unit", 24, 50), ("status", 12, 16),
                    ("answered", 8, 10), ("total", 10, 12), ("submitted_at", 17, 17), ("timing", 14, 16))
INDICATOR_COLUMNS = (("kode", 8, 12), ("indikator", 36, 55), ("satuan", 9, 14), ("target", 12, 20),
                     ("realisasi", 14, 20), ("capaian", 11, 11), ("kategori", 14, 16), ("kendala", 28, 45),
                     ("tindak_lanjut", 28, 45))


def periods_in_scope(session: Session, scope: PeriodRef | int) -> list[Period]:
    """The stored months and triwulan of the scope: a month itself; a triwulan and its months; a whole year."""
    year = scope if isinstance(scope, int) else scope.year
    periods = session.exec(select(Period).where(Period.year == year)).all()
    if isinstance(scope, PeriodRef):
        wanted = {(PeriodKind.MONTH, month) for month in scope.months}
        if scope.kind is PeriodKind.QUARTER:
            wanted.add((PeriodKind.QUARTER, scope.number))
        periods = [p for p in periods if (PeriodKind(p.kind), p.number) in wanted]
    return sorted(periods, key=lambda p: p.sort_key)


def progress_rows(session: Session, periods: list[Period], language: str, today: date,
                  tz: tzinfo) -> list[list[object]]:
    rows: list[list[object]] = []
    for period in periods:
        for entry in period_progress(session, period, today, tz):
            sent = entry.form.submitted_at if entry.form and entry.form.submitted_at else None
            timing = "late" if entry.late else ("on_time" if sent else None)
            rows.append([
                len(rows) + 1,
                period.ref.label(language),
                entry.unit.name,
                t(f"status.{entry.status}", language),
                Number(entry.answered, COUNT_FORMAT),
                Number(entry.total, COUNT_FORMAT),
                sent.astimezone(tz).replace(microsecond=0) if sent else None,
                t(f"status.{timing}", language) if timing else None,
            ])
    return rows


def band_rows(recap: Recap, language: str) -> list[list[object]]:
    counts = Counter(row.capaian.rating for row in recap.rows)
    rows: list[list[object]] = [[t(f"rating.{rating.value}", language), t(f"workbook.band.{rating.value}", language),
                                 Number(counts[rating], COUNT_FORMAT)] for rating in Rating]
    rows.append([t("workbook.rekap.no_capaian", language), None, Number(counts[None], COUNT_FORMAT)])
    rows.append([t("workbook.rekap.total", language), None, Number(len(recap.rows), COUNT_FORMAT)])
    return rows


def indicator_rows(recap: Recap, language: str, marked: bool = False) -> list[list[object] | Group]:
    """Every indicator of the recap under its unit's heading, units by name, indicators in Renstra order."""
    grouped: dict[str, list[list[object]]] = defaultdict(list)
    for row, cells in zip(recap.rows, recap_rows(recap, language, marked), strict=True):
        grouped[row.unit_name].append(cells)
    result: list[list[object] | Group] = []
    for unit_name in sorted(grouped):
        result.append(Group(unit_name or "-"))
        result.extend(grouped[unit_name])
    return result


def rekapitulasi_workbook(session: Session, recap: Recap, language: str, today: date,
                          tz: tzinfo = OFFICE_TZ, marked: bool = False,
                          letterhead: Letterhead | None = None) -> Workbook:
    """Sheet 1: each unit's progress in each stored period of the scope, then indicators per capaian category;
    sheet 2: every indicator of the recap under its unit; each under the letterhead's kop lines when it has them,
    its office the instansi (else the top unit's name). `marked`: the `persetujuan` column and the legend (under
    the categories too, whose counts include the rows marked)."""
    letterhead = (letterhead or Letterhead()).for_office(office_name(session))
    kop = letterhead.kop_lines()
    scope = recap.scope
    label = scope_label(scope, language)
    title = t("workbook.rekap.title", language)
    workbook = new_workbook(f"{title} – {label}")
    details = [(t("workbook.office", language), letterhead.office), (t("workbook.period", language), label)]
    achieved = sum(1 for row in recap.rows if row.capaian.tercapai)
    summary = (t("workbook.rekap.tercapai", language),
               t("workbook.rekap.tercapai_value", language, count=achieved, total=len(recap.rows)))

    progress = workbook.create_sheet(sheet_title(t("workbook.rekap.sheet_progress", language)))
    top = write_title(progress, f"{title} – {t('workbook.rekap.progress_title', language)}", details, kop=kop)
    columns = [Column(heading(name, language), low, high) for name, low, high in PROGRESS_COLUMNS]
    rows = progress_rows(session, periods_in_scope(session, scope), language, today, tz)
    if not rows:
        rows = [[None, t("recap.nothing", language), *[None] * (len(columns) - 2)]]
    end = write_table(progress, top, columns, rows, freeze_columns=0)
    end = put_bands(progress, end + 1, recap, language)
    if marked:
        put_legend(progress, end, language)
    print_setup(progress, f"{title} – {label}")

    indicators = workbook.create_sheet(sheet_title(t("workbook.rekap.sheet_indicators", language)))
    top = write_title(indicators, f"{title} – {label}", [*details, summary], kop=kop)
    names = INDICATOR_COLUMNS + ((APPROVAL_COLUMN, 16, 36),) if marked else INDICATOR_COLUMNS
    columns = [Column(heading(name, language), low, high, wrap=name in WRAPPED) for name, low, high in names]
    end = write_table(indicators, top, columns, indicator_rows(recap, language, marked), freeze_columns=1,
                      autofilter=False)
    if marked:
        put_legend(indicators, end, language)
    print_setup(indicators, f"{title} – {label}")
    return workbook


def put_bands(sheet: Worksheet, top: int, recap: Recap, language: str) -> int:
    """Indicators per capaian category below the progress table, in its columns B–D (their widths stay); returns
    the row after the last one."""
    put(sheet.cell(row=top, column=2), t("workbook.rekap.bands", language)).font = LABEL_FONT
    columns = [Column(heading(name, language), 0) for name in ("kategori", "band", "count")]
    end, _ = write_cells(sheet, top + 1, 2, columns, band_rows(recap, language))
    return end


# --------------------------------------------------------------------------------------------- for callers


def export_files(session: Session, scope: PeriodRef | int, kind: ExportKind, language: str,
                 unit_id: int | None = None, *, today: date, tz: tzinfo = OFFICE_TZ,
                 include_drafts: bool = False, evidence_dir: Path | None = None,
                 letterhead: Letterhead | None = None) -> list[ExportFile]:
    """The workbooks of `kind` for the scope: the Kertas Kerja, the Rekapitulasi, the Formulir (one per unit of
    the period, or only `unit_id`'s), the data export (XLSX and CSV) or all of them (a year has no Formulir); or
    the ZIP of the evidence files kept in `evidence_dir` (`ExportKind.BUKTI`, a month or triwulan only). `today`
    (in the office's time zone `tz`) decides which unfinished forms are late. Approved values only, unless
    `include_drafts` (then marked). `letterhead` (the settings'; None: none configured): the kop's lines on the
    Kertas Kerja, the Rekapitulasi and the LKjIP tables, the city of their date lines, the Sekretaris and the Kepala
    Dinas who sign (`reports.signatories`). Raises `ExportError` (see the module docstring)."""
    if not isinstance(kind, ExportKind):
        raise TypeError(f"an export kind is an ExportKind, not {kind!r}")
    code, label = scope_code(scope), scope_label(scope, language)
    if kind is ExportKind.BUKTI:
        if not isinstance(scope, PeriodRef):
            raise ExportError(ExportCode.EVIDENCE_NEEDS_PERIOD, year=str(scope))
        if evidence_dir is None:
            raise ValueError("the evidence archive needs the evidence folder")
        filename, data, count = evidence_zip(session, scope, language, evidence_dir, include_drafts)
        return [ExportFile(filename, data, t("evidence.zip_title", language, period=label), count)]
    if kind is ExportKind.LKJIP and not isinstance(scope, int):
        raise ExportError(ExportCode.LKJIP_NEEDS_YEAR, year=str(scope.year))
    letterhead = (letterhead or Letterhead()).for_office(office_name(session))
    files = []
    recap = compute_recap(session, scope, language, approved_only=not include_drafts) \
        if kind not in (ExportKind.FORMULIR, ExportKind.LKJIP) else None
    if kind in (ExportKind.KERTAS_KERJA, ExportKind.SEMUA):
        files.append(kertas_kerja_file(session, recap, language, include_drafts=include_drafts,
                                       letterhead=letterhead, today=today, tz=tz))
    if kind in (ExportKind.REKAPITULASI, ExportKind.SEMUA):
        workbook = rekapitulasi_workbook(session, recap, language, today, tz, include_drafts, letterhead)
        files.append(ExportFile(f"rekapitulasi-{code}.xlsx", workbook_bytes(workbook),
                                t("workbook.rekap.file_title", language, period=label), len(recap.rows)))
    if kind in (ExportKind.FORMULIR, ExportKind.SEMUA):
        if isinstance(scope, PeriodRef):
            try:
                files.extend(formulir_files(session, scope, language, unit_id, today=today, tz=tz,
                                            include_drafts=include_drafts, letterhead=letterhead))
            except ExportError as exc:  # "semua" of a period nobody reports in: the other two files
                if kind is ExportKind.FORMULIR or exc.code is not ExportCode.NO_UNITS:
                    raise
        elif kind is ExportKind.FORMULIR:
            raise ExportError(ExportCode.FORMULIR_NEEDS_PERIOD, year=str(scope))
    if kind in (ExportKind.DATA, ExportKind.SEMUA):
        files.extend(data_files(session, recap, language, include_drafts))
    if kind is ExportKind.LKJIP or (kind is ExportKind.SEMUA and isinstance(scope, int)):
        data = replace(lkjip_data(session, scope, include_drafts=include_drafts), office=letterhead.office)
        kepala = kepala_on(session, letterhead, today, tz, language)
        workbook = lkjip_workbook(data, language, kop=letterhead.kop_lines(), kepala=kepala,
                                  date_line=dated(letterhead.city, today, language))
        files.append(ExportFile(f"lkjip-{code}.xlsx", workbook_bytes(workbook),
                                t("lkjip.file_title", language, period=label), len(data.performance)))
    return files
