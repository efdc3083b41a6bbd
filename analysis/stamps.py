"""What each output was made from, so that nothing downstream has to guess whether it is
stale: the processed tables of an occasion, its aggregate tables and its report each
carry a stamp (a small JSON record) naming the SHA-256 of every input file, of the goal
catalogues and of the judgement file, and the workbench's version.

A scheduled run compares the stamps it would write with those stored and does only the
work whose inputs changed. Light on purpose (no pandas): deciding that nothing changed
must cost a small fraction of a run."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from analysis.config import REPOSITORY_ROOT, Paths
from analysis.files import file_sha256
from analysis.inbox import folder_hashes
from analysis.occasion import Occasion

STAMPS = "stamps"  # data/processed/aktuell/stamps/<occasion>.json, in each snapshot
REPORT_STAMP = "underlag.json"  # reports/<occasion>/underlag.json
MADE_AT = "made_at"  # when the output was made
CHARTS = "charts"  # the digest of each exported chart (what was drawn, not what it rests on)
NOT_INPUTS = (MADE_AT, CHARTS)  # what a comparison of inputs ignores


@cache
def code_version() -> str:
    """The git commit of the workbench ('+ändrad' when tracked files differ from it), or the
    package version where there is no git checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPOSITORY_ROOT, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPOSITORY_ROOT,
                                 capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return f"git {commit}" + ("+ändrad" if changed else "")
    except (OSError, subprocess.SubprocessError):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"malstyrning {version('malstyrning')}"
        except PackageNotFoundError:
            return "okänd version"


def catalogue_hashes(reference: Path, occasion: Occasion | None = None) -> dict[str, str]:
    """SHA-256 of every goal catalogue file, by name; with an occasion, of those its
    outputs rest on: its own mandate period's and the one before it (whose goals the
    period's crosswalk names), told by the files' names (malkatalog-<first>-<last>.yaml;
    a file named otherwise counts for every occasion). So an occasion's stamps do not
    change when the catalogue of a later period is added or edited."""
    files = sorted(reference.glob("malkatalog-*.yaml"))
    if occasion is not None:
        files = [p for p in files if _concerns(p.name, occasion, files)]
    return {p.name: file_sha256(p) for p in files}


_CATALOGUE_NAME = re.compile(r"malkatalog-(\d{4})-(\d{4})\.yaml")


def _concerns(name: str, occasion: Occasion, files: list[Path]) -> bool:
    match = _CATALOGUE_NAME.fullmatch(name)
    if match is None:
        return True
    first, last = int(match[1]), int(match[2])
    if first <= occasion.year <= last:
        return True
    own = [m for p in files if (m := _CATALOGUE_NAME.fullmatch(p.name)) and int(m[1]) <= occasion.year <= int(m[2])]
    return any(int(m[1]) == last + 1 for m in own)


def digest(record: Any) -> str:
    """The SHA-256 of a record's canonical JSON."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def stamp_text(record: Mapping) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def read_stamp(path: Path) -> dict | None:
    """A stored stamp, or None when there is none (or it cannot be read: then the output
    counts as stale and is made again)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def same(stored: Mapping | None, expected: Mapping) -> bool:
    """Whether a stored stamp describes the same inputs (when it was made, and what it
    drew, aside)."""
    if stored is None:
        return False
    return {k: v for k, v in stored.items() if k not in NOT_INPUTS} == {k: v for k, v in expected.items() if k not in NOT_INPUTS}


# --- the processed tables of an occasion -------------------------------------------


def stored_processed_stamps(snapshot: Path | None) -> dict[str, dict]:
    """The stamps of the occasions in a snapshot of the processed tables (the folder
    `analysis.intake.store.current_folder` gives; None: no tables yet), by occasion code."""
    folder = snapshot / STAMPS if snapshot is not None else None
    out = {}
    for path in sorted(folder.glob("*.json")) if folder is not None and folder.is_dir() else []:
        record = read_stamp(path)
        if record is not None:
            out[path.stem] = record
    return out


def processed_stamp(paths: Paths, occasion: Occasion, earlier: Mapping[str, Mapping]) -> dict:
    """What an occasion's processed rows rest on: its submission files, the catalogues,
    the code, and the stamps of the occasions before it (their rows are the context its
    checks compare with, such as the budgets a follow-up follows)."""
    return {
        "occasion": occasion.code,
        "files": folder_hashes(paths.raw_for(occasion.code)),
        "catalogues": catalogue_hashes(paths.reference, occasion),
        "code": code_version(),
        "earlier": {code: digest(stamp) for code, stamp in sorted(earlier.items()) if Occasion.parse(code) < occasion},
    }


# --- aggregates and report ---------------------------------------------------------


def aggregates_stamp(paths: Paths, occasion: Occasion, processed: Mapping[str, Mapping]) -> dict:
    """What an occasion's aggregate tables rest on: the processed stamps of the occasion
    and of every one before it (the trajectory spans the period), the catalogues, the code."""
    return {
        "occasion": occasion.code,
        "processed": {code: dict(stamp) for code, stamp in sorted(processed.items()) if Occasion.parse(code) <= occasion},
        "catalogues": catalogue_hashes(paths.reference, occasion),
        "code": code_version(),
    }


def report_stamp(aggregates: Mapping, judgement: Path, goal_area: str | None, template: Path | None = None) -> dict:
    """What a report rests on: its aggregates' stamp, the judgement file, the goal area,
    the Word template of the council document."""
    return {
        "occasion": aggregates["occasion"],
        "goal_area": goal_area,
        "aggregates": digest(aggregates),
        "judgement": {judgement.name: file_sha256(judgement)} if judgement.exists() else {},
        "template": {template.name: file_sha256(template)} if template is not None and template.is_file() else {},
        "catalogues": aggregates["catalogues"],
        "code": aggregates["code"],
    }
