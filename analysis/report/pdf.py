"""The council document as PDF: the Word file converted by LibreOffice in headless mode,
beside the report's other output steps.

LibreOffice is started ahead, with the report's kernel and browser, and waits: its own
start and the first opening of a Word file (filters, fonts) are then done while the run
ingests and computes, and only the conversion itself is left for when the Word file is
written. Each converter has a LibreOffice profile of its own (a temporary folder, removed
after), so it never meets a LibreOffice the user has open or another run's. The profile
gets a small Basic macro, which LibreOffice runs from its command line: it waits for the
Word file to appear in the profile's inbox (handed over whole, by a rename), opens it
hidden, updates its table of contents (a plain `--convert-to` would print the field's
placeholder), and exports a tagged PDF (headings, alt texts and the document language
carried over) with bookmarks. The macro reads its paths from the environment, so no path
is ever spliced into a command; it gives up when the process that started it is gone.

LibreOffice runs in a process group of its own: a conversion that has not finished within
`TIMEOUT_S` of the handover (or a run that fails meanwhile) is stopped by ending the whole
group, so no LibreOffice is ever left behind. When LibreOffice is not installed the report
is made without the PDF, and the run says so once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_S = float(os.environ.get("MALSTYRNING_PDF_TIDSGRANS_S", "180"))  # a normal conversion takes 2-5 s
INBOX_VARIABLE, OUTBOX_VARIABLE, PARENT_VARIABLE, WARM_VARIABLE = (
    "MALSTYRNING_PDF_KALLA", "MALSTYRNING_PDF_MAL", "MALSTYRNING_PDF_FORALDER", "MALSTYRNING_PDF_UPPVARMNING")
MODULE = "Malstyrning"
INSTALL_HINT = "Kör 'make setup' (installerar LibreOffice) eller sätt MALSTYRNING_SOFFICE till programmet soffice."

# The Basic macro (a module of the profile's Standard library). Any error ends LibreOffice
# without a PDF, which the caller reports. It first opens and closes the warm-up document
# (the office's Word template), then waits for the inbox's file, checking every 50 ms that
# the process that started it still lives (Linux's /proc; elsewhere it waits for the file).
MACRO = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="{MODULE}" script:language="StarBasic">
Sub Convert
  On Error GoTo Failed
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  If Environ(&quot;{WARM_VARIABLE}&quot;) &lt;&gt; &quot;&quot; Then
    warm = StarDesktop.loadComponentFromURL(ConvertToURL(Environ(&quot;{WARM_VARIABLE}&quot;)), &quot;_blank&quot;, 0, load())
    warm.close(True)
  End If
  source = ConvertToURL(Environ(&quot;{INBOX_VARIABLE}&quot;))
  starter = ConvertToURL(&quot;/proc/&quot; &amp; Environ(&quot;{PARENT_VARIABLE}&quot;))
  watch = FileExists(starter)
  Do While Not FileExists(source)
    If watch And Not FileExists(starter) Then GoTo Failed
    Wait 50
  Loop
  doc = StarDesktop.loadComponentFromURL(source, &quot;_blank&quot;, 0, load())
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
  doc.storeToURL(ConvertToURL(Environ(&quot;{OUTBOX_VARIABLE}&quot;)), store())
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
class PdfConverter:
    """LibreOffice started ahead (`start_converter`): it makes its profile, installs the
    macro and starts waiting, on a thread of its own; `convert` hands it the Word file,
    `wait` returns once the PDF is there, `stop` ends it whatever state it is in."""

    program: str
    profile: Path
    warm_up: Path | None  # a Word file opened and closed while waiting (filters and fonts loaded)
    process: subprocess.Popen | None = None
    handed: float | None = None  # when the Word file was handed over (monotonic)
    target: Path | None = None
    failure: PdfFailed | None = None
    stopped: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    starting: threading.Thread | None = None

    @property
    def inbox(self) -> Path:
        return self.profile / "inkorg" / "dokument.docx"

    @property
    def outbox(self) -> Path:
        return self.profile / "utkorg" / "dokument.pdf"

    def _launch(self, arguments: list[str], environment: dict | None = None) -> subprocess.Popen | None:
        """Start LibreOffice unless the converter has been stopped meanwhile."""
        command = [self.program, f"-env:UserInstallation={self.profile.as_uri()}", "--headless", *arguments]
        with self.lock:
            if self.stopped:
                return None
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, env=environment, start_new_session=True)
            return self.process

    def _finish(self, process: subprocess.Popen, deadline: float) -> None:
        """Wait for `process` until `deadline` (monotonic)."""
        try:
            _, errors = process.communicate(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice blev inte klar med PDF-versionen på {TIMEOUT_S:.0f} s och stoppades.") from None
        if process.returncode != 0 and not self.stopped:
            said = (errors or b"").decode(errors="replace").strip().splitlines()
            raise PdfFailed(f"LibreOffice avslutades med status {process.returncode}"
                            + (f" ({said[-1]})" if said else "") + ".")

    def _start(self) -> None:
        """The first start makes the new profile (and replaces its Basic libraries while
        doing so); the second, with the macro installed, waits for the Word file."""
        try:
            first = self._launch(["--terminate_after_init"])
            if first is None:
                return
            self._finish(first, time.monotonic() + TIMEOUT_S)
            with self.lock:
                if self.stopped:
                    return
                _install_macro(self.profile)
                self.inbox.parent.mkdir()
                self.outbox.parent.mkdir()
            environment = {**os.environ, INBOX_VARIABLE: str(self.inbox), OUTBOX_VARIABLE: str(self.outbox),
                           PARENT_VARIABLE: str(os.getpid()), WARM_VARIABLE: str(self.warm_up or "")}
            self._launch(["--invisible", "--norestore", f"macro:///Standard.{MODULE}.Convert"], environment)
        except PdfFailed as exc:
            self.failure = exc
        except OSError as exc:  # the profile, or LibreOffice's second start
            self.failure = PdfFailed(f"LibreOffice kunde inte startas ({exc}).")

    def convert(self, source: Path, target: Path) -> None:
        """Hand over the Word file `source` (copied whole into the inbox, then renamed, so
        LibreOffice never opens half a file); the PDF is to become `target`."""
        partial = self.inbox.with_name(f".{self.inbox.name}.tmp")
        self.starting.join()  # the inbox exists once LibreOffice has been started (at most TIMEOUT_S)
        self.handed, self.target = time.monotonic(), target
        if self.failure is None:
            shutil.copyfile(source, partial)
            os.replace(partial, self.inbox)

    def wait(self) -> float:
        """Wait for the PDF (at most `TIMEOUT_S` after the handover); returns the seconds
        from the handover. Raises PdfFailed, with LibreOffice stopped, when it fails or hangs."""
        try:
            if self.failure is not None:
                raise self.failure
            self._finish(self.process, self.handed + TIMEOUT_S)
            if not self.outbox.is_file() or self.outbox.stat().st_size == 0:
                raise PdfFailed("LibreOffice skrev ingen PDF (dokumentet kunde inte öppnas eller sparas).")
            partial = self.target.with_name(f".{self.target.name}.tmp")
            shutil.copyfile(self.outbox, partial)
            os.replace(partial, self.target)
            return time.monotonic() - self.handed
        except OSError as exc:
            raise PdfFailed(f"LibreOffice kunde inte göra PDF-versionen ({exc}).") from None
        finally:
            self.stop()

    def stop(self) -> None:
        """End LibreOffice's whole process group if it still runs, and remove the profile
        and any half-written PDF."""
        with self.lock:
            self.stopped = True
            process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            process.wait(timeout=30)
        if self.starting is not None:
            self.starting.join(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)
        if self.target is not None:
            self.target.with_name(f".{self.target.name}.tmp").unlink(missing_ok=True)


def _install_macro(profile: Path) -> None:
    """The conversion macro as a module of the profile's Standard library."""
    library = profile / "user" / "basic" / "Standard"
    index = library / "script.xlb"
    text = index.read_text(encoding="utf-8")
    if f'library:name="{MODULE}"' not in text:
        text = text.replace("</library:library>", f' <library:element library:name="{MODULE}"/>\n</library:library>')
        index.write_text(text, encoding="utf-8")
    (library / f"{MODULE}.xba").write_text(MACRO, encoding="utf-8")


PROFILE_PREFIX = "malstyrning-libreoffice-"
OWNER_FILE = "startad-av"  # in a profile: the process id of the run that made it


def remove_orphaned_profiles() -> None:
    """Remove the profiles of runs that were killed (LibreOffice itself stops once the
    run that started it is gone, but a killed run cannot remove its profile). A profile
    whose run still lives, or that does not say which run made it, is left alone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text(encoding="ascii"))
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):  # alive (another user's), or not one of ours
            continue


def start_converter(warm_up: Path | None = None) -> PdfConverter | None:
    """LibreOffice started to wait for a Word file (see `PdfConverter`); None when it is
    not installed. `warm_up`: a Word file it opens while waiting (the office's template).
    The profiles that killed runs left behind are removed first."""
    program = soffice()
    if program is None:
        return None
    remove_orphaned_profiles()
    profile = Path(tempfile.mkdtemp(prefix=PROFILE_PREFIX))
    (profile / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    converter = PdfConverter(program, profile, warm_up)
    converter.starting = threading.Thread(target=converter._start, name="libreoffice-start", daemon=True)
    converter.starting.start()
    return converter
