"""Every SQL statement a view runs, built in one place: views and marks hold no SQL text.

Each module builds the statements of one job (resolving column roles, aggregating a grid's cells, binning an
axis, a region of a binned grid, the rows of a difference plot, the bars of a score chart). Identifiers are
quoted, values are bound as parameters or quoted literals.
"""
