"""The `malstyrning` command. Swedish help and messages; a user error is one clear line
and an exit status, never a traceback. Heavy libraries are imported by the subcommands
that use them, so `template` and `demo` start fast."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path
from typing import Callable, Sequence

from analysis.config import Paths
from analysis.errors import DiskFull, UsageError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
PRINTED_PER_FILE = 10  # errors printed per rejected file; the feedback workbook has them all


class _SwedishFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="Användning: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _SwedishFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        for english, swedish in (
            ("the following arguments are required", "följande argument krävs"),
            ("unrecognized arguments", "okända argument"),
            ("invalid choice", "ogiltigt val"),
            ("expected one argument", "ett värde krävs"),
            ("not allowed with argument", "kan inte kombineras med"),
            ("one of the arguments", "ett av argumenten"),
            ("is required", "krävs"),
            ("invalid int value", "ogiltigt heltal"),
        ):
            message = message.replace(english, swedish)
        self.exit(EXIT_USAGE, f"{self.prog}: fel: {message}\n")


def _occasions(args, paths: Paths) -> list:
    """The occasions a command works on: --period P, or --all (every occasion known)."""
    from analysis.occasion import Occasion

    if getattr(args, "period", None):
        return [Occasion.parse(args.period)]
    if args.command == "ingest":
        found = []
        if paths.raw.is_dir():
            for folder in sorted(paths.raw.iterdir()):
                try:
                    found.append(Occasion.parse(folder.name))
                except UsageError:
                    continue
        if not found:
            raise UsageError(f"Inga mappar för rapporteringstillfällen (t.ex. 2024-delar) finns i {paths.raw}.")
        return sorted(found)
    from analysis.catalogue import load_catalogues

    # The example city's boards report up to each period's end (its whole-period analysis).
    return sorted(o for c in load_catalogues(paths.reference).values() for o in c.occasions_to_period_end)


# --- what the commands print (Swedish singular and plural; nothing said of zero where nothing happened) ---


def _count(n: int, singular: str, plural: str) -> str:
    from analysis.vocabulary import count  # imported here: it brings pandas, which the command line loads only when used

    return count(n, singular, plural)


def catalogue_line(catalogue) -> str:
    """`katalog`: one line per goal catalogue."""
    return (f"Mandatperiod {catalogue.mandate_period} ({catalogue.source}): "
            f"{_count(len(catalogue.goal_areas), 'målområde', 'målområden')}, {_count(len(catalogue.goals), 'KF-mål', 'KF-mål')}, "
            f"{_count(len(catalogue.boards), 'nämnd eller bolag', 'nämnder och bolag')}, "
            f"{_count(len(catalogue.responsibilities), 'ansvarsuppdrag', 'ansvarsuppdrag')}, mandatperiodsanalys vid "
            f"{catalogue.period_end_occasion.label}. Inga fel.")


def templates_line(n: int, occasion_label: str, folder: Path, note: str = "") -> str:
    """`template`: how many templates were written, and where (and `note`: what was carried
    forward from the previous period)."""
    if not n:
        return f"Inga mallar för {occasion_label} skrivna."
    return f"{_count(n, 'mall', 'mallar')} för {occasion_label} {'skriven' if n == 1 else 'skrivna'} till {folder}{note}."


def demo_line(occasion: str, written: int, skipped: int, missing: Sequence[str]) -> str:
    """`demo`: the example workbooks written for an occasion, those already there, and the
    boards that send nothing (said only when there are any)."""
    parts = []
    if written:
        parts.append(_count(written, "arbetsbok skriven", "arbetsböcker skrivna"))
    if skipped:
        noun = ("", "") if written else ("arbetsbok ", "arbetsböcker ")
        parts.append(_count(skipped, f"{noun[0]}fanns redan och lämnades orörd", f"{noun[1]}fanns redan och lämnades orörda"))
    text = f"Exempeldata {occasion}: {', '.join(parts) or 'inga arbetsböcker skrivna'}"
    if missing:
        text += (f"; {_count(len(missing), 'nämnd/bolag lämnar', 'nämnder/bolag lämnar')} inte in "
                 f"({', '.join(missing)})")
    return text + "."


def judgement_line(occasion: str, path: Path, written: bool) -> str:
    """`demo`: the example judgement file of a follow-up, written or left as it was."""
    if written:
        return f"Exempeldata {occasion}: Kommunstyrelsens bedömningar och texter skrivna till {path}."
    return f"Exempeldata {occasion}: bedömningsfilen {path} fanns redan och lämnades orörd."


def ingest_line(occasion: str, files: int, accepted: int, rejected: int) -> str:
    """`ingest`: the files read for an occasion, how many were accepted and how many rejected."""
    if not files:
        return f"{occasion}: inga filer lästa."
    parts = [_count(files, "fil läst", "filer lästa")]
    if accepted:
        parts.append(_count(accepted, "godkänd", "godkända"))
    if rejected:
        parts.append(_count(rejected, "avvisad", "avvisade"))
    return f"{occasion}: {', '.join(parts)}."


def feedback_line(folder: str, files: int) -> str:
    """`ingest`: where the feedback files written are (said only when some were written)."""
    return f"Återkoppling per nämnd och en sammanfattning finns i {folder} ({_count(files, 'fil', 'filer')})."


def cmd_katalog(args, paths: Paths) -> int:
    from analysis.catalogue import load_catalogues, next_catalogue
    from analysis.crosswalk import crosswalk_for, running_past_end

    catalogues = load_catalogues(paths.reference)
    for catalogue in sorted(catalogues.values(), key=lambda c: c.first_year):
        print(catalogue_line(catalogue))
        for warning in catalogue.warnings:
            print(f"  Varning: {warning}")
        crosswalk = crosswalk_for(catalogue, catalogues)
        for line in crosswalk.describe() if crosswalk is not None else ():
            print(f"  {line}")
        late = running_past_end(catalogue)
        if late and next_catalogue(catalogue, catalogues) is None:
            print(f"  KF-uppdrag som ska vara klara efter mandatperiodens slut (förs över till nästa periods målkatalog "
                  f"under samma id): {', '.join(late)}.")
    return EXIT_OK


def cmd_template(args, paths: Paths) -> int:
    from analysis.catalogue import catalogue_for, load_catalogues, previous_catalogue
    from analysis.crosswalk import carried_for_template
    from analysis.excel import save_workbook
    from analysis.files import writing
    from analysis.occasion import Occasion
    from analysis.intake.store import current_folder, read_table
    from analysis.boards.template import build_template, known_contributions

    occasion = Occasion.parse(args.period)
    catalogues = load_catalogues(paths.reference)
    catalogue = catalogue_for(occasion, catalogues)
    boards = catalogue.board_codes  # every board and company reports at least on its base mission
    if args.board:
        wanted = args.board.upper()
        if wanted not in boards:
            raise UsageError(f"Nämnd/bolag '{args.board}' finns inte i målkatalogen för {catalogue.mandate_period}.")
        boards = [wanted]
    out = Path(args.out) if args.out else paths.templates_for(occasion.code)
    store = current_folder(paths)
    contributions = read_table(store, "contributions")
    submissions = read_table(store, "submissions")
    # The council assignments still active: those no earlier answer in the current tables reports finished.
    assignment_answers = read_table(store, "assignment_follow_ups")
    carried_rows, previous = 0, None
    for board in boards:
        known = known_contributions(contributions, board, occasion, catalogue)
        # At the first budget of a new period: the contributions that continue from the previous one.
        carried = carried_for_template(catalogues, catalogue, occasion, submissions, contributions, board)
        if carried is not None:
            carried_rows += len(carried)
            previous = previous_catalogue(catalogue, catalogues)
        wb = build_template(catalogue, occasion, board, known, assignment_answers, carried)
        label = occasion.submission_label(catalogue.board_kind(board))
        path = out / f"{board} {catalogue.board_name(board)} – {label}.xlsx"
        with writing(f"mallen {path}"):
            save_workbook(wb, path)
    note = f"; {carried_rows} bidrag från {previous.span} förs vidare i mallarna" if previous is not None else ""
    if previous is not None and (submissions is None
                                 or not (submissions["mandate_period"].astype(object) == previous.mandate_period).any()):
        note = (f"; inga inlämningar från {previous.span} är inlästa, så inga bidrag förs vidare (kör först "
                "malstyrning ingest för förra periodens tillfällen)")
    print(templates_line(len(boards), occasion.label, out, note))
    return EXIT_OK


def cmd_demo(args, paths: Paths) -> int:
    from analysis.catalogue import catalogue_for, load_catalogues
    from analysis.crosswalk import crosswalk_for
    from analysis.boards.demo import EXAMPLE_CITY_NOW, example_judgement, write_demo
    from analysis.report.judgement import not_example_data, write_example_judgement

    catalogues = load_catalogues(paths.reference)
    occasions = _occasions(args, paths)
    if args.all:  # the example city's present: the period ends before it, and no later occasion
        occasions = [o for o in occasions if o <= EXAMPLE_CITY_NOW]
    # A real city's catalogue: nothing is written, neither workbooks nor judgement files.
    for occasion in occasions:
        catalogue = catalogue_for(occasion, catalogues)
        if not catalogue.example_data:
            raise UsageError(not_example_data(catalogue))
    for occasion in occasions:
        catalogue = catalogue_for(occasion, catalogues)
        crosswalk = crosswalk_for(catalogue, catalogues)
        outcome = write_demo(catalogue, occasion, paths.raw_for(occasion.code), seed=args.seed, crosswalk=crosswalk)
        print(demo_line(occasion.code, len(outcome.written), len(outcome.skipped), outcome.missing))
        if occasion.is_follow_up:  # the executive board's words, as the report's judgement file
            path = paths.judgement_for(occasion.code)
            written = write_example_judgement(path, catalogue, occasion,
                                              example_judgement(catalogue, occasion, args.seed, crosswalk))
            print(judgement_line(occasion.code, path, written))
    return EXIT_OK


def cmd_ingest(args, paths: Paths) -> int:
    from analysis.intake.ingest import ingest

    from analysis.vocabulary import ERROR, number

    results = ingest(paths, _occasions(args, paths), progress=not args.quiet, force=args.force)
    status = EXIT_OK
    for r in results:
        print(ingest_line(r.occasion, r.files, len(r.accepted), len(r.rejected)))
        errors = r.issues[r.issues["severity"] == ERROR]
        for file, found in errors.groupby("source_file", sort=False):
            for rec in found.head(PRINTED_PER_FILE).to_dict("records"):
                where = ", ".join(p for p in (f"flik '{rec['sheet']}'" if rec["sheet"] else "", f"cell {rec['cell']}" if rec["cell"] else "") if p)
                print(f"  AVVISAD {file}: {rec['message']}" + (f" ({where})" if where else ""))
            if len(found) > PRINTED_PER_FILE:
                print(f"  … och {number(len(found) - PRINTED_PER_FILE, 0)} fel till i {file}, se återkopplingen.")
        if r.rejected:
            status = EXIT_REJECTED
    print(f"Tabellerna finns i {paths.processed}.")
    from analysis.feedback import FOLDER, write_feedback

    written = write_feedback(paths, [r.occasion for r in results])
    if written:
        print(feedback_line(f"{paths.reports}/<tillfälle>/{FOLDER}/", len(written)))
    return status


def cmd_aggregate(args, paths: Paths) -> int:
    from analysis.aggregates import aggregate_many, aggregated_occasions, summary
    from analysis.catalogue import load_catalogues
    from analysis.occasion import Occasion

    occasions = [Occasion.parse(args.period)] if args.period else aggregated_occasions(paths)
    for code, tables in aggregate_many(paths, load_catalogues(paths.reference), occasions).items():
        print(summary(tables, Occasion.parse(code)))
    print(f"Tabellerna finns i {paths.aggregates}.")
    return EXIT_OK


def cmd_report(args, paths: Paths) -> int:
    from analysis.catalogue import load_catalogues
    from analysis.errors import ReportFailed
    from analysis.occasion import Occasion
    from analysis.report.produce import produce_report
    from analysis.run import report_files, report_summary

    occasion = Occasion.parse(args.period)
    try:
        outputs = produce_report(paths, load_catalogues(paths.reference), occasion, goal_area=args.goal_area,
                                 force=args.force)
    except ReportFailed as exc:
        print(f"malstyrning: rapporten kunde inte tas fram: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for note in outputs.notes:
        print(f"malstyrning: {note}", file=sys.stderr)
    print(report_summary(outputs))
    print(report_files(outputs, occasion))
    return EXIT_OK


def cmd_dialog(args, paths: Paths) -> int:
    from analysis import dialogue
    from analysis.catalogue import catalogue_for, load_catalogues
    from analysis.occasion import Occasion

    occasion = Occasion.parse(args.period)
    catalogues = load_catalogues(paths.reference)
    catalogue = catalogue_for(occasion, catalogues)
    dialogue.check_not_open(paths.dialogue_for(occasion.code))  # before anything is made
    board = args.board.upper() if args.board else None
    if board and not catalogue.has_board(board):
        raise UsageError(f"Nämnd/bolag '{args.board}' finns inte i målkatalogen för {catalogue.mandate_period}.")
    replies, unread = None, []
    if args.replies:
        replies = []
        for path in dialogue.reply_files(Path(args.replies)):
            found, problem = dialogue.read_reply_file(path)
            replies += [r for r in found if board is None or r[1].split(":")[2:3] == [board]]
            unread += [problem] if problem else []
    outcome = dialogue.refresh(paths, catalogues, occasion, replies)
    print(outcome.note())
    notes = unread + (outcome.replies.notes if outcome.replies is not None else [])
    for note in notes:
        print(f"  {note}")
    if args.replies:
        return EXIT_REJECTED if notes else EXIT_OK
    written = dialogue.write_board_files(paths, occasion, catalogue, outcome.rows, board)
    if written:
        print(f"Frågor till {len(written)} {'nämnd eller bolag' if len(written) == 1 else 'nämnder och bolag'} att skicka: "
              f"{paths.report_for(occasion.code) / dialogue.BOARD_FOLDER}/")
    else:
        who = catalogue.board_name(board) if board else "någon nämnd eller något bolag"
        print(f"Inga öppna frågor till {who} för {occasion.label}; ingen fil skriven.")
    return EXIT_OK


def cmd_planering(args, paths: Paths) -> int:
    from analysis.catalogue import load_catalogues
    from analysis.occasion import Occasion
    from analysis.planning import planning, summary, write_planning

    catalogues = load_catalogues(paths.reference)
    plan = planning(paths, catalogues, Occasion.parse(args.period))
    path = write_planning(paths, plan)
    print(f"Planeringsöversikt för {plan.occasion.label}: {summary(plan)}")
    print(f"Översikten finns i {path}.")
    return EXIT_OK


def cmd_run(args, paths: Paths) -> int:
    from analysis.occasion import Occasion
    from analysis.run import run

    return run(paths, Occasion.parse(args.period), force=args.force, verbose=args.verbose)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="malstyrning",
        description="Arbetsbänk för uppföljning av kommunfullmäktiges mål i Malmö stad.",
        epilog="Exempel: malstyrning demo --all && malstyrning ingest --all",
    )
    parser.add_argument("--root", metavar="MAPP", help="arbeta i en annan mapp än projektets (data/ och reports/ under MAPP)")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", title="kommandon", parser_class=_Parser)
    sub.required = True

    def period_args(p: argparse.ArgumentParser, allow_all: bool) -> None:
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("--period", metavar="TILLFÄLLE", help="rapporteringstillfälle, t.ex. 2024-budget, 2024-delar, 2024-ar")
        if allow_all:
            group.add_argument("--all", action="store_true", help="alla rapporteringstillfällen")

    sub.add_parser("katalog", help="kontrollera målkatalogerna i data/reference")

    p = sub.add_parser("template", help="skriv en Excel-mall per nämnd och bolag")
    period_args(p, allow_all=False)
    p.add_argument("--out", metavar="MAPP", help="mapp för mallarna (standard: data/templates/TILLFÄLLE)")
    p.add_argument("--board", metavar="KOD", help="bara denna nämnd eller detta bolag")

    p = sub.add_parser("demo", help="fyll i mallar med exempeldata som nämnderna och bolagen skulle göra")
    period_args(p, allow_all=True)
    p.add_argument("--seed", type=int, default=2023, help="slumpfrö (samma frö ger samma filer)")

    p = sub.add_parser("ingest", help="läs in nämndernas och bolagens arbetsböcker till tabeller i data/processed")
    period_args(p, allow_all=True)
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.add_argument("--force", action="store_true", help="läs alla filer, även de som redan lästs in oförändrade")

    p = sub.add_parser("aggregate", help="sammanställ per målområde, KF-mål, nämnd och tema (data/processed/aggregates)")
    period_args(p, allow_all=True)

    p = sub.add_parser("report", help="ta fram den sammanställda analysen (HTML, Excel, Word, PDF, diagram)")
    period_args(p, allow_all=False)
    p.add_argument("--goal-area", metavar="MÅLOMRÅDE", help="bara ett målområde, t.ex. 3")
    p.add_argument("--force", action="store_true", help="räkna om sammanställningarna även om de är aktuella")

    p = sub.add_parser("dialog", help="frågor till nämnderna och bolagen där deras egna svar motsäger varandra",
                       description="Lägger in tillfällets frågor i stadskontorets dialogarbetsbok "
                                   "(data/reference/dialog/TILLFÄLLE.xlsx; svar, status och kommentarer skrivs aldrig över) "
                                   "och skriver en fil per nämnd och bolag att skicka (reports/TILLFÄLLE/dialog/KOD.xlsx). "
                                   "Med --replies läses nämndernas svar in i dialogarbetsboken i stället; ett svar som "
                                   "redan finns skrivs aldrig över. Slutstatus: 0 klart, 1 klart men något svar kunde inte "
                                   "läsas in (se utskriften), 2 fel i anropet eller arbetsboken är öppen.")
    period_args(p, allow_all=False)
    p.add_argument("--board", metavar="KOD", help="bara denna nämnd eller detta bolag")
    p.add_argument("--replies", metavar="FIL_ELLER_MAPP",
                   help="läs in svaren i nämndernas och bolagens ifyllda filer (en fil eller en mapp med filer)")
    p = sub.add_parser("planering", help="planeringsöversikt för stadskontoret: hur de nya KF-målen täcks av planerade "
                                         "bidrag och vad förra perioden lämnar över (reports/TILLFÄLLE/planeringsoversikt.xlsx)")
    period_args(p, allow_all=False)

    p = sub.add_parser("run", help="läs in, sammanställ och ta fram rapporten i ett steg (för schemalagda körningar)",
                       description="Läser in, sammanställer och tar fram rapporten, men bara det som behövs: "
                                   "har inget ändrats sedan förra körningen säger den det på en rad. Tyst om inget "
                                   "behöver åtgärdas. Slutstatus: 0 rapport framtagen (eller redan aktuell), 1 framtagen "
                                   "men med avvisade inlämningar, 2 fel i anropet, 3 misslyckades.")
    period_args(p, allow_all=False)
    p.add_argument("--force", action="store_true", help="gör om allt, även det som inte har ändrats")
    p.add_argument("--verbose", action="store_true", help="skriv ut var rapporten finns även när allt gick bra")
    return parser


COMMANDS: dict[str, Callable] = {
    "katalog": cmd_katalog, "template": cmd_template, "demo": cmd_demo, "ingest": cmd_ingest, "aggregate": cmd_aggregate,
    "report": cmd_report, "run": cmd_run, "dialog": cmd_dialog,
    "report": cmd_report, "run": cmd_run, "planering": cmd_planering,
}
READERS = {"katalog"}  # every other command writes, holding the root's lock (analysis.lock)


def _command(args, paths: Paths, argv: Sequence[str]) -> int:
    """Check what can be checked without touching anything, then run the command; one that
    writes holds the root's lock, and first removes what killed writers left behind."""
    if args.root is not None and not Path(args.root).is_dir():
        raise UsageError(f"Mappen {args.root} (--root) finns inte.")
    if getattr(args, "period", None):
        from analysis.occasion import Occasion
        from analysis.run import check_covered

        check_covered(paths, Occasion.parse(args.period))
    if args.command in READERS:
        return COMMANDS[args.command](args, paths)
    from analysis.lock import writer_lock
    from analysis.versions import sweep

    shown = [w for i, w in enumerate(argv) if not (w == "--root" or w.startswith("--root=") or argv[i - 1:i] == ["--root"])]
    with writer_lock(paths, " ".join(shown)):
        sweep(paths)
        return COMMANDS[args.command](args, paths)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    paths = Paths.at(args.root)
    try:
        return _command(args, paths, argv)
    except UsageError as exc:
        print(f"malstyrning: fel: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DiskFull as exc:
        print(f"malstyrning: fel: {exc}. Frigör utrymme och kör igen.", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        target = f" {exc.filename}" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            what = f"; kunde inte skriva {exc.filename}" if exc.filename else ""
            print(f"malstyrning: fel: disken är full{what}. Frigör utrymme och kör igen.", file=sys.stderr)
            return EXIT_FAILED
        print(f"malstyrning: fel: kunde inte läsa eller skriva{target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("malstyrning: avbrutet; tidigare tabeller och rapporter är orörda.", file=sys.stderr)
        return 130


def entry_point() -> None:
    """The `malstyrning` command."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
