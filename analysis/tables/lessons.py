"""Lessons for the next mandate period (*lärdomar inför nästa period*), computed at the
period end from the whole period's follow-up and stated as evidence, never as a verdict:
what the figures show, for the executive board to weigh when it sets the next period's
priorities. Four kinds, each with its rule stated in LESSONS:

- `coverage_incomplete`: KF goals where, at every occasion of the period, at least one
  responsible board or company with an accepted submission had no contribution to it, or
  where a responsible board or company had a contribution to it in none of its accepted
  submissions of the period (it is named, with how many of the period's occasions it
  sent; a board whose submissions were never accepted is named with that said). `count`
  of `of`: the occasions where an accepted responsible board had no contribution;
- `theme_rarely_considered`: goal areas and human-rights themes where fewer than a quarter
  of the period's follow-up answers said the theme was considered (or nobody answered);
- `dropped`: contributions in an earlier submission of the period that the board's
  accepted submission at the period end no longer has;
- `optimistic_not_reached`: contributions whose outlook at some follow-up was that the
  desired movement would be reached, and whose final assessment is that it was not."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.occasion import Occasion
from analysis.tables.human_rights import CONSIDERED
from analysis.tables.tally import as_list, catalogue_maps, lookup, stamp
from analysis.vocabulary import ACCEPTED, MISSING, REJECTED, and_list, count, percent

LESSONS = {
    "coverage_incomplete": "Träffbilden var ofullständig under hela perioden",
    "theme_rarely_considered": "Tema sällan beaktat i målområdet",
    "dropped": "Bidrag som upphörde före periodens slut",
    "optimistic_not_reached": "Prognosen var att förflyttningen skulle nås, men den nåddes inte",
}
RARELY = 0.25  # a theme considered in fewer than this share of the answers
OPTIMISTIC = "likely"  # the outlook that the desired movement will be reached
NOT_REACHED = "not_reached"
LESSON_COLUMNS = [
    "occasion", "mandate_period", "lesson", "lesson_label", "goal_area_code", "goal_code", "board_code",
    "contribution_id", "theme", "count", "of", "evidence",
]


def lessons(
    catalogue: Catalogue,
    occasions: Occasion | Sequence[Occasion],
    coverage: pd.DataFrame,
    human_rights_by_goal_area: pd.DataFrame,
    contribution_paths: pd.DataFrame,
    data_quality: pd.DataFrame,
) -> pd.DataFrame:
    """At the period end (when it is among the occasions; otherwise no rows): one row per
    finding of each kind in LESSONS, with the goal area, goal, board, contribution or theme
    it is about, a count and what it is out of (`count` of `of`), and the evidence in
    Swedish. In LESSONS order, then catalogue order."""
    end = catalogue.period_end_occasion
    occs = [o for o in as_list(occasions) if o <= end]
    records: list[dict] = []
    if end in occs:
        records += _coverage_incomplete(catalogue, coverage, occs)
        records += _themes_rarely_considered(catalogue, human_rights_by_goal_area, occs)
        records += _dropped(catalogue, contribution_paths, data_quality, occs)
        records += _optimistic_not_reached(catalogue, contribution_paths, occs)
    columns = [c for c in LESSON_COLUMNS if c != "mandate_period"]
    out = pd.DataFrame.from_records(records, columns=columns)
    area_of, _, _ = catalogue_maps(catalogue)
    out["goal_area_code"] = [a if isinstance(a, str) else area_of.get(g) for a, g in zip(out["goal_area_code"], out["goal_code"])]
    out["occasion"] = end.code
    out["lesson_label"] = lookup(out["lesson"], LESSONS)
    for c in ("count", "of"):
        out[c] = out[c].astype("int64")
    for c in ("lesson", "lesson_label", "goal_area_code", "goal_code", "board_code", "contribution_id", "theme", "evidence"):
        out[c] = out[c].astype(object)
    return stamp(out, catalogue)[LESSON_COLUMNS]


def _coverage_incomplete(catalogue: Catalogue, coverage: pd.DataFrame, occs: list[Occasion]) -> list[dict]:
    codes = [o.code for o in occs]
    cov = coverage[coverage["responsible"].astype(bool) & coverage["occasion"].astype(object).isin(codes)]
    lacking: dict[str, dict[str, set]] = defaultdict(dict)  # goal -> occasion -> accepted boards without a contribution
    status: dict[tuple, str] = {}  # (goal, board, occasion) -> the board's submission status
    contributed: set[tuple] = set()  # (goal, board) with a contribution in some accepted submission
    for o, g, b, st, has in zip(cov["occasion"].astype(object), cov["goal_code"].astype(object), cov["board_code"].astype(object),
                                cov["submission_status"].astype(object), cov["has_contribution"].astype(bool)):
        status[(g, b, o)] = st
        if st != ACCEPTED:
            continue
        without = lacking[g].setdefault(o, set())  # an accepted submission speaks for the goal at o
        if has:
            contributed.add((g, b))
        else:
            without.add(b)
    _, board_name, named_by_goal = catalogue_maps(catalogue)
    out = []
    for g in catalogue.goals["goal_code"]:
        incomplete = sum(bool(lacking[g].get(o)) for o in codes)
        never = [b for b in named_by_goal[g] if (g, b) not in contributed]
        if incomplete < len(codes) and not never:
            continue
        sentences = []
        if incomplete:
            when = f"Vid alla {len(codes)} tillfällen" if incomplete == len(codes) else f"Vid {incomplete} av {len(codes)} tillfällen"
            sentences.append(f"{when} saknade minst en ansvarig nämnd eller ett ansvarigt bolag med godkänd inlämning "
                             "bidrag till målet.")
        if never:
            boards = ", ".join(f"{board_name.get(b, b)} ({_sent(g, b, codes, status)})" for b in never)
            sentences.append(f"Utan bidrag vid varje tillfälle: {boards}.")
        out.append({"lesson": "coverage_incomplete", "goal_code": g, "count": incomplete, "of": len(codes),
                    "evidence": " ".join(sentences)})
    return out


def _sent(goal: str, board: str, codes: list[str], status: dict[tuple, str]) -> str:
    """What a board without a contribution to the goal sent over the period: 'inga bidrag i 11
    godkända inlämningar; 2026-ar saknas', or that none of its submissions was accepted."""
    accepted = [o for o in codes if status.get((goal, board, o), MISSING) == ACCEPTED]
    if not accepted:
        return "ingen godkänd inlämning under perioden"
    missing = [o for o in codes if status.get((goal, board, o), MISSING) == MISSING]
    rejected = [o for o in codes if status.get((goal, board, o), MISSING) == REJECTED]
    gaps = [(missing, f"{and_list(missing)} saknas"),
            (rejected, f"{and_list(rejected)} {'avvisad' if len(rejected) == 1 else 'avvisade'}")]
    said = [text for occasions, text in sorted((g for g in gaps if g[0]), key=lambda g: codes.index(g[0][0]))]
    return "; ".join([f"inga bidrag i {count(len(accepted), 'godkänd inlämning', 'godkända inlämningar')}", *said])


