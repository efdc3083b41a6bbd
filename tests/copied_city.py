"""A city with every board copied several times, for the exploration benchmark at ten
times the boards and for the test that keeps its catalogue valid: copy i of board GRN is
GRN01, GRN02, ... ("Grundskolenämnden 1", ...) with everything of GRN: its goals, its
council assignments, its submissions and every processed row, under the new code.

The copies are like so many cities side by side: a goal for GRN and ASN is a goal for
every copy of both; a council assignment is copied once per copy of the boards, its id
suffixed (U2023-02 led by ASN with GVN taking part: U2023-02-01 led by ASN01 with GVN01,
and so on), and the answers on it go with it."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import yaml

from analysis.catalogue import ALL_BOARDS
from analysis.config import Paths
from analysis.intake.store import write_snapshot


def board_copy(code: str, i: int) -> str:
    return f"{code}{i:02d}"


def assignment_copy(assignment_id: str, i: int) -> str:
    return f"{assignment_id}-{i:02d}"


def copied_catalogue(raw: dict, copies: int) -> dict:
    """The catalogue (as parsed YAML) with every board, and every council assignment,
    copied `copies` times."""
    out = copy.deepcopy(raw)
    numbers = range(1, copies + 1)
    out["boards"] = [{**b, "code": board_copy(b["code"], i), "name": f"{b['name']} {i}"} for b in raw["boards"] for i in numbers]
    for goal in out["goals"]:
        if goal["responsible"] != ALL_BOARDS:
            goal["responsible"] = [board_copy(c, i) for c in goal["responsible"] for i in numbers]
    out["assignments"] = [
        {**a, "id": assignment_copy(a["id"], i), "lead": board_copy(a["lead"], i),
         **({"participating": [board_copy(b, i) for b in a["participating"]]} if a.get("participating") else {})}
        for a in raw.get("assignments") or [] for i in numbers]
    return out


def copied_tables(tables: dict[str, pd.DataFrame], raw: dict, copies: int) -> dict[str, pd.DataFrame]:
    """The processed tables of a city whose catalogue is `raw`, with the rows of each
    catalogue board copied once per copy of it (codes, names, partners, council
    assignments and file hashes renamed). Rows of a code the catalogue does not know are
    copied as they are; tables without boards or files are kept as they are."""
    codes = {b["code"] for b in raw["boards"]}
    names = {b["code"]: b["name"] for b in raw["boards"]}
    assignment_ids = {a["id"] for a in raw.get("assignments") or []}

    def renamed(frame: pd.DataFrame, i: int) -> pd.DataFrame:
        part = frame.copy()

        def column(name: str, new) -> None:
            if name in part.columns:
                part[name] = part[name].astype(object).map(lambda v: new(v) if isinstance(v, str) else v)

        if "board_name" in part.columns and "board_code" in part.columns:
            part["board_name"] = [f"{names[c]} {i}" if c in codes else n
                                  for c, n in zip(part["board_code"].astype(object), part["board_name"].astype(object))]
        column("board_code", lambda c: board_copy(c, i) if c in codes else c)
        column("partner_boards", lambda text: ", ".join(board_copy(p, i) if p in codes else p
                                                        for p in (s.strip() for s in text.split(",")) if p))
        column("assignment_id", lambda a: assignment_copy(a, i) if a in assignment_ids else a)
        column("sha256", lambda s: f"{s}{i:02d}")
        return part

    def copied(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.concat([renamed(frame, i) for i in range(1, copies + 1)], ignore_index=True)
        for name, dtype in frame.dtypes.items():  # renamed columns keep their kind (categorical: with new categories)
            if isinstance(dtype, pd.CategoricalDtype):
                if not isinstance(out[name].dtype, pd.CategoricalDtype):
                    out[name] = out[name].astype("category")
            elif out[name].dtype != dtype:
                out[name] = out[name].astype(dtype)
        return out

    return {name: copied(frame) if {"board_code", "sha256"} & set(frame.columns) else frame for name, frame in tables.items()}


def copied_city(city: Paths, folder: Path, copies: int, period: str = "2023-2026") -> Paths:
    """A new root in `folder`: the city's catalogue of one mandate period and its processed
    tables of that period, with every board copied `copies` times."""
    from analysis import load_tables

    source = city.reference / f"malkatalog-{period}.yaml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    first, last = (int(y) for y in period.split("-"))

    def in_period(frame):
        if frame is None or "occasion" not in frame.columns:
            return frame
        years = frame["occasion"].astype(str).str[:4].astype(int)
        return frame[((years >= first) & (years <= last)).to_numpy()].reset_index(drop=True)
    reference = folder / "data" / "reference"
    reference.mkdir(parents=True)
    (reference / source.name).write_text(
        yaml.safe_dump(copied_catalogue(raw, copies), allow_unicode=True, sort_keys=False), encoding="utf-8")
    paths = Paths.at(folder)
    tables = {name: in_period(frame) for name, frame in load_tables(city.root).items()}
    write_snapshot(paths, copied_tables(tables, raw, copies))
    return paths
