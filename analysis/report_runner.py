"""Running the compiled-analysis notebook with papermill: an explicit project kernel,
working folder and cell timeout; parameters checked against the notebook's own; a
failing cell named in Swedish, its notebook kept beside the last good report, which is
never overwritten by a failed run."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from analysis.config import REPOSITORY_ROOT
from analysis.errors import UsageError

KERNEL_NAME = "malstyrning"
REPORT_NAME = "sammanstalld_analys"
REPORT_NOTEBOOK = REPOSITORY_ROOT / "notebooks" / f"{REPORT_NAME}.ipynb"
CELL_TIMEOUT_S = 600
START_TIMEOUT_S = 120


class ReportFailed(Exception):
    """The notebook stopped; `failed_notebook` is kept for whoever investigates."""

    def __init__(self, message: str, failed_notebook: Path | None):
        self.failed_notebook = failed_notebook
        super().__init__(message)


def ensure_kernel() -> None:
    """The project kernel (this interpreter) registered under the venv's prefix, where
    Jupyter looks for it; `make setup` does this too."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="Python (malstyrning)", prefix=sys.prefix)


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters the notebook declares in its cell tagged `parameters`."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def check_parameters(given: dict, notebook: Path) -> None:
    """Papermill only warns about a parameter the notebook does not have; here it is an error."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(
            f"Okänd parameter {', '.join(unknown)} för {notebook.name}. "
            f"Notebooken har parametrarna {', '.join(sorted(declared))}."
        )


def _kernel_manager_class():
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class ProjectKernelManager(AsyncKernelManager):
        """Encrypted local transport; silences ipykernel's warning on every start."""

        @default("transport_encryption")
        def _transport_encryption_default(self):
            return "auto"

    try:
        AsyncKernelManager.class_traits()["transport_encryption"]
    except KeyError:
        return AsyncKernelManager
    return ProjectKernelManager


def execute_notebook(notebook: Path, target: Path, parameters: dict, cwd: Path) -> Path:
    """Execute into `target` (atomically). On failure the executed notebook is kept as
    `<target>.misslyckad.ipynb` and ReportFailed names the cell and the error."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    check_parameters(parameters, notebook)
    ensure_kernel()
    target.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".ipynb", dir=target.parent)
    os.close(fd)
    failed = target.with_name(f"{target.stem}.misslyckad.ipynb")
    try:
        papermill.execute_notebook(
            str(notebook), tmp, parameters=parameters, kernel_name=KERNEL_NAME, cwd=str(cwd),
            execution_timeout=CELL_TIMEOUT_S, start_timeout=START_TIMEOUT_S, progress_bar=False,
            log_output=False, kernel_manager_class=_kernel_manager_class(),
            request_save_on_cell_execute=False,  # written once at the end (or on failure)
        )
    except PapermillExecutionError as exc:
        os.replace(tmp, failed)
        raise ReportFailed(
            f"Notebooken {notebook.name} stannade i cell {exc.exec_count}: {exc.ename}: {exc.evalue}. "
            f"Den körda notebooken finns i {failed}; förra godkända rapporten är orörd.", failed) from None
    except (CellTimeoutError, DeadKernelError) as exc:
        os.replace(tmp, failed)
        reason = "en cell tog längre tid än tillåtet" if isinstance(exc, CellTimeoutError) else "kärnan avslutades oväntat"
        raise ReportFailed(f"Notebooken {notebook.name} stannade: {reason}. Se {failed}.", failed) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    failed.unlink(missing_ok=True)
    return target
