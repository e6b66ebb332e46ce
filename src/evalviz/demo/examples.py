"""The demo's charts: every view of evalviz, and inputs, linked charts and a table, on the example data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import evalviz as ev
from evalviz.demo.data_files import DATA
from evalviz.demo.tables import (
    MIN_BOOTSTRAP_ROWS,
    TRAINING_RUNS,
    accuracy_by_difficulty,
    accuracy_by_slice,
    judge_predictions,
    judged_samples,
    large_vs_small,
    slice_gaps,
    synthetic_samples,
    tool_call_messages,
)


@dataclass(frozen=True)
class Example:
    """One chart of the demo: its name (also the docs image name), a heading, a sentence and the chart."""

    name: str
    heading: str
    text: str
    chart: ev.Component


def inputs_example(evals: ev.Data) -> ev.Component:
    """A select, a search box, checkboxes, radio buttons and a slider above the heatmap they filter: every input
    publishes into one selection, which the heatmap is drawn with as filter_by."""
    chosen = ev.Selection.intersect()
    inputs = ev.vconcat(
        ev.hconcat(
            ev.select(evals, "model_display_name", target=chosen, label="Model"),
            ev.search(evals, "task_display_name", target=chosen, label="Task name", placeholder="e.g. spell"),
        ),
        ev.checkbox_group(evals, "model_organization_name", target=chosen, label="Organisation"),
        ev.radio_group(evals, "task_name", target=chosen, label="Task"),
        ev.slider(evals, "score_headline_value", select="interval", step=0.05, target=chosen, label="Score"),
    )
    return ev.vconcat(inputs, ev.scores_heatmap(evals, title="Headline score", filter_by=chosen))


def linked_example(evals: ev.Data) -> ev.Component:
    """Organisation checkboxes and a heatmap whose clicks pick a model and task: the bar chart follows both."""
    picked = ev.Selection.crossfilter()
    return ev.vconcat(
        ev.checkbox_group(evals, "model_organization_name", target=picked, label="Organisation"),
        ev.scores_heatmap(evals, target=picked, filter_by=picked, highlight=True, title="Click a cell"),
        ev.scores_by_task(evals, filter_by=picked, title="Scores of the selected models"),
    )


def table_example(samples: ev.Data) -> ev.Component:
    """A model select above the samples table it filters; a row click publishes the sample (id, epoch)."""
    models = ev.Selection.intersect()
    return ev.vconcat(
        ev.select(samples, "model_display_name", target=models, label="Model"),
        ev.table(samples, ["id", "epoch", "model_display_name", "score_match", "working_time", "log_viewer"],
                 filter_by=models, target=ev.Selection.single(), format={"working_time": ".1f"}, page_size=15),
    )


def build_examples(data_dir: Path = DATA) -> list[Example]:
    """Every view of evalviz on the example evals and samples tables."""
    evals = ev.Data.from_file(data_dir / "evals.parquet")
    samples = ev.Data.from_file(data_dir / "samples.parquet")
    grid, difficulties, models = accuracy_by_difficulty(samples)
    return [
        Example(
            "scores_heatmap", "scores_heatmap: headline score by task and model",
            "One cell per (model, task) from the evals table. Hover for the 95% CI; click to open the log.",
            ev.scores_heatmap(evals, title="Headline score"),
        ),
        Example(
            "scores_by_task", "scores_by_task: each model's score per task, with 95% intervals",
            "One bar per (task, model) from the evals table, its 95% CI from the standard error, clamped to"
            " [0, 1]. Hover for the interval, scorer and log; click to open the log.",
            ev.scores_by_task(evals, title="Headline score by task"),
        ),
        Example(
            "scores_by_model", "scores_by_model: models sorted, one panel per task, against a baseline",
            "The models in one order in every panel (best mean first); the dashed rule is a baseline of 0.5.",
            ev.scores_by_model(evals, baseline=0.5, title="Headline score by model"),
        ),
        Example(
            "scores_by_factor", "scores_by_factor: reasoning tasks against the others, per model",
            "A two-level factor derived in SQL; each bar is the mean of a model's two tasks at that level.",
            ev.scores_by_factor(
                evals.derive("SELECT *, task_name IN ('arithmetic', 'logic_puzzles') AS reasoning FROM this"),
                "reasoning", ("Other tasks", "Reasoning tasks"), title="Reasoning tasks against the others"),
        ),
        Example(
            "scores_timeline", "scores_timeline: scores by release date, with each task's frontier",
            "A point per (model, task) at the model's release date, coloured by organisation, with its 95% CI;"
            " the dashed step is the best score released so far. Click a point to open the log.",
            ev.scores_timeline(evals, title="Headline score by release date"),
        ),
        Example(
            "sample_heatmap", "sample_heatmap: every sample of one task",
            "One cell per (model, sample): the mean of the sample's epochs. Click a cell to open the sample.",
            ev.sample_heatmap(samples.filter("task_name = 'capitals'"), score_value="score_match",
                              title="World Capitals: score per sample"),
        ),
        Example(
            "sample_heatmap_binned", "sample_heatmap: 400,000 rows, binned to the chart's pixels",
            "Synthetic: 40 models x 5,000 samples x 2 epochs. DuckDB bins the samples; hover a cell for the"
            " samples it holds and their mean, min and max. In a notebook, click a cell to see its samples.",
            ev.sample_heatmap(synthetic_samples(), score_value="score_match", title="Binned samples"),
        ),
        Example(
            "slice_metric_heatmap", "slice_metric_heatmap: accuracy by difficulty (a 2-D grid)",
            "A numpy grid with row and column labels, annotated with a Python format string.",
            ev.slice_metric_heatmap(grid, difficulties, models, metric_name="accuracy (match)",
                                    annot_fmt="{:.0%}", title="Accuracy by difficulty"),
        ),
        Example(
            "slice_metric_heatmap_long", "slice_metric_heatmap: accuracy gap per slice (long form)",
            "An analysis table with intervals, n and a status per cell; skipped slices are grey, with the"
            " reason in their tooltip.",
            ev.slice_metric_heatmap(slice_gaps(samples), row="slice", col="model",
                                    metric_name="gap to overall", annot_fmt="{:+.0%}", cmap="RdBu", center=0,
                                    height=560, title="Accuracy gap to each model's overall accuracy"),
        ),
        Example(
            "evaluate_slices_heatmap", "slice_metric_heatmap of evaluate_slices: accuracy per slice and model",
            "Bootstrap intervals clustered by sample; hover a cell for its interval and n. Slices with fewer"
            f" than {MIN_BOOTSTRAP_ROWS} rows are skipped, grey, with the reason in their tooltip.",
            ev.slice_metric_heatmap(accuracy_by_slice(samples), row="slice", col="scorer", value="value",
                                    metric_name="accuracy", annot_fmt="{:.0%}", height=560,
                                    title="Accuracy (match) per task and difficulty"),
        ),
        Example(
            "diff_plot", "diff_plot: Atlas Large against Atlas Small, per task",
            "Paired differences with 95% bootstrap intervals: a point and its interval per slice, against a"
            " line at zero. Hover a row for both accuracies and n.",
            ev.diff_plot(large_vs_small(samples), title="Atlas Large - Atlas Small: accuracy (match)"),
        ),
        Example(
            "heatmap", "heatmap: the core, on any columns",
            "Median tokens per sample by task and model, with a sequential colour map.",
            ev.heatmap(samples, x="task_display_name", y="model_display_name", fill="total_tokens",
                       agg="median", x_label="Task", y_label="Model", fill_label="Median tokens",
                       cmap="Blues", cell=ev.CellOptions(annot_fmt="{:.0f}"), title="Tokens per sample"),
        ),
        Example(
            "heatmap_options", "Heatmap options: clustering, colour scales, axis groups",
            "sort='cluster' (GRADIEND's order='cluster') puts models that score alike side by side, and tasks"
            " alike, here within two model groups drawn as labelled brackets; a power colour scale (exponent 2)"
            " spreads the high scores. Values are written on the cells only when they fit (annotate='auto').",
            ev.scores_heatmap(
                evals, sort="cluster",
                groups={"y": {"Atlas family": ["Atlas Large", "Atlas Small"],
                              "Others": ["Borealis", "Cirrus Mini", "Delta Pro"]}},
                color_scale="power", exponent=2, title="Scores, clustered within model groups",
            ),
        ),
        Example(
            "hconcat", "hconcat: two scorers side by side",
            "Each part keeps its scales, legend, tooltips and links. 'includes' only scored World Capitals.",
            ev.hconcat(
                ev.scores_heatmap(evals, score_value="score_match_accuracy", title="match", width=480),
                ev.scores_heatmap(evals, score_value="score_includes_accuracy", title="includes", width=480),
            ),
        ),
        Example(
            "metric_curve", "metric_curve: accuracy over training steps",
            "Three seeds, one panel per metric over the same steps; the dashed rule marks each seed's best step,"
            " its value beside it. Hover a line for a step's mean.",
            ev.metric_curve(ev.Data.from_sql(TRAINING_RUNS), x="step", y=["train_accuracy", "eval_accuracy"],
                            series="seed", best="max", title="Training: accuracy by seed"),
        ),
        Example(
            "scores_by_limit", "scores_by_limit: samples solved within a time budget",
            "The share of each model's samples solved (score_match = 1, no error) within each of 100 budgets of"
            " total_time, with a 95% Wilson band; errored samples count as unsolved. Hover for the counts.",
            ev.scores_by_limit(samples, limit="total_time", score="score_match",
                               title="Samples solved within a time budget"),
        ),
        Example(
            "scores_radar_by_task", "scores_radar_by_task: relative strengths by task",
            "One polygon per model over the four tasks, each task's scores as percentile ranks among the models;"
            " hover a vertex for its raw score, click it to open the log.",
            ev.scores_radar_by_task(evals, normalization="percentile", title="Relative strengths by task"),
        ),
        Example(
            "sample_tool_calls", "sample_tool_calls: tool calls per sample",
            "Each sample's tool calls in message order, coloured by tool, with the limit that ended it at the"
            " right.",
            ev.sample_tool_calls(tool_call_messages(), title="Tool calls per sample"),
        ),
        Example(
            "score_distribution", "score_distribution: time per sample, split by correctness",
            "One violin per model: Gaussian kernel densities (Scott's bandwidth) computed in DuckDB, incorrect"
            " samples on the left half and correct ones on the right, the quartile box and median inside. Hover"
            " for n, mean and quartiles.",
            ev.score_distribution(samples, "total_time", split="score_match",
                                  title="Time per sample by model: incorrect (left) and correct (right)"),
        ),
        Example(
            "sample_scatter", "sample_scatter: every sample's time, stratified",
            "A jittered strip per model; 300 of the 960 samples, a deterministic sample in which each difficulty"
            " keeps its share. Hover a point for its input and id, click it for its log.",
            ev.sample_scatter(samples, y="total_time", color="model_display_name", max_points=300,
                              stratify_by="metadata_difficulty", title="Time per sample: find the slow ones"),
        ),
        Example(
            "score_histograms", "score_histograms: a judge's confidence by label",
            "Two judges' confidence, incorrect and correct answers overlaid over the same 20 bins, counted in"
            " DuckDB; hover a bar for its count and share.",
            ev.score_histograms(judged_samples(samples), label="score_match", score=["judge", "sharpened_judge"],
                                title="Two judges' confidence by whether the answer was correct"),
        ),
        Example(
            "pr_curve", "pr_curve: precision against recall, average precision in the legend",
            "Two judges' exact precision-recall curves (each point is scikit-learn's vertex at that threshold), their "
            "average precision in the legend and each prevalence dashed. Hover a point for its threshold and counts.",
            ev.pr_curve(judge_predictions(), series="model", title="Precision against recall of two judges"),
        ),
        Example(
            "roc_curve", "roc_curve: ROC curves with bootstrap bands, AUC in the legend",
            "The same two judges' exact ROC curves with 95% bootstrap bands (200 resamples), their AUC in the legend "
            "and chance dotted. Hover a point for its threshold, rates and counts.",
            ev.roc_curve(judge_predictions(), series="model", ci=0.95,
                         title="Which judge ranks correct answers first?"),
        ),
        Example(
            "reliability_diagram", "reliability_diagram: are scores probabilities?",
            "Two judges' confidence that an answer is correct, binned as scikit-learn's calibration_curve: mean score "
            "against the observed share of correct answers, with 95% Wilson intervals, predictions per bin and ECE in "
            "the legend. Hover a point for its bin.",
            ev.reliability_diagram(judged_samples(samples), label="score_match", score=["judge", "sharpened_judge"],
                                   bins=8, title="Two judges' confidence that an answer is correct"),
        ),
        Example(
            "confusion_grid", "confusion_grid: counts at a threshold, per slice",
            "The same two judges at 0.6 (positive when score >= 0.6), one panel per judge and difficulty, each"
            " cell's share of its actual class. Hover a cell for its count and the panel's precision, recall, FPR"
            " and accuracy.",
            ev.confusion_grid(judged_samples(samples), label="score_match", score=["judge", "sharpened_judge"],
                              threshold=0.6, slice="metadata_difficulty", normalize="true",
                              title="Two judges at 0.6, by difficulty"),
        ),
    ]


def interactive_examples(data_dir: Path = DATA) -> list[Example]:
    """The demo's inputs, linked charts and table (docs/interactivity.md)."""
    evals = ev.Data.from_file(data_dir / "evals.parquet")
    samples = ev.Data.from_file(data_dir / "samples.parquet")
    return [
        Example("inputs", "Inputs: a select, a search box, checkboxes, radio buttons and a slider",
                "Each input publishes what is picked into one selection; the heatmap is drawn with filter_by= that "
                "selection, so it keeps only the cells of the rows every input keeps. Options are read in DuckDB; "
                "the page works offline.", inputs_example(evals)),
        Example("linked_charts", "Linked charts: filter_by, target and highlight",
                "Tick an organisation, or click a cell: the bar chart keeps the models (and the task) picked, and "
                "the heatmap highlights its own choice. Ctrl-click a cell to open its log.", linked_example(evals)),
        Example("table", "ev.table: samples, sortable, searchable, paged",
                "Pick a model: the table keeps its samples. Click a header to sort, type in the search box, page "
                "through; log links open in a new tab.", table_example(samples)),
    ]
