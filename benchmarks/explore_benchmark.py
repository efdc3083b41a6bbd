"""The exploration notebook in JupyterLab, in headless Chromium, on the example city and on
the example city with ten times the boards (tests/copied_city.py: every board copied ten
times with its goals, council assignments, submissions and answers, under new codes):

- seconds from opening utforska.ipynb to its last cell done (every view drawn);
- per view, seconds from a changed filter (goal area, board, occasion, KF goal and search
  word: each set and set back, in turn) to the view's output redrawn: the browser's first
  frame after the last new content in it (a table or figure replaced, not one laid out
  again). Median and slowest of the changes that redrew the view (a view whose answer a
  change leaves as it was is not redrawn). Target at ten times the boards: a median of
  at most 1 s per view.

A cell that fails stops the benchmark with the notebook's error; so does a filter change
whose option is missing, or that makes the kernel log an error (or a warning).

Run: .venv/bin/python benchmarks/explore_benchmark.py [--repeat 3] [--copies 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from analysis import load_tables  # noqa: E402
from analysis.catalogue import load_catalogues  # noqa: E402
from analysis.config import Paths  # noqa: E402
from analysis.explore import views  # noqa: E402
from analysis.explore.panel import Panel  # noqa: E402
from copied_city import copied_city  # noqa: E402
from jupyterlab_browser import KERNEL_IDLE, NOTEBOOK, CellFailed, browser_page, jupyterlab, notebook_for, run_all_cells  # noqa: E402

TARGET_S = 1.0
WORD = "samverkan"  # in about a fifth of the example city's analyses and evidence texts
QUIET_MS = 1000  # no change to any view's output for this long, and the kernel idle: the redraw is over
OCCASION = "2026-ar"  # the notebook opens here: the period end of 2023–2026 (the example city goes on to 2027-budget)


def example_city(folder: Path) -> Paths:
    folder.mkdir(parents=True)
    cli = [sys.executable, "-m", "analysis.cli", "--root", str(folder)]
    subprocess.run([*cli, "demo", "--all"], check=True, capture_output=True)
    subprocess.run([*cli, "ingest", "--all", "--quiet"], capture_output=True)  # exit 1: two example files are rejected
    return Paths.at(folder)


def view_cells() -> list[tuple[str, int]]:
    """Each view of the notebook (its name in `panel.show`) and the index of its code cell."""
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    shown = [(re.search(r'panel\.show\("(\w+)"\)', "".join(c["source"])), i) for i, c in enumerate(cells)]
    return [(match.group(1), i) for match, i in shown if match]


def filter_changes(paths: Paths, rounds: int) -> list[tuple[str, str]]:
    """The changes made, as (control, option or text), each from the notebook's first
    state and back: goal area 3; the board with the most follow-ups in the period; the
    occasion before OCCASION; the KF goal with the most responsible boards; the search
    word WORD. (Of equals, the first in the catalogue.) The options are read from a panel
    made as the notebook makes it, on OCCASION: the chosen period's catalogue and
    occasions, labelled as the notebook shows them."""
    tables = load_tables(paths.root)
    panel = Panel(tables, load_catalogues(paths.reference), paths.root, OCCASION)
    catalogue, f = panel.catalogue, panel.filters()

    def label(control, value) -> str:
        return next(text for text, v in control.options if v == value)

    counts = views.in_period(tables, f.period)["follow_ups"]["board_code"].astype(object).value_counts()
    board = max(catalogue.boards["board_code"], key=lambda b: counts.get(b, 0))  # max keeps the first of equals
    named = catalogue.responsibilities["goal_code"].value_counts()
    goal = max(catalogue.goals["goal_code"], key=lambda g: named.get(g, 0))
    occasions = [value for _, value in panel.occasion.options if value]
    previous = occasions[occasions.index(f.occasion) - 1]
    area = catalogue.goal_areas["goal_area_code"].iloc[2]
    one = [("Målområde", label(panel.goal_area, area)), ("Målområde", label(panel.goal_area, None)),
           ("Nämnd/bolag", label(panel.board, board)), ("Nämnd/bolag", label(panel.board, None)),
           ("Tillfälle", label(panel.occasion, previous)), ("Tillfälle", label(panel.occasion, f.occasion)),
           ("KF-mål", label(panel.goal, goal)), ("KF-mål", label(panel.goal, None)), ("Sökord", WORD), ("Sökord", "")]
    return one * rounds


WATCH = f"""cells => {{
    const code = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const state = window.__redraw = {{start: performance.now(), drawn: {{}}, last: performance.now(), busy: false}};
    const after = f => () => requestAnimationFrame(() => setTimeout(() => {{  // the first frame after a change
        state.last = performance.now();
        f();
    }}));
    // Content the change replaced: a table or figure shown before it, which DataTables and
    // plotly lay out again when the page's width changes (a scroll bar), is not a redraw.
    const fresh = records => records.some(r => {{
        const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        return !node?.closest('[data-bench-before]');
    }});
    for (const [name, index] of cells) {{
        const drawn = after(() => {{ state.drawn[name] = state.last - state.start; }});
        new MutationObserver(records => {{ if (fresh(records)) drawn(); }})
            .observe(code[index].querySelector('.jp-OutputArea'), {{childList: true, subtree: true, characterData: true}});
    }}
    new MutationObserver(() => {{  // the kernel's status, as the status bar shows it
        state.last = performance.now();
        state.busy ||= !({KERNEL_IDLE});
    }}).observe(document.querySelector('.jp-StatusBar-TextItem').closest('.jp-StatusBar-Widget'),
                {{childList: true, subtree: true, characterData: true}});
}}"""

CHANGE = """([label, text]) => {
    const plain = s => s.replace(/\\u00a0/g, ' ').trim();
    const box = [...document.querySelectorAll('.widget-dropdown, .widget-text')]
        .find(d => plain(d.querySelector('label')?.textContent || '') === label);
    const select = box.querySelector('select');
    const index = select ? [...select.options].findIndex(o => plain(o.text) === text) : -1;
    if (select && index < 0) throw new Error(`${label}: no option ${text}`);
    for (const shown of document.querySelectorAll('.jp-Notebook .dt-container, .jp-Notebook .js-plotly-plot')) {
        shown.dataset.benchBefore = '';
    }
    Object.assign(window.__redraw, {start: performance.now(), drawn: {}, busy: false});
    if (select) {
        select.selectedIndex = index;
        select.dispatchEvent(new Event('change', {bubbles: true}));
    } else {  // a text box that sends its value when changed (continuous_update=False)
        const input = box.querySelector('input');
        input.value = text;
        input.dispatchEvent(new Event('change', {bubbles: true}));
    }
}"""

# The kernel has taken the change (it was busy, or a view changed), is idle again, and
# nothing has changed for QUIET_MS. A view whose answer is the same is not redrawn.
SETTLED = f"""() => {{
    const state = window.__redraw;
    return (state.busy || Object.keys(state.drawn).length > 0) && performance.now() - state.last > {QUIET_MS}
        && {KERNEL_IDLE};
}}"""


# Output of a widget's callback that no cell takes (an error in a redraw, a warning) goes
# to JupyterLab's log console; its status bar item then says how many entries it holds.
LOGGED = "() => document.querySelector('.jp-LogConsoleStatusItem [title]')?.title || ''"


class ChangeFailed(RuntimeError):
    """A filter could not be changed, or the kernel logged an error or warning when it was."""


def _logged(page) -> str:
    """The log console's entries (none: ''), shown by a click on its status bar item."""
    if not page.evaluate(LOGGED):
        return ""
    page.locator(".jp-LogConsoleStatusItem").click()
    panel = page.locator(".jp-LogConsolePanel")
    panel.locator(".jp-OutputArea-output").first.wait_for(timeout=30_000)
    return panel.inner_text()