def _themes_rarely_considered(catalogue: Catalogue, human_rights_by_goal_area: pd.DataFrame, occs: list[Occasion]) -> list[dict]:
    hr = human_rights_by_goal_area
    hr = hr[hr["occasion"].astype(object).isin([o.code for o in occs if o.is_follow_up])]
    considered: Counter = Counter()
    answers: Counter = Counter()
    for o, a, th, c, n in zip(hr["occasion"].astype(object), hr["goal_area_code"].astype(object), hr["theme"].astype(object),
                              hr["consideration"].astype(object), hr["count"]):
        answers[(a, th)] += int(n)
        considered[(a, th)] += int(n) if c == CONSIDERED else 0
    themes = catalogue.scales["theme"]
    out = []
    for a in catalogue.goal_areas["goal_area_code"]:
        for th, label in zip(themes.codes, themes.labels):
            n, k = answers[(a, th)], considered[(a, th)]
            if n and k >= RARELY * n:
                continue
            text = (f"{label} beaktades i {k} av {n} svar ({percent(k / n)}) i periodens uppföljningar." if n
                    else f"Inga svar om {label.lower()} i periodens uppföljningar.")
            out.append({"lesson": "theme_rarely_considered", "goal_area_code": a, "theme": th, "count": k, "of": n,
                        "evidence": text})
    return out


