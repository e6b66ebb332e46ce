"""Live re-queries: a chart drawn from DuckDB is drawn again in the kernel over the rows its selection keeps.

Every view records how it was called (`checks_arguments` wraps it): the view and its checked arguments, a
`ViewCall`. A live widget asks for a chart whose view was given `filter_by` again when the selection changes on
the page (a "requery" request on its channel, `js/live.js`): the kernel binds the page's clauses as parameters
(`evalviz.query.filters.where_sql`, `Data.where`), calls the view again over those rows, and answers with the new
spec and datasets; the page swaps the data in when only the data changed, and draws the chart anew otherwise.
A chart whose drill-down `Refilters` (a binned sample heatmap: `views.binned_requery`) answers from its rows
grouped once, where it can, rather than from every row again.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, get_args, runtime_checkable

import pyarrow as pa

from evalviz.data.table import Data
from evalviz.errors import EmptyDataError, EvalvizError, MissingColumnError
from evalviz.interaction.selection import Clause, Resolve, Selection
from evalviz.query.filters import where_sql
from evalviz.rendering.items import Layout


class Drawn(Protocol):
    """What a re-query reads of a Component (`evalviz.rendering.component`): its chart, datasets, the view call
    that drew it and its parts."""

    chart: Any
    datasets: dict[str, pa.Table]
    call: ViewCall | None
    parts: tuple[Drawn, ...]


TABLE_PARAMETERS = ("data", "source")  # the parameters a view takes its table as


@runtime_checkable
class Refilters(Protocol):
    """A chart's drill-down that draws the chart again over filtered rows faster than its view would, when it
    can (`views.samples._SampleDrill.refiltered`)."""

    def refiltered(self, condition: str, params: Sequence[Any], fields: set[str]) -> Drawn | None:
        """The chart over the rows `condition` keeps (`?` bound to `params`, reading the columns `fields`);
        None when the view is to draw it from the rows."""


@dataclass(frozen=True)
class ViewCall:
    """A view and the arguments it was called with (checked, a dataframe read into `Data`): the Component it made
    can be made again over other rows.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> chart = ev.scores_heatmap(evals)
        >>> chart.call.view.__name__, chart.call.data is evals
        ('scores_heatmap', True)
    """

    view: Callable[..., Any]
    arguments: inspect.BoundArguments

    @property
    def table(self) -> str | None:
        """The parameter the view was given its table as: `data`, or `source` (a classifier view's predictions)
        when it is a table; None when neither is."""
        return next((name for name in TABLE_PARAMETERS if isinstance(self.arguments.arguments.get(name), Data)), None)

    @property
    def data(self) -> Data | None:
        """The table the view drew."""
        return self.arguments.arguments[self.table] if self.table is not None else None

    @property
    def filter_by(self) -> Selection | None:
        """The selection the view was given as `filter_by` (a parameter, or among its keyword attributes)."""
        given = self.arguments.arguments.get("filter_by")
        if given is None:
            for name, parameter in self.arguments.signature.parameters.items():
                if parameter.kind is parameter.VAR_KEYWORD:
                    given = self.arguments.arguments.get(name, {}).get("filter_by")
        return given if isinstance(given, Selection) else None

    def over(self, data: Data) -> Drawn:
        """The view called again, `data` in place of its table, every other argument as it was given (the view is
        the checked one, which records this new call in what it returns)."""
        return self.with_arguments(**{self.table or "data": data})

    def with_arguments(self, **changes: Any) -> Drawn:
        """The view called again with `changes` in place of the arguments they name (parameters of the view),
        every other argument as it was given."""
        arguments = {**self.arguments.arguments, **changes}
        bound = inspect.BoundArguments(self.arguments.signature, arguments)  # type: ignore[arg-type]
        return self.view(*bound.args, **bound.kwargs)


def live_parts(component: Drawn, scope: str = "") -> dict[str, Drawn]:
    """The charts of `component` that re-query, by the prefix of their item on the page (`rendering.items`): those
    whose view was given `filter_by`; the parts of a page layout each under their own prefix."""
    if component.call is not None and component.call.filter_by is not None:
        return {scope: component}
    if not isinstance(component.chart, Layout):
        return {}
    found: dict[str, Drawn] = {}
    for i, part in enumerate(component.parts):
        found.update(live_parts(part, f"{scope}c{i}_"))
    return found


def requeried(component: Drawn, clauses: Any, resolve: Any) -> tuple[Drawn, str | None]:
    """`component` drawn again over the rows its selection keeps, given `clauses` (as the page sends them, the
    active ones for this chart) combined by `resolve`; and a note when no row is kept (the chart is then the old
    one, for its datasets emptied).

    Raises:
        EvalvizError: the clauses are malformed, or read a column the chart's table does not have.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> models = ev.Selection.intersect()
        >>> chart = ev.scores_heatmap(evals, filter_by=models)
        >>> clause = {"source": "pick", "fields": ["model_display_name"], "op": "in", "value": [["Borealis"]]}
        >>> new, note = requeried(chart, [clause], "intersect")
        >>> sorted(set(new.datasets["cells"]["y"].to_pylist())), note
        (['Borealis'], None)
    """
    call = component.call
    if call is None or call.data is None:
        raise EvalvizError("This chart was not drawn by a view from a table, so it cannot be drawn again over "
                           "the rows a selection keeps.")
    if resolve not in get_args(Resolve):
        raise EvalvizError(f"A selection resolves as one of {', '.join(get_args(Resolve))}, not "
                           f"{reprlib.repr(resolve)}.")
    if not isinstance(clauses, list):
        raise EvalvizError(f"A requery carries the selection's clauses as a list, not {reprlib.repr(clauses)}.")
    parsed = [Clause.from_dict(clause) for clause in clauses]
    present = call.data.columns
    for clause in parsed:
        for column in clause.fields:
            if column not in present:
                raise MissingColumnError(column, present, purpose=f"the selection's clause from {clause.source!r}")
    condition, params = where_sql(parsed, resolve, call.data.types)
    try:
        drawn = _refiltered(component, condition, params, {c for clause in parsed for c in clause.fields})
        return same_client(drawn or call.over(call.data.where(condition, params)), component), None
    except EmptyDataError:
        return component, "No rows match the selection."


def same_client(drawn: Drawn, shown: Drawn) -> Drawn:
    """`drawn` (a chart drawn again) under the id of the chart `shown` (its signals' names and its clauses'
    source), so that its spec is the one shown when only its data changed: the page then swaps the data in."""
    interaction, old = getattr(drawn.chart, "interaction", None), getattr(shown.chart, "interaction", None)
    if interaction is None or old is None or interaction.client == old.client:
        return drawn
    return replace(drawn, chart=replace(drawn.chart, interaction=replace(interaction, client=old.client)))


def _refiltered(component: Drawn, condition: str, params: list[Any], fields: set[str]) -> Drawn | None:
    """`component` over the rows `condition` keeps, drawn by its drill-down (`Refilters`), with the view call
    over those rows recorded in it; None when it has none or it cannot."""
    drill = getattr(component, "drilldown", None)
    call = component.call
    if call is None or call.data is None or not isinstance(drill, Refilters):
        return None
    drawn = drill.refiltered(condition, params, fields)
    if drawn is None:
        return None
    arguments = dict(call.arguments.arguments)
    arguments[call.table or "data"] = call.data.where(condition, params)
    return replace(drawn, call=ViewCall(call.view, inspect.BoundArguments(call.arguments.signature, arguments)))


def empty(datasets: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
    """The datasets without their rows (their columns kept): what a chart shows when a selection keeps nothing."""
    return {name: table.slice(0, 0) for name, table in datasets.items()}
