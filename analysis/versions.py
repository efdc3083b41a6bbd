"""Folders replaced as one set. Files that belong together live in a version folder, and a
symbolic link with a stable name points at the current version:

- the processed tables: `data/processed/aktuell -> snapshots/<id>` (tables, history/, stamps/);
- the outputs of an occasion: `reports/<occasion> -> .<occasion>.<id>` (the report's files,
  diagram/, underlag.json, validering/, the run's log, the goal-area reports).

A writer builds a complete new version in a hidden staging folder (what it does not
rewrite is carried over from the current version as hard links, or copies where the file
system has none), renames it to its version name and switches the link with one
`os.replace` of a new link, which is atomic on POSIX. A reader that resolves the link once
(`Versions.current`) and reads only from that folder sees the old set or the new set,
whenever a writer is killed. A report's version folders sit beside its stable path, at the
same depth, so relative links in them (the feedback's links to data/raw) work both through
the link and from the folder itself.

After the switch the oldest versions are removed; the current one and the `KEEP` before it
stay for recovery (point the link at an older one with `ln -sfn`). A killed writer leaves
staging folders, a new link not yet switched, or a version renamed but never switched to;
the next writer removes them (`sweep`), holding the root's lock (analysis.lock), so
nothing else is writing then. Published versions are never changed, with one exception:
the log of `malstyrning run` is appended to where it is (the same file in every version
that carries it)."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from analysis.config import Paths
from analysis.errors import UsageError
from analysis.files import remove_folder, temporary_folder, writing
from analysis.occasion import Occasion

KEEP = 3  # earlier versions kept beside the current one, for recovery
_NUMBER = re.compile(r"(\d{6,})-\d{8}T\d{6}")
_STAGING, _DISCARDED, _NEW_LINK = "ny-", "bort-", ".link-"  # bort-: see files.remove_folder


@dataclass(frozen=True)
class Versions:
    """The versions of one set: `link` is the stable path people open, the versions are
    folders named `<prefix><number>-<time>` in `store`."""

    link: Path
    store: Path
    prefix: str = ""

    @property
    def _hidden(self) -> str:
        return "." + self.prefix.lstrip(".")

    def _number(self, name: str) -> int | None:
        match = _NUMBER.fullmatch(name[len(self.prefix):]) if name.startswith(self.prefix) else None
        return int(match[1]) if match else None

    def versions(self) -> dict[int, Path]:
        """Every version folder, by number (the order they were made in)."""
        if not self.store.is_dir():
            return {}
        found = {}
        for entry in os.scandir(self.store):
            number = self._number(entry.name)
            if number is not None and entry.is_dir(follow_symlinks=False):
                found[number] = Path(entry.path)
        return found

    def current(self) -> Path | None:
        """The current version's folder, resolved once: read everything of one load from it.
        None when there is none yet."""
        try:
            target = os.readlink(self.link)
        except FileNotFoundError:
            return None
        except OSError:  # not a link: a folder made before versions, or copied without its links
            return self.link if self.link.is_dir() else None
        folder = Path(os.path.normpath(self.link.parent / target))
        return folder if folder.is_dir() else None

    def _current_number(self) -> int | None:
        current = self.current()
        return self._number(current.name) if current is not None and current.parent == self.store else None

    @property
    def label(self) -> str:
        """A new version as the person running the command knows it (analysis.files.writing)."""
        return f"en ny version av {self.link}"

    def stage(self) -> Stage:
        """A new, empty, hidden folder to build the next version in (see Stage)."""
        with writing(self.label):
            self.store.mkdir(parents=True, exist_ok=True)
            return Stage(self, temporary_folder(self.store, self._hidden + _STAGING))

    def ensure(self) -> Path:
        """The current version, made (empty) when there is none yet."""
        current = self.current()
        if current is not None:
            return current
        with self.stage() as stage:
            return stage.publish()

    def _adopt(self) -> None:
        """A real folder at the stable path (made before versions, or copied without its
        links) becomes the first version: renamed into the store, then linked."""
        if self.link.is_dir() and not self.link.is_symlink():
            self.store.mkdir(parents=True, exist_ok=True)
            version = self._next_name()
            os.rename(self.link, version)
            self._switch(version)

    def _next_name(self) -> Path:
        number = max(self.versions(), default=0) + 1
        return self.store / f"{self.prefix}{number:06d}-{time.strftime('%Y%m%dT%H%M%S')}"

    def _switch(self, version: Path) -> None:
        new_link = self.link.parent / f".{self.link.name}{_NEW_LINK}{os.urandom(4).hex()}"
        os.symlink(os.path.relpath(version, self.link.parent), new_link)
        try:
            os.replace(new_link, self.link)
        finally:
            if os.path.lexists(new_link):
                new_link.unlink()

    def prune(self, keep: int = KEEP) -> None:
        """Remove all versions but the current one and the `keep` newest others."""
        current, versions = self._current_number(), self.versions()
        others = sorted((n for n in versions if n != current), reverse=True)
        for number in others[keep:]:
            remove_folder(versions[number], self._hidden)

    def sweep(self) -> None:
        """Remove what a killed writer left (see the module docstring). Only while holding
        the root's lock."""
        self._adopt()
        if self.link.parent.is_dir():
            for entry in os.scandir(self.link.parent):
                if entry.name.startswith(f".{self.link.name}{_NEW_LINK}"):
                    os.unlink(entry.path)
        if not self.store.is_dir():
            return
        for entry in os.scandir(self.store):
            if entry.name.startswith((self._hidden + _STAGING, self._hidden + _DISCARDED)):
                shutil.rmtree(entry.path, ignore_errors=True)
        versions = self.versions()
        if not os.path.lexists(self.link):
            if versions:  # the first version, renamed into place but not yet linked
                self._switch(versions[max(versions)])
            return
        current = self._current_number()
        for number, folder in versions.items():
            if current is not None and number > current:  # renamed into place, never switched to
                remove_folder(folder, self._hidden)


