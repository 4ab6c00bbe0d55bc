"""One ZIP of a month's or triwulan's evidence (`/ekspor bukti`, `sakip-bot export --jenis bukti`).

Each file is `<unit>/<indicator code> <n>.<ext>` (n counts the indicator's evidence, links and texts included, in
the order it was sent), every part cleaned (`clean_file_name`: no path separators, no control characters, at most
100 characters), so an archive never writes outside its folder however units and indicators are named. An index
(CSV, UTF-8 with a byte order mark so Excel reads it) lists every piece: the file's place in the archive, or the
link or text itself, with the original file name. A file whose copy is gone is listed as such.

Approved forms only (as of their last approval), unless drafts are asked for, like the workbooks
(`models.collection.evidence.period_evidence`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sqlmodel import Session

from i18n import t
from models.collection.evidence import EvidenceEntry, period_evidence
from models.collection.realisasi import Evidence, clean_file_name
from models.plan.periods import PeriodRef, find_period
from reports.evidence_files import read_stored, suffix_of

INDEX_COLUMNS = ("unit", "kode", "indikator", "jenis", "isi", "nama_asli")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def zip_member(unit_name: str, unit_id: int, entry: EvidenceEntry) -> str:
    """`<unit>/<code> <n>.<ext>`, each part cleaned and at most 100 characters."""
    folder = clean_file_name(unit_name) or f"unit-{unit_id}"
    suffix = suffix_of(entry.evidence.file_name, entry.kind, entry.evidence.file_path)
    name = clean_file_name(f"{entry.indicator.code} {entry.number}{suffix}") or f"{entry.number}{suffix}"
    return f"{folder}/{name}"


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def evidence_zip(session: Session, scope: PeriodRef, language: str, evidence_dir: Path,
                 include_drafts: bool = False) -> tuple[str, bytes, int]:
    """(file name, bytes, number of pieces) of a month's or triwulan's evidence archive (a year has none:
    `reports.workbooks.export_files` refuses it); a period nothing was sent in gives an archive with its index
    only."""
    period = find_period(session, scope)
    forms = period_evidence(session, period, include_drafts) if period is not None else []
    buffer, index = io.BytesIO(), io.StringIO()
    writer = csv.writer(index)
    writer.writerow([t(f"evidence.column.{name}", language) for name in INDEX_COLUMNS])
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for form in forms:
            for entry in form.entries:
                count += 1
                evidence = entry.evidence
                if entry.kind.is_file:
                    data = read_stored(evidence_dir, evidence.file_path)
                    if data is None:
                        content = t("evidence.missing_in_zip", language)
                    else:
                        content = zip_member(form.unit.name, form.unit.id, entry)
                        archive.writestr(zipfile.ZipInfo(content, date_time=_zip_time(evidence)), data,
                                         compress_type=zipfile.ZIP_STORED)
                else:
                    content = evidence.text or ""
                writer.writerow([_cell(form.unit.name), _cell(entry.indicator.code), _cell(entry.indicator.name),
                                 t(f"evidence.kind.{entry.kind.value}", language), _cell(content),
                                 _cell(evidence.file_name or "")])
        archive.writestr(t("evidence.index_name", language), "\ufeff" + index.getvalue())
    return f"bukti-{scope.code}.zip", buffer.getvalue(), count


def _zip_time(evidence: Evidence) -> tuple[int, int, int, int, int, int]:
    moment = evidence.uploaded_at
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
