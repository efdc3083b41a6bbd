"""Writes notebooks/sammanstalld_analys.ipynb, the compiled analysis, from the cells below:
output-free, with the project's kernel, the papermill parameters cell tagged `parameters`
and the set-up cell `hide-input`, and cell ids taken from each cell's text (the same
cells, the same file). Edit the cells here and run

    .venv/bin/python notebooks/build_sammanstalld_analys.py

tests/test_report.py checks that the committed notebook is what this script writes.

The notebook only shows: the report data and the charts are built once by the package
(analysis.report.produce) and handed over; what it shows comes from analysis.report.content."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parent / "sammanstalld_analys.ipynb"

PARAMETERS = '''\
# Parametrar (papermill): rapporteringstillfälle, valfritt målområde, projektets rotmapp och
# filen med rapportens data och diagram (som en körning av malstyrning report lämnar över).
occasion = "2026-ar"
goal_area = None
root = None
bundle = None'''

SETUP = '''\
# Rapportens data och diagram: byggda en gång av paketet analysis, här bara visade.
import pickle

from IPython.display import HTML, display

from analysis.report import content as rc

from analysis.report.charts import check_name

if bundle:
    with open(bundle, "rb") as handle:
        handed_over = pickle.load(handle)
else:  # öppnad för sig, till exempel i JupyterLab
    from analysis.report.produce import load_report

    handed_over = load_report(root, occasion, goal_area)
data, charts = handed_over["data"], handed_over["charts"]
if data.occasion.code != occasion:
    raise ValueError(f"Rapportdata för {data.occasion.code}, inte {occasion}.")
follow_up, period_end = data.occasion.is_follow_up, data.is_period_end
shown_charts = set()


def show(*parts):
    """Headings, text and tables as one output: every output is a round trip to the
    kernel's output thread, and one KF-mål alone has a dozen parts."""
    display(HTML("".join(parts)))


def table(frame, **options):
    return rc.html_table(frame, **options)


def heading(level, text_):
    return f"<h{level}>{rc.text(text_)}</h{level}>"


def para(text_="", bold=""):
    lead = f"<strong>{rc.text(bold)}</strong>" if bold else ""
    return f"<p>{lead}{rc.text(text_)}</p>"


def chart(name):
    """Show a chart of the report by name; a name no chart is declared under is an error,
    a chart that does not apply to this occasion shows nothing."""
    check_name(name, handed_over["declared"])
    if name in charts:
        shown_charts.add(name)
        display(charts[name])'''

TITLE = '''\
parts = [heading(1, data.title.replace(" – Exempeldata", ""))]
if data.catalogue.example_data:
    parts.append('<p style="color:#B00020;font-weight:bold;border:1px solid #B00020;padding:4px;display:inline-block">'
                 'Exempeldata – inte verkliga uppgifter</p>')
area_note = f" Rapporten omfattar målområde {data.goal_area}." if data.goal_area else ""
parts.append(para(f"Mandatperiod {data.catalogue.mandate_period}.{area_note} {rc.basis_note(data)}"))
if not follow_up:
    parts.append(para("Rapporten visar nämndernas och bolagens planerade bidrag i nämnds- och bolagsbudgetarna och "
                      "vilken träffbild de ger: vilka ansvariga nämnder och bolag som har bidrag till varje "
                      "kommunfullmäktigemål. Förflyttningen bedöms först i delårsrapporten och årsanalysen."))
else:
    parts.append(para(
        "Kommunstyrelsen gör vid varje delårsrapport och årsredovisning en sammanställd analys av nämndernas och "
        "bolagens uppföljning och bedömer förflyttningen mot varje kommunfullmäktigemål. Kommunstyrelsens egen "
        "bedömning och text står först i varje avsnitt. Bredvid står underlaget: träffbilden (vilka ansvariga "
        "nämnder och bolag som har bidrag), nämndernas och bolagens egna bedömningar och analyser, vilket underlag de "
        "bygger på, frivilliga indikatorer och hur de mänskliga rättigheterna har beaktats."))
    parts.append(para(
        " är en enkel, redovisad sammanställning av bedömningarna och träffbilden. Den är underlag för dialog och "
        "bedömning och ersätter inte Kommunstyrelsens egen bedömning.", bold="Sammanvägningen av nämndernas och "
        "bolagens bedömningar"))
    if period_end:
        parts.append(para(
            f"{data.occasion.label} avslutar mandatperioden {data.catalogue.mandate_period}. Rapporten innehåller "
            "därför mandatperiodsanalysen: om önskad förflyttning har nåtts enligt nämnderna och bolagen, utvecklingen "
            "över periodens alla uppföljningar, varje bidrags plan bredvid utfallet och lärdomar inför nästa period."))
