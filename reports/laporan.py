"""The "Laporan Hasil Pengukuran Kinerja" of a period as a PDF, archived with the period (SOP step 12).

A pure function from plain data (`Laporan`: every value already worded and formatted by the caller) to PDF bytes
(`render_laporan`), drawn on A4 with fpdf2 (`reports.pdf_layout.Document`), never pyplot: no global state, safe
in a worker thread, and the same data gives the same bytes (the creation date is `Laporan.created_at` or fixed).

Sections, in order: the first page, with the office's letterhead (kop surat: logo at the left, its lines centred,
a double rule under it), the title (a red DRAF mark while not yet archived) and the summary under it (sentences,
and the table per tujuan / sasaran / program / kegiatan when given), so no page holds a summary of three lines
alone; the indicators' table on landscape pages (its
heading row on every page, the capaian cell in its band's colour as in `reports.charts.BAND_COLOURS`, rows
below target tinted); the charts, each at the page width or scaled down to fit one page; kendala and tindak
lanjut of the indicators below target; the bukti dukung per indicator (as the Formulir lists them; a
triwulan's with those of its months); the Sekretaris's review; the Kepala Dinas's disposition; the mutu baku
timeline; the signature blocks, kept together: the date line ("Painan, 10 Januari 2027"), the Sekretaris as
verifier and "Mengetahui, Kepala Dinas …" with names and NIP (`reports.letterhead.Signatory`: the caller says
who signs and under which title, e.g. an acting "Plh. Sekretaris"). Every page after the first has the period
in its header, every page "Halaman 3 dari 9" in its footer, and a DRAF a faint diagonal "DRAF" across it.
Tables keep numbers whole (`Document.grid`: a column is never narrower than its longest word).
Fixed words come from the catalogue's `laporan.*` texts in `language`.

A row whose values are not all approved yet (`LaporanRow.unapproved`, only in a DRAF: see
`reports.laporan_data`) says "belum disetujui" under its realisasi, and the title page and the table say what
that means (`laporan.unapproved_note`), since the summary's counts include it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fpdf import FontFace
from PIL import Image, UnidentifiedImageError

from i18n import t
from reports.charts import BAND_COLOURS
from reports.letterhead import Letterhead, Signatory
from reports.pdf_layout import (
    ACCENT,
    DRAFT,
    FAMILY,
    INK,
    MUTED,
    RULE,
    SMALL,
    Column,
    Document,
    contrast_colour,
    symbols,
)

__all__ = ["BELOW_TARGET_FILL", "Laporan", "LaporanRow", "LevelLine", "TimelineLine", "render_laporan"]

BELOW_TARGET_FILL = "#fde2e0"  # a row whose indicator is below target (tercapai False)
NAME_LIMIT = 600  # characters of an indicator's name in the table (a row must fit on one page)
LOGO_MM = 24  # the letterhead's logo: at most this wide and high
LOGO_PX = 560  # and at most this many pixels each way
SIGNING_ROOM = 22  # mm left blank above a signatory's name for the signature and stamp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaporanRow:
    code: str
    name: str
    unit: str
    level: str  # shown label, e.g. "Sasaran", "Program"
    target: str  # preformatted by the caller: "Rp600.000.000.000", "85 – 95", "7 hari", "–"
    realisasi: str
    capaian: str  # "95,63%" or "–"
    band: str | None  # a `Rating` value ("sangat_tinggi" …) or None (no value)
    band_label: str  # "Sangat Tinggi" (already in the reader's language) or "–"
    tercapai: bool | None
    kendala: str = ""
    tindak_lanjut: str = ""
    previous: str = ""  # triwulan measurement only: capaian of the previous triwulan, "–" if none
    last_year: str = ""  # the same triwulan last year
    year_progress: str = ""  # progress to the annual target
    unapproved: bool = False  # a value of the row comes from a unit's form not approved yet (a DRAF only)
    evidence: str = ""  # its bukti dukung as the Formulir lists them: "2 berkas: …", links, texts ("" for none)


@dataclass(frozen=True)
class LevelLine:
    """A triwulan measurement's line per tujuan / sasaran / program / kegiatan."""

    level: str
    indicators: int
    measured: int
    tercapai: int
    average: str  # average capaian "97,10%" or "–"


