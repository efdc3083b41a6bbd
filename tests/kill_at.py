"""Runs one `malstyrning` command and kills it (SIGKILL) just before its K-th call of
os.replace, os.rename or os.symlink, the calls that put a file, a folder or a link in
place. With K = 0 it runs to the end. Every call is appended to CALLS, one a line
("<n> <function> <target>"), before it is made. For tests/test_store.py:

    python tests/kill_at.py K CALLS --root ROOT ingest --period 2026-delar --quiet
"""

import os
import signal
import sys


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
    from analysis.cli import main as malstyrning

    return malstyrning(argv)


if __name__ == "__main__":
    sys.exit(main())
