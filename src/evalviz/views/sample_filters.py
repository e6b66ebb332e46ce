"""How a chart of per-sample rows (score_distribution, sample_scatter, score_histograms) takes part in selections
on a standalone page, exactly: what it draws after a filter is what DuckDB draws from the filtered rows.

For each source column its `filter_by` selection may filter on (`Selection.columns`), and the columns a click
publishes (the group's column: a model, a series), the chart ships, as datum fields f0, f1, ...:

- a column holding one value in every group the chart draws (a model's organisation, per model): with the group's
  marks (`with_group_fields`); a filter keeps or drops whole marks (a violin, a box, a panel's bars);
- every column, with each point of a chart drawing rows themselves (a strip, a scatter): a filter keeps or drops
  points;
- a column varying within a group, where the marks are counts (histogram bins): the counts grouped by its values
  too, added up again after filtering (`recounted`). Where the marks are not decomposable (a density, quartiles)
  the column is named in `unanswered`: the page says the filter needs the live widget, never a wrong shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

from evalviz.charts import Interaction
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.query.distributions import group_fields_sql
from evalviz.query.grid_columns import filter_field
from evalviz.query.predictions import series_fields_sql
from evalviz.views.grid_filters import MAX_PARTS, mark_filters
from evalviz.views.linking import Interval, Linking

__all__ = ["MAX_PARTS", "SampleLinks", "recounted", "sample_links", "with_group_fields", "with_series_fields"]


@dataclass(frozen=True)
class SampleLinks:
    """What a chart of per-sample rows ships for its selections.

    Attributes:
        linking: The view's filter_by, target and highlight.
        group: The column (or columns) whose values the chart's groups are (None: one group).
        keys: The columns a click on a mark publishes (shipped first).
        shipped: The source columns shipped, in order: the datum field of the i-th is f<i>.
        varying: Those of `shipped` that vary within a group.
        unanswered: Source column -> why the page cannot filter on it.
    """

    linking: Linking
    group: str | tuple[str, ...] | None
    keys: tuple[str, ...]
    shipped: tuple[str, ...] = ()
    varying: tuple[str, ...] = ()
    unanswered: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> dict[str, str]:
        """Source column -> its datum field."""
        return {column: filter_field(i) for i, column in enumerate(self.shipped)}

    @property
    def follows(self) -> bool:
        """Whether the chart's group axis keeps only the groups its filter leaves."""
        return self.linking.filter_by is not None

    def constant_only(self, why: str) -> SampleLinks:
        """These links without the varying columns (a chart of marks that cannot be recomputed on the page, or
        too many parts), each named in `unanswered` as `why` says ("{column}" stands for the column)."""
        shipped = tuple(c for c in self.shipped if c not in self.varying or c in self.keys)
        gone = {c: why.format(column=repr(c)) for c in self.varying if c not in shipped}
        return replace(self, shipped=shipped, varying=(), unanswered={**self.unanswered, **gone})

    def interaction(self, *, click: tuple[str, ...] = (), legend: tuple[str, str] | None = None,
                    interval: Interval | None = None, **drawn: Any) -> Interaction | None:
        """The chart's Interaction: filtered over the shipped fields; clicks on the layers `click` publish the
        `keys`; with `legend` = (the layer whose colour legend names the groups of the first key, the datum field
        its entries are values of) a legend click publishes the first key; `interval` brushes a range. `drawn`
        goes to the Interaction."""
        fields = self.fields
        click_fields = {fields[c]: c for c in self.keys}
        first = self.keys[0] if self.keys else None
        legend_entry = (legend[0], legend[1], {fields[first]: first}) if legend and first else None
        return self.linking.interaction(fields=fields, unanswered=self.unanswered, click=click if self.keys else (),
                                        click_fields=click_fields, legend=legend_entry, interval=interval, **drawn)


def sample_links(data: Data, linking: Linking, group: str | tuple[str, ...] | None,
                 keys: tuple[str | None, ...] = ()) -> SampleLinks | None:
    """Decide what the chart ships to answer `linking.filter_by` (see the module), over `data` (the table whose rows
    the chart draws) grouped by `group` (a column, or several: a confusion grid's series and slice); None when the
    chart is in no selection. `keys`: the columns a click publishes (recorded in `linking.target`). Which
    columns hold one value per group is `views.grid_filters.mark_filters`' decision, as for every chart."""
    if not linking.active:
        return None
    published = tuple(dict.fromkeys(k for k in keys if k is not None))
    linking.publishes(*published)
    groups = (group,) if isinstance(group, str) else tuple(group or ())
    filters = mark_filters(data, [quote_identifier(c) for c in groups], linking, include=published)
    present = tuple(c for c in dict.fromkeys([*published, *linking.wanted()])
                    if c in filters.constant or c in filters.varying)
    clicked = tuple(c for c in published if c in present)  # a column the table lacks cannot be published
    return SampleLinks(linking, group, clicked, present, filters.varying, filters.unanswered)


def with_group_fields(table: pa.Table, data: Data, links: SampleLinks, name: str, key: str = "group") -> pa.Table:
    """`table` (drawn rows whose `key` field holds their group's key, as `query.distributions.group_sql(links.group,
    name)` writes it) with the shipped columns of its group, as f0, f1, ... (they hold one value per group)."""
    if not links.shipped:
        return table
    return _looked_up(table, key, data.run(group_fields_sql(links.group, name, list(links.shipped))), "grp")


def with_series_fields(table: pa.Table, data: Data, links: SampleLinks, key: str = "series") -> pa.Table:
    """`table` (drawn rows whose `key` field holds their series as the predictions' long form writes it,
    `views.predictions.SERIES`) with the shipped columns of its series, as f0, f1, ... (they hold one value per
    series: `links.varying` is empty)."""
    if not links.shipped:
        return table
    return _looked_up(table, key, data.run(series_fields_sql(list(links.shipped))), "series")


def _looked_up(table: pa.Table, key: str, lookup: pa.Table, by: str) -> pa.Table:
    """`table` with the fields f0, f1, ... of `lookup` (one row per value of its field `by`), each row's from
    the lookup row whose `by` equals the row's `key` (NULL where none does)."""
    rows = {row[by]: row for row in lookup.to_pylist()}
    keys = table[key].to_pylist()
    for f in (name for name in lookup.column_names if name != by):
        values = [rows[k][f] if k in rows else None for k in keys]
        table = table.append_column(f, pa.array(values, lookup.schema.field(f).type))
    return table


def recounted(groups: tuple[str, ...], count: str = "n", total: tuple[str, ...] = ()) -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms adding counts grouped by filter values up again after filtering: `count` summed
    per `groups` (the drawn mark's fields, the datum fields of the columns with one value per mark among them),
    and, with `total` (the fields of the whole a share is of), each mark's `total` and `share` recomputed.

    Example:
        >>> recounted(("bin",))[0]
        {'aggregate': [{'op': 'sum', 'field': 'n', 'as': 'n'}], 'groupby': ['bin']}
    """
    out: list[dict[str, Any]] = [{"aggregate": [{"op": "sum", "field": count, "as": count}], "groupby": list(groups)}]
    if total:
        out += [{"joinaggregate": [{"op": "sum", "field": count, "as": "total"}], "groupby": list(total)},
                {"calculate": f"datum.total > 0 ? datum.{count} / datum.total : null", "as": "share"}]
    return tuple(out)
