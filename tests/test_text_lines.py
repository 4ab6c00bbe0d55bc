"""The Laporan's own line breaker (`reports.text_lines`) breaks every text where fpdf2's `multi_cell` does, and the
document's paragraphs and tables land where `multi_cell` and `table()` put them, with the same lines of text."""

import io

import pytest
from fpdf import FontFace
from fpdf.enums import TableCellFillMode
from fpdf.errors import FPDFException
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from reports.pdf_layout import ACCENT, FAMILY, HEADING_FILL, SMALL, Column, Document, shorten
from reports.text_lines import FontWidths

# Words, the breaking and non-breaking spaces, a soft hyphen, line breaks, symbols and a word longer than any line.
PIECES = ["a", "W", "i", "Rp1.250.000", "persentase", "realisasi", "≥ 91%", "85 – 95", "✓", " ", " ", "  ", "\n",
          "\t", "\u00a0", "\u00ad", "\u200b", "\u2009", "\f", "Superpanjangkatatanpaspasi" * 3, "M" * 6, "🎉"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def document() -> Document:
    pdf = Document()
    pdf.new_page("L")
    return pdf


@pytest.fixture(scope="module")
def pdf() -> Document:
    """One document for the examples that only measure (loading the fonts takes a while)."""
    return document()


@pytest.fixture(scope="module")
def pair() -> tuple[Document, Document]:
    """Two documents, one drawn by the Laporan's layout and one by fpdf2's, each example on new pages."""
    return document(), document()


@settings(max_examples=300, deadline=None)
@given(text=texts, bold=st.booleans(), size=st.sampled_from([7.5, 8, 9, 10, 13, 24]),
       width=st.floats(min_value=9, max_value=260), padding=st.sampled_from([0, 1.2]))
def test_lines_break_where_multi_cell_breaks(pdf, text, bold, size, width, padding):
    pdf.set_font(FAMILY, "B" if bold else "", size)
    text = pdf.normalize_text(text)
    room = width - 2 * (padding or pdf.c_margin)  # inside the padding, or the 1 mm clearance without it
    widths = FontWidths(pdf.current_font.cw, pdf.k)
    try:
        expected = pdf.multi_cell(width, 4, text, dry_run=True, output="LINES", padding=padding)
    except FPDFException:  # a glyph wider than the line
        with pytest.raises(ValueError, match="horizontal space"):
            widths.lines(text, size, room)
        return
    assert list(widths.lines(text, size, room).lines or ("",)) == expected


@settings(deadline=None)
@given(text=texts, bold=st.booleans(), size=st.sampled_from([7.5, 8, 10, 13]))
def test_widths_are_fpdfs_string_widths(pdf, text, bold, size):
    pdf.set_font(FAMILY, "B" if bold else "", size)
    text = pdf.normalize_text(text).replace("\n", "").replace("\f", "")
    assert FontWidths(pdf.current_font.cw, pdf.k).width(text, size) == pdf.get_string_width(text)


def test_a_single_character_wider_than_the_line_is_an_error_not_a_loop(pdf):
    with pytest.raises(ValueError, match="horizontal space"):
        FontWidths(pdf.fonts["dejavu"].cw, pdf.k).lines("W", 10, 1)


@settings(max_examples=60, deadline=None)
@given(paragraphs=st.lists(st.tuples(texts, st.booleans(), st.sampled_from([8, 10, 13]),
                                     st.sampled_from([0, 5, 40])), min_size=1, max_size=30))
def test_paragraphs_move_down_and_break_pages_as_multi_cell(pair, paragraphs):
    ours, theirs = pair
    for pdf in pair:
        pdf.new_page()
    for text, bold, size, indent in paragraphs:
        ours.paragraph(text, size=size, bold=bold, indent=indent, gap=1.5)
        theirs.set_font(FAMILY, "B" if bold else "", size)
        theirs.set_x(theirs.l_margin + indent)
        theirs.multi_cell(theirs.epw - indent, size * 0.5, text, align="L")
        theirs.ln(1.5)
        assert (ours.page, ours.y) == pytest.approx((theirs.page, theirs.y))


def fpdf_table(pdf: Document, columns, rows, styles, size) -> None:
    """The grid as it was drawn with fpdf2's `table()` before the Laporan laid out its own (the reference)."""
    pdf.set_font(FAMILY, "", size)
    rows = [[shorten(text, column.limit) for column, text in zip(columns, cells, strict=True)] for cells in rows]
    headings = FontFace(emphasis="BOLD", color=ACCENT, fill_color=HEADING_FILL)
    with pdf.table(col_widths=pdf._widths(columns, rows, styles, size),
                   text_align=tuple(column.align for column in columns), line_height=size * 0.45, padding=1.2,
                   headings_style=headings, v_align="TOP", cell_fill_mode=TableCellFillMode.NONE,
                   repeat_headings=1) as table:
        table.row([column.heading for column in columns])
        for n, cells in enumerate(rows):
            row = table.row()
            for text, style in zip(cells, styles[n], strict=True):
                row.cell(text, style=style)
    pdf.ln(2)


def page_texts(pdf: Document) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf.output()))).pages]


@pytest.mark.parametrize("size", [SMALL, 7.5])
def test_a_grid_has_the_rows_pages_and_lines_of_fpdfs_table(size):
    columns = [Column("Kode", fit=28), Column("Indikator kinerja", 3, limit=600), Column("Unit", 1),
               Column("Target", align="RIGHT", fit=36), Column("Capaian", align="CENTER", fit=24)]
    words = ("persentase", "realisasi", "investasi", "perizinan", "berusaha", "berbasis", "risiko", "tepat", "waktu",
             "≥", "91%", "✅")
    rows = [(f"IKU {n}.{n % 7}", " ".join(words[(n + k) % len(words)] for k in range(n % 45)),
             "Bidang Penanaman Modal" if n % 3 else "", "Rp1.250.000.000" if n % 2 else "85 – 95",
             f"{n * 1.7:.2f}%") for n in range(70)]
    band = FontFace(emphasis="BOLD", color="#ffffff", fill_color="#1b7a3a")
    styles = [[FontFace(fill_color="#fde2e0") if n % 5 == 0 else None] * 4 + [band if n % 2 else None]
              for n in range(70)]
    ours, theirs = document(), document()
    for pdf in (ours, theirs):
        pdf.paragraph("Capaian indikator kinerja " * 3)
    ours.grid(columns, rows, styles, size=size)
    fpdf_table(theirs, columns, rows, styles, size)
    assert (ours.page, ours.y) == pytest.approx((theirs.page, theirs.y))
    assert ours.page >= 4
    assert page_texts(ours) == page_texts(theirs)
