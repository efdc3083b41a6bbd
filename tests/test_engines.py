"""The report's engines (analysis.report.produce.ReportEngines): when the kernel and
LibreOffice start, and that nothing starts after the engines are closed. The browser,
kernel and converter are stand-ins that record what happens."""

from __future__ import annotations

import pytest

import analysis.report.export as export
import analysis.report.produce as produce


class FakeBrowser:
    made: list = []

    def __init__(self):
        self.callbacks = []
        self.closed = False
        FakeBrowser.made.append(self)

    def when_started(self, callback):
        self.callbacks.append(callback)

    def started(self):  # what the browser's thread does once its page is ready
        for callback in self.callbacks:
            callback()

    def close(self):
        self.closed = True


class FakeKernel:
    def __init__(self, cwd):
        self.closed = False

    def close(self):
        self.closed = True


class FakeConverter:
    def __init__(self):
        self.stopped = False

    def stop(self):
        self.stopped = True


@pytest.fixture
def fakes(monkeypatch):
    FakeBrowser.made = []
    converters = []

    def converter(warm_up, notes):
        converters.append(FakeConverter())
        return converters[-1]

    monkeypatch.setattr(export, "ChartBrowser", FakeBrowser)
    monkeypatch.setattr(produce, "ReportKernel", FakeKernel)
    monkeypatch.setattr(produce, "_start_converter", converter)
    return converters


def test_later_engines_start_once_the_browser_has_started(tmp_path, fakes):
    engines = produce.ReportEngines(tmp_path, start_browser=True, later=True)
    assert engines.kernel is None and fakes == []  # the ingestion shares the machine with the browser's start alone
    FakeBrowser.made[0].started()
    assert len(fakes) == 1
    engines.start()  # the report begins: nothing is started twice
    assert len(fakes) == 1
    assert engines.kernel is None  # LibreOffice converts: the kernel waits for the notebook
    kernel = engines.notebook_kernel()
    assert isinstance(kernel, FakeKernel) and engines.notebook_kernel() is kernel
    engines.close()
    assert kernel.closed and fakes[0].stopped and FakeBrowser.made[0].closed


def test_later_engines_start_with_the_report_when_it_comes_first(tmp_path, fakes):
    engines = produce.ReportEngines(tmp_path, start_browser=True, later=True)
    engines.start()
    assert len(fakes) == 1
    FakeBrowser.made[0].started()
    assert len(fakes) == 1
    engines.close()


def test_nothing_starts_after_the_engines_are_closed(tmp_path, fakes):
    engines = produce.ReportEngines(tmp_path, start_browser=True, later=True)
    engines.close()  # a run that failed before its browser was up
    FakeBrowser.made[0].started()
    assert engines.kernel is None and fakes == []


def test_engines_without_later_start_at_once(tmp_path, fakes):
    engines = produce.ReportEngines(tmp_path, start_browser=False)
    assert engines.kernel is None and len(fakes) == 1 and FakeBrowser.made == []
    engines.close()


def test_without_libreoffice_the_kernel_starts_with_the_report(tmp_path, monkeypatch, fakes):
    monkeypatch.setattr(produce, "_start_converter", lambda warm_up, notes: None)
    engines = produce.ReportEngines(tmp_path, start_browser=False)
    assert isinstance(engines.kernel, FakeKernel) and engines.converter is None
    assert engines.notebook_kernel() is engines.kernel
    engines.close()


def test_no_kernel_starts_after_the_engines_are_closed(tmp_path, fakes):
    engines = produce.ReportEngines(tmp_path, start_browser=False)
    engines.close()
    assert engines.notebook_kernel() is None
