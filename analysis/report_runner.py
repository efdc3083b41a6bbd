"""Running the compiled-analysis notebook with papermill: an explicit project kernel,
working folder and cell timeout; parameters checked against the notebook's own; a
failing cell named in Swedish, its notebook kept beside the last good report, which is
never overwritten by a failed run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from analysis.config import REPOSITORY_ROOT
from analysis.errors import UsageError
from analysis.files import temporary_file

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


def kernel_specs():
    """Kernel specs from Jupyter's folders. (By default jupyter_client also looks in the
    legacy ~/.ipython/kernels, importing IPython to find it: 0.2 s beside the ingestion.)"""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_core.paths import jupyter_path

    return KernelSpecManager(kernel_dirs=jupyter_path("kernels"), ensure_native_kernel=False)


def ensure_kernel() -> None:
    """The project kernel (this interpreter) registered under the venv's prefix, where
    Jupyter looks for it; `make setup` does this too."""
    if KERNEL_NAME in kernel_specs().find_kernel_specs():
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


KERNEL_PRELOAD = ("import pandas, analysis.aggregate, analysis.judgement, analysis.report_content, analysis.report, "
                  "analysis.charts; analysis.charts.warm_up()")


def _kernel_manager_class():
    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous import AsyncKernelClient
    from traitlets import default

    class ReadyClient(AsyncKernelClient):
        """A client that may be connected ahead: starting it and waiting for the kernel
        again does nothing. (Waiting always ends with 0.2 s of listening for stray
        output, which the notebook would otherwise spend after the ingestion.)"""

        _ready = False

        def start_channels(self, *args, **kwargs) -> None:
            if not self.channels_running:
                super().start_channels(*args, **kwargs)

        async def wait_for_ready(self, timeout=None) -> None:
            if not self._ready:
                await super().wait_for_ready(timeout=timeout)
                self._ready = True

    class ProjectKernelManager(AsyncKernelManager):
        """Remembers its clients so that whoever started the kernel can close them too
        (papermill leaves a client open on a kernel it did not start), and hands out the
        client `connect_ahead` made, once, to whoever asks first."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.project_clients = []
            self._connected = None

        @default("client_factory")
        def _client_factory_default(self):
            return ReadyClient

        def client(self, **kwargs):
            if self._connected is not None:
                client, self._connected = self._connected, None
                return client
            client = super().client(**kwargs)
            self.project_clients.append(client)
            return client

        async def connect_ahead(self, timeout: float) -> None:
            client = self.client()
            client.start_channels()
            await client.wait_for_ready(timeout=timeout)
            self._connected = client

        def stop_clients(self) -> None:
            while self.project_clients:
                self.project_clients.pop().stop_channels()

    if "transport_encryption" in AsyncKernelManager.class_traits():
        class EncryptedKernelManager(ProjectKernelManager):
            """Encrypted local transport; silences ipykernel's warning on every start."""

            @default("transport_encryption")
            def _transport_encryption_default(self):
                return "auto"

        return EncryptedKernelManager
    return ProjectKernelManager


class ReportKernel:
    """The project kernel, started ahead of the notebook so that its start-up and the
    report's imports overlap ingestion. It lives on one thread, with that thread's event
    loop, where papermill later runs the notebook against it; `close` shuts it down."""

    def __init__(self, cwd: Path):
        from concurrent.futures import ThreadPoolExecutor

        cwd.mkdir(parents=True, exist_ok=True)
        self.cwd = cwd
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapportkarna")
        self.manager = None
        self._used = False
        self._started = self._thread.submit(self._start)

    def _start(self) -> None:
        from jupyter_core.utils import run_sync

        ensure_kernel()
        manager = _kernel_manager_class()(kernel_name=KERNEL_NAME, kernel_spec_manager=kernel_specs())
        run_sync(manager.start_kernel)(cwd=str(self.cwd), extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_PRELOAD}"])
        self.manager = manager
        run_sync(manager.connect_ahead)(START_TIMEOUT_S)

    def run(self, function, *args, **kwargs):
        """Call `function` on the kernel's thread with the started manager as `km`; once,
        since a notebook must not find another's variables. A kernel that did not start
        is ReportFailed, as a failing notebook is."""
        try:
            self._started.result()
        except Exception as exc:
            raise ReportFailed(f"Rapportens Python-kärna ({KERNEL_NAME}) startade inte: {exc}", None) from None
        if self._used:
            raise RuntimeError("The report kernel runs one notebook only.")
        self._used = True
        return self._thread.submit(function, *args, km=self.manager, **kwargs).result()

    def _stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.manager is not None:
            self.manager.stop_clients()
            run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = None

    def stop(self):
        """Begin shutting the kernel down (on its thread); `close` waits for it."""
        return self._thread.submit(self._stop)

    def close(self, stopping=None) -> None:
        try:
            (stopping or self.stop()).result(timeout=START_TIMEOUT_S)
        except Exception:  # a kernel that never started has nothing to shut down
            pass
        self._thread.shutdown(wait=False)

    def __enter__(self) -> ReportKernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ReportEngines:
    """The kernel and the browser a report needs, started when this is created so that
    their start-up overlaps whatever comes first (in `malstyrning run`, the ingestion)."""

    def __init__(self, folder: Path, charts: bool = True):
        from analysis.chart_export import ChartBrowser

        self.folder = folder
        self.kernel = ReportKernel(folder)
        self.browser = ChartBrowser() if charts else None

    def close(self) -> None:
        stopping = self.kernel.stop()
        if self.browser is not None:
            self.browser.close()
        self.kernel.close(stopping)

    def __enter__(self) -> ReportEngines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def execute_notebook(notebook: Path, target: Path, parameters: dict, kernel: ReportKernel) -> Path:
    """Execute into `target` (atomically) on `kernel`, in the kernel's working folder. On
    failure the executed notebook is kept as `<target>.misslyckad.ipynb` and ReportFailed
    names the cell and the error."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    check_parameters(parameters, notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_file(target, ".ipynb")
    failed = target.with_name(f"{target.stem}.misslyckad.ipynb")
    try:
        kernel.run(
            papermill.execute_notebook, str(notebook), tmp, parameters=parameters, kernel_name=KERNEL_NAME,
            cwd=str(kernel.cwd), execution_timeout=CELL_TIMEOUT_S, start_timeout=START_TIMEOUT_S, progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,  # written once at the end (or on failure)
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
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    failed.unlink(missing_ok=True)
    return target
