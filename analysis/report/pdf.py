"""The council document as PDF: the Word file converted by LibreOffice in headless mode,
beside the report's other output steps.

Each conversion has a LibreOffice profile of its own (a temporary folder, removed after),
so it never meets a LibreOffice the user has open or another run's. The profile gets a
small Basic macro, which LibreOffice runs from its command line: it opens the document
hidden, updates its table of contents (a plain `--convert-to` would print the field's
placeholder), and exports a tagged PDF (headings, alt texts and the document language
carried over) with bookmarks. The macro reads the two paths from the environment, so no
path is ever spliced into a command.

LibreOffice runs in a process group of its own: a conversion that has not finished within
`TIMEOUT_S` (or a run that fails meanwhile) is stopped by ending the whole group, so no
LibreOffice is ever left behind. When LibreOffice is not installed the report is made
without the PDF, and the run says so once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = float(os.environ.get("MALSTYRNING_PDF_TIDSGRANS_S", "180"))  # a normal conversion takes 1-3 s
SOURCE_VARIABLE, TARGET_VARIABLE = "MALSTYRNING_PDF_KALLA", "MALSTYRNING_PDF_MAL"
MODULE = "Malstyrning"
INSTALL_HINT = "Kör 'make setup' (installerar LibreOffice) eller sätt MALSTYRNING_SOFFICE till programmet soffice."

# The Basic macro (a module of the profile's Standard library). Any error ends LibreOffice
# without a PDF, which the caller reports.
MACRO = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="{MODULE}" script:language="StarBasic">
Sub Convert
  On Error GoTo Failed
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(Environ(&quot;{SOURCE_VARIABLE}&quot;)), &quot;_blank&quot;, 0, load())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next i
  Dim options(2) As New com.sun.star.beans.PropertyValue
  options(0).Name = &quot;UseTaggedPDF&quot;
  options(0).Value = True
  options(1).Name = &quot;ExportBookmarks&quot;
  options(1).Value = True
  options(2).Name = &quot;ReduceImageResolution&quot;
  options(2).Value = False
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = &quot;FilterName&quot;
  store(0).Value = &quot;writer_pdf_Export&quot;
  store(1).Name = &quot;FilterData&quot;
  store(1).Value = options()
  doc.storeToURL(ConvertToURL(Environ(&quot;{TARGET_VARIABLE}&quot;)), store())
  doc.close(True)
Failed:
  StarDesktop.terminate()
End Sub
</script:module>
"""


class PdfFailed(Exception):
    """The PDF could not be made; the message says why, in Swedish."""


def soffice() -> str | None:
    """LibreOffice's program, or None when it is not installed."""
    for candidate in (os.environ.get("MALSTYRNING_SOFFICE"), shutil.which("soffice"), shutil.which("libreoffice")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class PdfConversion:
    """One conversion of `source` into `target` (see `start_pdf`), in two LibreOffice
    starts: the first makes the new profile (and replaces its Basic libraries while doing
    so), the second, with the macro installed, converts."""

    program: str
    source: Path
    target: Path
    profile: Path
    started: float
    process: subprocess.Popen | None = None

    @property
    def _partial(self) -> Path:
        return self.target.with_name(f".{self.target.name}.tmp")

    def _launch(self, arguments: list[str], environment: dict | None = None) -> None:
        command = [self.program, f"-env:UserInstallation={self.profile.as_uri()}", "--headless", *arguments]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env=environment, start_new_session=True)

    def _finish(self) -> None:
        """Wait for the running LibreOffice within what is left of the time."""
        left = self.started + TIMEOUT_S - time.monotonic()
        try:
            _, errors = self.process.communicate(timeout=max(left, 0))
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice blev inte klar med PDF-versionen på {TIMEOUT_S:.0f} s och stoppades.") from None
        if self.process.returncode != 0:
            said = (errors or b"").decode(errors="replace").strip().splitlines()
            raise PdfFailed(f"LibreOffice avslutades med status {self.process.returncode}"
                            + (f" ({said[-1]})" if said else "") + ".")
        self.process = None

    def begin(self) -> None:
        self._launch(["--terminate_after_init"])

    def wait(self) -> float:
        """Wait for the PDF (at most what is left of `TIMEOUT_S`); returns the seconds it
        took in all. Raises PdfFailed, with LibreOffice stopped, when it fails or hangs."""
        try:
            self._finish()
            _install_macro(self.profile)
            self._launch(["--invisible", "--norestore", f"macro:///Standard.{MODULE}.Convert"],
                         {**os.environ, SOURCE_VARIABLE: str(self.source), TARGET_VARIABLE: str(self._partial)})
            self._finish()
            if not self._partial.is_file() or self._partial.stat().st_size == 0:
                raise PdfFailed("LibreOffice skrev ingen PDF (dokumentet kunde inte öppnas eller sparas).")
            os.replace(self._partial, self.target)
            return time.monotonic() - self.started
        except OSError as exc:  # the profile, or LibreOffice's second start
            raise PdfFailed(f"LibreOffice kunde inte göra PDF-versionen ({exc}).") from None
        finally:
            self.stop()

    def stop(self) -> None:
        """End LibreOffice's whole process group if it still runs, and remove the profile
        and any half-written PDF."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)
        self._partial.unlink(missing_ok=True)


def _install_macro(profile: Path) -> None:
    """The conversion macro as a module of the profile's Standard library."""
    library = profile / "user" / "basic" / "Standard"
    index = library / "script.xlb"
    text = index.read_text(encoding="utf-8")
    if f'library:name="{MODULE}"' not in text:
        text = text.replace("</library:library>", f' <library:element library:name="{MODULE}"/>\n</library:library>')
        index.write_text(text, encoding="utf-8")
    (library / f"{MODULE}.xba").write_text(MACRO, encoding="utf-8")


def start_pdf(source: Path, target: Path) -> PdfConversion | None:
    """Start converting the Word file `source` into the PDF `target`; None when LibreOffice
    is not installed. Call `wait` for the result, or `stop`."""
    program = soffice()
    if program is None:
        return None
    profile = Path(tempfile.mkdtemp(prefix="malstyrning-libreoffice-"))
    conversion = PdfConversion(program, source, target, profile, time.monotonic())
    try:
        conversion.begin()
    except OSError as exc:
        conversion.stop()
        raise PdfFailed(f"LibreOffice kunde inte startas ({exc}).") from None
    return conversion
