"""The package's layout holds: no import cycles between its modules, and the pure stages
(the aggregate tables, the report's data, content and charts, the rule table, the shared
vocabulary) never import a module that reads or writes files, directly or through
another module of the package. Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.config import REPOSITORY_ROOT

PACKAGE = REPOSITORY_ROOT / "analysis"

# Modules that do I/O: files, workbooks, Parquet, notebooks, browsers, the command line.
IO_MODULES = {
    "analysis.files", "analysis.excel", "analysis.stamps", "analysis.aggregates", "analysis.run", "analysis.cli",
    "analysis.intake.ingest", "analysis.intake.store", "analysis.inbox", "analysis.boards.reader",
    "analysis.feedback", "analysis.report.produce", "analysis.report.notebook", "analysis.report.html",
    "analysis.report.export", "analysis.report.judgement", "analysis.explore.takeout", "analysis.explore.panel",
    "analysis.versions", "analysis.lock", "analysis.report.document", "analysis.report.word_template",
    "analysis.report.pdf",
}
IO_LIBRARIES = {"openpyxl", "python_calamine", "papermill", "nbconvert", "nbformat", "nbclient", "jupyter_client",
                "kaleido", "playwright", "pyarrow", "shutil", "tempfile", "subprocess", "msoffcrypto", "zipfile", "docx"}
PURE_HELPERS = {"openpyxl.utils", "openpyxl.utils.column_index_from_string", "openpyxl.utils.get_column_letter"}  # cell addresses
PURE_MODULES = {
    "analysis.vocabulary", "analysis.occasion", "analysis.tables.registry", "analysis.tables.tally",
    "analysis.tables.coverage", "analysis.tables.movement", "analysis.tables.human_rights", "analysis.tables.evidence",
    "analysis.tables.indicators", "analysis.tables.trajectory", "analysis.tables.goal_signal",
    "analysis.tables.goal_areas", "analysis.tables.data_quality", "analysis.tables.contribution_paths",
    "analysis.tables.lessons", "analysis.tables.assignments", "analysis.tables.cooperation", "analysis.assignments",
    "analysis.report.data", "analysis.report.content",
    "analysis.report.charts", "analysis.report.plots", "analysis.checks.rules", "analysis.boards.layout", "analysis.boards.paper",
    "analysis.text", "analysis.report.wordml",
    "analysis.explore.views", "analysis.explore.figures", "analysis.crosswalk", "analysis.tables.planning",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module the file imports anywhere in it (absolute names)."""
    found = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0] \
        if path.is_relative_to(REPOSITORY_ROOT) else ""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from analysis.report import content`
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None. Package __init__ modules are left
    out: importing `analysis.x.y` runs `analysis.x` first, which is no dependency."""
    edges = {m: {t for t in ts if not (m.startswith(t + "."))} for m, ts in edges.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_has_no_import_cycle():
    assert cycle(graph()) is None, " -> ".join(cycle(graph()))


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_is_classified_and_exists():
    modules = set(graph())
    assert PURE_MODULES <= modules and IO_MODULES <= modules
    assert not PURE_MODULES & IO_MODULES


def test_pure_modules_never_reach_an_io_module():
    edges = graph()
    for start in sorted(PURE_MODULES):
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            seen.add(module)
            todo += edges[module]
        reached_io = sorted(seen & IO_MODULES)
        assert not reached_io, f"{start} reaches {reached_io}"
        libraries = {m for p in seen for m in imports(_path(p)) if m.split(".")[0] in IO_LIBRARIES} - PURE_HELPERS
        assert not libraries, f"{start} (or a module it imports) imports {sorted(libraries)}"


def test_the_io_check_sees_an_io_import(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("def f():\n    from analysis.intake.store import read_table\n    import openpyxl\n")
    assert {"analysis.intake.store", "openpyxl"} <= imports(module)


def _path(module: str) -> Path:
    path = REPOSITORY_ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


# The stages, in the order data passes through them: a module imports only modules of its
# own stage or an earlier one. Modules not named here (the shared helpers at the package's
# top: vocabulary, occasion, catalogue, config, files, inbox, stamps, ...) are stage 0.
STAGES = {
    "analysis.boards": 1,  # the boards' workbooks: layout, template, reading
    "analysis.checks": 2,  # the rules and their checks
    "analysis.intake": 3,  # raw workbooks -> the processed store
    "analysis.tables": 4, "analysis.aggregates": 4,  # the aggregate tables
    "analysis.feedback": 5, "analysis.dialogue": 5, "analysis.planning": 5,  # outputs above the store
    "analysis.report": 6,
    "analysis.explore": 7,  # the analysts' notebook, through the public load_tables
    "analysis.run": 7, "analysis.cli": 7,
}
# Known and named: the board's check sheet counts the answers the rule table requires; the
# dialogue rules (beside the check rules) read the processed tables with the aggregate
# tables' own helpers.
AGAINST_THE_STAGES = {("analysis.boards.check_sheet", "analysis.checks.rules"),
                      ("analysis.checks.dialogue_rules", "analysis.tables.tally")}


def stage(module: str) -> int:
    if module == "analysis":  # the package's public face (load_tables) comes last
        return max(STAGES.values())
    return max((rank for prefix, rank in STAGES.items() if module == prefix or module.startswith(prefix + ".")),
               default=0)


def test_no_import_runs_against_the_stages():
    against = sorted((m, i) for m, found in graph().items() for i in found
                     if stage(i) > stage(m) and (m, i) not in AGAINST_THE_STAGES)
    assert against == []
