"""The council document: sammanstalld_analys.docx read back with python-docx (not with the
writer's code), its PDF read with poppler's tools, the office's Word template, and the
PDF conversion stopped when LibreOffice hangs or skipped when it is missing.

One report of the example city's period end is made for the module, with a board's
analysis and the executive board's texts holding what could become a field, a link or
markup in a Word document."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import docx
import numpy as np
import pytest
from docx.oxml.ns import qn

from analysis.catalogue import load_catalogue
from analysis.cli import main
from analysis.config import REPOSITORY_ROOT
from analysis.errors import ReportFailed

from conftest import AREA_TEXTS, CATALOGUE_FILE, CITY_TEXT, GOAL_TEXTS, HOSTILE, MARKUP, THEME_TEXTS, copy_city

OCCASION = "2026-ar"
HAS_SOFFICE = shutil.which("soffice") is not None
NO_SOFFICE = "LibreOffice (soffice) is not installed here; `make setup` installs it"


@pytest.fixture(scope="module")
def council(reported_city):
    """The period end's report of the shared example city (conftest.reported_city): GRN's
    first analysis text holds HOSTILE, and the executive board wrote its texts."""
    paths, _ = reported_city
    folder = paths.report_for(OCCASION)
    return paths, folder, docx.Document(str(folder / "sammanstalld_analys.docx"))


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CATALOGUE_FILE)


def _blocks(document) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph of the body, in order (tables left out)."""
    return [(p.style.name, p.text) for p in document.paragraphs]


def _headings(document) -> list[tuple[int, str]]:
    return [(int(style.split()[-1]), text) for style, text in _blocks(document) if style.startswith("Heading ")]


def test_headings_use_the_templates_heading_styles_in_order_without_skipped_levels(council, catalogue):
    _, _, document = council
    headings = _headings(document)
    assert headings[0][0] == 1 and len(headings) > 40
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, text
    assert {level for level, _ in headings} == {1, 2, 3}
    expected = []
    for area in catalogue.goal_areas.itertuples():
        expected.append((2, f"Målområde {area.goal_area_code}: {area.goal_area_name}"))
        goals = catalogue.goals[catalogue.goals["goal_area_code"] == area.goal_area_code]
        expected += [(3, f"KF-mål {g.goal_code}: {g.goal_name}") for g in goals.itertuples()]
    main = headings[:next(i for i, (_, text) in enumerate(headings) if text.startswith("Bilaga "))]
    found = [h for h in main if h[1].startswith(("Målområde ", "KF-mål "))]
    assert found == expected and len(expected) == 5 + 15
    # the appendix of plan and outcome per contribution has a heading per KF goal
    assert [h for h in headings[len(main):] if h[1].startswith("KF-mål ")][:15] == [(2, t) for _, t in expected
                                                                                     if t.startswith("KF-mål ")]


def _after(document, heading: str) -> list[tuple[str, str]]:
    """The paragraphs right after a heading, up to the next heading."""
    blocks = _blocks(document)
    start = next(i for i, (style, text) in enumerate(blocks) if style.startswith("Heading ") and text == heading)
    out = []
    for style, text in blocks[start + 1:]:
        if style.startswith("Heading "):
            break
        out.append((style, text))
    return out


def _judgement_box(document, heading: str) -> list[str]:
    """The executive board's box at the head of a section: the paragraphs in its style
    that come first after the heading."""
    box = []
    for style, text in _after(document, heading):
        if style != "Kommunstyrelsens bedömning":
            break
        box.append(text)
    return box


def test_the_executive_boards_text_stands_at_the_head_of_each_section(council, catalogue):
    _, _, document = council
    city = _judgement_box(document, "Sammanfattning för hela staden")
    assert city[0] == "Kommunstyrelsens bedömning" and CITY_TEXT in city
    for area in catalogue.goal_areas.itertuples():
        box = _judgement_box(document, f"Målområde {area.goal_area_code}: {area.goal_area_name}")
        assert box[0] == "Kommunstyrelsens bedömning", area.goal_area_code
        assert "Bedömning av förflyttningen: Ingen förflyttning" in box and AREA_TEXTS[area.goal_area_code] in box
    for goal in catalogue.goals.itertuples():
        box = _judgement_box(document, f"KF-mål {goal.goal_code}: {goal.goal_name}")
        assert box[0] == "Kommunstyrelsens bedömning", goal.goal_code
        if goal.goal_code in GOAL_TEXTS:
            level, text = GOAL_TEXTS[goal.goal_code]
            assert f"Bedömning av förflyttningen: {level}" in box and text in box, box
            assert "Har önskad förflyttning nåtts? Kommunstyrelsens bedömning pågår" in box  # the period end asks
        else:
            assert box[1:] == ["Kommunstyrelsens bedömning pågår."], goal.goal_code
    for theme in (*catalogue.scales["theme"].labels, "Grunduppdraget"):
        box = _judgement_box(document, theme)
        assert box[1:] == [THEME_TEXTS.get(theme, "Kommunstyrelsens bedömning pågår.")], theme


