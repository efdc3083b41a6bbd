"""The council document: the compiled analysis as a Word file (`sammanstalld_analys.docx`),
built from the same report data as the HTML and on the city office's template
(analysis.report.word_template), for the interim and annual reports the council reads.

It reads top to bottom like the report notebook: a cover (title, occasion, mandate period,
date, *Exempeldata* where it is), a table of contents field that Word and LibreOffice
update, the city-wide summary, the whole-period analysis at the period end, then per goal
area and KF goal the executive board's own assessment and text first and the computed
evidence after it, the human-rights section, and as appendices the data quality and what
the report rests on. What is shown comes from `analysis.report.content`; the charts are
the PNG files the export wrote, each with its alt text.

Accessible by construction: headings use the template's heading styles in order, with no
level skipped; every picture carries its alt text (`descr` of `wp:docPr`); every table's
first row is a header row repeated on each page; the document's language is Swedish and
its title set. Text from the boards and the analysts only ever goes into a run's text,
escaped, so nothing they typed becomes a field, a link or a style.

The body's paragraphs and tables are written as WordprocessingML text (analysis.report.
wordml: the same XML python-docx's API writes, without its cost per cell) and parsed in
one go into the document's body; the pictures go in through python-docx's API.
python-docx has no API for fields, header rows or alt text: those are written as XML too,
or through its element objects."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd

from analysis.files import write_bytes
from analysis.report import content as rc, wordml
from analysis.report.data import ReportData
from analysis.report.word_template import JUDGEMENT_STYLE, LANGUAGE, TABLE_STYLE

TOC_LEVELS = "1-3"
TOC_PLACEHOLDER = ("Innehållsförteckningen fylls i när dokumentet öppnas: i Word svara Ja på frågan om att uppdatera "
                   "fälten, i LibreOffice välj Verktyg > Uppdatera > Uppdatera alla.")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november",
          "december")
# Characters XML 1.0 cannot hold (a control character pasted into a cell): shown as their code.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Picture:
    """A chart as the document shows it: its exported PNG, alt text and title."""

    png: Path
    alt_text: str
    title: str


def safe_text(value: object) -> str:
    """Text as a run holds it: line breaks as '\\n' (one break each), and characters XML
    cannot hold shown as ⟨U+000B⟩ rather than breaking the file."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def swedish_date(iso: str) -> str:
    """'2026-03-12T10:15:00+01:00' -> '12 mars 2026'."""
    try:
        day = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag if ":" in tag else f"w:{tag}")


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag if ":" in tag else f"w:{tag}")
    for name, value in attributes.items():
        element.set(_w(name), value)
    return element


