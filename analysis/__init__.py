"""Goal follow-up workbench for Malmö stad (malstyrning)."""

__version__ = "0.1.0"


def load_tables(root=None) -> dict:
    """The current processed tables by name (pandas DataFrames), for analysts."""
    from analysis.config import Paths
    from analysis.intake.store import read_table

    paths = Paths.at(root)
    names = [p.stem for p in sorted(paths.processed.glob("*.parquet"))]
    return {name: read_table(paths.processed, name) for name in names}
