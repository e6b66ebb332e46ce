"""Constants shared by the views and the analysis, one module for each: status words, long-form column names and
the numeric DuckDB types."""