class _Writer:
    """Adds the report's parts to the document, in order. Paragraphs and tables are
    gathered as WordprocessingML text (analysis.report.wordml) and put into the body in
    one go when a picture's paragraph comes or the text is done (`flush`)."""

    def __init__(self, document, pictures: Mapping[str, Picture]):
        self.document = document
        self.pictures = pictures
        self.body = document.element.body
        section = document.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin
        self.text_height = section.page_height - section.top_margin - section.bottom_margin
        self.shown: set[str] = set()
        self.placed: list[tuple] = []  # (run, picture): the pictures go in once their files exist
        self.level = 0  # the last heading's level: a heading may go at most one level deeper
        self.parts: list[str] = []  # WordprocessingML not yet in the body
        self.style_ids: dict[str, str | None] = {}

    def style_id(self, name: str | None) -> str | None:
        """The template's id of the style `name`; None for the default style, which a
        paragraph or table has without naming it (as python-docx writes it)."""
        if name is None:
            return None
        if name not in self.style_ids:
            styles = self.document.styles
            style = styles[name]
            self.style_ids[name] = None if style == styles.default(style.type) else style.style_id
        return self.style_ids[name]

    def flush(self) -> None:
        """The gathered parts into the body, before its section properties (where
        python-docx's `add_paragraph` puts a paragraph)."""
        from docx.oxml import parse_xml

        if not self.parts:
            return
        section = self.body.find(_w("sectPr"))
        for element in list(parse_xml(wordml.body(self.parts))):
            if section is None:
                self.body.append(element)
            else:
                section.addprevious(element)
        self.parts = []

    def heading(self, level: int, text: object) -> None:
        if level > self.level + 1:
            raise ValueError(f"Heading level {level} after level {self.level}: '{text}'.")
        self.level = level
        self.parts.append(wordml.paragraph(wordml.run(safe_text(text)), self.style_id(f"Heading {level}")))

    def para(self, text: object = "", bold: object = "", style: str | None = None, italic: bool = False,
             keep_with_next: bool = False) -> None:
        runs = (wordml.run(safe_text(bold), bold=True) if bold else "") + (
            wordml.run(safe_text(text), italic=italic) if text else "")
        self.parts.append(wordml.paragraph(runs, self.style_id(style), keep_with_next))

    def caption(self, text: object, above: bool) -> None:
        self.para(text, style="Caption", keep_with_next=above)

    def page_break(self) -> None:
        self.parts.append(wordml.page_break())

    def table(self, frame: pd.DataFrame, caption: object = None, percent_columns: tuple[str, ...] = (),
              decimals: dict[str, int] | None = None) -> None:
        """A table with its caption above it, the header row first and repeated on each
        page, numbers right-aligned, columns as wide as their text calls for."""
        from docx.shared import Emu

        if caption:
            self.caption(caption, above=True)
        headers = [str(c) for c in frame.columns]
        rows = rc.cell_texts(frame, percent_columns, decimals)
        numeric = [name in percent_columns or name in (decimals or {}) or pd.api.types.is_integer_dtype(frame[name].dtype)
                   or pd.api.types.is_float_dtype(frame[name].dtype) for name in frame.columns]
        widths = [Emu(width).twips for width in self._widths(headers, rows)]
        self.parts.append(wordml.table([safe_text(h) for h in headers], [[safe_text(v) for v in r] for r in rows],
                                       widths, numeric, self.style_id(TABLE_STYLE)))
        self.para()  # room after the table (and two tables never merge)

    def _widths(self, headers: list[str], rows: list[tuple[str, ...]]) -> list[int]:
        """Column widths within the text width: each at least as wide as its longest word
        (up to a limit), the rest shared by how much text a column typically holds."""
        from docx.shared import Pt

        sample = rows[:200]
        least, weights = [], []
        for i, header in enumerate(headers):
            cells = [r[i] for r in sample]
            word = max((len(w) for text in [header, *cells] for w in text.split()), default=1)
            least.append(int(Pt(4.6) * min(word, 10) + Pt(7)))  # 9 pt Arial: about 4.6 pt a letter
            weights.append(min(sum(map(len, cells)) / len(cells) if cells else len(header), 80))
        room = self.text_width - sum(least)
        if room <= 0:
            return [int(self.text_width * w / sum(least)) for w in least]
        total = sum(weights) or 1
        return [int(w + room * weight / total) for w, weight in zip(least, weights)]

    def chart(self, name: str) -> None:
        """A chart by name, as large as the text width allows, with its alt text; a chart
        that does not apply to the report shows nothing."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        picture = self.pictures.get(name)
        if picture is None or name in self.shown:
            return
        self.shown.add(name)
        self.flush()
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        self.placed.append((paragraph.add_run(), picture))
        self.caption(f"Diagram: {picture.title}", above=False)

    def add_pictures(self) -> None:
        """Each chart's PNG into the run kept for it, as wide as the text (at most four
        fifths of the page high), with the chart's alt text as the picture's description."""
        most = int(self.text_height * 0.8)
        for run, picture in self.placed:
            shape = run.add_picture(str(picture.png), width=self.text_width)
            if shape.height > most:
                shape.width, shape.height = int(shape.width * most / shape.height), most
        described = list(self.body.iter(_w("wp:docPr")))  # the body's pictures are the charts, in order
        if len(described) != len(self.placed):
            raise ValueError(f"{len(described)} pictures in the document for {len(self.placed)} charts.")
        for properties, (_, picture) in zip(described, self.placed):
            properties.set("descr", safe_text(picture.alt_text))
            properties.set("name", picture.png.stem)

    def judgement(self, data: ReportData, level: str, key: str | None = None) -> None:
        """The executive board's own words at the head of a section, in the template's
        style for them."""
        self.para(bold=rc.JUDGEMENT_HEAD, style=JUDGEMENT_STYLE)
        for label, value, pending in rc.judgement_parts(data, level, key):
            self.para(value, bold=f"{label} " if label else "", style=JUDGEMENT_STYLE, italic=pending)

    def table_of_contents(self) -> None:
        """A TOC field over the heading levels, with a placeholder until it is updated."""
        self.para("Innehåll", style="TOC Heading")
        self.parts.append(wordml.field(f' TOC \\o "{TOC_LEVELS}" \\h \\z \\u ', TOC_PLACEHOLDER))


def _clear_body(document) -> None:
    """The template's body text goes: the document keeps its styles, page and headers."""
    for child in list(document.element.body):
        if child.tag != _w("sectPr"):
            document.element.body.remove(child)


