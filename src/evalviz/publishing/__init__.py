"""Publishing: charts, inputs, tables and Markdown text on one page (`page`, `md`)."""
