"""From the boards' workbooks in data/raw to the tidy tables in data/processed."""
