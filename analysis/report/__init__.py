"""The executive board's compiled analysis: report data, display tables, charts, the
notebook run, and the HTML, Excel and chart files."""
