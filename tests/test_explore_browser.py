"""The exploration notebook in a real JupyterLab, in headless Chromium: every cell runs
without an error, every control, table and figure is drawn, the goal-area filter
changes the plotted data, and a view saved to Excel holds exactly the filtered rows."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from jupyterlab_browser import browser_page, chromium, jupyterlab, notebook_for, run_all_cells

pytestmark = [pytest.mark.skipif(chromium() is None, reason="Chromium saknas (make setup installerar det)"),
              pytest.mark.slow]

OCCASION = "2026-ar"  # the period end of 2023–2026 (the example city's latest occasion is 2027-budget): opened on it


def _figure_data(page, index: int) -> list:
    return page.evaluate(f"""() => {{
        const plots = [...document.querySelectorAll('.js-plotly-plot')];
        return plots[{index}].data.map(t => ({{name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}}));
    }}""")


def test_the_exploration_notebook_works_in_jupyterlab(example_city, tmp_path):
    import shutil

    from analysis.config import Paths

    city = Paths.at(tmp_path / "stad")
    shutil.copytree(example_city.root / "data", city.root / "data")
    lab = tmp_path / "lab"
    lab.mkdir()
    path = notebook_for(city.root, lab, OCCASION)
    with jupyterlab(lab) as (base, token), browser_page() as page:
        seconds = run_all_cells(page, base, token)
        print(f"utforska.ipynb: {seconds:.1f} s från öppning till sista cellen")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 9", timeout=120_000)
        # Mandate period, occasion, compare with, goal area, goal, board, theme, council assignment, contribution.
        assert page.locator(".widget-dropdown").count() == 9
        assert page.locator(".widget-text input").count() == 1
        assert page.locator(".widget-checkbox input").count() == 1  # the history within the chosen period only
        assert page.locator("table.dataTable").count() >= 6
        assert page.locator("button", has_text="Spara till Excel och PNG").count() == 10  # one per view

        before = _figure_data(page, 0)
        area = page.locator(".widget-dropdown", has_text="Målområde").locator("select")
        options = area.evaluate("select => [...select.options].map(o => o.text)")
        area.select_option(label=next(o for o in options if o.replace("\xa0", " ").startswith("3 ")))
        total = sum(map(sum, (t["y"] for t in before)))
        page.wait_for_function(f"""() => {{
            const data = [...document.querySelectorAll('.js-plotly-plot')][0].data;
            const sum = data.reduce((s, t) => s + Array.from(t.y || []).reduce((a, b) => a + b, 0), 0);
            return sum > 0 && sum < {total};
        }}""", timeout=60_000)
        after = _figure_data(page, 0)
        assert 0 < sum(map(sum, (t["y"] for t in after))) < total

        page.locator("button", has_text="Spara till Excel och PNG").first.click()
        page.wait_for_selector("text=Sparat:", timeout=120_000)

        # A search word reaches the text search, and leaves the follow-ups' table (which
        # does not search the texts) with its rows.
        rows = page.locator(".dt-info").first.text_content()
        word = page.locator(".widget-text", has_text="Sökord").locator("input")
        word.fill("samverkan")
        word.press("Enter")
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
                               ".some(t => t.textContent.includes('Träffar per nämnd och bolag: samverkan'))", timeout=60_000)
        page.wait_for_function("() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
                               ".some(e => e.textContent.includes('Idle'))", timeout=60_000)
        assert page.locator(".dt-info").first.text_content() == rows and not rows.startswith("Inga rader")
        page.keyboard.press("Control+s")
        page.wait_for_timeout(1000)

    nb = json.loads(path.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []

    saved = city.reports / "utforskning" / f"uppfoljningar_{OCCASION}_omrade-3.xlsx"
    assert saved.with_suffix(".png").stat().st_size > 10_000
    rows = list(openpyxl.load_workbook(saved).worksheets[0].values)
    got = sorted((r[rows[0].index("Nämnd/bolag")], r[rows[0].index("Bidrags-id")]) for r in rows[1:])
    # The same rows worked out here from the processed table and the catalogue.
    follow = pd.read_parquet(city.processed / "follow_ups.parquet").astype(object)
    from analysis.catalogue import load_catalogues

    catalogue = next(iter(load_catalogues(city.reference).values()))
    area_goals = set(catalogue.goals.loc[catalogue.goals["goal_area_code"] == "3", "goal_code"])
    names = dict(zip(catalogue.boards["board_code"], catalogue.boards["board_name"]))
    wanted = follow[(follow["occasion"] == OCCASION) & follow["goal_code"].isin(area_goals)]
    assert got == sorted(zip(wanted["board_code"].map(names), wanted["contribution_id"])) and len(got) > 3