@dataclass(frozen=True)
class TimelineLine:
    """One step of the cycle against its mutu baku (the SOP's standard time)."""

    number: str
    step: str
    actual: str
    standard: str
    mark: str  # "✅" / "⚠️" / "⏳" / "▫️" (the `mutu_baku.*` marks) or words


@dataclass(frozen=True)
class Laporan:
    office: str
    period: str  # "Triwulan I 2026"
    period_code: str  # "2026-TW1"
    generated_at: str  # "24 November 2026 10.15 WIB"
    summary: tuple[str, ...]  # plain sentences
    rows: tuple[LaporanRow, ...]
    charts: tuple[bytes, ...] = ()  # PNG images (1280 px wide, any height)
    levels: tuple[LevelLine, ...] = ()
    comparisons: bool = False  # show the previous / last year / year progress columns
    review: tuple[str, ...] = ()  # "12 April 2026 09.10 — Sekretaris Rina: disetujui" …
    disposition: tuple[str, ...] = ()  # "Kepala Dinas Budi, 13 April 2026: setuju", arahan …
    timeline: tuple[TimelineLine, ...] = ()
    draft: bool = False  # not yet archived: the title page and every page header say DRAF
    lists_evidence: bool = False  # the bukti dukung section (a period's Laporan and a triwulan's measurement)
    created_at: datetime | None = None  # the PDF's creation date (metadata); None: a fixed date
    letterhead: Letterhead | None = None  # the kop surat on page 1; None: none (only the office's name)
    signed_on: str = ""  # the date line over the signatures: "Painan, 10 Januari 2027"
    verifier: Signatory | None = None  # the Sekretaris (or who acts): "Diverifikasi oleh"
    approver: Signatory | None = None  # the Kepala Dinas (or who acts): "Mengetahui"


_MARKS = {"✓": "mark_ok", "⚠": "mark_late", "…": "mark_pending", "▫": "mark_waiting"}  # after `symbols`
_BAND_FILL = {rating.value: colour for rating, colour in BAND_COLOURS.items()}
_Text = Callable[..., str]  # a `laporan.*` catalogue text in the reader's language


def render_laporan(laporan: Laporan, language: str = "id") -> bytes:
    """The report as PDF bytes: A4, the indicators' table in landscape, DejaVu Sans embedded."""

    def text(key: str, **params: object) -> str:
        return t(f"laporan.{key}", language, **params)

    title = text("title")
    draft = text("draft") if laporan.draft else ""
    pdf = Document(header_text=f"{title} · {laporan.period}", mark=draft, watermark=draft,
                   footer=lambda page: text("page", page=page, pages="{nb}"), created=laporan.created_at)
    pdf.set_title(f"{title} {laporan.period}")
    pdf.set_subject(laporan.office)
    pdf.set_author(laporan.office)
    pdf.set_lang("id-ID" if language == "id" else "en")
    _title_page(pdf, laporan, text)
    _summary(pdf, laporan, text)
    _indicators(pdf, laporan, text)
    _charts(pdf, laporan, text)
    pdf.new_page()
    _kendala(pdf, laporan, text)
    if laporan.lists_evidence:
        _evidence(pdf, laporan, text)
    pdf.heading(text("review"), keep_with=15)
    pdf.bullets(laporan.review, text("not_yet"))
    pdf.heading(text("disposition"), keep_with=15)
    pdf.bullets(laporan.disposition, text("not_yet"))
    _timeline(pdf, laporan, text)
    _signatures(pdf, laporan, text)
    return bytes(pdf.output())


