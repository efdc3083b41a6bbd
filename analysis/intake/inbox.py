"""Which files in an occasion's folder `data/raw/<occasion>/` are submissions, and their
content hashes. Light on purpose (no pandas): a scheduled run asks this first to decide
whether there is anything to do."""

from __future__ import annotations

from pathlib import Path

from analysis.files import file_sha256


def is_office_temp_file(path: Path) -> bool:
    """Lock and owner files Excel and LibreOffice leave beside an open workbook, and hidden files."""
    return path.name.startswith(("~$", ".~lock", "."))


def submission_files(folder: Path) -> list[Path]:
    """The submission files of an occasion folder, in name order; lock and hidden files left out."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not is_office_temp_file(p))


def folder_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every submission file in the folder, by file name."""
    return {p.name: file_sha256(p) for p in submission_files(folder)}
