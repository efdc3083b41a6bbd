"""A real JupyterLab in a real browser, for the exploration notebook's tests and benchmark:
a server on a free local port with a token, the notebook opened in headless Chromium
(Playwright driving Debian's Chromium), all cells run through the Run menu."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from analysis.config import REPOSITORY_ROOT

NOTEBOOK = REPOSITORY_ROOT / "notebooks" / "utforska.ipynb"
LAB_SETTINGS = REPOSITORY_ROOT / "notebooks" / ".jupyterlab"  # overrides.json: nothing asked on first start


def chromium() -> str | None:
    return next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook_for(root: Path, folder: Path, occasion: str | None = None) -> Path:
    """The exploration notebook with its `root` (and `occasion`) parameter set, in `folder`."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    cell["source"] = f"root = {str(root)!r}\noccasion = {occasion!r}\n"
    path = folder / NOTEBOOK.name
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@contextmanager
def jupyterlab(folder: Path):
    """A JupyterLab server on `folder`; yields its base URL with the token. The server,
    its kernels and everything they started are stopped afterwards."""
    port, token = _free_port(), os.urandom(16).hex()
    runtime = folder / ".jupyter-runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(folder / ".jupyter-config")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}", "--allow-root",
         f"--LabApp.app_settings_dir={LAB_SETTINGS}", f"--LabApp.user_settings_dir={folder / '.lab-user-settings'}",
         f"--LabApp.workspaces_dir={folder / '.lab-workspaces'}"],
        stdout=subprocess.DEVNULL, stderr=open(folder / "jupyterlab.log", "wb"), env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((folder / "jupyterlab.log").read_text(errors="replace")[-2000:])
                time.sleep(0.1)
        yield base, token
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


@contextmanager
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu",
                                                                      "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            yield page
        finally:
            browser.close()


KERNEL_IDLE = "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => e.textContent.includes('Idle'))"


class CellFailed(RuntimeError):
    """A cell of the notebook raised: the message is its traceback as JupyterLab shows it."""


def run_all_cells(page, base: str, token: str, name: str = NOTEBOOK.name, timeout_s: float = 300) -> float:
    """Open the notebook, wait for its kernel, run all cells and wait until every code
    cell has run. Returns the seconds from opening to the last cell done. Raises
    CellFailed, with the error shown in the notebook, as soon as a cell has failed (the
    run stops there, the kernel is idle and the rest never runs)."""
    start = time.perf_counter()
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_s * 1000)
    page.wait_for_function(f"() => document.querySelector('.jp-Notebook') !== null && {KERNEL_IDLE}",
                           timeout=timeout_s * 1000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    outcome = page.wait_for_function(
        f"""() => {{
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim());
            if (prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p))) return {{done: true}};
            const errors = [...document.querySelectorAll('.jp-CodeCell .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')];
            if (errors.length && !prompts.includes('[*]:') && {KERNEL_IDLE}) return {{error: errors.map(e => e.innerText).join('\\n')}};
            return false;
        }}""", timeout=timeout_s * 1000).json_value()
    if "error" in outcome:
        raise CellFailed(f"A cell of {name} failed:\n{outcome['error'][-3000:]}")
    return time.perf_counter() - start