def test_every_exported_chart_is_one_picture_with_its_alt_text(council):
    _, folder, document = council
    pngs = sorted((folder / "diagram").glob("*.png"))
    assert len(pngs) == 12  # every chart of the period end (council assignments and cooperation included)
    properties = list(document.element.body.iter(qn("wp:docPr")))
    assert len(document.inline_shapes) == len(properties) == len(pngs)
    by_name = {p.get("name"): p for p in properties}
    assert sorted(by_name) == sorted(p.stem for p in pngs)
    blips = {}
    for inline in document.element.body.iter(qn("wp:inline")):
        name = inline.find(qn("wp:docPr")).get("name")
        blips[name] = next(inline.iter(qn("a:blip"))).get(qn("r:embed"))
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for png in pngs:
        alt = (png.with_suffix("").with_suffix(".alt.txt")).read_text(encoding="utf-8").strip()
        assert alt and by_name[png.stem].get("descr") == alt, png.name
        # the very file in diagram/, not a second export
        assert document.part.related_parts[blips[png.stem]].blob == png.read_bytes(), png.name
    for shape in document.inline_shapes:
        assert shape.width <= text_width
    assert max(shape.width for shape in document.inline_shapes) == text_width


def test_every_tables_first_row_is_a_header_row_repeated_on_each_page(council):
    _, _, document = council
    tables = list(document.element.body.iter(qn("w:tbl")))
    assert len(tables) == len(document.tables) > 80  # the per-goal details in the appendices: fewer, longer tables
    for table, shown in zip(tables, document.tables):
        header = shown.rows[0].cells[0].text
        assert header, "a table without a header"
        properties = table.find(qn("w:tr")).find(qn("w:trPr"))
        assert properties is not None and properties.find(qn("w:tblHeader")) is not None, header
        assert shown.style.name == "Rapporttabell"


def test_title_language_cover_and_table_of_contents(council):
    _, _, document = council
    properties = document.core_properties
    assert properties.title == "Sammanställd analys – Årsredovisning 2026 – Exempeldata"
    assert properties.language == "sv-SE"
    default = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert default.get(qn("w:val")) == "sv-SE"
    cover = [text for _, text in _blocks(document)[:10]]
    assert cover[:2] == ["Sammanställd analys", "Årsredovisning 2026"]
    assert "Mandatperiod 2023-2026" in cover and "Exempeldata – inte verkliga uppgifter" in cover
    assert any(text.startswith("Datum: ") for text in cover)
    # the table of contents: every heading of levels 1-3, in order, linked to its bookmark,
    # with its page number as a PAGEREF field (computed where the document is laid out)
    entries = [p for p in document.paragraphs if p.style.name.startswith("TOC ") and p.style.name != "TOC Heading"]
    headings = [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs
                if p.style.name in ("Heading 1", "Heading 2", "Heading 3")]
    # the appendices are listed, but not their heading for every KF goal
    first_appendix = next(i for i, (_, text) in enumerate(headings) if text.startswith("Bilaga "))
    headings = headings[:first_appendix] + [h for h in headings[first_appendix:] if not h[1].startswith("KF-mål ")]
    assert [(int(p.style.name.split()[-1]), p._p.xpath("string(.//w:hyperlink/w:r[1])")) for p in entries] == headings
    assert sum(text.startswith("Bilaga ") for _, text in headings) == 6
    instructions = [i.text for i in document.element.body.iter(qn("w:instrText"))]
    assert instructions == [f" PAGEREF _Toc{n} \\h " for n in range(1, len(headings) + 1)]
    marks = [m.get(qn("w:name")) for m in document.element.body.iter(qn("w:bookmarkStart"))]
    assert marks == [f"_Toc{n}" for n in range(1, len(headings) + 1)]
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    assert document.settings.element.find(qn("w:autoHyphenation")).get(qn("w:val")) == "true"  # in Swedish
    assert round(document.sections[0].page_width.mm) == 210