def _ask_to_update_fields(document) -> None:
    """Word updates the fields (the table of contents) when it opens the document."""
    settings = document.settings.element
    if settings.find(_w("updateFields")) is None:
        settings.append(_element("updateFields", val="true"))


def _header(document, title: str) -> None:
    """The document's title in the template's header (pages after the cover): in its first
    empty paragraph, or in one added."""
    header = document.sections[0].header
    paragraph = next((p for p in header.paragraphs if not p.text.strip()), None) or header.add_paragraph(style="Header")
    paragraph.add_run().text = safe_text(title)


def council_document(data: ReportData, pictures: Mapping[str, Picture], template):
    """The council document, built into `template` (a python-docx Document, changed and
    returned), with its pictures."""
    document, add_pictures = council_document_text(data, pictures, template)
    add_pictures()
    return document


def council_document_text(data: ReportData, pictures: Mapping[str, Picture], template):
    """The council document built into `template` without its pictures, whose files need
    not exist yet, and the function that adds them (the run builds the text while the
    charts are drawn): (document, add_pictures)."""
    document = template
    _clear_body(document)
    _ask_to_update_fields(document)
    properties = document.core_properties
    properties.title = data.title
    properties.language = LANGUAGE
    properties.subject = f"{data.occasion.label}, mandatperiod {data.catalogue.mandate_period}"
    properties.author = properties.last_modified_by = "Stadskontoret, Malmö stad"
    properties.keywords = "Exempeldata" if data.catalogue.example_data else ""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    properties.created = properties.modified = now
    properties.revision = 1
    _header(document, data.title)

    w = _Writer(document, pictures)
    follow_up, period_end = data.occasion.is_follow_up, data.is_period_end
    _cover(w, data)
    w.page_break()
    w.table_of_contents()
    w.page_break()
    _introduction(w, data, follow_up, period_end)
    _city(w, data, follow_up)
    if period_end:
        _period(w, data)
    if follow_up:
        w.heading(1, "Sammanvägning och Kommunstyrelsens bedömning per KF-mål")
        w.para(rc.signal_rule())
        w.table(rc.signal_table(data), "Sammanvägning av nämndernas och bolagens bedömningar och Kommunstyrelsens "
                                       "bedömning per KF-mål")
    _goals(w, data, follow_up, period_end)
    _human_rights(w, data, follow_up)
    if follow_up:
        _development(w, data, period_end)
    others = [name for name in pictures if name not in w.shown]
    if others:
        w.heading(1, "Övriga diagram")
        for name in others:
            w.chart(name)
    _quality(w, data)
    _provenance(w, data)
    w.flush()
    return document, w.add_pictures


def write_document(document, path: Path) -> None:
    """Save atomically (made in memory, written beside the target, renamed over it)."""
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes(path, buffer.getvalue())


# --- the parts, in the report's order ------------------------------------------------------


def _cover(w: _Writer, data: ReportData) -> None:
    title = data.title.replace(" – Exempeldata", "").replace(f" – {data.occasion.label}", "")
    w.para(title, style="Title")
    w.para(data.occasion.label + (f", målområde {data.goal_area}" if data.goal_area else ""), style="Subtitle")
    w.para("Malmö stad")
    w.para(f"Mandatperiod {data.catalogue.mandate_period}")
    w.para(f"Datum: {swedish_date(data.stamp.get('made_at', ''))}")
    if data.catalogue.example_data:
        w.para(bold="Exempeldata – inte verkliga uppgifter")
        w.para("Alla nämnder, bolag, bedömningar och siffror i dokumentet kommer från arbetsbänkens exempelstad.")
    w.para(rc.basis_note(data))


def _introduction(w: _Writer, data: ReportData, follow_up: bool, period_end: bool) -> None:
    w.heading(1, "Inledning")
    if data.goal_area:
        w.para(f"Rapporten omfattar målområde {data.goal_area}.")
    if not follow_up:
        w.para("Rapporten visar nämndernas och bolagens planerade bidrag i nämnds- och bolagsbudgetarna och vilken "
               "träffbild de ger: vilka ansvariga nämnder och bolag som har bidrag till varje kommunfullmäktigemål. "
               "Förflyttningen bedöms först i delårsrapporten och årsanalysen.")
        return
    w.para("Kommunstyrelsen gör vid varje delårsrapport och årsredovisning en sammanställd analys av nämndernas och "
           "bolagens uppföljning och bedömer förflyttningen mot varje kommunfullmäktigemål. Kommunstyrelsens egen "
           "bedömning och text står först i varje avsnitt. Bredvid står underlaget: träffbilden (vilka ansvariga "
           "nämnder och bolag som har bidrag), nämndernas och bolagens egna bedömningar och analyser, vilket underlag "
           "de bygger på, frivilliga indikatorer och hur de mänskliga rättigheterna har beaktats.")
    w.para(" är en enkel, redovisad sammanställning av bedömningarna och träffbilden. Den är underlag för dialog och "
           "bedömning och ersätter inte Kommunstyrelsens egen bedömning.",
           bold="Sammanvägningen av nämndernas och bolagens bedömningar")
    if period_end:
        w.para(f"{data.occasion.label} avslutar mandatperioden {data.catalogue.mandate_period}. Rapporten innehåller "
               "därför mandatperiodsanalysen: om önskad förflyttning har nåtts enligt nämnderna och bolagen, "
               "utvecklingen över periodens alla uppföljningar, varje bidrags plan bredvid utfallet och lärdomar "
               "inför nästa period.")


