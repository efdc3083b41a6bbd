"""Goal follow-up workbench for Malmö stad (malstyrning)."""

__version__ = "0.1.0"
