"""Writing files atomically: a file is written beside its target and renamed over it, so
nobody opens half a file and an interrupted run leaves the previous one in place. New
files and folders get the permissions any new file would get (`tempfile` makes them
owner-only, which would hide reports from colleagues on a shared drive)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator


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
