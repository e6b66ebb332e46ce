"""Issue 10, kind 4: column types are checked by their structure (DuckDB's type id and children), not their name."""

from __future__ import annotations

import doctest
import statistics

import duckdb
import pytest

import evalviz as ev
from evalviz.data import types
from evalviz.errors import ColumnTypeError

HEATMAP = {"task_name": "task", "model_name": "model", "score_value": "score", "link": None}

NUMBERS = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
           "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL(18,3)", "DECIMAL(38,10)"]
NOT_NUMBERS = ["BOOLEAN", "VARCHAR", "JSON", "DATE", "TIMESTAMP WITH TIME ZONE", "INTERVAL", "BLOB", "UUID",
               "DOUBLE[]", "INTEGER[3]", "STRUCT(value DOUBLE)", "MAP(VARCHAR, DOUBLE)", "UNION(n DOUBLE, s VARCHAR)",
               "ENUM('a', 'b')"]


def column_type(sql_type: str) -> duckdb.sqltypes.DuckDBPyType:
    """The type of a real column of `sql_type`, as Data.types gives it."""
    return ev.Data.from_sql(f"SELECT NULL::{sql_type} AS c").types["c"]


@pytest.mark.parametrize("sql_type", NUMBERS)
def test_numbers_are_numeric_whatever_their_name(sql_type: str) -> None:
    kind = column_type(sql_type)
    assert types.is_numeric(kind) and types.is_numeric(sql_type)
    assert not types.is_nested(kind) and not types.is_text(kind)


@pytest.mark.parametrize("sql_type", NOT_NUMBERS)
def test_other_types_are_not_numeric(sql_type: str) -> None:
    kind = column_type(sql_type)
    assert not types.is_numeric(kind)
    nested = sql_type.endswith("]") or sql_type.startswith(("STRUCT", "MAP", "UNION"))
    assert types.is_nested(kind) is nested
    assert types.is_text(kind) is (sql_type in ("VARCHAR", "ENUM('a', 'b')"))
    assert types.is_json(kind) is (sql_type == "JSON")


def test_the_other_checks() -> None:
    assert types.is_boolean(column_type("BOOLEAN")) and not types.is_boolean("INTEGER")
    assert types.is_integer("UHUGEINT") and not types.is_integer("DOUBLE") and not types.is_integer("BIGINT[]")
    assert types.is_floating("REAL") and not types.is_floating("DECIMAL(4,1)")
    assert types.is_temporal(column_type("TIMESTAMP WITH TIME ZONE")) and not types.is_temporal("VARCHAR")
    assert types.describe(column_type("double[]")) == "DOUBLE[]"
    assert types.type_id(column_type("DECIMAL(10,2)")) == "decimal"


def test_the_types_module_examples_run() -> None:
    assert doctest.testmod(types, optionflags=doctest.ELLIPSIS).failed == 0


def test_data_types_are_duckdb_type_objects() -> None:
    data = ev.Data.from_sql("SELECT 1::UHUGEINT AS n, [0.5] AS xs, 'a' AS s")
    assert {name: str(kind) for name, kind in data.types.items()} == data.schema
    assert [kind.id for kind in data.types.values()] == ["uhugeint", "list", "varchar"]


def test_uhugeint_scores_are_drawn() -> None:
    big = [2**100, 2**100 + 2, 5]
    rows = ", ".join(f"('m', '{task}', {value}::UHUGEINT)" for task, value in zip("ttu", big, strict=True))
    data = ev.Data.from_sql(f"SELECT * FROM (VALUES {rows}) v(model, task, score)")
    assert data.schema["score"] == "UHUGEINT"
    cells = ev.scores_heatmap(data, **HEATMAP).datasets["cells"].to_pylist()
    values = {c["x"]: c["value"] for c in cells}
    assert values["t"] == pytest.approx(statistics.mean(big[:2]), rel=1e-12)
    assert values["u"] == 5.0


def test_boolean_scores_are_drawn_as_their_mean() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('m', 't', true), ('m', 't', false), ('m', 't', true)) "
                            "v(model, task, score)")
    cells = ev.scores_heatmap(data, **HEATMAP).datasets["cells"].to_pylist()
    assert cells[0]["value"] == pytest.approx(statistics.mean([1, 0, 1]))


@pytest.mark.parametrize("sql_type", ["DOUBLE[]", "INTEGER[2]", "STRUCT(value DOUBLE)", "MAP(VARCHAR, DOUBLE)"])
def test_a_nested_fill_column_is_refused_with_a_clear_error(sql_type: str) -> None:
    value = {"DOUBLE[]": "[0.5, 1.0]", "INTEGER[2]": "[1, 0]", "STRUCT(value DOUBLE)": "{'value': 0.5}",
             "MAP(VARCHAR, DOUBLE)": "MAP {'value': 0.5}"}[sql_type]
    data = ev.Data.from_sql(f"SELECT 'm' AS model, 't' AS task, {value}::{sql_type} AS score")
    with pytest.raises(ev.EvalvizError) as info:
        ev.scores_heatmap(data, **HEATMAP)
    assert not isinstance(info.value, duckdb.Error)
    assert "'score'" in str(info.value)


def test_a_timestamp_fill_column_is_refused_without_pointing_to_score_to_float() -> None:
    data = ev.Data.from_sql("SELECT 'm' AS model, 't' AS task, TIMESTAMPTZ '2025-01-02 03:04:05+00' AS score")
    with pytest.raises(ColumnTypeError) as info:
        ev.scores_heatmap(data, **HEATMAP)
    message = str(info.value)
    assert "'score'" in message and "TIMESTAMP WITH TIME ZONE" in message and "2025-01-02" in message
    assert "score_to_float" not in message


def test_a_text_fill_column_points_to_score_to_float() -> None:
    data = ev.Data.from_sql("SELECT 'm' AS model, 't' AS task, 'C' AS score")
    with pytest.raises(ColumnTypeError, match=r"holds text, not numbers: row 1 holds 'C'.*score_to_float\('score'\)"):
        ev.scores_heatmap(data, **HEATMAP)
