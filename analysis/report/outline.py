"""The compiled analysis, written once: its sections in order, each a function of the
report data that yields format-neutral blocks (analysis.report.blocks). The HTML report
(the notebook, one cell per section) and the council document (Word, then PDF) are both
rendered from this outline, so they hold the same headings, tables and charts in the same
order and with the same figures.

Which parts a section has at an occasion (the period analysis only at the period end, no
judgement at a budget) is decided here, from the report data, never in a renderer.

Adding a section is one function and one entry in OUTLINE. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from analysis.report import content as rc
from analysis.report.blocks import Block, Chart, Heading, Items, Judgement, Note, Paragraph, Table
from analysis.report.data import BASE_MISSION_SUBJECT, ReportData
from analysis.tables.goal_signal import NAME as WEIGHED_TOGETHER
from analysis.vocabulary import BASE_MISSION_LABEL, CHANGED, ERROR, WARNING, and_list, count


@dataclass(frozen=True)
class Section:
    name: str  # how the notebook asks for it (ASCII)
    build: Callable[[ReportData], Iterable[Block]]
    appendix: str | None = None  # an appendix's title: numbered "Bilaga N: <title>" in the outline's order
    applies: Callable[[ReportData], bool] | None = None  # whether an appendix is in the report (None: always)

    def is_in(self, data: ReportData) -> bool:
        return self.applies is None or self.applies(data)


def judgement(data: ReportData, level: str, key: str | None = None) -> Judgement:
    return Judgement(tuple(rc.judgement_parts(data, level, key)))


# --- the sections, in the report's order ----------------------------------------------------


def introduction(data: ReportData) -> Iterator[Block]:
    yield Heading("Inledning", 1)
    yield Paragraph(f"Mandatperiod {data.catalogue.mandate_period}."
                    + (f" Rapporten omfattar målområde {data.goal_area}." if data.goal_area else "")
                    + f" {rc.basis_note(data)}")
    if not data.occasion.is_follow_up:
        yield Paragraph("Rapporten visar nämndernas och bolagens planerade bidrag i nämnds- och bolagsbudgetarna och "
                        "vilken träffbild de ger: vilka ansvariga nämnder och bolag som har bidrag till varje "
                        "kommunfullmäktigemål. Förflyttningen bedöms först i delårsrapporten och årsanalysen.")
        yield from appendix_list(data)
        return
    yield Paragraph("Kommunstyrelsen gör vid varje delårsrapport och årsredovisning en sammanställd analys av nämndernas "
                    "och bolagens uppföljning och bedömer förflyttningen mot varje kommunfullmäktigemål. "
                    "Kommunstyrelsens egen bedömning och text står först i varje avsnitt. Bredvid står underlaget: "
                    "träffbilden (vilka ansvariga nämnder och bolag som har bidrag), nämndernas och bolagens egna "
                    "bedömningar och analyser, vilket underlag de bygger på, frivilliga indikatorer och hur de "
                    "mänskliga rättigheterna har beaktats.")
    yield Paragraph(" är en enkel, redovisad sammanställning av bedömningarna och träffbilden. Den är underlag för "
                    "dialog och bedömning och ersätter inte Kommunstyrelsens egen bedömning.",
                    lead="Sammanvägningen av nämndernas och bolagens bedömningar")
    if data.is_period_end:
        yield Paragraph(f"{data.occasion.label} avslutar mandatperioden {data.catalogue.mandate_period}. Rapporten "
                        "innehåller därför mandatperiodsanalysen: om önskad förflyttning har nåtts enligt nämnderna och "
                        "bolagen, utvecklingen över periodens alla uppföljningar och lärdomar inför nästa period.")
    yield from appendix_list(data)


def _lower_first(title: str) -> str:
    """'Återrapportering av KF-uppdrag' -> 'återrapportering av KF-uppdrag' (an abbreviation stays)."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def appendix_list(data: ReportData) -> Iterator[Block]:
    """What the appendices hold, by number: the details behind the main text."""
    numbers = appendix_numbers(data)
    titles = [f"{_lower_first(s.appendix)} (bilaga {numbers[s.name]})" for s in OUTLINE if s.name in numbers]
    yield Paragraph(f"Rapporten börjar med sammanfattningen och Kommunstyrelsens bedömningar. Detaljerna står i "
                    f"bilagorna: {and_list(titles)}.")