def _path_rows(paths: pd.DataFrame, occs: list[Occasion]) -> pd.DataFrame:
    rows = paths[paths["occasion"].astype(object).isin([o.code for o in occs])]
    return rows.astype({c: object for c in ("occasion", "goal_code", "board_code", "contribution_id", "outlook", "reached")})


def _dropped(catalogue: Catalogue, paths: pd.DataFrame, data_quality: pd.DataFrame, occs: list[Occasion]) -> list[dict]:
    end = occs[-1]
    quality = data_quality[data_quality["occasion"].astype(object) == end.code]
    accepted_at_end = set(quality.loc[quality["submission_status"].astype(object) == ACCEPTED, "board_code"].astype(object))
    rows = _path_rows(paths, occs)
    at_end = set(zip(rows.loc[rows["occasion"] == end.code, "board_code"], rows.loc[rows["occasion"] == end.code, "contribution_id"]))
    last: dict[tuple, tuple] = {}
    for o, b, c, g, t in zip(rows["occasion"], rows["board_code"], rows["contribution_id"], rows["goal_code"], rows["title"]):
        if o != end.code:
            last[(b, c)] = (o, g, t)  # rows are in reporting order: the last one stays
    out = []
    for (b, c), (o, g, t) in last.items():
        if b in accepted_at_end and (b, c) not in at_end:
            title = f" ({t})" if isinstance(t, str) else ""
            out.append({"lesson": "dropped", "goal_code": g, "board_code": b, "contribution_id": c, "count": 1, "of": 1,
                        "evidence": f"Bidraget{title} fanns senast med i {Occasion.parse(o).label} men inte i "
                                    f"{end.label}, där nämndens eller bolagets inlämning är godkänd."})
    return _in_goal_order(catalogue, out)


def _optimistic_not_reached(catalogue: Catalogue, paths: pd.DataFrame, occs: list[Occasion]) -> list[dict]:
    end = occs[-1]
    rows = _path_rows(paths, occs)
    final = rows[(rows["occasion"] == end.code) & (rows["reached"] == NOT_REACHED)]
    optimistic: dict[tuple, list[str]] = defaultdict(list)
    follow_ups = rows[rows["occasion"].map(lambda o: Occasion.parse(o).is_follow_up)]
    for o, b, c, outlook in zip(follow_ups["occasion"], follow_ups["board_code"], follow_ups["contribution_id"], follow_ups["outlook"]):
        if outlook == OPTIMISTIC:
            optimistic[(b, c)].append(o)
    follow_up_count = Counter(zip(follow_ups["board_code"], follow_ups["contribution_id"]))
    out = []
    for b, c, g in zip(final["board_code"], final["contribution_id"], final["goal_code"]):
        said = optimistic.get((b, c))
        if said:
            out.append({"lesson": "optimistic_not_reached", "goal_code": g, "board_code": b, "contribution_id": c,
                        "count": len(said), "of": follow_up_count[(b, c)],
                        "evidence": f"Prognosen att önskad förflyttning nås under mandatperioden gavs vid {len(said)} av "
                                    f"{follow_up_count[(b, c)]} uppföljningar ({', '.join(Occasion.parse(o).label for o in said)}); "
                                    f"slutbedömningen är att den inte har nåtts."})
    return _in_goal_order(catalogue, out)


def _in_goal_order(catalogue: Catalogue, records: list[dict]) -> list[dict]:
    goal_order = {g: i for i, g in enumerate(catalogue.goals["goal_code"])}
    board_order = {b: i for i, b in enumerate(catalogue.board_codes)}
    return sorted(records, key=lambda r: (goal_order.get(r["goal_code"], len(goal_order)), board_order.get(r["board_code"], 0),
                                          str(r["contribution_id"])))

