"""The processed tables as Parquet, in snapshots. Each ingestion writes a complete new
snapshot folder, `data/processed/snapshots/<id>/` (every current table, `history/`,
`stamps/`), and switches the link `data/processed/aktuell` to it in one atomic step
(analysis.versions): whenever the process is killed, the tables are all the old ones or
all the new ones. A person opens `data/processed/aktuell/follow_ups.parquet`; the
package's readers resolve the link once per load (`current_folder`) and read only from
that folder, so they see one complete state even while an ingestion switches.

Light on purpose (pandas is imported by the functions that read or write tables): a
scheduled run asks for the current folder to decide whether there is anything to do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from analysis.config import Paths
from analysis.files import writing
from analysis.versions import table_versions

if TYPE_CHECKING:
    import pandas as pd

    from analysis.versions import Stage

HISTORY = "history"
# What analysts are given (load_tables), in this order: the current rows of the workbooks'
# tables (analysis.boards.submission.TABLES) and the checks' findings.
ANALYSIS_TABLES = ("submissions", "contributions", "follow_ups", "human_rights", "indicators", "assignment_follow_ups",
                   "validation_issues")


def current_folder(paths: Paths) -> Path | None:
    """The folder of the current snapshot, resolved once (None before the first ingestion).
    Every reader in the package reads the processed tables (and their stamps) through this."""
    return table_versions(paths).current()


def table_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.parquet"


def read_table(directory: Path | None, name: str) -> pd.DataFrame | None:
    """The stored table, or None when it has not been written yet."""
    import pandas as pd

    path = table_path(directory, name) if directory is not None else None
    return pd.read_parquet(path) if path is not None and path.exists() else None


def load_tables(root: str | Path | None = None, history: bool = False) -> dict[str, pd.DataFrame]:
    """The current processed tables of a project folder (`root`; None: this repository),
    all from one snapshot, by name, in this order: `submissions`, `contributions`,
    `follow_ups`, `human_rights`, `indicators`, `assignment_follow_ups` and
    `validation_issues` (ANALYSIS_TABLES; one not written yet is left out). With `history`,
    also every submission ever read, current or not: `history/contributions`,
    `history/follow_ups`, ... Empty before the first ingestion. Never waits for a command
    that is writing: it reads the snapshot current when called.

        import analysis
        tables = analysis.load_tables()
        tables["follow_ups"].groupby("movement", observed=False).size()
    """
    folder = current_folder(Paths.at(root))
    if folder is None:
        return {}
    names = [*ANALYSIS_TABLES, *(f"{HISTORY}/{t}" for t in ANALYSIS_TABLES if history)]
    return {name: read_table(folder, name) for name in names if table_path(folder, name).exists()}


def stored_tables(paths: Paths) -> dict[str, pd.DataFrame]:
    """Every table of the current snapshot by its name in it: the analysis tables, their
    history and the store's own bookkeeping (`staged/...`, see intake.reuse), sorted by
    name. For the store's own checks, which compare whole states; analysts use load_tables."""
    folder = current_folder(paths)
    if folder is None:
        return {}
    names = sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.parquet"))
    return {name: read_table(folder, name) for name in names}


def table_label(name: str) -> str:
    """A table as the person running the command knows it (see analysis.files.writing)."""
    return f"tabellen {name}"


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame], texts: Mapping[str, str] | None = None,
                 label: Callable[[str], str] = table_label) -> None:
    """Write the tables (names may contain '/') and `texts` (such as stamps, by path
    relative to `folder`) into a folder nobody reads yet: a snapshot or aggregates being
    staged. A full disk raises DiskFull naming the file by `label(name)`."""
    for name, frame in tables.items():
        target = table_path(folder, name)
        with writing(label(name)):
            target.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(target, index=False)
    for name, text in (texts or {}).items():
        target = folder / name
        with writing(label(name)):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def snapshot_stage(paths: Paths) -> Stage:
    """A new snapshot being built: write the tables into its folder (write_tables), then
    publish it (Stage.publish: everything else of the current one is carried over, and it
    is made current atomically). The caller holds the root's lock; an unpublished stage
    is removed when its block ends."""
    return table_versions(paths).stage()


def write_snapshot(paths: Paths, tables: Mapping[str, pd.DataFrame], texts: Mapping[str, str] | None = None) -> Path:
    """A new snapshot with these tables and texts and everything else of the current one
    (the stamps of the occasions not ingested), made current atomically; the oldest
    snapshots are then removed. The caller holds the root's lock. Returns its folder."""
    with snapshot_stage(paths) as stage:
        write_tables(stage.folder, tables, texts)
        return stage.publish()