def city_summary(data: ReportData) -> Iterator[Block]:
    if data.occasion.is_follow_up:
        yield Heading("Sammanfattning för hela staden", 1)
        yield judgement(data, "city")
        yield Table("Målområdena i hela staden", rc.summary_table(data),
                    shares=("Viss eller tydlig förflyttning", "Bedömbara"))
        yield Chart("forflyttning_per_malomrade")
        yield Chart("mandatperioden_per_malomrade")
        yield Chart("forflyttning_per_kf_mal")
    else:
        yield Heading("Träffbild för hela staden", 1)
    yield Chart("traffbild_per_kf_mal")


def trajectory(data: ReportData) -> Iterator[Block]:
    table = rc.trajectory_table(data)
    if len(table.columns) > 1:
        yield Table("Andel uppföljningar med viss eller tydlig förflyttning per KF-mål och tillfälle", table,
                    shares=tuple(c for c in table.columns if c != "KF-mål"))


def period_analysis(data: ReportData) -> Iterator[Block]:
    if not data.is_period_end:
        return
    yield Heading(f"Mandatperiodsanalys {data.catalogue.mandate_period}", 1)
    yield Paragraph("Nämndernas och bolagens bedömningar av om önskad förflyttning har nåtts, utvecklingen över "
                    "periodens alla uppföljningar och lärdomar inför nästa mandatperiod. Kommunstyrelsens bedömning "
                    "per målområde och KF-mål står först i avsnitten om målområdena.")
    yield Heading("Har önskad förflyttning nåtts under mandatperioden?", 2)
    yield Chart("uppnadd_forflyttning_per_malomrade")
    yield Chart("uppnadd_forflyttning_per_kf_mal")
    yield Heading("Utvecklingen över mandatperioden", 2)
    yield Chart("utveckling_per_malomrade")
    yield Chart("utveckling_per_kf_mal")
    yield from trajectory(data)
    yield Heading("Lärdomar inför nästa mandatperiod", 2)
    yield Paragraph("Det som följer är beräknat ur periodens uppföljning och redovisas som underlag, inte som en "
                    "bedömning: det är Kommunstyrelsen som väger det när nästa periods mål och prioriteringar sätts.")
    for lesson, label in rc.lesson_kinds().items():
        yield Heading(label, 3)
        found = rc.lessons_table(data, lesson)
        yield Table(label, found) if len(found) else Note("Inga i underlaget.")


def goal_weighing(data: ReportData) -> Iterator[Block]:
    if not data.occasion.is_follow_up:
        return
    yield Heading("Sammanvägning och Kommunstyrelsens bedömning per KF-mål", 1)
    yield Paragraph(rc.signal_rule() + " Kommunstyrelsens text om varje mål står först i avsnittet om målet.")
    yield Table("Sammanvägning av nämndernas och bolagens bedömningar och Kommunstyrelsens bedömning per KF-mål",
                rc.signal_table(data))


def goal_areas(data: ReportData) -> Iterator[Block]:
    """Per goal area and KF goal: the executive board's judgement, the weighing together
    of the boards' assessments, the coverage and the key figures; the details are in the
    appendices, which the text names by number."""
    follow_up, period_end = data.occasion.is_follow_up, data.is_period_end
    yield Heading("Målområden och kommunfullmäktigemål", 1)
    if follow_up:
        yield Paragraph(f"Per KF-mål: Kommunstyrelsens bedömning, sammanvägningen av nämndernas och bolagens "
                        f"bedömningar, träffbilden och nämndernas och bolagens svar. Varje bidrags plan och utfall "
                        f"står i {appendix_ref(data, 'plan_och_utfall')}.")
    for area in data.goal_areas.itertuples():
        code = area.goal_area_code
        yield Heading(f"Målområde {code}: {area.goal_area_name}", 2)
        if follow_up:
            yield judgement(data, "goal_area", code)
        yield Paragraph(f"Agenda 2030: mål {area.sdgs}.")
        if follow_up:
            yield Table("Nämndernas och bolagens bedömning av förflyttningen i målområdet",
                        rc.area_distribution_table(data, code, "movement"), shares=("Andel",))
            if period_end:
                yield Paragraph(rc.area_answers(data, code, "reached"), lead="Har önskad förflyttning nåtts i målområdet? ")
                yield Note(rc.reached_basis(data, goal_area=code))
        for goal in data.goals[data.goals.goal_area_code == code].itertuples():
            yield from kf_goal(data, goal.goal_code, goal.goal_name)


