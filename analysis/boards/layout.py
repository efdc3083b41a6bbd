"""The layout of the board workbook: sheet names, the details fields and the columns of
each data sheet, with the Swedish headers boards see and the English field names of the
tidy tables. The template writer, the example-city generator and the reader all use this
one description, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.text import plain

TEMPLATE_VERSION = "2026.3"  # 2026.3: the sheet KF-uppdrag
SUPPORTED_TEMPLATE_VERSIONS = ("2026.1", "2026.2", "2026.3")

INSTRUCTIONS_SHEET = "Instruktioner"
CHECK_SHEET = "Kontroll"  # formulas that count what is missing; never read
DETAILS_SHEET = "Uppgifter"
CONTRIBUTIONS_SHEET = "Bidrag"
FOLLOW_UPS_SHEET = "Uppföljning"
HUMAN_RIGHTS_SHEET = "Mänskliga rättigheter"
INDICATORS_SHEET = "Indikatorer"
ASSIGNMENTS_SHEET = "KF-uppdrag"
LISTS_SHEET = "Listor"

BASE_MISSION = "Grunduppdrag"
EXAMPLE_DATA_MARK = "Exempeldata"

# First row of data in every data sheet; row 1 is a title, row 2 help, row 3 the headers.
TITLE_ROW, HELP_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4


@dataclass(frozen=True)
class Field:
    """One input: `kind` is text, id, goal, board_list, int, number, date, or scale:<name>;
    `shown` is a column the template fills in and locks for the board to read, which the
    reader does not take in (it is the catalogue's, not the board's)."""

    key: str
    header: str
    kind: str = "text"
    required: bool = True
    # Column width (Excel's unit). A data sheet's widths add up so that it prints on the
    # width of an A4 landscape page at 70 % or more (analysis.boards.paper.print_scale):
    # long texts wrap, and their rows are made high enough, rather than widened.
    width: int = 18
    help: str = ""
    aliases: tuple[str, ...] = ()  # headers of earlier template versions, still read

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header the field is read under: today's, then earlier versions'."""
        return (self.header, *self.aliases)

    @property
    def scale(self) -> str | None:
        return self.kind.split(":", 1)[1] if self.kind.startswith("scale:") else None


# Details sheet: label in column A, value in column B.
DETAILS_FIELDS: tuple[Field, ...] = (
    Field("board_code", "Nämnd/bolag (kod)", "id"),
    Field("board_name", "Nämnd/bolag"),
    Field("occasion", "Rapporteringstillfälle", "id"),
    Field("mandate_period", "Mandatperiod", "id"),
    Field("template_version", "Mallversion", "id"),
    Field("contact", "Kontaktperson", required=False, help="Namn på den som kan svara på frågor om inlämningen."),
    Field("email", "E-post", required=False),
    Field("submitted_on", "Inlämningsdatum", "date", required=False, help="Datum då nämnden/bolaget lämnar in (ÅÅÅÅ-MM-DD)."),
    Field("example_data", EXAMPLE_DATA_MARK, required=False),
)
PREFILLED_DETAILS = ("board_code", "board_name", "occasion", "mandate_period", "template_version", "example_data")

CONTRIBUTION_FIELDS: tuple[Field, ...] = (
    Field("contribution_id", "Bidrags-id", "id", width=10, help="Behåll samma id hela mandatperioden, t.ex. GRN-01.",
          aliases=("Bidrag-ID",)),
    Field("goal_code", "KF-mål", "goal", width=18, help="Välj ett av de mål nämnden/bolaget ansvarar för."),
    Field("title", "Bidrag (rubrik)", width=16),
    Field("description", "Beskrivning av bidraget", width=22),
    Field("expected_movement", "Hur bidraget förväntas leda till förflyttning", width=22),
    Field("plan_year", "Planerat under året", width=19),
    Field("plan_period", "Planerat under mandatperioden", width=19),
    Field("partner_boards", "Samverkar med (koder, kommaseparerade)", "board_list", required=False, width=13),
)

# At the first budget of a mandate period that continues an earlier one, the contributions
# sheet has one more column, shown and locked, never read: on each row pre-filled from the
# previous period, where it continues from ("Fortsätter från 2023–2026, KF-mål 1.3"). Narrow,
# so that the sheet still prints at 70 % (analysis.boards.paper); its text wraps.
CONTINUES_COLUMN = Field("continues", "Fortsätter från förra perioden", "shown", required=False, width=11)
CONTINUES_MARK = "Fortsätter från {period}"


def contribution_columns(carries: bool) -> tuple[Field, ...]:
    """The columns of the contributions sheet as the template writes them: with the column
    that marks the rows carried forward from the previous period when `carries`."""
    return (*CONTRIBUTION_FIELDS, CONTINUES_COLUMN) if carries else CONTRIBUTION_FIELDS


