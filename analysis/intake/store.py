"""Reading and writing the tidy tables in `data/processed/` as Parquet. Writes are atomic
for the set: every table is first written beside its target, and only when all are
written are they renamed into place, so an interrupted run leaves the previous tables."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.files import temporary_file

HISTORY = "history"


def table_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.parquet"


def read_table(directory: Path, name: str) -> pd.DataFrame | None:
    """The stored table, or None when it has not been written yet."""
    path = table_path(directory, name)
    return pd.read_parquet(path) if path.exists() else None


def write_tables(directory: Path, tables: dict[str, pd.DataFrame], texts: dict[str, str] | None = None) -> list[Path]:
    """Write all tables (and `texts`, such as stamps, by path relative to `directory`),
    then move them into place together. Names may contain '/'."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, frame in tables.items():
            target = table_path(directory, name)
            tmp = temporary_file(target, ".parquet.tmp")
            staged.append((tmp, target))
            frame.to_parquet(tmp, index=False)
        for name, text in (texts or {}).items():
            target = directory / name
            tmp = temporary_file(target, target.suffix + ".tmp")
            staged.append((tmp, target))
            tmp.write_text(text, encoding="utf-8")
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [target for _, target in staged]