def kf_goal(data: ReportData, code: str, name: str) -> Iterator[Block]:
    follow_up, period_end = data.occasion.is_follow_up, data.is_period_end
    yield Heading(f"KF-mål {code}: {name}", 3)
    if follow_up:
        yield judgement(data, "goal", code)
        yield Paragraph(rc.signal_sentence(data, code), lead=f"{WEIGHED_TOGETHER} (underlag): ")
    yield Table("Träffbild – ansvariga nämnder och bolag", rc.goal_coverage_table(data, code))
    if follow_up:
        for question, answers in rc.goal_answers(data, code):
            yield Paragraph(answers, lead=question)
        if period_end:
            yield Note(rc.reached_basis(data, goal_code=code))
        previous = rc.previous_follow_up_label(data)
        if previous:
            said = rc.changes_sentence(data, code, previous)
            yield Paragraph(said + (f" Se {appendix_ref(data, 'forandringar')}." if len(rc.changes_table(data, code))
                                    else ""))
        yield Paragraph(f"{rc.evidence_sentence(data, code)} Plan och utfall per bidrag och nämndernas och bolagens "
                        f"analyser: se {appendix_ref(data, 'plan_och_utfall')}.", lead="Typ av underlag: ")
    else:
        yield Paragraph(f"Nämndernas och bolagens planerade bidrag till målet: se {appendix_ref(data, 'planerade_bidrag')}.")
    yield Paragraph(rc.cooperation_paragraph(data, code), lead="Samverkan: ")
    indicators = rc.goal_indicator_table(data, code)
    if len(indicators):
        yield Paragraph(f"{count(len(indicators), 'indikator', 'indikatorer')} (frivilliga; nämnderna och bolagen "
                        f"väljer själva): se {appendix_ref(data, 'indikatorer')}.", lead="Indikatorer: ")
    elif follow_up:
        yield Note("Inga indikatorer har lämnats för målet. Indikatorer är frivilliga.")


def human_rights(data: ReportData) -> Iterator[Block]:
    follow_up = data.occasion.is_follow_up
    yield Heading("Mänskliga rättigheter", 1)
    if follow_up:
        yield Heading("Kommunstyrelsens bedömning", 2)
        themes = data.catalogue.scales["theme"]
        for code, label in [*zip(themes.codes, themes.labels), (BASE_MISSION_SUBJECT, BASE_MISSION_LABEL)]:
            yield Heading(label, 3)
            yield judgement(data, "human_rights", code)
        yield Heading("Hur temana har beaktats", 2)
    yield Paragraph(f"Andel svar per målområde där respektive tema har beaktats ({rc.theme_list(data)})."
                    + ("" if follow_up else " I budgeten är det nämndernas och bolagens planerade beaktande."))
    yield Chart("manskliga_rattigheter")
    yield Table("Andel svar där temat har beaktats, per målområde", rc.human_rights_table(data),
                shares=tuple(data.catalogue.scales["theme"].labels))
    yield Table("Grunduppdraget – hur varje nämnd och bolag har beaktat temana", rc.base_mission_table(data))
    gaps = rc.human_rights_gaps_table(data)
    if len(gaps):
        yield Table("Målområden där ett tema aldrig har beaktats", gaps)
    else:
        yield Note("Varje tema har beaktats i minst ett svar i varje målområde.")


def cooperation(data: ReportData) -> Iterator[Block]:
    yield Heading("Samverkan mellan nämnder och bolag", 1)
    yield Paragraph("Nämnderna och bolagen anger för varje bidrag vilka andra nämnder och bolag de samverkar med. "
                    "Matrisen visar hur många bidrag som nämner varje samverkanspart (rad: nämnden eller bolaget som "
                    "anger samverkan; kolumn: parten, med sin kod i målkatalogen). Per KF-mål står samverkan i "
                    "avsnittet om målet.")
    yield Chart("samverkan_mellan_namnder")


def development(data: ReportData) -> Iterator[Block]:
    if not data.occasion.is_follow_up:
        return
    yield Heading("Underlag och utveckling över mandatperioden", 1)
    yield Chart("underlag_per_kf_mal")
    if not data.is_period_end:  # at the period end, the period analysis shows the development
        yield Chart("utveckling_per_malomrade")
        yield Chart("utveckling_per_kf_mal")
        yield from trajectory(data)


# --- the appendices --------------------------------------------------------------------


