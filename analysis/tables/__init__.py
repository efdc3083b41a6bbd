"""The aggregate tables, pure functions of the processed tables, each declared once in
`analysis.tables.registry`."""