def test_board_text_stays_text_not_field_link_or_markup(council):
    _, folder, document = council
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(t == f"Arbetet går framåt enligt plan och följs upp. {MARKUP} {HOSTILE}" for t in texts)  # in its table
    assert CITY_TEXT in texts  # the executive board's text
    assert "Fler elever når målen.\nSärskilt i årskurs 9." in texts  # line breaks kept as breaks
    body = document.element.body
    assert list(body.iter(qn("w:fldSimple"))) == []
    # links and fields: only the table of contents' own (internal links, page numbers)
    links = list(body.iter(qn("w:hyperlink")))
    assert links and all(link.get(qn("w:anchor")).startswith("_Toc") and link.get(qn("r:id")) is None for link in links)
    assert all(i.text.startswith(" PAGEREF _Toc") for i in body.iter(qn("w:instrText")))
    with zipfile.ZipFile(folder / "sammanstalld_analys.docx") as archive:
        xml = archive.read("word/document.xml").decode()
        assert "&lt;b&gt;x&lt;/b&gt;" in xml and "<b>" not in xml
        assert not any("hyperlink" in archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels"))


def test_the_committed_template_is_what_its_script_writes():
    from analysis.report.word_template import template_bytes

    made = zipfile.ZipFile(io.BytesIO(template_bytes()))
    committed = zipfile.ZipFile(REPOSITORY_ROOT / "data" / "reference" / "rapportmall.docx")
    assert made.namelist() == committed.namelist()
    for name in made.namelist():
        assert made.read(name) == committed.read(name), name


def test_the_template_is_plain_a4_with_the_styles_the_office_restyles():
    template = docx.Document(str(REPOSITORY_ROOT / "data" / "reference" / "rapportmall.docx"))
    section = template.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    names = {s.name for s in template.styles}
    assert {"Heading 1", "Heading 2", "Heading 3", "Caption", "Rapporttabell", "Kommunstyrelsens bedömning"} <= names
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title", "Caption"):
        color = template.styles[name].font.color
        assert color.theme_color is None and str(color.rgb) in {"000000", "404040"}, name
    footer = template.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Sida ") and " av " in footer


@pytest.mark.parametrize("case", ["saknas", "inte_word", "dotx", "utan_formatmall"])
def test_a_missing_or_broken_template_gets_a_clear_message(tmp_path, case):
    from analysis.report.word_template import open_template

    path = tmp_path / "rapportmall.docx"
    if case == "inte_word":
        path.write_bytes(b"inte en zip-fil")
    elif case == "dotx":
        shutil.copy(REPOSITORY_ROOT / "data" / "reference" / "rapportmall.docx", path)
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"document.main+xml", b"template.main+xml")
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    elif case == "utan_formatmall":
        template = docx.Document(str(REPOSITORY_ROOT / "data" / "reference" / "rapportmall.docx"))
        style = template.styles["Rapporttabell"].element
        style.getparent().remove(style)
        template.save(str(path))
    with pytest.raises(ReportFailed) as raised:
        open_template(path)
    message = str(raised.value)
    expected = {"saknas": "saknas", "inte_word": "kan inte läsas som ett Word-dokument",
                "dotx": "Word-mall, .dotx", "utan_formatmall": "saknar formatmallarna Rapporttabell"}[case]
    assert expected in message and str(path) in message


def test_a_broken_template_stops_the_report_with_a_message_and_no_traceback(council, tmp_path):
    paths, _, _ = council
    root = copy_city(paths, tmp_path / "stad").root
    (root / "data" / "reference" / "rapportmall.docx").write_bytes(b"trasig")
    result = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(root), "report", "--period", OCCASION],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 3
    assert "kan inte läsas som ett Word-dokument" in result.stderr and "Traceback" not in result.stderr


# --- the PDF ----------------------------------------------------------------------------


