"""How a score chart (scores_by_model, scores_by_task) takes part in selections on a standalone page: each mark
(one model, or one model on one task) ships the typed key parts it stands for, and the filter columns that hold
one value per mark (a model's organisation), so that a filter keeps or drops whole marks exactly.

A column that varies within a mark (a run id, a date, when a model ran a task several times) would need the mark's
runs averaged again in the browser: the page says that filter needs the live widget instead (`unanswered`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from evalviz.charts import Interaction
from evalviz.data.table import Data
from evalviz.query.cell_filters import constant_sql
from evalviz.query.grid_columns import filter_field, key_parts
from evalviz.query.scores import ScoreColumns
from evalviz.views.linking import Linking

MARKS = ("scores", "intervals", "flags")  # the layers of a score chart (`score_marks.score_layers`)


@dataclass(frozen=True)
class ScoreLinks:
    """What a score chart ships for its selections: its columns (with filters and key parts), the datum field of
    each source column it can filter on, and why it cannot filter on the others."""

    linking: Linking
    columns: ScoreColumns
    fields: dict[str, str] = field(default_factory=dict)
    unanswered: dict[str, str] = field(default_factory=dict)

    @property
    def follows(self) -> bool:
        """Whether the chart's band axes keep only the marks its filter leaves."""
        return self.linking.filter_by is not None

    def interaction(self, *, legend: bool, series: str = "model") -> Interaction | None:
        """The chart's Interaction: clicks on its marks (and on its legend's entries, with `legend`) publish the
        model (and task, or level) they stand for; a legend entry its `series`: "model" (the models, on x) or
        "level" (a factor's levels, on y)."""
        keys = {name: column for column, name in self._keys().items()}
        entries = {name: column for column, name in self._keys(("x",) if series == "model" else ("y",)).items()}
        return self.linking.interaction(fields=self.fields, unanswered=self.unanswered, click=MARKS,
                                        click_fields=keys, legend=("scores", series, entries) if legend else None)

    def _keys(self, axes: tuple[str, ...] | None = None) -> dict[str, str]:
        """Source column -> datum field of the key parts of the marks' models (x) and tasks (y)."""
        grid = self.columns.grid()
        axes = axes or (("x", "y") if self.columns.member else ("x",))
        return {column: name for axis in axes for column, name in key_parts(grid, axis)}


def score_links(data: Data, columns: ScoreColumns, linking: Linking) -> ScoreLinks | None:
    """Decide what the chart ships to answer `linking.filter_by`, after its columns are checked (None when it is
    in no selection). Records in `linking.target` the columns a click publishes."""
    if not linking.active:
        return None
    keyed = replace(columns, raw_keys=True)
    keys = ScoreLinks(linking, keyed)._keys()
    linking.publishes(*keys)
    wanted = [c for c in linking.wanted() if c not in keys]
    unanswered = {c: f"this chart's table has no column {c!r}" for c in wanted if c not in data.columns}
    present = [c for c in wanted if c in data.columns]
    if present:
        constant = data.run(constant_sql(keyed.grid(), present)).to_pylist()[0]
        varying = [c for i, c in enumerate(present) if not constant[f"c{i}"]]
        unanswered.update({c: f"{c!r} varies within a mark (its runs are averaged), which the page cannot redo"
                           for c in varying})
        present = [c for c in present if c not in varying]
    shipped = replace(keyed, filters=tuple(present))
    fields = {**{c: name for c, name in keys.items()}, **{c: filter_field(i) for i, c in enumerate(present)}}
    return ScoreLinks(linking, shipped, fields, unanswered)
