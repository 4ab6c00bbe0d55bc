"""The plain data export (`--jenis data`, `/ekspor … data`): one row per indicator of a scope under stable
snake_case columns, as XLSX and as CSV, for systems that import it.

The columns (`DATA_COLUMNS`) never change silently (`tests/test_data_export.py` pins them); new ones are added at
the end. Values are plain: numbers as numbers (in the CSV with `.` as the decimal separator and no grouping),
codes rather than words (`tingkat` `sasaran`, `kategori` `sangat_tinggi`, `status` `disetujui`), a range target as
`85-95`; UTF-8 with the header row first; no title, no styling, no formulas (text that would start one is stored
as text in the XLSX; the CSV is text anyway).

`status`: `disetujui` (the row's values come from approved forms), `belum_disetujui` (a value of a form not
approved yet, only in an export that includes them) or `kosong` (no value). `jumlah_bukti`: the evidence items
(files, links, texts) of the indicator in the scope's periods, of approved forms unless drafts are included.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import Session, select

from models.calc.capaian import Polarity, Target
from models.calc.numbers import round_half_up
from models.collection.evidence import period_evidence
from models.collection.realisasi import Evidence
from models.collection.recap import Recap, RecapRow
from models.plan.indicators import Indicator
from models.plan.periods import Period
from reports.spreadsheet_writer import make_formula_safe
from reports.workbook_style import excel_value, workbook_bytes

DATA_COLUMNS = (
    "kode", "indikator", "tingkat", "induk", "unit", "satuan", "periode", "target", "realisasi", "capaian_persen",
    "kategori", "kendala", "tindak_lanjut", "jumlah_bukti", "status",
)
APPROVED, UNAPPROVED, EMPTY = "disetujui", "belum_disetujui", "kosong"


def evidence_counts(session: Session, periods: list[Period], include_drafts: bool) -> Counter[int]:
    """The evidence items per indicator id in the periods (of approved forms only unless `include_drafts`)."""
    counts: Counter[int] = Counter()
    for period in periods:
        if period.id is None:
            continue
        if include_drafts:
            for indicator_id in session.exec(select(Evidence.indicator_id).where(Evidence.period_id == period.id)):
                counts[indicator_id] += 1
        else:
            for form in period_evidence(session, period):
                for entry in form.entries:
                    counts[entry.evidence.indicator_id] += 1
    return counts


def _target(target: Target, polarity: Polarity, decimals: int) -> Decimal | str | None:
    if Polarity(polarity) is Polarity.RANGE:
        low, high = target.lower, target.upper
        if low is None and high is None:
            return None
        low, high = (low if low is not None else high), (high if high is not None else low)
        return f"{_plain(low)}-{_plain(high)}"
    return _value(target.value, decimals)


def _value(value: Decimal | None, decimals: int) -> Decimal | None:
    """A derived value with more digits (a mean, a target ÷ 3) rounded as the Kertas Kerja shows it: the
    indicator's decimals, at least 2."""
    if value is None or value == value.to_integral_value():
        return value
    return round_half_up(value, max(decimals, 2))


def _status(row: RecapRow) -> str:
    if row.realisasi is None:
        return EMPTY
    return UNAPPROVED if row.unapproved else APPROVED


def data_rows(session: Session, recap: Recap, evidence: Counter[int]) -> list[list[object]]:
    """One row per indicator of the recap, in `DATA_COLUMNS` order, values plain."""
    scope = recap.scope
    period = str(scope) if isinstance(scope, int) else scope.code
    parent_ids = {row.indicator.parent_id for row in recap.rows if row.indicator.parent_id is not None}
    parents = {indicator.id: indicator.code for indicator in
               session.exec(select(Indicator).where(Indicator.id.in_(parent_ids))).all()} if parent_ids else {}
    rows = []
    for row in recap.rows:
        indicator = row.indicator
        rows.append([
            indicator.code,
            indicator.name,
            str(indicator.level),
            parents.get(indicator.parent_id),
            row.unit_name or None,
            indicator.satuan,
            period,
            _target(row.target, indicator.polarity, indicator.decimals),
            _value(row.realisasi, indicator.decimals),
            row.capaian.rounded,
            row.capaian.rating.value if row.capaian.rating is not None else None,
            "; ".join(row.kendala) or None,
            "; ".join(row.tindak_lanjut) or None,
            evidence.get(indicator.id, 0),
            _status(row),
        ])
    return rows


def _plain(value: object) -> str:
    """A CSV cell: numbers with `.` and no grouping or exponent, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def data_csv(rows: list[list[object]]) -> bytes:
    """The header row and the rows, comma separated, UTF-8 (no byte order mark), `\\r\\n` line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DATA_COLUMNS)
    for row in rows:
        writer.writerow([_plain(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def data_xlsx(rows: list[list[object]], title: str) -> bytes:
    """One sheet `data`: the header row and the rows, numbers as numbers, no styling."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    workbook.properties.title = title
    workbook.properties.creator = "SAKIP Bot"
    sheet.append(list(DATA_COLUMNS))
    for row in rows:
        sheet.append([excel_value(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            make_formula_safe(cell)
    return workbook_bytes(workbook)