def _png_pixels(path: Path) -> np.ndarray:
    """The grey values of an 8-bit greyscale or RGB PNG, as pdftoppm writes them (decoded
    here: the test environment has no imaging library)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        chunks.setdefault(kind, []).append(data[at + 8:at + 8 + length])
        at += 12 + length
    header = chunks[b"IHDR"][0]
    width, height, depth, colour = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big"), header[8], header[9]
    assert depth == 8 and colour in (0, 2)
    channels = 1 if colour == 0 else 3
    stride = width * channels
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    rows, previous = [], [0] * stride
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        out = [0] * stride
        for x in range(stride):
            left = out[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 0:
                out[x] = line[x]
            elif kind == 1:
                out[x] = (line[x] + left) % 256
            elif kind == 2:
                out[x] = (line[x] + up) % 256
            elif kind == 3:
                out[x] = (line[x] + (left + up) // 2) % 256
            else:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                out[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) % 256
        rows.append(out)
        previous = out
    return np.array(rows).reshape(height, width, channels).mean(axis=2)


@pytest.mark.skipif(not HAS_SOFFICE, reason=NO_SOFFICE)
def test_the_pdf_has_the_pages_libreoffice_numbered_and_every_goal(council, catalogue):
    _, folder, _ = council
    pdf = folder / "sammanstalld_analys.pdf"
    assert pdf.stat().st_size > 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "Tagged:          yes" in info and "Title:           Sammanställd analys – Årsredovisning 2026" in info
    # LibreOffice's own count: every page after the cover shows "Sida N av M" from its PAGE
    # and NUMPAGES fields, laid out by LibreOffice; the PDF must have exactly those pages.
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    per_page = text.split("\f")[:pages]
    assert len(per_page) == pages > 20
    for number, page in enumerate(per_page[1:], 2):
        assert f"Sida {number} av {pages}" in page, number
    flat = " ".join(text.split())
    for goal in catalogue.goals.itertuples():
        assert goal.goal_code in flat and goal.goal_name in flat, goal.goal_code
    assert "Exempeldata" in flat
    # the table of contents was updated by LibreOffice: entries with page numbers
    assert any("KF-mål 1.1: " in line and line.rstrip()[-1].isdigit() for line in per_page[1].splitlines())


@pytest.mark.skipif(not HAS_SOFFICE, reason=NO_SOFFICE)
def test_the_first_pages_render_and_are_not_blank(council, tmp_path):
    _, folder, _ = council
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", "30", "-f", "1", "-l", "4", str(folder / "sammanstalld_analys.pdf"),
                    str(tmp_path / "sida")], check=True, timeout=120)
    pictures = sorted(tmp_path.glob("sida-*.png"))
    assert len(pictures) == 4
    for picture in pictures:
        pixels = _png_pixels(picture)
        assert pixels.shape[0] > pixels.shape[1] > 100  # A4, upright
        ink = (pixels < 220).mean()
        assert 0.001 < ink < 0.5, (picture.name, ink)  # text on a white page


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _fake_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A LibreOffice that hangs, in a child process too, noting their pids, after making
    its temporary folder (named as LibreOffice names it, noted in `lu`)."""
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nmkdir \"$TMPDIR/lu1234abcd.tmp\" && echo \"$TMPDIR/lu1234abcd.tmp\" > {tmp_path / 'lu'}\n"
                    f"sleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nsleep 300\n")
    fake.chmod(0o755)
    return fake, pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_hung_libreoffice_is_stopped_and_nothing_is_left_behind(tmp_path):
    from analysis.report import pdf

    fake, pids = _fake_soffice(tmp_path)
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    started = time.monotonic()
    with pytest.raises(pdf.PdfFailed, match="blev inte klar med PDF-versionen på 2 s och stoppades"):
        pdf.convert_to_pdf(source, tmp_path / "a.pdf", program=str(fake), timeout=2)
    assert time.monotonic() - started < 30
    assert len(pids.read_text().split()) == 2
    for _ in range(50):  # SIGKILL is delivered at once; the processes may take a moment to go
        if not any(_alive(int(p)) for p in pids.read_text().split()):
            break
        time.sleep(0.1)
    assert not any(_alive(int(p)) for p in pids.read_text().split())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "lu", "pids", "soffice"]
    assert not Path((tmp_path / "lu").read_text().strip()).exists()  # a stopped LibreOffice's own temporary files too


def test_a_libreoffice_that_fails_is_said_in_swedish(tmp_path):
    from analysis.report import pdf

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    with pytest.raises(pdf.PdfFailed, match=r"LibreOffice skrev ingen PDF \(Error: source file could not be loaded\)"):
        pdf.convert_to_pdf(source, tmp_path / "a.pdf", program=str(fake))
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.skipif(not HAS_SOFFICE, reason=NO_SOFFICE)
def test_an_unchanged_run_does_nothing_with_the_pdf_there(council, tmp_path, capsys):
    paths, _, _ = council
    root = copy_city(paths, tmp_path / "stad")  # an unchanged run still writes a line in its log
    folder = root.report_for(OCCASION)
    before = folder.resolve()
    assert main(["--root", str(root.root), "run", "--period", OCCASION]) == 0
    assert "Inget har ändrats" in capsys.readouterr().out and folder.resolve() == before
    assert (folder / "sammanstalld_analys.pdf").exists()


def test_without_libreoffice_the_report_is_made_says_so_once_and_keeps_no_old_pdf(council, tmp_path, monkeypatch,
                                                                                   capsys):
    from analysis.report import pdf

    paths, _, _ = council
    root = copy_city(paths, tmp_path / "stad")  # with its report, and that report's PDF where LibreOffice is
    if HAS_SOFFICE:  # the report without a PDF must not carry the earlier one over
        assert (root.report_for(OCCASION) / "sammanstalld_analys.pdf").exists()
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    capsys.readouterr()
    assert main(["--root", str(root.root), "report", "--period", OCCASION]) == 0
    said = capsys.readouterr()
    assert said.err.count("PDF-versionen gjordes inte: LibreOffice saknas") == 1
    folder = root.report_for(OCCASION)
    assert (folder / "sammanstalld_analys.docx").stat().st_size > 0
    assert not (folder / "sammanstalld_analys.pdf").exists()
    assert main(["--root", str(root.root), "run", "--period", OCCASION]) == 0  # nothing to do: no PDF expected
    assert "Inget har ändrats" in capsys.readouterr().out