show(*parts)'''

CITY = '''\
if follow_up:
    show(heading(2, "Sammanfattning för hela staden"), rc.judgement_html(data, "city"),
         table(rc.summary_table(data), percent_columns=("Viss eller tydlig förflyttning", "Bedömbara")))
    chart("forflyttning_per_malomrade")
    chart("mandatperioden_per_malomrade")
    chart("forflyttning_per_kf_mal")
else:
    show(heading(2, "Träffbild för hela staden"))
chart("traffbild_per_kf_mal")'''

PERIOD = '''\
if period_end:
    show(heading(2, f"Mandatperiodsanalys {data.catalogue.mandate_period}"),
         para("Nämndernas och bolagens bedömningar av om önskad förflyttning har nåtts, utvecklingen över periodens "
              "alla uppföljningar och lärdomar inför nästa mandatperiod. Kommunstyrelsens bedömning per målområde och "
              "KF-mål står först i avsnitten om målområdena nedan."),
         heading(3, "Har önskad förflyttning nåtts under mandatperioden?"))
    chart("uppnadd_forflyttning_per_malomrade")
    chart("uppnadd_forflyttning_per_kf_mal")
    show(heading(3, "Utvecklingen över mandatperioden"))
    chart("utveckling_per_malomrade")
    chart("utveckling_per_kf_mal")
    trajectory = rc.trajectory_table(data)
    show(para("Andel uppföljningar med viss eller tydlig förflyttning per KF-mål och tillfälle:"),
         table(trajectory, percent_columns=tuple(c for c in trajectory.columns if c != "KF-mål")))
    parts = [heading(3, "Lärdomar inför nästa mandatperiod"),
             para("Det som följer är beräknat ur periodens uppföljning och redovisas som underlag, inte som en "
                  "bedömning: det är Kommunstyrelsen som väger det när nästa periods mål och prioriteringar sätts.")]
    for lesson, label in rc.lesson_kinds().items():
        found = rc.lessons_table(data, lesson)
        parts += [heading(4, label), table(found) if len(found) else para("Inga i underlaget.")]
    show(*parts)'''

SIGNALS = '''\
if follow_up:
    show(heading(2, "Sammanvägning och Kommunstyrelsens bedömning per KF-mål"), para(rc.signal_rule()),
         table(rc.signal_table(data)))'''

GOALS = '''\
show(heading(2, "Målområden och kommunfullmäktigemål"))
previous = rc.previous_follow_up_label(data)
for area in data.goal_areas.itertuples():
    parts = [heading(3, f"Målområde {area.goal_area_code}: {area.goal_area_name}")]
    if follow_up:
        parts += [rc.judgement_html(data, "goal_area", area.goal_area_code),
                  para(f"Agenda 2030: mål {area.sdgs}."),
                  para(bold="Nämndernas och bolagens bedömning av förflyttningen i målområdet"),
                  table(rc.area_distribution_table(data, area.goal_area_code, "movement"), percent_columns=("Andel",))]
        if period_end:
            parts += [para(bold="Har önskad förflyttning nåtts i målområdet?"),
                      table(rc.area_distribution_table(data, area.goal_area_code, "reached"), percent_columns=("Andel",)),
                      para(rc.reached_basis(data, goal_area=area.goal_area_code))]
    else:
        parts.append(para(f"Agenda 2030: mål {area.sdgs}."))
    show(*parts)
    for goal in data.goals[data.goals.goal_area_code == area.goal_area_code].itertuples():
        code = goal.goal_code
        parts = [heading(4, f"KF-mål {code}: {goal.goal_name}")]
        if follow_up:
            parts += [rc.judgement_html(data, "goal", code), table(rc.evidence_table(data, code))]
        parts += [para(" – ansvariga nämnder och bolag", bold="Träffbild"), table(rc.goal_coverage_table(data, code))]
        if follow_up:
            parts += [para(bold="Nämndernas och bolagens bedömning av förflyttningen"),
                      table(rc.distribution_table(data, code, "movement"), percent_columns=("Andel",)),
                      para(bold="Nås önskad förflyttning under mandatperioden?"),
                      table(rc.distribution_table(data, code, "outlook"), percent_columns=("Andel",))]
            if period_end:
                parts += [para(bold="Har önskad förflyttning nåtts under mandatperioden?"),
                          table(rc.distribution_table(data, code, "reached"), percent_columns=("Andel",)),
                          para(rc.reached_basis(data, goal_code=code))]
            if previous:
                changed = rc.changes_table(data, code)
                parts += [para(bold=f"Förändringar sedan {previous}"),
                          table(changed) if len(changed) else para("Ingen bedömning av förflyttningen har ändrats.")]
            paths = rc.plan_outcome_table(data, code)
            if len(paths):
                parts += [para(bold="Plan och utfall per bidrag"), para(rc.plan_outcome_key(data)), table(paths)]
            parts += [para(bold="Nämndernas och bolagens analyser och underlag"), table(rc.goal_follow_ups_table(data, code)),
                      table(rc.goal_evidence_table(data, code), percent_columns=("Andel",))]
        else:
            parts += [para(bold="Planerade bidrag"), table(rc.planned_contributions_table(data, code))]
        parts.append(para(rc.cooperation_paragraph(data, code), bold="Samverkan: "))
        indicators = rc.goal_indicator_table(data, code)
        if len(indicators):
            parts += [para(" (frivilliga; nämnderna och bolagen väljer själva)", bold="Indikatorer"),
                      table(indicators, decimals={"Basvärde": 1, "Värde": 1})]
        elif follow_up:
            parts.append(para("Inga indikatorer har lämnats för målet. Indikatorer är frivilliga."))
        show(*parts)'''

HUMAN_RIGHTS = '''\
parts = [heading(2, "Mänskliga rättigheter")]
if follow_up:
    themes = data.catalogue.scales["theme"]
    for code, label in [*zip(themes.codes, themes.labels), ("base_mission", "Grunduppdraget")]:
        parts += [heading(3, label), rc.judgement_html(data, "human_rights", code)]
