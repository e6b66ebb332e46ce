"""Issue 10 for `prepare`: score types are checked by structure and objects or lists are never turned into a
score (kind 4); `log_viewer` links open their own page in the real inspect log viewer (kind 6)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.data.types import is_json
from evalviz.errors import ColumnTypeError

ia = pytest.importorskip("inspect_ai.analysis")
from inspect_ai.scorer import value_to_float  # noqa: E402

ADVICE = re.compile(r"for example: (ev\.prepare\(.*\)), where data is this table\.$")


def follow_advice(error: Exception, data: ev.Data) -> ev.Data:
    """Run the code an error message gives as the way out, on `data`, as a user pastes it."""
    found = ADVICE.search(str(error))
    assert found, f"the message gives no code to run: {error}"
    return eval(found.group(1), {"ev": ev, "data": data})


def scores(data: ev.Data, column: str = "score") -> list[Any]:
    return data.to_arrow()[column].to_pylist()


def first_shown(error: Exception) -> tuple[Any, int]:
    """The value (parsed from its JSON) and row number that an error message names."""
    found = re.search(r"such as (.+?) in row (\d+) \(counting from 0\)", str(error))
    assert found, f"the message names no value and row: {error}"
    return json.loads(found.group(1)), int(found.group(2))


def to_float(value: Any) -> float | None:
    """inspect_ai's conversion of one score, with missing values kept missing."""
    return None if value is None else value_to_float()(value)


# -- kind 4: objects and lists are never scores -------------------------------------------------------------
NESTED = {
    # name: (Arrow column with a NULL first, the number each value stands for by the advice's pick)
    "INTEGER[]": (pa.array([None, [1, 0], [0]], pa.list_(pa.int32())), lambda v: v[0]),
    "DOUBLE[2]": (pa.array([None, [1.0, 0.5], [0.0, 1.0]], pa.list_(pa.float64(), 2)), lambda v: v[0]),
    "STRUCT": (
        pa.array([None, {"value": 1.0, "explanation": "right"}, {"value": 0.0, "explanation": "wrong"}]),
        lambda v: v["value"],
    ),
    "MAP": (
        pa.array([None, [("accuracy", "C"), ("f1", "I")], [("accuracy", "P")]], pa.map_(pa.string(), pa.string())),
        lambda v: dict(v)["accuracy"],
    ),
}


@pytest.mark.parametrize("kind", NESTED)
def test_a_nested_column_is_refused_with_its_first_value_row_and_a_way_that_works(kind: str) -> None:
    column, pick = NESTED[kind]
    data = ev.Data.from_dataframe(pa.table({"score": column}))
    with pytest.raises(ColumnTypeError) as caught:
        ev.prepare(data, ev.score_to_float("score"))
    message = str(caught.value)
    first = column[1].as_py()
    assert message.startswith("Column 'score' holds ")
    assert first_shown(caught.value) == (dict(first) if kind == "MAP" else first, 1)
    assert "would make it 0.0" in message  # says what inspect_ai would have made of it
    expected = [None] + [to_float(pick(v)) for v in column.to_pylist()[1:]]
    assert scores(follow_advice(caught.value, data)) == expected


def test_a_json_column_converts_its_scalars_and_refuses_its_objects(tmp_path: Path) -> None:
    values = ["C", {"value": 1.0, "explanation": "right"}, 0.5, {"value": "I"}, None, True, "no", "0.25", 3]
    path = tmp_path / "scores.jsonl"
    path.write_text("".join(json.dumps({"score": v}) + "\n" for v in values))
    data = ev.Data.from_file(path)
    assert is_json(data.types["score"])
    with pytest.raises(ColumnTypeError) as caught:
        ev.prepare(data, ev.score_to_float("score"))
    assert first_shown(caught.value) == (values[1], 1)
    # The advice picks "value" out of each object and leaves the other values to the API's rules.
    expected = [to_float(v["value"] if isinstance(v, dict) else v) for v in values]
    assert expected[1] == 1.0  # a correct answer, which a silent conversion drew as 0.0
    assert scores(follow_advice(caught.value, data)) == expected
    scalars = ev.Data.from_file(path).filter("score IS NULL OR json_type(score) NOT IN ('OBJECT', 'ARRAY')")
    converted = ev.prepare(scalars, ev.score_to_float("score")).to_arrow()["score"].to_pylist()
    assert converted == [to_float(v) for v in values if not isinstance(v, dict)]


