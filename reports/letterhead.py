"""The office's letterhead (kop surat) and the officials who sign its documents, as plain values.

Built once by the composition root from the settings (`bot.config.Settings.letterhead`) and passed down to what
draws a document, so `reports` never reads the settings. A `Signatory`'s `title` is printed as the caller gives
it ("Kepala Dinas Penanaman Modal dan PTSP", "Plh. Sekretaris"): an acting official is a different value, not a
flag here. The one signatory type of the documents: the Laporan's and the workbooks' signature blocks
(`reports.signatories`) alike. Light on purpose (no drawing library): the chat's wiring holds one from the start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from models.calc.dates import format_date

__all__ = ["Letterhead", "Signatory", "dated", "format_nip", "read_logo"]

log = logging.getLogger(__name__)

NIP_DIGITS = 18  # a civil servant's NIP: birth date (8), appointment month (6), sex (1), number (3)


@dataclass(frozen=True)
class Signatory:
    """Who signs a block: the jabatan as printed (with "Plt." / "Plh." when one acts), the name, the NIP and the
    pangkat/golongan (optional). An empty name leaves the line to be written by hand."""

    title: str
    name: str = ""
    nip: str = ""
    rank: str = ""


@dataclass(frozen=True)
class Letterhead:
    """The kop surat: the parent line ("PEMERINTAH KABUPATEN PESISIR SELATAN"), the office, its address and
    contacts, the logo (PNG or JPEG bytes; None: a kop without one), the city of the date line; and the Kepala
    Dinas and the Sekretaris as they sign."""

    office: str = ""
    parent: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    city: str = ""
    logo: bytes | None = field(default=None, repr=False)
    kepala: Signatory = Signatory("Kepala Dinas")
    sekretaris: Signatory = Signatory("Sekretaris")

    def for_office(self, name: str) -> Letterhead:
        """This letterhead with `name` (the office's root unit) as the office when none is configured."""
        return self if self.office or not name else replace(self, office=name)

    def kop_lines(self) -> tuple[str, ...]:
        """The kop's lines on a workbook's top rows: the parent line, the office, the address (those set), when a
        parent line or an address is configured; () otherwise (the workbook names the office as its instansi)."""
        if not (self.parent or self.address):
            return ()
        return tuple(line for line in (self.parent, self.office, self.address) if line)


def dated(city: str, day: date, language: str = "id") -> str:
    """The date line of a signed document: "Painan, 10 Januari 2027" (Babel's long date), without a city the
    date alone."""
    when = format_date(day, language)
    return f"{city}, {when}" if city else when


def format_nip(value: str) -> str:
    """An NIP as printed: 18 digits grouped 8 6 1 3 ("19700101 199503 1 001"); raises ValueError otherwise."""
    digits = "".join(value.split())
    if len(digits) != NIP_DIGITS or not digits.isdigit():
        raise ValueError(f"expected an NIP of {NIP_DIGITS} digits, e.g. 19700101 199503 1 001, not {value!r}")
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def read_logo(path: str | Path | None) -> bytes | None:
    """The logo file's bytes; None (and a warning in the log, never an error) when no path is set or the file
    cannot be read: the documents then have a kop without a logo. Whether the bytes are a picture is checked
    where it is drawn (`reports.laporan`)."""
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        log.warning("OFFICE_LOGO %s cannot be read (%s): the letterhead has no logo", path, error.strerror or error)
        return None
    if not data:
        log.warning("OFFICE_LOGO %s is empty: the letterhead has no logo", path)
        return None
    return data
