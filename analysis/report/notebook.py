"""Running the compiled-analysis notebook with papermill: an explicit project kernel,
working folder and cell timeout; parameters checked against the notebook's own; a
failing cell named in Swedish, its notebook kept beside the last good report, which is
never overwritten by a failed run.

The kernel is started ahead (`ReportKernel`), so that its start-up and the report's
imports overlap the ingestion, with jupyter_client's public `AsyncKernelManager`, and
handed to papermill as the kernel manager nbclient documents (`km`)."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis.config import REPOSITORY_ROOT
from analysis.errors import ReportFailed, UsageError
from analysis.files import temporary_file

KERNEL_NAME = "malstyrning"
REPORT_NAME = "sammanstalld_analys"
REPORT_NOTEBOOK = REPOSITORY_ROOT / "notebooks" / f"{REPORT_NAME}.ipynb"
CELL_TIMEOUT_S = 600
START_TIMEOUT_S = 120
# What the report's notebook imports, loaded while the kernel waits for its notebook.
KERNEL_PRELOAD = "import pandas, analysis.report.content, analysis.report.charts"


def ensure_kernel() -> None:
    """The project kernel (this interpreter) registered under the venv's prefix, where
    Jupyter looks for it; `make setup` does this too."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="Python (malstyrning)", prefix=sys.prefix)


def check_parameters(given: dict, notebook: Path) -> None:
    """Papermill only warns about a parameter the notebook does not have; here it is an error."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(
            f"Okänd parameter {', '.join(unknown)} för {notebook.name}. "
            f"Notebooken har parametrarna {', '.join(sorted(declared))}."
        )


class ReportKernel:
    """The project kernel, started when this is created. It lives on one thread, with
    that thread's event loop, where papermill later runs the notebook against it."""

    def __init__(self, cwd: Path):
        cwd.mkdir(parents=True, exist_ok=True)
        self.cwd = cwd
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapportkarna")
        self.manager = None
        self.used = False
        self.started = self.thread.submit(self.start)

    def start(self) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        ensure_kernel()
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport_encryption="auto")
        run_sync(manager.start_kernel)(cwd=str(self.cwd), extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_PRELOAD}"])
        self.manager = manager

    def ready(self) -> None:
        """Wait until the kernel has started; one that did not is ReportFailed."""
        try:
            self.started.result()
        except Exception as exc:
            raise ReportFailed(f"Rapportens Python-kärna ({KERNEL_NAME}) startade inte: {exc}") from None

    def run(self, function, *args, **kwargs):
        """Call `function` on the kernel's thread with the started manager as `km`; once,
        since a notebook must not find another's variables. A kernel that did not start
        is ReportFailed, as a failing notebook is."""
        self.ready()
        if self.used:
            raise RuntimeError("The report kernel runs one notebook only.")
        self.used = True
        return self.thread.submit(function, *args, km=self.manager, **kwargs).result()

    def stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.manager is not None:
            run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = None

    def close(self) -> None:
        try:
            self.thread.submit(self.stop).result(timeout=START_TIMEOUT_S)
        except Exception:  # a kernel that never started has nothing to shut down
            pass
        self.thread.shutdown(wait=False)

    def __enter__(self) -> ReportKernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def execute_notebook(notebook: Path, target: Path, parameters: dict, kernel: ReportKernel, failed: Path | None = None) -> Path:
    """Execute into `target` (atomically) on `kernel`, in the kernel's working folder. On
    failure the executed notebook is kept as `failed` (by default
    `<target>.misslyckad.ipynb`) and ReportFailed names the cell and the error (where
    the notebook is kept is for the caller to say)."""
    # The kernel's start imports jupyter_client on the kernel's thread; papermill imports
    # it too, and two threads importing its modules at once can meet a half-made module.
    kernel.ready()
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    check_parameters(parameters, notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_file(target, ".ipynb")
    failed = failed or target.with_name(f"{target.stem}.misslyckad.ipynb")
    try:
        kernel.run(
            papermill.execute_notebook, str(notebook), tmp, parameters=parameters, kernel_name=KERNEL_NAME,
            cwd=str(kernel.cwd), execution_timeout=CELL_TIMEOUT_S, start_timeout=START_TIMEOUT_S, progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,  # written once at the end (or on failure)
        )
    except PapermillExecutionError as exc:
        os.replace(tmp, failed)
        raise ReportFailed(f"Notebooken {notebook.name} stannade i cell {exc.exec_count}: {exc.ename}: {exc.evalue}.") from None
    except (CellTimeoutError, DeadKernelError) as exc:
        os.replace(tmp, failed)
        reason = "en cell tog längre tid än tillåtet" if isinstance(exc, CellTimeoutError) else "kärnan avslutades oväntat"
        raise ReportFailed(f"Notebooken {notebook.name} stannade: {reason}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    failed.unlink(missing_ok=True)
    return target