def test_a_json_list_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    path.write_text('{"score": "C"}\n{"score": ["C", "I"]}\n')
    data = ev.Data.from_file(path)
    with pytest.raises(ColumnTypeError) as caught:
        ev.prepare(data, ev.score_to_float("score"))
    assert first_shown(caught.value) == (["C", "I"], 1)
    assert scores(follow_advice(caught.value, data)) == [1.0, 1.0]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 340282366920938463463374607431768211455::UHUGEINT AS score", [float(2**128 - 1)]),
        ("SELECT (-170141183460469231731687303715884105728)::HUGEINT AS score", [float(-(2**127))]),
        ("SELECT 0.125::DECIMAL(38, 10) AS score", [0.125]),
        ("SELECT 200::UTINYINT AS score", [200.0]),
        ("SELECT 'nan'::FLOAT AS score UNION ALL SELECT 0.5::FLOAT", [None, 0.5]),
        ("SELECT score::ENUM('C', 'I', 'P') AS score FROM (VALUES ('C'), ('P'), ('I'), (NULL)) t(score)",
         [1.0, 0.5, 0.0, None]),
    ],
)
def test_scores_are_converted_by_the_structure_of_their_type(sql: str, expected: list[float | None]) -> None:
    data = ev.Data.from_sql(sql)
    assert ev.prepare(data, ev.score_to_float("score")).to_arrow()["score"].to_pylist() == expected


@pytest.mark.parametrize("sql", ["SELECT TIMESTAMP '2025-01-01' AS score", "SELECT '\\x01'::BLOB AS score"])
def test_a_type_that_is_no_score_is_refused_by_name(sql: str) -> None:
    data = ev.Data.from_sql(sql)
    with pytest.raises(ColumnTypeError, match=r"cannot convert column 'score': it holds (TIMESTAMP|BLOB) values"):
        ev.prepare(data, ev.score_to_float("score"))


# -- a real inspect_ai log: dict-valued scores, and sample ids with slashes ----------------------------------
SAMPLES = {"x/y": 0.0, "plain": 1.0, "a%20b": 1.0}  # sample id -> the "value" its scorer gives
LOG_NAME = "run 1.eval"  # inspect view bundle itself cannot serve names with % or #, so a space stands for them


@pytest.fixture(scope="module")
def dict_score_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real .eval log of one task whose scorer returns a dict ({"value": ..., "confidence": ...})."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import Score, Target, mean, scorer
    from inspect_ai.solver import TaskState

    def answer(*_: Any) -> ModelOutput:
        output = ModelOutput.from_content(model="mock", content="answer")
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # no tokenizer download
        return output

    @scorer(metrics=[mean()])
    def graded() -> Any:
        async def score(state: TaskState, target: Target) -> Score:
            return Score(value={"value": SAMPLES[str(state.sample_id)], "confidence": 0.5})

        return score

    folder = tmp_path_factory.mktemp("dict_logs")
    task = Task(dataset=[Sample(id=i, input=i, target="t") for i in SAMPLES], scorer=graded(), name="slashes")
    model = get_model("mockllm/mock", custom_outputs=answer)
    run = functools.partial(
        inspect_eval, task, model=model, log_dir=str(folder), display="none", log_level="error", score_display=False
    )
    with ThreadPoolExecutor(max_workers=1) as pool:  # inspect runs an event loop of its own
        (log,) = pool.submit(run).result()
    assert log.status == "success", log.error
    path = folder / LOG_NAME
    Path(log.location).replace(path)
    return path


def test_dict_scores_of_samples_df_are_refused_with_a_way_that_works(dict_score_log: Path) -> None:
    from inspect_ai.log import read_eval_log

    frame = ia.samples_df(dict_score_log, columns=[*ia.EvalModel, *ia.SampleSummary], quiet=True)
    data = ev.Data.from_dataframe(frame)
    with pytest.raises(ColumnTypeError) as caught:
        ev.prepare(data, ev.score_to_float("score_graded"))
    assert str(caught.value).startswith("Column 'score_graded' holds objects (JSON text)")
    assert first_shown(caught.value) == ({"value": SAMPLES["x/y"], "confidence": 0.5}, 0)
    # The scores as the log holds them, read by inspect_ai itself.
    log = read_eval_log(dict_score_log)
    truth = {sample.id: sample.scores["graded"].value["value"] for sample in log.samples}
    prepared = follow_advice(caught.value, data)
    assert dict(zip(scores(prepared, "id"), scores(prepared, "score_graded"), strict=True)) == truth


