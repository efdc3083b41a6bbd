"""Runs one `malstyrning` command, or one publication of a report's files, and kills it
(SIGKILL) just before its K-th call of os.replace, os.rename or os.symlink, the calls that
put a file, a folder or a link in place. With K = 0 it runs to the end. Every call is
appended to CALLS, one a line ("<n> <function> <target>"), before it is made. For
tests/test_store.py:

    python tests/kill_at.py K CALLS --root ROOT ingest --period 2026-delar --quiet
    python tests/kill_at.py K CALLS publish ROOT OCCASION SOURCE
    python tests/kill_at.py K CALLS publish-tables ROOT SOURCE

`publish` does what a report does once its files are made, with the real code: holding
the root's lock, it removes what a killed writer left, stages a new version of the
occasion's outputs with the files of the folder SOURCE in it, and publishes it
(analysis.report.produce.publish_report). `publish-tables` does the same with a snapshot
of the processed tables (analysis.intake.store.snapshot_stage), as an ingestion does once
its tables are written.
"""

import os
import shutil
import signal
import sys
from pathlib import Path


def publish(root: str, occasion: str, source: str) -> int:
    from analysis.config import Paths
    from analysis.lock import writer_lock
    from analysis.report.produce import publish_report
    from analysis.versions import report_versions, sweep

    paths = Paths.at(root)
    with writer_lock(paths, f"report --period {occasion}"):
        sweep(paths)
        with report_versions(paths, occasion).stage() as stage:
            shutil.copytree(source, stage.folder, dirs_exist_ok=True)
            publish_report(stage, Path("."))
    return 0


def publish_tables(root: str, source: str) -> int:
    from analysis.config import Paths
    from analysis.intake.store import snapshot_stage
    from analysis.lock import writer_lock
    from analysis.versions import sweep

    paths = Paths.at(root)
    with writer_lock(paths, "ingest"):
        sweep(paths)
        with snapshot_stage(paths) as stage:
            shutil.copytree(source, stage.folder, dirs_exist_ok=True)
            stage.publish()
    return 0


def main() -> int:
    k, calls, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    count = 0

    def watched(name, real):
        def call(*args, **kwargs):
            nonlocal count
            count += 1
            with open(calls, "a", encoding="utf-8") as out:
                out.write(f"{count} {name} {args[1] if len(args) > 1 else ''}\n")
            if count == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return call

    for name in ("replace", "rename", "symlink"):
        setattr(os, name, watched(name, getattr(os, name)))
    if argv[0] == "publish":
        return publish(*argv[1:])
    if argv[0] == "publish-tables":
        return publish_tables(*argv[1:])
    from analysis.cli import main as malstyrning

    return malstyrning(argv)


if __name__ == "__main__":
    sys.exit(main())
