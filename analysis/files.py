"""Writing files atomically: a file is written beside its target and renamed over it, so
nobody opens half a file and an interrupted run leaves the previous one in place. New
files and folders get the permissions any new file would get (`tempfile` makes them
owner-only, which would hide reports from colleagues on a shared drive). A write that
fails for want of space is told as the file the person knows (`writing`)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

from analysis.errors import DiskFull

# A full disk or a used-up quota; Arrow's writers (Parquet) say so in their message.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_DISK_FULL_TEXTS = ("No space left on device", "Disk quota exceeded")


@cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temporary_file(target: Path, suffix: str = ".tmp") -> Path:
    """A new, empty, hidden file in the target's folder (created if missing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=suffix, dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return Path(name)


def temporary_folder(parent: Path, prefix: str) -> Path:
    """A new, empty, hidden folder in `parent`."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o777 & ~_umask())
    return folder


def remove_folder(folder: Path, hidden_prefix: str = ".") -> None:
    """Remove a folder, renamed to a hidden name (`hidden_prefix` + random) first, so that
    a removal cut short leaves nothing half-deleted under its own name."""
    gone = folder.with_name(f"{hidden_prefix}bort-{os.urandom(4).hex()}")
    os.rename(folder, gone)
    shutil.rmtree(gone, ignore_errors=True)


@contextmanager
def replacing(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path to write; renamed over `target` when the block succeeds, removed
    when it fails. A write that fails (a full disk) names `target` in its OSError."""
    tmp = temporary_file(target, suffix)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        if exc.filename is None or Path(exc.filename) == tmp:
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)


def is_disk_full(exc: OSError) -> bool:
    """Whether a failed write failed for want of space."""
    return exc.errno in _DISK_FULL or any(text in str(exc) for text in _DISK_FULL_TEXTS)


@contextmanager
def writing(label: str) -> Iterator[None]:
    """A block that writes the file the person running the command knows as `label` (in
    Swedish: "tabellen follow_ups", "sammanstalld_analys.xlsx för 2026-ar"): a write in it
    that fails for want of space raises DiskFull(label), which the command line prints
    with exit status 3. Other errors pass as they are. Blocks may nest: the innermost
    names the file. The block's own clean-up (staging folders, temporary files) is the
    caller's, as for any failure."""
    try:
        yield
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull(label) from exc
        raise


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as tmp:
        tmp.write_bytes(data)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