def test_a_view_of_dict_scores_gives_the_same_way_out_not_letters(dict_score_log: Path) -> None:
    frame = ia.samples_df(dict_score_log, columns=[*ia.EvalModel, *ia.SampleSummary], quiet=True)
    data = ev.Data.from_dataframe(frame)
    with pytest.raises(ColumnTypeError) as caught:
        ev.sample_heatmap(data, score_value="score_graded", model_name="model")
    message = str(caught.value)
    assert "objects (JSON text)" in message and "Pick the number first" in message
    assert "ev.prepare(data, ev.score_to_float(" not in message  # the advice for letters would give 0.0 again
    prepared = follow_advice(caught.value, data)
    cells = ev.sample_heatmap(prepared, score_value="score_graded", model_name="model").datasets["cells"]
    assert {row["x"]: row["value"] for row in cells.to_pylist()} == SAMPLES


# -- kind 6: links that open their own page ------------------------------------------------------------------
IDS = ["x/y", "a%20b", "a b", "?q=1&r", "#top", "\u00e9/\u00fc", "..", "100%", "plain"]
NAMES = ["a%20b", "a b", "?q=1&r", "#top", "\u00e9 \u00fc", "100%", "+", "plain", "x"]  # folder and file names


def test_log_viewer_percent_encodes_every_part_it_takes_from_the_data() -> None:
    logs = [f"/logs/{name}/{name}.eval" for name in NAMES]
    data = ev.Data.from_dataframe(pa.table({"log": logs, "id": IDS, "epoch": IDS}))
    urls = ev.prepare(data, ev.log_viewer("sample", {"/logs": "https://host/view/"})).to_arrow()["log_viewer"]
    for name, sample, url in zip(NAMES, IDS, urls.to_pylist(), strict=True):
        folder, part = urllib.parse.quote(name, safe=""), urllib.parse.quote(sample, safe="")
        assert url == f"https://host/view/#/logs/{folder}/{folder}.eval/samples/sample/{part}/{part}"
        # The viewer splits at "/" and decodes each part once: every part comes back as it was.
        path = url.split("#/logs/", 1)[1].split("/")
        assert [urllib.parse.unquote(p) for p in path] == [name, f"{name}.eval", "samples", "sample", sample, sample]


def test_the_issues_examples_and_the_event_and_message_targets() -> None:
    data = ev.Data.from_sql(
        "SELECT '/logs/a%20b.eval' AS log, 'x/y' AS id, 1 AS epoch, 'u/1?' AS sample_id, 'e&f=#' AS event_id, "
        "'m+n' AS message_id"
    )
    mapping = {"/logs": "https://host/"}

    def link(target: str) -> str:
        return ev.prepare(data, ev.log_viewer(target, mapping)).to_arrow()["log_viewer"][0].as_py()

    assert link("eval") == "https://host/#/logs/a%2520b.eval"
    assert link("sample") == "https://host/#/logs/a%2520b.eval/samples/sample/x%2Fy/1"
    assert link("event") == "https://host/#/logs/a%2520b.eval/samples/sample_uuid/u%2F1%3F/transcript?event=e%26f%3D%23"
    assert link("message") == "https://host/#/logs/a%2520b.eval/samples/sample_uuid/u%2F1%3F/messages?message=m%2Bn"


@pytest.fixture(scope="module")
def viewer_url(dict_score_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The log published with `inspect view bundle` and served over HTTP on this machine: the viewer's URL."""
    from inspect_ai.log import bundle_log_dir

    site = tmp_path_factory.mktemp("viewer") / "www"
    bundle_log_dir(str(dict_score_log.parent), str(site))
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Keep the test output free of one line per request."""


@pytest.mark.browser
def test_each_link_opens_its_own_sample_in_the_inspect_log_viewer(
    dict_score_log: Path, viewer_url: str, browser: Any
) -> None:
    samples = ev.Data.from_dataframe(ia.samples_df(dict_score_log, quiet=True))
    links = ev.prepare(samples, ev.log_viewer("sample", {str(dict_score_log.parent): viewer_url})).to_arrow()
    context = browser.new_context()
    try:
        page = context.new_page()
        for sample_id, link in zip(links["id"].to_pylist(), links["log_viewer"].to_pylist(), strict=True):
            page.goto(link)
            # The viewer titles the sample it opened; "x/y" unencoded would open sample "x", epoch "y".
            page.get_by_text(f"Sample {sample_id} (Epoch 1)", exact=True).wait_for(timeout=20_000)
    finally:
        context.close()
