"""The statements column roles are resolved with."""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q


def names_and_pairs_sql(shown: str, key: str) -> str:
    """One row: how many distinct values `shown` has ("names"), and distinct (`shown`, `key`) pairs ("pairs")."""
    return (f"SELECT (SELECT count(*) FROM (SELECT DISTINCT {q(shown)} FROM this)) AS names, "
            f"(SELECT count(*) FROM (SELECT DISTINCT {q(shown)}, {q(key)} FROM this)) AS pairs")