parts.append(para(f"Andel svar per målområde där respektive tema har beaktats ({rc.theme_list(data)})."
                  + ("" if follow_up else " I budgeten är det nämndernas och bolagens planerade beaktande.")))
show(*parts)
chart("manskliga_rattigheter")
parts = [table(rc.human_rights_table(data), percent_columns=tuple(data.catalogue.scales["theme"].labels)),
         para(" – hur varje nämnd och bolag har beaktat temana i sitt grunduppdrag", bold="Grunduppdraget"),
         table(rc.base_mission_table(data))]
gaps = rc.human_rights_gaps_table(data)
if len(gaps):
    parts += [para(bold="Målområden där ett tema aldrig har beaktats"), table(gaps)]
else:
    parts.append(para("Varje tema har beaktats i minst ett svar i varje målområde."))
show(*parts)'''

COOPERATION = '''\
show(heading(2, "Samverkan mellan nämnder och bolag"),
     para("Nämnderna och bolagen anger för varje bidrag vilka andra nämnder och bolag de samverkar med. Matrisen visar "
          "hur många bidrag som nämner varje samverkanspart (rad: nämnden eller bolaget som anger samverkan; kolumn: "
          "parten, med sin kod i målkatalogen). Per KF-mål står samverkan i avsnittet Samverkan under målet."))
