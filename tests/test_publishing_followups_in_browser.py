"""Issue 14 follow-ups seen in Chromium: a `#fragment` link reaches its heading on a page whose headings repeat; a
chart its selection empties shows its note in place of its drawing, in the page's font, without a shifted frame."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

import evalviz as ev
from browser import _SCENE_JS as SCENE

BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
FONT = "(el) => getComputedStyle(el).fontFamily"


def test_a_fragment_link_reaches_its_heading_when_headings_repeat_on_the_page(render) -> None:
    filler = "\n\n".join(f"Paragraph {i}." for i in range(60))
    page = ev.page(ev.md(f"[To the second](#results-1)\n\n# Results\n\n{filler}"),
                   ev.md(f"# Results\n\nThe second.\n\n{filler}"), title="Results")
    p = render(page, wait_for=0).page
    p.wait_for_selector(".evalviz-markdown")
    ids = p.evaluate("() => [...document.querySelectorAll('[id]')].map((el) => el.id)")
    assert len(ids) == len(set(ids)), ids
    headings = p.evaluate("() => [...document.querySelectorAll('h1')].map((h) => [h.id, h.textContent])")
    assert [h for h, _ in headings] == ["results", "results-1", "results-2"]
    p.get_by_text("To the second").click()
    p.wait_for_function("() => location.hash === '#results-1'")
    p.wait_for_function("() => Math.abs(document.getElementById('results-1').getBoundingClientRect().top) < 2")
    # It is the text's own heading, after the page's title: the one above "The second."
    assert p.evaluate("() => document.getElementById('results-1').nextElementSibling.textContent") == (
        "Paragraph 0.")


ROWS = pa.table({"id": [f"s{i}" for i in range(6)] * 2, "model": ["m1"] * 6 + ["m2"] * 6,
                 "task_name": (["a"] * 3 + ["b"] * 3) * 2, "score": [1.0, 0.0, 1.0, 0.5, 0.0, 1.0] * 2})


def samples_page() -> ev.Component:
    data = ev.Data.from_dataframe(ROWS)
    tasks = ev.Selection.intersect(name="tasks")
    picker = ev.select(data, "task_name", target=tasks, label="Task")  # first: the charts then ship its column
    charts = [ev.sample_heatmap(data.where('"task_name" = ?', [task]), id="id", model_name="model",
                                score_value="score", filter_by=tasks, title=f"Samples of {task}") for task in "ab"]
    return ev.page(picker, *charts)


def test_an_emptied_chart_shows_its_note_in_place_of_its_drawing_in_the_pages_font(render) -> None:
    page = render(samples_page())
    p = page.page
    p.wait_for_function("() => [...document.querySelectorAll('.evalviz-filter-note')]"
                        ".filter((n) => n.dataset.redrawn).length === 2")
    notes = p.locator(".evalviz-filter-note")
    charts, other = notes.nth(0).locator("xpath=.."), notes.nth(1).locator("xpath=..")  # the charts the notes are in
    shown = charts.evaluate(BOX), other.evaluate(BOX)
    before = p.evaluate("() => [...document.querySelectorAll('.evalviz-filter-note')].map((n) => n.dataset.redrawn)")
    p.locator('[data-evalviz-input="select"] select').select_option("a")
    p.wait_for_function("(before) => [...document.querySelectorAll('.evalviz-filter-note')]"
                        ".every((n, i) => n.dataset.redrawn !== before[i])", arg=before)

    kept, emptied = notes.nth(0), notes.nth(1)
    assert not kept.is_visible() and emptied.is_visible()
    assert emptied.inner_text() == "No rows match the selection."
    # Above it, the chart's title, so the reader knows which chart has no rows.
    assert emptied.evaluate("(el) => getComputedStyle(el, '::before').content") == '"Samples of b"'
    # In place of the drawing: the note covers the chart's box, which keeps its place and size (nothing shifts or
    # hangs below it), and the drawing of no rows is not shown.
    box = emptied.evaluate(BOX)
    left, top, right, bottom = other.evaluate(BOX)
    assert [round(v) for v in (left, top, right, bottom)] == [round(v) for v in shown[1]]
    assert box[0] <= left + 1 and box[1] <= top + 1 and box[2] >= right - 1 and box[3] >= bottom - 1
    surface = other.locator(".marks")
    assert surface.evaluate("(el) => getComputedStyle(el).visibility") == "hidden"
    # The page's font: the input's label and the note are set in the same family.
    label_font = p.locator('[data-evalviz-input="select"]').evaluate(FONT)
    assert emptied.evaluate(FONT) == label_font
    # The chart its selection keeps draws as before.
    assert charts.locator(".marks").evaluate("(el) => getComputedStyle(el).visibility") == "visible"
    assert [round(v) for v in charts.evaluate(BOX)] == [round(v) for v in shown[0]]

    # Every task again: the chart draws its rows, and the note is gone.
    before = p.evaluate("() => [...document.querySelectorAll('.evalviz-filter-note')].map((n) => n.dataset.redrawn)")
    p.locator('[data-evalviz-input="select"] select').select_option(index=0)
    p.wait_for_function("(before) => [...document.querySelectorAll('.evalviz-filter-note')]"
                        ".every((n, i) => n.dataset.redrawn !== before[i])", arg=before)
    assert not emptied.is_visible()
    assert surface.evaluate("(el) => getComputedStyle(el).visibility") == "visible"
    drawn = {(item["datum"]["x"], item["datum"]["y"]) for item in other.evaluate(SCENE)
             if item["role"] == "mark" and item["marktype"] == "rect" and item["datum"]}
    task_b = ROWS.filter(pc.equal(ROWS["task_name"], "b"))
    assert drawn == set(zip(task_b["id"].to_pylist(), task_b["model"].to_pylist(), strict=True))