def _city(w: _Writer, data: ReportData, follow_up: bool) -> None:
    if follow_up:
        w.heading(1, "Sammanfattning för hela staden")
        w.judgement(data, "city")
        w.table(rc.summary_table(data), "Målområdena i hela staden",
                percent_columns=("Viss eller tydlig förflyttning", "Bedömbara"))
        for name in ("forflyttning_per_malomrade", "mandatperioden_per_malomrade", "forflyttning_per_kf_mal"):
            w.chart(name)
    else:
        w.heading(1, "Träffbild för hela staden")
    w.chart("traffbild_per_kf_mal")


def _trajectory(w: _Writer, data: ReportData) -> None:
    trajectory = rc.trajectory_table(data)
    if len(trajectory.columns) > 1:
        w.table(trajectory, "Andel uppföljningar med viss eller tydlig förflyttning per KF-mål och tillfälle",
                percent_columns=tuple(c for c in trajectory.columns if c != "KF-mål"))


def _period(w: _Writer, data: ReportData) -> None:
    w.heading(1, f"Mandatperiodsanalys {data.catalogue.mandate_period}")
    w.para("Nämndernas och bolagens bedömningar av om önskad förflyttning har nåtts, utvecklingen över periodens alla "
           "uppföljningar och lärdomar inför nästa mandatperiod. Kommunstyrelsens bedömning per målområde och KF-mål "
           "står först i avsnitten om målområdena.")
    w.heading(2, "Har önskad förflyttning nåtts under mandatperioden?")
    w.chart("uppnadd_forflyttning_per_malomrade")
    w.chart("uppnadd_forflyttning_per_kf_mal")
    w.heading(2, "Utvecklingen över mandatperioden")
    w.chart("utveckling_per_malomrade")
    w.chart("utveckling_per_kf_mal")
    _trajectory(w, data)
    w.heading(2, "Lärdomar inför nästa mandatperiod")
    w.para("Det som följer är beräknat ur periodens uppföljning och redovisas som underlag, inte som en bedömning: det "
           "är Kommunstyrelsen som väger det när nästa periods mål och prioriteringar sätts.")
    for lesson, label in rc.lesson_kinds().items():
        w.heading(3, label)
        found = rc.lessons_table(data, lesson)
        if len(found):
            w.table(found)
        else:
            w.para("Inga i underlaget.")


def _goals(w: _Writer, data: ReportData, follow_up: bool, period_end: bool) -> None:
    w.heading(1, "Målområden och kommunfullmäktigemål")
    previous = rc.previous_follow_up_label(data) if follow_up else None
    for area in data.goal_areas.itertuples():
        w.heading(2, f"Målområde {area.goal_area_code}: {area.goal_area_name}")
        if follow_up:
            w.judgement(data, "goal_area", area.goal_area_code)
        w.para(f"Agenda 2030: mål {area.sdgs}.")
        if follow_up:
            w.table(rc.area_distribution_table(data, area.goal_area_code, "movement"),
                    "Nämndernas och bolagens bedömning av förflyttningen i målområdet", percent_columns=("Andel",))
            if period_end:
                w.table(rc.area_distribution_table(data, area.goal_area_code, "reached"),
                        "Har önskad förflyttning nåtts i målområdet?", percent_columns=("Andel",))
                w.para(rc.reached_basis(data, goal_area=area.goal_area_code))
        for goal in data.goals[data.goals.goal_area_code == area.goal_area_code].itertuples():
            _goal(w, data, goal.goal_code, goal.goal_name, follow_up, period_end, previous)


