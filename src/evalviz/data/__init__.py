"""Tables held by an in-process DuckDB connection."""

from evalviz.data.table import Data

__all__ = ["Data"]