def redraw_times(page, changes: list[tuple[str, str]], timeout_s: float = 300) -> dict[str, list[float]]:
    """Seconds from each filter change to each view redrawn, by view (views that a change
    left as they were have no time for it). Raises ChangeFailed, with the kernel's
    error, when a change logged one (the views it did not redraw would go unnoticed)."""
    from playwright.sync_api import Error

    cells = view_cells()
    page.evaluate(WATCH, cells)
    page.wait_for_function(f"() => performance.now() - window.__redraw.last > {QUIET_MS} && {KERNEL_IDLE}",
                           timeout=timeout_s * 1000)  # the notebook's own drawing is over
    times: dict[str, list[float]] = {name: [] for name, _ in cells}
    for change in changes:
        try:
            page.evaluate(CHANGE, list(change))
        except Error as exc:
            raise ChangeFailed(f"{change}: {exc.message.splitlines()[0]}") from exc
        try:
            page.wait_for_function(SETTLED, timeout=timeout_s * 1000)
        except Error as exc:
            raise ChangeFailed(f"{change}: the views were not redrawn within {timeout_s} s") from exc
        if logged := _logged(page):
            raise ChangeFailed(f"{change}: the kernel logged (JupyterLab's log console):\n{logged[-3000:]}")
        for name, ms in page.evaluate("() => window.__redraw.drawn").items():
            times[name].append(ms / 1000)
    return times


def session(paths: Paths, work: Path, changes: list[tuple[str, str]]) -> tuple[float, dict[str, list[float]]]:
    """One JupyterLab and browser: seconds from opening to the last cell done, then the
    redraw times of the changes (if any)."""
    lab = work / "lab"
    lab.mkdir(parents=True, exist_ok=True)
    notebook_for(paths.root, lab, OCCASION)
    with jupyterlab(lab) as (base, token), browser_page() as page:
        seconds = run_all_cells(page, base, token)
        return seconds, redraw_times(page, changes) if changes else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="sessions per city (open -> last cell)")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of ten filter changes, in the last session")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="malstyrning-explore-") as tmp:
        tmp = Path(tmp)
        city = example_city(tmp / "stad")
        big = copied_city(city, tmp / f"stad-x{args.copies}", args.copies)
        for label, paths in (("example city (19 boards)", city), (f"{args.copies}x the boards", big)):
            follow_ups = len(load_tables(paths.root)["follow_ups"])
            changes = filter_changes(paths, args.rounds)
            try:
                runs = [session(paths, tmp / f"run-{label[:2]}-{i}", changes if i == args.repeat - 1 else [])
                        for i in range(args.repeat)]
            except (CellFailed, ChangeFailed) as exc:
                sys.exit(f"{label}: {exc}")
            opened = [seconds for seconds, _ in runs]
            print(f"{label}: {follow_ups} follow-ups; open -> last cell done: median {statistics.median(opened):.1f} s "
                  f"({' '.join(f'{r:.1f}' for r in opened)})")
            print(f"  filter change -> view redrawn, {len(changes)} changes (goal area, board, occasion, goal, word; "
                  f"target at {args.copies}x: median <= {TARGET_S:.0f} s):")
            for name, seconds in runs[-1][1].items():
                if not seconds:
                    print(f"    {name:<14} never redrawn (no change altered it)")
                    continue
                print(f"    {name:<14} median {statistics.median(seconds):5.2f} s, slowest {max(seconds):5.2f} s, "
                      f"redrawn by {len(seconds)} of {len(changes)} changes ({' '.join(f'{s:.2f}' for s in seconds)})")
            shutil.rmtree(paths.root / "reports", ignore_errors=True)


if __name__ == "__main__":
    main()
