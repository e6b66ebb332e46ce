"""Draw the PNGs that docs/views.md shows, from the example data, with the charts of examples/demo.py.

Usage: python docs/render_images.py [name ...]  (writes docs/images/<name>.png, every example's by default; needs
evalviz[static] for vl-convert)
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "examples"))

from demo import build_examples  # noqa: E402


def main(names: list[str] | None = None) -> None:
    images = DOCS / "images"
    images.mkdir(exist_ok=True)
    examples = build_examples()
    unknown = sorted(set(names or ()) - {e.name for e in examples})
    if unknown:
        raise SystemExit(f"no example named {unknown}; examples: {[e.name for e in examples]}")
    for example in examples:
        if names and example.name not in names:
            continue
        path = example.chart.write_png(images / f"{example.name}.png", scale=1.5)
        print(path.relative_to(DOCS.parent))


if __name__ == "__main__":
    main(sys.argv[1:])
