"""Running the compiled-analysis notebook with papermill: an explicit project kernel,
working folder, start and cell timeouts; parameters checked against the notebook's own; a
failing cell named in Swedish, its notebook kept beside the last good report, which is
never overwritten by a failed run. Papermill starts the kernel and shuts it down."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from analysis.config import REPOSITORY_ROOT
from analysis.errors import ReportFailed, UsageError
from analysis.files import temporary_file
from analysis.report.outputs import REPORT_NAME

KERNEL_NAME = "malstyrning"
REPORT_NOTEBOOK = REPOSITORY_ROOT / "notebooks" / f"{REPORT_NAME}.ipynb"
CELL_TIMEOUT_S = 600
START_TIMEOUT_S = 120


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


def execute_notebook(notebook: Path, target: Path, parameters: dict, cwd: Path, failed: Path | None = None) -> Path:
    """Execute into `target` (atomically) in a new project kernel working in `cwd`. On
    failure the executed notebook is kept as `failed` (by default
    `<target>.misslyckad.ipynb`) and ReportFailed names the cell and the error (where
    the notebook is kept is for the caller to say)."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    check_parameters(parameters, notebook)
    ensure_kernel()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_file(target, ".ipynb")
    failed = failed or target.with_name(f"{target.stem}.misslyckad.ipynb")
    try:
        papermill.execute_notebook(
            str(notebook), tmp, parameters=parameters, kernel_name=KERNEL_NAME, cwd=str(cwd),
            execution_timeout=CELL_TIMEOUT_S, start_timeout=START_TIMEOUT_S, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False,  # written once at the end (or on failure)
            # the kernel's messages encrypted where the kernel supports it (ipykernel does)
            config=Config({"KernelManager": {"transport_encryption": "auto"}}),
        )
    except PapermillExecutionError as exc:
        os.replace(tmp, failed)
        raise ReportFailed(f"Notebooken {notebook.name} stannade i cell {exc.exec_count}: {exc.ename}: {exc.evalue}.") from None
    except (CellTimeoutError, DeadKernelError) as exc:
        os.replace(tmp, failed)
        reason = "en cell tog längre tid än tillåtet" if isinstance(exc, CellTimeoutError) else "kärnan avslutades oväntat"
        raise ReportFailed(f"Notebooken {notebook.name} stannade: {reason}.") from None
    except (RuntimeError, TimeoutError) as exc:  # jupyter_client: the kernel did not start (or died at once)
        tmp.unlink(missing_ok=True)
        raise ReportFailed(f"Rapportens Python-kärna ({KERNEL_NAME}) startade inte: {exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    failed.unlink(missing_ok=True)
    return target