def _per_goal(data: ReportData, goal_codes: Iterable[str]) -> Iterator[tuple[str, Heading]]:
    """The goals in catalogue order, each with its heading in an appendix (not in the table
    of contents, which lists the appendices)."""
    wanted = set(goal_codes)
    for goal in data.goals.itertuples():
        if goal.goal_code in wanted:
            yield goal.goal_code, Heading(f"KF-mål {goal.goal_code}: {goal.goal_name}", 2, contents=False)


def planned_contributions(data: ReportData) -> Iterator[Block]:
    yield Paragraph("Nämndernas och bolagens planerade bidrag till varje KF-mål, med deras egna ord.")
    for code, heading in _per_goal(data, data.goals["goal_code"]):
        yield heading
        yield Table("Planerade bidrag", rc.planned_contributions_table(data, code))


def plan_and_outcome(data: ReportData) -> Iterator[Block]:
    yield Paragraph("Per KF-mål: varje bidrags utfall vid periodens uppföljningar, med bokstäver som förklaras under "
                    "tabellen, och därefter nämndens eller bolagets plan för bidraget bredvid dess egen analys vid "
                    f"{data.occasion.label} och vad den bygger på.")
    legend = rc.outcome_legend(data)
    for code, heading in _per_goal(data, data.goals["goal_code"]):
        yield heading
        outcome = rc.plan_outcome_table(data, code)
        if not len(outcome):
            yield Note("Inga bidrag till målet i underlaget.")
            continue
        yield Table("Utfall per bidrag och uppföljning", outcome, legend=legend)
        yield Table("Plan och analys per bidrag", rc.plan_analysis_table(data, code))


def changes(data: ReportData) -> Iterator[Block]:
    previous = rc.previous_follow_up_label(data)
    yield Paragraph(f"De bidrag vars bedömning av förflyttningen har ändrats sedan {previous}, med nämndens eller "
                    "bolagets egen analys nu. KF-mål där ingen bedömning har ändrats står inte här.")
    found = {code: rc.changes_table(data, code) for code in data.goals["goal_code"]}
    for code, heading in _per_goal(data, [c for c, t in found.items() if len(t)]):
        yield heading
        yield Table(f"Förändringar sedan {previous}", found[code])


def indicators(data: ReportData) -> Iterator[Block]:
    yield Paragraph("Indikatorerna är frivilliga: nämnderna och bolagen väljer själva om och vilka de redovisar för "
                    "sina bidrag. Varje indikators värde jämförs med dess basvärde i den önskade riktningen.")
    found = {code: rc.goal_indicator_table(data, code) for code in data.goals["goal_code"]}
    for code, heading in _per_goal(data, [c for c, t in found.items() if len(t)]):
        yield heading
        yield Table("Indikatorer", found[code], decimals={"Basvärde": 1, "Värde": 1})


def _has_changes(data: ReportData) -> bool:
    """Whether any assessment of the movement changed since the previous follow-up."""
    t = data.tables["transitions"]
    return bool(((t["occasion"].astype(object) == data.occasion.code) & t["change"].astype(object).isin(CHANGED)).any())


def _has_indicators(data: ReportData) -> bool:
    return data.occasion.is_follow_up and len(data.tables["indicators"]) > 0


def data_quality(data: ReportData) -> Iterator[Block]:
    errors, warnings = rc.findings_table(data, ERROR), rc.findings_table(data, WARNING)
    yield Table("Inlämningar per nämnd och bolag", rc.data_quality_table(data))
    yield Paragraph(f"{count(len(errors), 'fel', 'fel')} (avvisar inlämningen) och "
                    f"{count(len(warnings), 'varning', 'varningar')} (flaggas för analytikerna).")
    yield Paragraph(rc.dialogue_sentence(data))
    if len(errors):
        yield Table("Avvisade inlämningar – fel att rätta", errors)
    if len(warnings):
        yield Table("Varningar", warnings)


def assignments(data: ReportData) -> Iterator[Block]:
    yield Paragraph(rc.assignment_summary(data))
    yield Paragraph("Kommunfullmäktiges uppdrag i budgeten. Status är den ansvariga nämndens eller det ansvariga "
                    "bolagets svar; deltagande nämnder och bolag redovisar sin del i kommentarerna. Försenade uppdrag "
                    "och uppdrag utan svar står först.")
    table = rc.assignments_table(data)
    yield Table("KF-uppdragen vid tillfället", table) if len(table) else Note(
        "Inga KF-uppdrag att återrapportera vid tillfället.")
    yield Chart("kf_uppdrag_status")
    if data.is_period_end:
        yield Heading(f"KF-uppdragen under mandatperioden {data.catalogue.mandate_period}", 2)
        for label, items in rc.assignment_period_outcome(data).items():
            yield Heading(label, 3)
            yield Items(tuple(items)) if items else Note("Inga.")


