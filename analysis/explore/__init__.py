"""The analysts' exploration between the reports (notebooks/utforska.ipynb): `views` answers
their questions as Swedish tables (pure), `figures` draws them with plotly (pure),
`takeout` saves a view's table to Excel and its figure to PNG."""
