"""Which entries of an occasion's folder `data/raw/<occasion>/` are submissions, and
reading them. Light on purpose (no pandas): a scheduled run asks this first to decide
whether there is anything to do.

Nothing outside the folder is ever read. A symbolic link is never followed, and only a
regular file is read: it is opened without following links (O_NOFOLLOW) and what was
opened is checked again (fstat), so an entry swapped for a link or a pipe between the
listing and the opening is refused, not read. Links, folders named like workbooks, pipes
and other entries that are not files are listed by name, so each gets its own finding.
A file is read once, whole, into memory: its hash and its cells come from the same bytes."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import SubmissionError

FILE, LINK, FOLDER, OTHER = "file", "link", "folder", "other"
OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
NOT_A_FILE = "ej_vanlig_fil"  # the reader rule of an entry that is not a regular file
NOT_A_FILE_MESSAGES = {
    LINK: "'{name}' är en genväg (symbolisk länk) och läses inte. Lägg själva arbetsboken i mappen.",
    FOLDER: "'{name}' är en mapp, inte en arbetsbok, och läses inte. Lägg själva arbetsboken i mappen.",
    OTHER: "'{name}' är ingen vanlig fil (till exempel en namngiven pipe eller en enhet) och läses inte.",
}
_REASONS = {errno.EACCES: "behörighet saknas", errno.EPERM: "behörighet saknas", errno.EIO: "läsfel på disken (I/O-fel)"}


@dataclass(frozen=True)
class InboxEntry:
    """An entry of an occasion folder: `kind` is file, link, folder or other; `modified`
    the entry's own modification time (a link's, never its target's)."""

    name: str
    kind: str
    modified: dt.datetime


@dataclass(frozen=True)
class SubmissionFile:
    """A regular file's content as read, with its SHA-256 and modification time."""

    name: str
    data: bytes
    sha256: str
    modified: dt.datetime


def is_office_temp_file(name: str) -> bool:
    """Lock and owner files Excel and LibreOffice leave beside an open workbook, and hidden files."""
    return name.startswith(("~$", ".~lock", "."))


def _modified(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp).replace(microsecond=0)


def inbox_entries(folder: Path) -> list[InboxEntry]:
    """The entries of an occasion folder a board may have meant as submissions, in name
    order: every regular file, link and non-regular file, and folders named like a
    workbook. Lock and hidden files, and other folders, are left out."""
    if not folder.is_dir():
        return []
    entries = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if is_office_temp_file(entry.name):
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                kind = FILE
            elif stat.S_ISLNK(info.st_mode):
                kind = LINK
            elif stat.S_ISDIR(info.st_mode):
                if not entry.name.lower().endswith(OFFICE_SUFFIXES):
                    continue
                kind = FOLDER
            else:
                kind = OTHER
            entries.append(InboxEntry(entry.name, kind, _modified(info.st_mtime)))
    return sorted(entries, key=lambda e: e.name)


def not_a_file(entry: InboxEntry) -> SubmissionError:
    """The finding for an entry that is not a regular file."""
    return SubmissionError(NOT_A_FILE_MESSAGES[entry.kind].format(name=entry.name), rule=NOT_A_FILE)


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def _open(folder: Path, name: str) -> tuple[int, os.stat_result]:
    """A read-only descriptor of a regular file in the folder, never through a link; a
    pipe is not waited on (O_NONBLOCK) but refused."""
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SubmissionError(NOT_A_FILE_MESSAGES[LINK].format(name=name), rule=NOT_A_FILE) from None
        raise SubmissionError(f"Filen kunde inte öppnas ({_reason(exc)}). Kontrollera filens behörigheter.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = FOLDER if stat.S_ISDIR(info.st_mode) else OTHER
        raise SubmissionError(NOT_A_FILE_MESSAGES[kind].format(name=name), rule=NOT_A_FILE)
    return fd, info


def read_submission(folder: Path, name: str, max_bytes: int) -> SubmissionFile:
    """The whole content of a regular file in the folder. SubmissionError when it is not
    a regular file, cannot be opened or read, is empty or larger than `max_bytes`."""
    fd, info = _open(folder, name)
    try:
        if info.st_size == 0:
            raise SubmissionError("Filen är tom.")
        if info.st_size > max_bytes:
            raise SubmissionError(f"Filen är för stor ({info.st_size / 1e6:.0f} MB); en inlämning ska vara högst "
                                  f"{max_bytes // 2**20} MB.")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise SubmissionError(f"Filen kunde inte läsas ({_reason(exc)}).") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew since it was opened
        raise SubmissionError(f"Filen är för stor; en inlämning ska vara högst {max_bytes // 2**20} MB.")
    return SubmissionFile(name, data, hashlib.sha256(data).hexdigest(), _modified(info.st_mtime))


def _entry_hash(folder: Path, entry: InboxEntry) -> str:
    """The SHA-256 of a regular file's content; for anything else a mark of what it is,
    so that a stamp still changes when the entry does."""
    if entry.kind != FILE:
        return f"ingen fil: {entry.kind}"
    try:
        fd, _ = _open(folder, entry.name)
    except SubmissionError as exc:
        return f"oläslig: {exc.message}"
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb", closefd=False) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        return f"oläslig: {_reason(exc)}"
    finally:
        os.close(fd)
    return digest.hexdigest()


def folder_hashes(folder: Path) -> dict[str, str]:
    """What every entry of the folder holds, by name: a regular file's SHA-256, or a mark
    for an entry that is not one (see inbox_entries)."""
    return {e.name: _entry_hash(folder, e) for e in inbox_entries(folder)}