def provenance(data: ReportData) -> Iterator[Block]:
    yield Items(tuple(f"{fact}: {value}" for fact, value in rc.provenance_facts(data)))
    yield Table("Inlämningar för tillfället, med kontrollsumma (SHA-256)", rc.provenance_table(data))
    yield Paragraph("Alla tabeller finns också i sammanstalld_analys.xlsx och diagrammen som PNG och SVG i diagram/. "
                    + rc.basis_note(data))


OUTLINE: list[Section] = [
    # The main part: the summary and the judgements first.
    Section("inledning", introduction),
    Section("sammanfattning", city_summary),
    Section("mandatperiodsanalys", period_analysis),
    Section("sammanvagning", goal_weighing),
    Section("malomraden", goal_areas),
    Section("manskliga_rattigheter", human_rights),
    Section("samverkan", cooperation),
    Section("utveckling", development),
    # The appendices: the details, numbered in this order among those in the report.
    Section("planerade_bidrag", planned_contributions, appendix="Planerade bidrag per KF-mål",
            applies=lambda data: not data.occasion.is_follow_up),
    Section("plan_och_utfall", plan_and_outcome, appendix="Plan och utfall per bidrag",
            applies=lambda data: data.occasion.is_follow_up),
    Section("forandringar", changes, appendix="Förändringar sedan förra uppföljningen", applies=_has_changes),
    Section("indikatorer", indicators, appendix="Indikatorer", applies=_has_indicators),
    Section("kf_uppdrag", assignments, appendix="Återrapportering av KF-uppdrag"),
    Section("datakvalitet", data_quality, appendix="Datakvalitet"),
    Section("om_underlaget", provenance, appendix="Om underlaget"),
]


def appendix_numbers(data: ReportData, outline: list[Section] | None = None) -> dict[str, int]:
    """The appendices in the report, by section name, numbered in the outline's order."""
    outline = OUTLINE if outline is None else outline
    present = [s.name for s in outline if s.appendix is not None and s.is_in(data)]
    return {name: i for i, name in enumerate(present, 1)}


def appendix_ref(data: ReportData, name: str) -> str:
    """How the main text names an appendix: 'bilaga 2' (its number from the outline)."""
    return f"bilaga {appendix_numbers(data)[name]}"


def section_blocks(section: Section, data: ReportData, outline: list[Section] | None = None) -> list[Block]:
    """One section's blocks; an appendix starts with its numbered heading, and an appendix
    not in the report (none of its kind at the occasion) has none."""
    if not section.is_in(data):
        return []
    blocks = list(section.build(data))
    if section.appendix is not None:
        number = appendix_numbers(data, outline)[section.name]
        blocks.insert(0, Heading(f"Bilaga {number}: {section.appendix}", 1))
    return blocks


def section(name: str, outline: list[Section] | None = None) -> Section:
    outline = OUTLINE if outline is None else outline
    for s in outline:
        if s.name == name:
            return s
    raise KeyError(f"Avsnittet '{name}' finns inte i rapporten. Avsnitt: {', '.join(s.name for s in outline)}.")


OTHER_CHARTS = "ovriga_diagram"  # the section of charts no other section shows


def charts_named(blocks: Iterable[Block]) -> list[str]:
    return [b.name for b in blocks if isinstance(b, Chart)]


def other_charts(named: Iterable[str], available: Iterable[str]) -> list[Block]:
    """The charts the report has that no section shows (a chart newly added to the
    registry, say), under a heading of their own."""
    shown = set(named)
    others = [name for name in available if name not in shown]
    return [Heading("Övriga diagram", 1), *(Chart(n) for n in others)] if others else []


def report_blocks(data: ReportData, available_charts: Iterable[str], outline: list[Section] | None = None
                  ) -> list[tuple[str, list[Block]]]:
    """The whole report: (section name, blocks) in order, with the charts no section
    shows after the main part, before the appendices."""
    outline = OUTLINE if outline is None else outline
    out = [(s.name, section_blocks(s, data, outline)) for s in outline]
    others = other_charts([n for _, blocks in out for n in charts_named(blocks)], available_charts)
    if others:
        first_appendix = next((i for i, s in enumerate(outline) if s.appendix is not None), len(outline))
        out.insert(first_appendix, (OTHER_CHARTS, others))
    return out