chart("samverkan_mellan_namnder")'''

ASSIGNMENTS = '''\
parts = [heading(2, "Bilaga: Återrapportering av KF-uppdrag"), para(rc.assignment_summary(data)),
         para("Kommunfullmäktiges uppdrag i budgeten. Status är den ansvariga nämndens eller det ansvariga bolagets svar; "
              "deltagande nämnder och bolag redovisar sin del i kommentarerna. Försenade uppdrag och uppdrag utan svar "
              "står först.")]
assignments = rc.assignments_table(data)
parts.append(table(assignments) if len(assignments) else para("Inga KF-uppdrag att återrapportera vid tillfället."))
show(*parts)
chart("kf_uppdrag_status")
if period_end:
    parts = [heading(3, f"KF-uppdragen under mandatperioden {data.catalogue.mandate_period}")]
    for label, items in rc.assignment_period_outcome(data).items():
        listed = "".join(f"<li>{rc.text(item)}</li>" for item in items)
        parts += [heading(4, label), f"<ul>{listed}</ul>" if items else para("Inga.")]
    show(*parts)'''

DEVELOPMENT = '''\
if follow_up:
    show(heading(2, "Underlag och utveckling över mandatperioden"))
    chart("underlag_per_kf_mal")
    if not period_end:
        chart("utveckling_per_malomrade")
        chart("utveckling_per_kf_mal")
        trajectory = rc.trajectory_table(data)
        if len(trajectory.columns) > 1:
            show(para("Andel uppföljningar med viss eller tydlig förflyttning per KF-mål och tillfälle:"),
                 table(trajectory, percent_columns=tuple(c for c in trajectory.columns if c != "KF-mål")))'''

QUALITY = '''\
errors, warnings = rc.findings_table(data, "error"), rc.findings_table(data, "warning")
parts = [heading(2, "Datakvalitet"), table(rc.data_quality_table(data)),
         para(f"{len(errors)} fel (avvisar inlämningen) och {len(warnings)} varningar (flaggas för analytikerna).")]
if len(errors):
    parts += [para(bold="Avvisade inlämningar – fel att rätta"), table(errors)]
if len(warnings):
    parts += [para(bold="Varningar"), table(warnings)]
show(*parts)'''

OTHERS = '''\
# Diagram som rapporten har men som inte visats ovan (till exempel ett nytt diagram i registret).
others = [name for name in charts if name not in shown_charts]
if others:
    show(heading(2, "Övriga diagram"))
    for name in others:
        chart(name)'''

PROVENANCE = '''\
facts = "".join(f"<li><strong>{rc.text(k)}:</strong> {rc.text(v)}</li>" for k, v in rc.provenance_facts(data))
show(heading(2, "Om underlaget"), f"<ul>{facts}</ul>", para("Inlämningar för tillfället, med kontrollsumma (SHA-256):"),
     table(rc.provenance_table(data)),
     f"<p>Alla tabeller finns också i <code>sammanstalld_analys.xlsx</code> och diagrammen som PNG och SVG i "
     f"<code>diagram/</code>. {rc.text(rc.basis_note(data))}</p>")'''

# (source, tags) in the notebook's order.
CELLS = [
    (PARAMETERS, ["parameters"]),
    (SETUP, ["hide-input"]),
    (TITLE, []),
    (CITY, []),
    (PERIOD, []),
    (SIGNALS, []),
    (GOALS, []),
    (HUMAN_RIGHTS, []),
    (COOPERATION, []),
    (DEVELOPMENT, []),
    (QUALITY, []),
    (ASSIGNMENTS, []),
    (OTHERS, []),
    (PROVENANCE, []),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python (malstyrning)", "language": "python", "name": "malstyrning"},
                   "language_info": {"name": "python"}}
    for source, tags in CELLS:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags} if tags else {})
        cell.id = hashlib.sha256(source.encode()).hexdigest()[:8]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def text() -> str:
    """The notebook file's text."""
    return nbformat.writes(build()) + "\n"


if __name__ == "__main__":
    NOTEBOOK.write_text(text(), encoding="utf-8")
    sys.stdout.write(f"{NOTEBOOK} skriven ({len(CELLS)} celler).\n")
