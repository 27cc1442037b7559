"""Loading departments' files: reading and validating rows (here) and writing them to a store (elsewhere).

`open_table(path)` works out the file's format, encoding and kind and returns a Table whose `rows()` stream
ParsedRow or Reject, one per data row, with the row number the clerk sees in Excel.
"""
from graph.loaders.fields import ParsedRow, Reject
from graph.loaders.headers import detect_kind
from graph.loaders.reading import LoadError, Table, open_table

__all__ = ["LoadError", "ParsedRow", "Reject", "Table", "detect_kind", "open_table"]
