"""The council document as PDF: the Word file converted by LibreOffice in headless mode,
one plain blocking `soffice --convert-to pdf` call.

Each conversion has a LibreOffice profile of its own (a temporary folder, removed after),
so it never meets a LibreOffice the user has open or another run's. The PDF is tagged
(headings, alt texts and the document language carried over) and has bookmarks; the
table of contents needs no update, since its page numbers are PAGEREF fields that
LibreOffice computes as it lays the document out (analysis.report.document).

LibreOffice runs in a process group of its own: a conversion that has not finished
within `TIMEOUT_S` is stopped by ending the whole group, so no LibreOffice is left behind.
A conversion ends by itself, so a run killed meanwhile leaves none running either. When
LibreOffice is not installed the report is made without the PDF, and the run says so."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = float(os.environ.get("MALSTYRNING_PDF_TIDSGRANS_S", "180"))  # a normal conversion takes 3-6 s
INSTALL_HINT = "Kör 'make setup' (installerar LibreOffice) eller sätt MALSTYRNING_SOFFICE till programmet soffice."
# LibreOffice's PDF filter with its options (LibreOffice 7.4 and later take them as JSON).
FILTER = "pdf:writer_pdf_Export:" + json.dumps({
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ReduceImageResolution": {"type": "boolean", "value": "false"},
}, separators=(",", ":"))


class PdfFailed(Exception):
    """The PDF could not be made; the message says why, in Swedish."""


def soffice() -> str | None:
    """LibreOffice's program, or None when it is not installed."""
    for candidate in (os.environ.get("MALSTYRNING_SOFFICE"), shutil.which("soffice"), shutil.which("libreoffice")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def convert_to_pdf(source: Path, target: Path, program: str | None = None, timeout: float | None = None) -> None:
    """The Word file `source` as the PDF `target` (written whole: made in a temporary
    folder, then moved into place). Raises PdfFailed when LibreOffice is missing, fails
    or takes longer than `timeout` seconds (it is then stopped)."""
    program = program or soffice()
    if program is None:
        raise PdfFailed(f"LibreOffice saknas. {INSTALL_HINT}")
    timeout = TIMEOUT_S if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="malstyrning-libreoffice-") as work:
        profile, outdir = Path(work) / "profil", Path(work) / "ut"
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", FILTER, "--outdir", str(outdir), str(source)]
        try:
            # LibreOffice's own temporary files in the same folder: removed with it, even
            # when LibreOffice was stopped before it could remove them itself
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, start_new_session=True, env={**os.environ, "TMPDIR": work})
        except OSError as exc:
            raise PdfFailed(f"LibreOffice kunde inte startas ({exc}).") from None
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice blev inte klar med PDF-versionen på {timeout:.0f} s och stoppades.") from None
        finally:
            if process.poll() is None:
                _stop(process)
        made = outdir / f"{source.stem}.pdf"
        if process.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            said = (errors or b"").decode(errors="replace").strip().splitlines()
            raise PdfFailed("LibreOffice skrev ingen PDF" + (f" ({said[-1]})" if said else "") + ".")
        partial = target.with_name(f".{target.name}.tmp")
        try:
            shutil.copyfile(made, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def _stop(process: subprocess.Popen) -> None:
    """End LibreOffice's whole process group (soffice starts soffice.bin beside itself)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.wait(timeout=30)
