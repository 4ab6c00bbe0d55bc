"""One ZIP of a period's export (`/ekspor <periode>`): the files `/ekspor` used to send one by one, in one
document a Tim SAKIP can forward to the Inspektorat as it is.

The archive is named for the office and the period in the office's words (`SAKIP-Dinas-November-2026.zip`);
each file inside by its title and a number that keeps the order the Tim SAKIP reads them in
(`01 Kertas Kerja Pengukuran Kinerja November 2026.xlsx`, `02 Rekapitulasi …`, `03 Formulir Pengumpulan Data …`),
and a month's or triwulan's evidence, when there is any, under its own folder (`04 Bukti Dukung November
2026/<unit>/<code> <n>.<ext>` with its index).

The same files give the same bytes: every entry has the same fixed time stamp and permissions and the entries are
written in sorted order, so a ZIP sent twice (typed, then pressed) is the same file.

Telegram takes at most 50 MB from a bot (`BOT_UPLOAD_LIMIT`): when the evidence would carry the archive over, the
archive holds the workbooks only and says so (`Bundle.evidence_left_out`; the chat then points to `/ekspor
<periode> bukti`); when even the workbooks are over, there is no archive (`bundle_export` gives None).

Plain `zipfile` only, no openpyxl: the chat names and sizes the archive without loading the workbooks' layer
(`scope_files` builds the workbooks through `reports.heavy`, loaded on first use). The chat (`/ekspor <periode>`)
and the command line (`sakip-bot export --jenis semua`) build the archive the same way, so they give the same file.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import Protocol

from sqlmodel import Session

from i18n import t
from models.collection.realisasi import clean_file_name
from models.office.organisation import office_unit
from models.plan.periods import PeriodRef
from reports import heavy
from reports.export_kinds import ExportKind
from reports.letterhead import Letterhead

BOT_UPLOAD_LIMIT = 50 * 1024 * 1024  # the largest file a bot may send
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP can hold: the same for every entry, every time
FILE_MODE = 0o100644 << 16  # a regular file, readable by all (Unix permissions in the entry's attributes)
OFFICE_IN_NAME = 40  # at most this many characters of the office's name in the archive's name


class ExportedFile(Protocol):
    """What the archive needs of a file (`reports.workbooks.ExportFile`): its name (for its extension), its
    bytes, its title in the member's language."""

    filename: str
    data: bytes
    title: str


@dataclass(frozen=True)
class Bundle:
    filename: str
    data: bytes
    evidence_left_out: bool  # the evidence would have carried the archive over the limit


def bundle_name(office: str, period_label: str) -> str:
    """`SAKIP-Dinas-November-2026.zip`: ASCII, words joined by `-`, the office's name cut at a word."""
    office_words = _ascii_words(office)
    while office_words and len("-".join(office_words)) > OFFICE_IN_NAME:
        office_words.pop()
    return "-".join(["SAKIP", *office_words, *_ascii_words(period_label)]) + ".zip"


def scope_bundle_name(session: Session, scope: PeriodRef | int, language: str) -> str:
    """The archive's name for the office and the scope in the member's words."""
    label = scope.label(language) if isinstance(scope, PeriodRef) else t("workbook.scope_year", language, year=scope)
    office = office_unit(session)
    return bundle_name(office.name if office else "", label)


def scope_files(session: Session, scope: PeriodRef | int, language: str, *, today: date, tz: tzinfo,
                include_drafts: bool = False, evidence_dir: Path | None = None,
                letterhead: Letterhead | None = None) -> tuple[list[ExportedFile], ExportedFile | None]:
    """What the archive of a scope holds: every workbook (`ExportKind.SEMUA`) and the evidence ZIP of a month or
    triwulan that has any (None for a year, for no evidence folder, or for a period nothing was sent in: an
    archive with an index of nothing says nothing to the Inspektorat); the workbooks on the office's `letterhead`.
    Raises `ExportError`."""
    files = heavy.export_files(session, scope, ExportKind.SEMUA, language, today=today, tz=tz,
                               include_drafts=include_drafts, evidence_dir=evidence_dir, letterhead=letterhead)
    if not isinstance(scope, PeriodRef) or evidence_dir is None:
        return files, None
    [evidence] = heavy.export_files(session, scope, ExportKind.BUKTI, language, today=today, tz=tz,
                                    include_drafts=include_drafts, evidence_dir=evidence_dir)
    return files, evidence if evidence.rows else None


def entry_names(files: Sequence[ExportedFile]) -> list[str]:
    """`NN <title>.<ext>` for each file in its order, each cleaned (`clean_file_name`) and unique by its number."""
    width = max(2, len(str(len(files))))
    return [_numbered(number, width, file.title, _suffix(file.filename)) for number, file in enumerate(files, 1)]


def bundle_export(files: Sequence[ExportedFile], evidence: ExportedFile | None = None,
                  limit: int = BOT_UPLOAD_LIMIT, *, name: str) -> Bundle | None:
    """The archive of `files` and `evidence` (an evidence ZIP, its entries put under a folder of its title), or of
    the files only if the evidence carries it over `limit` bytes; None if even the files alone are over."""
    if evidence is not None:
        data = _zip_bytes(_entries(files, evidence))
        if len(data) <= limit:
            return Bundle(name, data, evidence_left_out=False)
    data = _zip_bytes(_entries(files, None))
    if len(data) > limit:
        return None
    return Bundle(name, data, evidence_left_out=evidence is not None)


def _entries(files: Sequence[ExportedFile], evidence: ExportedFile | None) -> dict[str, bytes]:
    entries = dict(zip(entry_names(files), (file.data for file in files), strict=True))
    if evidence is not None:
        width = max(2, len(str(len(files) + 1)))
        folder = _numbered(len(files) + 1, width, evidence.title, "")
        with zipfile.ZipFile(io.BytesIO(evidence.data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    entries[f"{folder}/{info.filename}"] = archive.read(info)
    return entries


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    """The entries in sorted order, each with the same time stamp and attributes: the same entries, the same
    bytes. Workbooks and PDFs are compressed already and evidence is mostly photos: stored, except text."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # Unix, wherever the bot runs, so the attributes read the same
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED if name.lower().endswith((".csv", ".txt")) \
                else zipfile.ZIP_STORED
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _numbered(number: int, width: int, title: str, suffix: str) -> str:
    return clean_file_name(f"{number:0{width}d} {title}{suffix}") or f"{number:0{width}d}{suffix}"


def _suffix(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return f".{extension}" if dot and stem else ""


def _ascii_words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", ascii_text)