def _title_page(pdf: Document, laporan: Laporan, text: _Text) -> None:
    pdf.new_page()
    if laporan.letterhead is not None:
        _kop(pdf, laporan.letterhead, text)
        pdf.ln(8)
    else:
        pdf.set_y(40)
    pdf.paragraph(text("title"), size=20, bold=True, colour=ACCENT, gap=4)
    if laporan.letterhead is None or laporan.letterhead.office != laporan.office:
        pdf.paragraph(laporan.office, size=13, gap=6)
    pdf.paragraph(laporan.period, size=16, bold=True, gap=2)
    pdf.paragraph(f"{text('period_code', code=laporan.period_code)} · {text('generated', when=laporan.generated_at)}",
                  colour=MUTED, gap=6)
    if laporan.draft:
        with pdf.local_context(draw_color=DRAFT, text_color=DRAFT, line_width=0.8, font_family=FAMILY,
                               font_style="B", font_size_pt=22):
            pdf.cell(40, 12, text("draft"), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.paragraph(text("draft_note"), colour=DRAFT)
    if any(row.unapproved for row in laporan.rows):
        pdf.paragraph(text("unapproved_note"), colour=DRAFT)


def _logo(data: bytes | None) -> Image.Image | None:
    """The letterhead's logo as a picture, or None (logged) when the bytes are not one PIL reads."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            logo = opened.convert("RGBA") if opened.mode in ("P", "LA", "PA") else opened.copy()
        logo.thumbnail((LOGO_PX, LOGO_PX))  # 24 mm at 600 dpi: a photo of a logo does not weigh on every PDF
        return logo
    except (UnidentifiedImageError, OSError, ValueError) as error:
        log.warning("the letterhead's logo is not a picture (%s): drawn without it", error)
        return None


def _kop(pdf: Document, kop: Letterhead, text: _Text) -> None:
    """The kop surat: the logo at the left, the parent line, the office (bold, larger), the address and the
    contacts centred over the page, a thick and a thin rule under it."""
    top = pdf.y - 6  # the first page has no running header: the kop uses its room
    logo = _logo(kop.logo)
    indent = 0.0
    if logo is not None:
        scale = min(LOGO_MM / logo.width, LOGO_MM / logo.height)
        width, height = logo.width * scale, logo.height * scale
        pdf.image(logo, x=pdf.l_margin + (LOGO_MM - width) / 2, y=top + (LOGO_MM - height) / 2, w=width, h=height)
        indent = LOGO_MM + 2
    lines: list[tuple[str, float, bool]] = []
    if kop.parent:
        lines.append((kop.parent.upper(), 13, True))
    lines.append(((kop.office or "").upper(), 15, True))
    if kop.address:
        lines.append((kop.address, 9, False))
    contacts = [text(key, value=value) for key, value in (("kop_phone", kop.phone), ("kop_email", kop.email),
                                                           ("kop_website", kop.website)) if value]
    if contacts:
        lines.append((" · ".join(contacts), 9, False))
    pdf.set_y(top)
    left, width = pdf.l_margin + indent, pdf.epw - 2 * indent  # centred on the page, clear of the logo
    for line, size, bold in lines:
        with pdf.local_context(font_family=FAMILY, font_style="B" if bold else "", font_size_pt=size,
                               text_color=INK):
            pdf.set_x(left)
            pdf.multi_cell(width, size * 0.45, line, align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = max(pdf.y, top + (LOGO_MM if logo is not None else 0)) + 2
    with pdf.local_context(draw_color=INK):
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin, bottom, pdf.w - pdf.r_margin, bottom)
        pdf.set_line_width(0.25)
        pdf.line(pdf.l_margin, bottom + 1.2, pdf.w - pdf.r_margin, bottom + 1.2)
    pdf.set_y(bottom + 2)
    pdf.set_font(FAMILY, "", 10)


def _summary(pdf: Document, laporan: Laporan, text: _Text) -> None:
    """Under the title on page 1 (not a page of its own: three sentences would leave it blank below); the
    levels' table follows, on the next page if it does not fit."""
    pdf.heading(text("summary"), keep_with=20)
    for sentence in laporan.summary:
        pdf.paragraph(sentence, gap=2.5)
    if not laporan.summary:
        pdf.paragraph(text("none"), colour=MUTED)
    if laporan.levels:
        pdf.heading(text("levels"))
        columns = [Column(text("col_level"), 3), Column(text("col_indicators"), 1.4, "RIGHT"),
                   Column(text("col_measured"), 1.4, "RIGHT"), Column(text("col_tercapai"), 1.4, "RIGHT"),
                   Column(text("col_average"), 2, "RIGHT")]
        pdf.grid(columns, [(line.level, str(line.indicators), str(line.measured), str(line.tercapai), line.average)
                           for line in laporan.levels], size=9)


def _indicators(pdf: Document, laporan: Laporan, text: _Text) -> None:
    pdf.new_page("L")
    pdf.heading(text("table", period=laporan.period))
    if not laporan.rows:
        pdf.paragraph(text("no_rows"), colour=MUTED)
        return
    columns = [Column(text("col_code"), fit=28), Column(text("col_level"), fit=22),
               Column(text("col_name"), 3, limit=NAME_LIMIT), Column(text("col_unit"), 1),
               Column(text("col_target"), align="RIGHT", fit=36), Column(text("col_realisasi"), align="RIGHT", fit=36),
               Column(text("col_capaian"), align="RIGHT", fit=24), Column(text("col_band"), align="CENTER", fit=26)]
    if laporan.comparisons:
        columns += [Column(text(key), align="RIGHT", fit=24) for key in ("col_previous", "col_last_year",
                                                                          "col_year_progress")]
    cells, styles = [], []
    for row in laporan.rows:
        realisasi = f"{row.realisasi}\n{text('unapproved')}" if row.unapproved else row.realisasi
        line = [row.code, row.level, row.name, row.unit, row.target, realisasi, row.capaian, row.band_label]
        if laporan.comparisons:
            line += [row.previous or "–", row.last_year or "–", row.year_progress or "–"]
        cells.append(line)
        fill = BELOW_TARGET_FILL if row.tercapai is False else None
        plain = FontFace(fill_color=fill) if fill else None
        style: list[FontFace | None] = [plain] * len(line)
        colour = _BAND_FILL.get(row.band or "")
        if colour:
            style[6] = FontFace(emphasis="BOLD", color=contrast_colour(colour), fill_color=colour)
        styles.append(style)
    pdf.grid(columns, cells, styles, size=7.5 if laporan.comparisons else SMALL)  # 11 columns: smaller
    if any(row.tercapai is False for row in laporan.rows):
        with pdf.local_context(fill_color=BELOW_TARGET_FILL, draw_color=RULE):
            pdf.rect(pdf.l_margin, pdf.y + 0.8, 6, 3, style="DF")
        pdf.set_x(pdf.l_margin + 8)
        pdf.paragraph(text("below_target_note"), size=SMALL, colour=MUTED, indent=8)
    if any(row.unapproved for row in laporan.rows):
        pdf.paragraph(text("unapproved_note"), size=SMALL, colour=DRAFT)


def _charts(pdf: Document, laporan: Laporan, text: _Text) -> None:
    if not laporan.charts:
        return
    pdf.new_page()
    pdf.heading(text("charts"))
    for n, chart in enumerate(laporan.charts):
        pdf.picture(chart, here=n == 0)  # the first one under the heading, however tall


def _kendala(pdf: Document, laporan: Laporan, text: _Text) -> None:
    pdf.heading(text("kendala"))
    below = [row for row in laporan.rows if row.tercapai is False]
    if not below:
        pdf.paragraph(text("none"), colour=MUTED)
        return
    for row in below:
        block = [(f"{row.code} {row.name}", {"bold": True, "gap": 0.5}),
                 (text("capaian_line", capaian=row.capaian, band=row.band_label),
                  {"size": 9, "colour": MUTED, "indent": 5, "gap": 0.5}),
                 (text("kendala_line", text=row.kendala.strip() or text("not_filled")), {"indent": 5, "gap": 0.5}),
                 (text("tindak_lanjut_line", text=row.tindak_lanjut.strip() or text("not_filled")),
                  {"indent": 5, "gap": 3})]
        pdf.keep_together(sum(pdf.measure(line, **{k: v for k, v in style.items() if k != "colour"})
                              for line, style in block))
        for line, style in block:
            pdf.paragraph(line, **style)


def _evidence(pdf: Document, laporan: Laporan, text: _Text) -> None:
    """Each indicator's bukti dukung (SOP step 10's checked evidence): its files counted and named, its links and
    texts, in the Formulir's words (`reports.workbooks.evidence_texts`)."""
    pdf.heading(text("evidence"), keep_with=15)
    rows = [row for row in laporan.rows if row.evidence]
    if not rows:
        pdf.paragraph(text("none"), colour=MUTED)
        return
    for row in rows:
        block = [(f"{row.code} {row.name}", {"bold": True, "gap": 0.5}),
                 (row.unit, {"size": 9, "colour": MUTED, "indent": 5, "gap": 0.5}),
                 *((line, {"indent": 5, "gap": 0.5}) for line in row.evidence.splitlines())]
        block[-1] = (block[-1][0], {**block[-1][1], "gap": 3})
        pdf.keep_together(sum(pdf.measure(line, **{k: v for k, v in style.items() if k != "colour"})
                              for line, style in block))
        for line, style in block:
            pdf.paragraph(line, **style)


def _mark(mark: str, text: _Text) -> str:
    """A mutu baku mark in words: "✅" → "✓ sesuai baku"; other words stay as they are."""
    shown = symbols(mark).strip()
    return text(_MARKS[shown]) if shown in _MARKS else shown


def _timeline(pdf: Document, laporan: Laporan, text: _Text) -> None:
    pdf.heading(text("timeline"))
    if not laporan.timeline:
        pdf.paragraph(text("not_yet"), colour=MUTED)
        return
    pdf.paragraph(text("timeline_note"), size=9, colour=MUTED)
    columns = [Column(text("col_number"), 0.8, "RIGHT"), Column(text("col_step"), 5), Column(text("col_actual"), 2.4),
               Column(text("col_standard"), 2.4), Column(text("col_status"), 2.6)]
    pdf.grid(columns, [(line.number, line.step, line.actual, line.standard, _mark(line.mark, text))
                       for line in laporan.timeline], size=9)


def _signature_block(pdf: Document, x: float, width: float, top: float, heading: tuple[str, ...],
                     who: Signatory, text: _Text) -> float:
    """One signature block from `top`: its heading lines, the signatory's title, room to sign, the name (bold,
    underlined; dots to write it by hand when not set), the pangkat, the NIP. Returns where it ends."""
    pdf.set_xy(x, top)
    for line in (*heading, who.title):
        with pdf.local_context(font_family=FAMILY, font_style="", font_size_pt=10, text_color=INK):
            pdf.set_x(x)
            pdf.multi_cell(width, 5, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.y + SIGNING_ROOM)
    name = who.name or "(" + "." * 40 + ")"
    with pdf.local_context(font_family=FAMILY, font_style="BU" if who.name else "", font_size_pt=10, text_color=INK):
        pdf.set_x(x)
        pdf.multi_cell(width, 5, name, align="C", new_x="LEFT", new_y="NEXT")
    below = [who.rank] if who.rank else []
    below.append(text("nip", nip=who.nip or "." * 30))
    for line in below:
        with pdf.local_context(font_family=FAMILY, font_style="", font_size_pt=10, text_color=INK):
            pdf.set_x(x)
            pdf.multi_cell(width, 5, line, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.y


def _signatures(pdf: Document, laporan: Laporan, text: _Text) -> None:
    """The Laporan signed: the Sekretaris (or who acts) at the left as verifier, the date line and "Mengetahui,"
    the Kepala Dinas (or who acts) at the right; together on one page, under the last section or on a new
    page."""
    if laporan.verifier is None and laporan.approver is None:
        return
    pdf.heading(text("signatures"), keep_with=75)
    pdf.keep_together(75)
    top = pdf.y + 2
    half = pdf.epw / 2
    ends = [top]
    if laporan.verifier is not None:
        ends.append(_signature_block(pdf, pdf.l_margin, half - 4, top, ("", text("verified_by")),
                                     laporan.verifier, text))
    if laporan.approver is not None:
        ends.append(_signature_block(pdf, pdf.l_margin + half + 4, half - 4, top,
                                     (laporan.signed_on, text("known_by")), laporan.approver, text))
    pdf.set_xy(pdf.l_margin, max(ends) + 2)
    pdf.set_font(FAMILY, "", 10)