@dataclass
class Stage:
    """A version being built: write its files into `folder`, then `publish`. Used as a
    context manager, the folder is removed when the block ends unpublished."""

    versions: Versions
    folder: Path
    published: Path | None = field(default=None)

    def publish(self, leave_out: Iterable[str] = ()) -> Path:
        """Make the staged folder the current version: everything of the current version
        the stage has no file for is carried over, except the paths in `leave_out`
        (relative, '/'-separated; a folder leaves out all it holds) and hidden files.
        Returns the new version's folder. A full disk raises DiskFull naming the set
        (`Versions.label`); the staged folder is then removed when the block ends."""
        with writing(self.versions.label):
            self.versions._adopt()
            current = self.versions.current()
            if current is not None:
                carry(current, self.folder, {str(Path(p)) for p in leave_out})
            version = self.versions._next_name()
            os.rename(self.folder, version)
            try:
                self.versions._switch(version)
            except OSError:  # not switched to: back to the stage, which is removed at the block's end
                os.rename(version, self.folder)
                raise
            self.published = version
            self.versions.prune()
        return version

    def discard(self) -> None:
        if self.published is None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def carry(source: Path, target: Path, leave_out: set[str] = frozenset(), relative: str = "") -> None:
    """Hard-link (or copy) into `target` every file of `source` that `target` has no entry
    for, folders merged, except hidden entries and the relative paths in `leave_out`."""
    for entry in os.scandir(source):
        name = f"{relative}{entry.name}"
        if entry.name.startswith(".") or name in leave_out:
            continue
        dest = target / entry.name
        if entry.is_dir(follow_symlinks=False):
            if not os.path.lexists(dest):
                dest.mkdir()
            if dest.is_dir() and not dest.is_symlink():
                carry(Path(entry.path), dest, leave_out, f"{name}/")
        elif not os.path.lexists(dest):
            carry_file(Path(entry.path), dest)


def carry_file(source: Path, target: Path) -> None:
    """A hard link to `source` at `target` (a copy where the file system has none)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


# --- the project's versioned sets ------------------------------------------------------


def table_versions(paths: Paths) -> Versions:
    """The snapshots of the processed tables."""
    return Versions(paths.processed, paths.snapshots)


def report_versions(paths: Paths, occasion: str) -> Versions:
    """The outputs of an occasion in reports/<occasion>/."""
    return Versions(paths.report_for(occasion), paths.reports, f".{occasion}.")


def _report_occasions(paths: Paths) -> set[str]:
    """The occasions with outputs (a stable path or a version folder) in reports/."""
    if not paths.reports.is_dir():
        return set()
    found = set()
    for entry in os.scandir(paths.reports):
        match = re.fullmatch(r"\.([^.]+)\..+", entry.name)
        name = match[1] if match else entry.name
        try:
            if Occasion.parse(name).code == name:
                found.add(name)
        except UsageError:  # not an occasion's: left alone
            continue
    return found


def sweep(paths: Paths) -> None:
    """Remove the leftovers of killed writers (and move tables written before snapshots
    into the first snapshot). Called by every writing command, holding the root's lock;
    with nothing left over it changes nothing."""
    _adopt_legacy_tables(paths)
    table_versions(paths).sweep()
    if paths.aggregates.is_dir():
        for occasion in os.scandir(paths.aggregates):
            for entry in os.scandir(occasion.path) if occasion.is_dir() else ():
                if entry.name.startswith("."):
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif not entry.is_dir():  # the single-folder layout before content addressing
                    os.unlink(entry.path)
    for occasion in sorted(_report_occasions(paths)):
        report_versions(paths, occasion).sweep()


_LEGACY_TABLES = ("history", "stamps", "staged")  # folders of tables (staged: the rows as read, see intake.reuse)


def _adopt_legacy_tables(paths: Paths) -> None:
    """Tables written straight into data/processed/ (before snapshots) become the first
    snapshot, and are then removed from there."""
    folder = paths.processed.parent
    if not folder.is_dir():
        return
    legacy = [p for p in folder.iterdir() if p.suffix == ".parquet" or p.name in _LEGACY_TABLES
              or p.name.endswith(".parquet.tmp")]
    if not legacy:
        return
    versions = table_versions(paths)
    if versions.current() is None and (folder / "submissions.parquet").exists():
        with versions.stage() as stage:
            for path in legacy:
                if path.is_dir():
                    (stage.folder / path.name).mkdir()
                    carry(path, stage.folder / path.name)
                elif path.suffix == ".parquet":
                    carry_file(path, stage.folder / path.name)
            stage.publish()
    for path in legacy:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