def _goal(w: _Writer, data: ReportData, code: str, name: str, follow_up: bool, period_end: bool,
          previous: str | None) -> None:
    w.heading(3, f"KF-mål {code}: {name}")
    if follow_up:
        w.judgement(data, "goal", code)
        w.table(rc.evidence_table(data, code), "Sammanvägning av nämndernas och bolagens bedömningar (underlag)")
    w.table(rc.goal_coverage_table(data, code), "Träffbild – ansvariga nämnder och bolag")
    if follow_up:
        w.table(rc.distribution_table(data, code, "movement"), "Nämndernas och bolagens bedömning av förflyttningen",
                percent_columns=("Andel",))
        w.table(rc.distribution_table(data, code, "outlook"), "Nås önskad förflyttning under mandatperioden?",
                percent_columns=("Andel",))
        if period_end:
            w.table(rc.distribution_table(data, code, "reached"), "Har önskad förflyttning nåtts under mandatperioden?",
                    percent_columns=("Andel",))
            w.para(rc.reached_basis(data, goal_code=code))
        if previous:
            changed = rc.changes_table(data, code)
            if len(changed):
                w.table(changed, f"Förändringar sedan {previous}")
            else:
                w.para(f"Ingen bedömning av förflyttningen har ändrats sedan {previous}.")
        paths = rc.plan_outcome_table(data, code)
        if len(paths):
            w.caption("Plan och utfall per bidrag", above=True)
            w.para(rc.plan_outcome_key(data), keep_with_next=True)
            w.table(paths)
        w.table(rc.goal_follow_ups_table(data, code), "Nämndernas och bolagens analyser och underlag")
        w.table(rc.goal_evidence_table(data, code), "Typ av underlag", percent_columns=("Andel",))
    else:
        w.table(rc.planned_contributions_table(data, code), "Planerade bidrag")
    indicators = rc.goal_indicator_table(data, code)
    if len(indicators):
        w.table(indicators, "Indikatorer (frivilliga; nämnderna och bolagen väljer själva)",
                decimals={"Basvärde": 1, "Värde": 1})
    elif follow_up:
        w.para("Inga indikatorer har lämnats för målet. Indikatorer är frivilliga.")


def _human_rights(w: _Writer, data: ReportData, follow_up: bool) -> None:
    w.heading(1, "Mänskliga rättigheter")
    if follow_up:
        w.heading(2, "Kommunstyrelsens bedömning")
        themes = data.catalogue.scales["theme"]
        for code, label in [*zip(themes.codes, themes.labels), ("base_mission", "Grunduppdraget")]:
            w.heading(3, label)
            w.judgement(data, "human_rights", code)
        w.heading(2, "Hur temana har beaktats")
    w.para(f"Andel svar per målområde där respektive tema har beaktats ({rc.theme_list(data)})."
           + ("" if follow_up else " I budgeten är det nämndernas och bolagens planerade beaktande."))
    w.chart("manskliga_rattigheter")
    w.table(rc.human_rights_table(data), "Andel svar där temat har beaktats, per målområde",
            percent_columns=tuple(data.catalogue.scales["theme"].labels))
    w.table(rc.base_mission_table(data), "Grunduppdraget – hur varje nämnd och bolag har beaktat temana")
    gaps = rc.human_rights_gaps_table(data)
    if len(gaps):
        w.table(gaps, "Målområden där ett tema aldrig har beaktats")
    else:
        w.para("Varje tema har beaktats i minst ett svar i varje målområde.")


def _development(w: _Writer, data: ReportData, period_end: bool) -> None:
    w.heading(1, "Underlag och utveckling över mandatperioden")
    w.chart("underlag_per_kf_mal")
    if not period_end:
        w.chart("utveckling_per_malomrade")
        w.chart("utveckling_per_kf_mal")
        _trajectory(w, data)


def _quality(w: _Writer, data: ReportData) -> None:
    errors, warnings = rc.findings_table(data, "error"), rc.findings_table(data, "warning")
    w.heading(1, "Bilaga 1: Datakvalitet")
    w.table(rc.data_quality_table(data), "Inlämningar per nämnd och bolag")
    w.para(f"{len(errors)} fel (avvisar inlämningen) och {len(warnings)} varningar (flaggas för analytikerna).")
    if len(errors):
        w.table(errors, "Avvisade inlämningar – fel att rätta")
    if len(warnings):
        w.table(warnings, "Varningar")


def _provenance(w: _Writer, data: ReportData) -> None:
    w.heading(1, "Bilaga 2: Om underlaget")
    for fact, value in rc.provenance_facts(data):
        w.para(value, bold=f"{fact}: ")
    w.table(rc.provenance_table(data), "Inlämningar för tillfället, med kontrollsumma (SHA-256)")
    w.para("Alla tabeller finns också i sammanstalld_analys.xlsx och diagrammen som PNG och SVG i diagram/. "
           + rc.basis_note(data))