FOLLOW_UP_FIELDS: tuple[Field, ...] = (
    Field("contribution_id", "Bidrags-id", "id", width=10, aliases=("Bidrag-ID",)),
    Field("goal_code", "KF-mål", "goal", width=17),
    Field("title", "Bidrag (rubrik)", width=14, required=False),
    Field("movement", "Bedömd förflyttning", "scale:movement", width=14),
    Field("outlook", "Nås önskad förflyttning under mandatperioden?", "scale:outlook", width=14),
    Field("reached", "Har önskad förflyttning nåtts under mandatperioden?", "scale:reached", width=14),
    Field("analysis", "Analys", width=32, help="Vad har gjorts, vad har det lett till och varför?"),
    Field("evidence_type", "Typ av underlag", "scale:evidence_type", width=12),
    Field("evidence", "Underlag (beskrivning)", width=18),
)
# Only the period-end occasion (the catalogue's period_end_occasion) asks whether the movement
# was reached (mandatperiodsanalys).
PERIOD_END_ONLY = ("reached",)

HUMAN_RIGHTS_FIELDS: tuple[Field, ...] = (
    Field("contribution_id", f"Bidrags-id eller {BASE_MISSION.lower()}", "id", width=16,
          aliases=(f"Bidrag-ID eller {BASE_MISSION}",)),
    Field("theme", "Tema", "scale:theme", width=18),
    Field("consideration", "Hur har temat beaktats?", "scale:consideration", width=16),
    Field("comment", "Beskrivning", required=False, width=60),
)

INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("contribution_id", "Bidrags-id", "id", width=10, aliases=("Bidrag-ID",)),
    Field("indicator", "Indikator", width=28),
    Field("unit", "Enhet", required=False, width=9),
    Field("direction", "Önskad riktning", "scale:direction", width=12),
    Field("baseline_year", "Basår", "int", width=8),
    Field("baseline_value", "Basvärde", "number", width=10),
    Field("value_year", "År", "int", width=8),
    Field("value", "Värde", "number", width=10),
    Field("source", "Källa", required=False, width=22),
)

# The council assignments (KF-uppdrag) a board reports on at the occasion, one locked row
# each (analysis.assignments says which); the board answers status, expected completion, comment.
# Widths: 139 units in all, so that the sheet prints at 75 % or more (analysis.boards.paper).
ASSIGNMENT_COLUMNS: tuple[Field, ...] = (
    Field("assignment_id", "Uppdrags-id", "id", width=11),
    Field("assignment_text", "KF-uppdrag", "shown", required=False, width=36),
    Field("role", "Nämndens roll", "shown", required=False, width=10),
    Field("due", "Ska vara klart", "shown", required=False, width=10),
    Field("status", "Status", "scale:assignment_status", width=22),
    Field("expected_completion", "Förväntas vara klart (år)", "int", required=False, width=10),
    Field("comment", "Kommentar", required=False, width=40,
          help="Kort: vad har gjorts och vad återstår. Krävs när uppdraget avslutas utan att slutföras."),
)
ASSIGNMENT_FIELDS = tuple(f for f in ASSIGNMENT_COLUMNS if f.kind != "shown")

# The data sheets in workbook order, with the fields each one carries.
DATA_SHEETS: dict[str, tuple[Field, ...]] = {
    CONTRIBUTIONS_SHEET: CONTRIBUTION_FIELDS,
    FOLLOW_UPS_SHEET: FOLLOW_UP_FIELDS,
    HUMAN_RIGHTS_SHEET: HUMAN_RIGHTS_FIELDS,
    INDICATORS_SHEET: INDICATOR_FIELDS,
    ASSIGNMENTS_SHEET: ASSIGNMENT_FIELDS,
}
# Sheets a submission must have; the indicators sheet is optional, as indicators are, and
# only a board with active council assignments has the sheet KF-uppdrag.
REQUIRED_SHEETS = (DETAILS_SHEET, CONTRIBUTIONS_SHEET, HUMAN_RIGHTS_SHEET)


def follow_up_fields(period_end: bool) -> tuple[Field, ...]:
    """The follow-up columns for an occasion; `reached` only at the period end."""
    return tuple(f for f in FOLLOW_UP_FIELDS if period_end or f.key not in PERIOD_END_ONLY)


def normalise_header(text: object) -> str:
    """Headers and sheet names match regardless of letter case, spacing, invisible
    characters and Unicode form (analysis.text.plain)."""
    return plain(text).casefold()


def column_letter(number: int) -> str:
    """A column's letters from its number, counted from 1 (1 -> 'A', 27 -> 'AA'). Here
    rather than from openpyxl, so that reading and checking workbooks import no openpyxl
    (about 9 MB of an ingestion's memory)."""
    if number < 1:
        raise ValueError(f"column number {number} < 1")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A column's number from its letters ('A' -> 1, 'AA' -> 27)."""
    if not letters or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is no column")
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number
