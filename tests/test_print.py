"""The council document in print: no word broken in the middle (every word of the PDF's
text is a word of the Word file, a hyphenated one joined again), every table column at
least as wide as its longest word, wide tables on landscape pages with the same header
and footer, the main part within 40 pages and the appendices after it, and the PDF
tagged, in Swedish, with bookmarks, alt texts and its title shown (read with pikepdf, not
with the writer's code)."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest

from analysis.report.document import column_widths
from pdf_words import broken_in, broken_words, running_words

OCCASIONS = ("2026-ar", "2026-delar")
needs_pdf_tools = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) saknas")


def _pdf(paths, occasion: str):
    pdf = paths.report_for(occasion) / "sammanstalld_analys.pdf"
    if not pdf.exists():
        pytest.skip("LibreOffice saknas: ingen PDF")
    return pdf


# --- the check itself, on lines made by hand -------------------------------------------------

WORDS = {"Målområde", "förflyttning", "KF", "mål", "Kultur", "och", "fritid", "omsorgsnämnden", "Hälsa", "vård", "GRN",
         "Läxhjälp", "V", "n", "T", "Sida", "av"}


def test_a_word_cut_without_a_hyphen_is_broken():
    total, broken = broken_in(["Målomr", "åde"], WORDS)
    assert total == 2 and [b.split(" ")[0] for b in broken] == ["Målomr", "åde"]


def test_a_word_hyphenated_at_a_line_end_is_whole():
    assert broken_in(["förflytt-", "ning"], WORDS) == (1, [])
    assert broken_in(["KF-", "mål"], WORDS) == (2, [])  # a compound at its own hyphen: two words
    # 'Kultur-' (a word, before 'och') does not take the rest of 'omsorgs-'
    assert broken_in(["Hälsa-, vård- och omsorgs-", "Kultur- och fritid", "nämnden"], WORDS) == (7, [])
    # a table row: the cells side by side on one line, the rest of a cell's word on the next
    assert broken_in(["GRN-01 Läx- V/n T/n", "hjälp", "Sida 3 av 9"], WORDS) == (8, [])


def test_a_hyphenated_piece_without_its_rest_is_broken():
    total, broken = broken_in(["förflytt-", "Sida 3 av 9"], WORDS)
    assert broken == ["förflytt- (förflytt-)"] and total == 3


# --- column widths, worked out by hand from Arial's widths -------------------------------------
# 10 pt: 'mm' 2 × 833/1000 × 10 = 16.66 pt; 'mm mm' 4 × 8.33 + 2.78 = 36.1 pt; bold 'ii' 5.56 pt;
# 'l' 2.22 pt. A width in twips: points × 1.04 (room) × 20, whole, + 20 (a point), + margins (100).
# Column 1: least 466 (16.66 pt), most 870 (36.1 pt); column 2: least = most = 235 (5.56 pt).

HEADERS, ROWS = ["ii", "ii"], [["mm mm", "l"]]


def test_columns_that_fit_on_one_line_share_the_width_by_their_lines():
    # 1 105 on one line, 1 895 over: 870 + 1 895 × 870 // 1 105 = 2 361; 235 + 1 895 × 235 // 1 105 = 638
    assert column_widths(HEADERS, ROWS, 10, 3000, 100) == [2361, 638]


def test_a_column_is_never_narrower_than_its_longest_word():
    # 1 000: both at least their longest word (701); the 299 over go to the text column, whose
    # cells average 20.83 pt on one line (553), the other's no wider than its longest line
    assert column_widths(HEADERS, ROWS, 10, 1000, 100) == [765, 235]
    assert column_widths(HEADERS, ROWS, 10, 600, 100) is None  # 701 do not fit: landscape
    assert column_widths(HEADERS, ROWS, 10, 600, 100, squeeze=True) == [398, 201]  # 600 × 466 // 701, 600 × 235 // 701


# --- the example city's documents ------------------------------------------------------------


@needs_pdf_tools
@pytest.mark.parametrize("occasion", OCCASIONS)
def test_no_word_of_the_pdf_is_broken(reported_city, occasion):
    paths, _ = reported_city
    folder = paths.report_for(occasion)
    total, broken = broken_words(_pdf(paths, occasion), folder / "sammanstalld_analys.docx")
    assert total > 10_000
    assert broken == []


def _sections(document):
    from docx.oxml.ns import qn

    body = document.element.body
    return [p for p in body.iter(qn("w:sectPr"))]


def test_wide_tables_are_on_landscape_pages_with_the_same_header_and_footer(reported_city):
    from docx.oxml.ns import qn

    paths, _ = reported_city
    document = docx.Document(str(paths.report_for("2026-ar") / "sammanstalld_analys.docx"))
    sections = _sections(document)
    landscape = [s for s in sections if s.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"]
    assert len(sections) > 2 and landscape
    references = {tuple(sorted((r.tag, r.get(qn("w:type")), r.get(qn("r:id"))) for r in s
                               if r.tag in (qn("w:headerReference"), qn("w:footerReference")))) for s in sections}
    assert len(references) == 1 and len(next(iter(references))) >= 2  # one header and footer for every section
    # A4 with 25 mm margins: 160 mm of text upright (9 071 twips), 247 mm on its side (14 003)
    for section in document.sections:
        upright = section.page_height > section.page_width
        assert round((section.page_width - section.left_margin - section.right_margin) / 914400 * 25.4) == (
            160 if upright else 247)
    assert sum(1 for s in sections if s.find(qn("w:titlePg")) is not None) == 1  # the cover alone has none


@needs_pdf_tools
def test_the_main_part_is_at_most_40_pages_and_the_appendices_follow(reported_city):
    import pikepdf

    paths, _ = reported_city
    with pikepdf.open(_pdf(paths, "2026-ar")) as pdf, pdf.open_outline() as outline:
        starts = {}
        for item in outline.root:
            destination = item.destination if item.destination is not None else item.action.D
            starts[str(item.title)] = pdf.pages.index(pikepdf.Page(destination[0])) + 1
        pages = len(pdf.pages)
        on_side = [i + 1 for i, p in enumerate(pdf.pages) if float(p.mediabox[2]) > float(p.mediabox[3])]
    appendices = [title for title in starts if title.startswith("Bilaga")]
    assert [re.match(r"Bilaga (\d+): ", t).group(1) for t in appendices] == [str(n) for n in range(1, 7)]
    assert [t.split(": ", 1)[1] for t in appendices] == [
        "Plan och utfall per bidrag", "Förändringar sedan förra uppföljningen", "Indikatorer",
        "Återrapportering av KF-uppdrag", "Datakvalitet", "Om underlaget"]
    first = starts[appendices[0]]
    assert first - 1 <= 40 and starts["Inledning"] <= starts["Sammanfattning för hela staden"] < first
    assert on_side and min(on_side) >= first  # landscape pages in the appendices only
    text = subprocess.run(["pdftotext", "-layout", "-f", str(on_side[0]), "-l", str(on_side[0]), str(_pdf(paths, "2026-ar")),
                           "-"], capture_output=True, text=True, check=True).stdout
    assert "Sammanställd analys – Årsredovisning 2026" in text and f"Sida {on_side[0]} av {pages}" in text


def test_the_pdf_is_tagged_swedish_with_bookmarks_alt_texts_and_its_title_shown(reported_city):
    import pikepdf

    paths, _ = reported_city
    folder = paths.report_for("2026-ar")
    document = docx.Document(str(folder / "sammanstalld_analys.docx"))
    chapters = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    alt_texts = sorted(p.read_text(encoding="utf-8").strip() for p in (folder / "diagram").glob("*.alt.txt"))
    with pikepdf.open(_pdf(paths, "2026-ar")) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) and "/StructTreeRoot" in root
        assert str(root.Lang) == "sv-SE"
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo.Title) == "Sammanställd analys – Årsredovisning 2026 – Exempeldata"
        with pdf.open_outline() as outline:
            assert [str(item.title) for item in outline.root] == chapters
            goal_areas = next(item for item in outline.root if item.title == "Målområden och kommunfullmäktigemål")
            assert len(goal_areas.children) == 5
        figures = []

        def walk(element):
            if isinstance(element, pikepdf.Dictionary):
                if element.get("/S") == "/Figure":
                    figures.append(str(element.get("/Alt", "")).strip())
                kids = element.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                    walk(kid)

        walk(root.StructTreeRoot)
    assert sorted(figures) == alt_texts and len(figures) == 12


def test_the_example_citys_report_has_the_executive_boards_words_in_place(reported_city):
    """At 2026-delar the judgement file is the demo's: every level is filled in, and its
    words stand in the HTML, the Word file and the PDF; nothing reads 'pending'."""
    from analysis.catalogue import load_catalogues
    from analysis.occasion import Occasion
    from analysis.report.judgement import read_judgement

    paths, _ = reported_city
    occasion = Occasion.parse("2026-delar")
    catalogue = load_catalogues(paths.reference)["2023-2026"]
    judgement = read_judgement(paths.judgement_for(occasion.code), catalogue, occasion)
    texts = [judgement.city, *judgement.goal_areas["wording"], *judgement.goals["wording"],
             *judgement.human_rights["wording"]]
    assert all(isinstance(t, str) and len(t) > 40 for t in texts) and len(texts) == 1 + 5 + 15 + 5
    assert "Kommunstyrelsens bedömning pågår" not in set(judgement.goals["assessment_label"])
    folder = paths.report_for(occasion.code)
    html = (folder / "sammanstalld_analys.html").read_text(encoding="utf-8")
    word = "\n".join(p.text for p in docx.Document(str(folder / "sammanstalld_analys.docx")).paragraphs)
    for text in texts:
        assert text in html and text in word, text
    assert "pågår" not in " ".join(re.findall(r'<div class="ks-bedomning".*?</div>', html, re.S))
    if shutil.which("pdftotext") and (folder / "sammanstalld_analys.pdf").exists():
        printed = " ".join(running_words(folder / "sammanstalld_analys.pdf", folder / "sammanstalld_analys.docx"))
        for text in texts:
            assert " ".join(re.findall(r"[^\W\d_]+", text)) in printed, text
        assert "Kommunstyrelsens bedömning pågår" not in printed
