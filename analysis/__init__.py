"""Goal follow-up workbench for Malmö stad (malstyrning).

`analysis.load_tables(root=None, history=False)` returns the current analysis tables by
name (submissions, contributions, follow-ups, human rights, indicators, assignment
follow-ups and validation issues; with `history`, every submission ever read too), all
from one snapshot (see analysis.intake.store.load_tables); it is imported on first use,
so that `import analysis` stays light."""

__version__ = "0.1.0"
__all__ = ["load_tables"]


def __getattr__(name: str):
    if name == "load_tables":
        from analysis.intake.store import load_tables

        return load_tables
    raise AttributeError(f"module 'analysis' has no attribute '{name}'")
