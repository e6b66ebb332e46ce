"""`md`: Markdown text on a page, rendered to HTML in Python (markdown-it-py) and drawn by `js/markdown.js`.

The text is the author's, but it may quote what a model wrote, so nothing in it may run: raw HTML is shown as
text, links are clickable only to http(s) URLs and to `#fragments` of the page (any other target, `javascript:`,
`data:`, a relative path, is left as the text it was written as), and images are shown as their alt text. The
renderer checks the HTML again against the same rules before it puts it on the page.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from evalviz.errors import ArgumentTypeError
from evalviz.rendering.component import Component
from evalviz.signatures import checks_signature

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token

    from evalviz.interaction.selection import Param, Selection

WEB_SCHEMES = ("http", "https")
_LINE_BREAKS = re.compile("\r\n|[\n\r\u2028\u2029]")


@dataclass(frozen=True)
class MarkdownText:
    """Text on a page, as HTML made from Markdown: the item `{"kind": "markdown", "html"}` drawn by
    `js/markdown.js`. It reads no dataset and shares no selection.

    Example:
        >>> MarkdownText("<p>Hello</p>").to_item("")
        {'kind': 'markdown', 'html': '<p>Hello</p>'}
    """

    html: str

    def to_item(self, scope: str) -> dict[str, Any]:
        """The item as it travels (text reads no dataset, so `scope` is not used)."""
        return {"kind": "markdown", "html": self.html}

    def datasets(self) -> tuple[str, ...]:
        return ()

    def shared(self) -> tuple[Param | Selection, ...]:
        return ()


@checks_signature
def md(text: str) -> Component:
    """Markdown text to put on a page (`ev.page`) beside charts, inputs and tables.

    CommonMark with GitHub's tables and ~~strikethrough~~. Raw HTML is shown as text; links are clickable only to
    http(s) URLs (they open in a new tab) and to `#fragments` of the page (each heading gets an id from its text,
    "## Results by task" -> `#results-by-task`; a heading whose id is taken earlier on the page, by the page's title
    or another heading, takes "-1", "-2", ... after it, in page order); other links and images are shown as text
    (an image as its alt text). Nothing in the text runs as script.

    Args:
        text: The Markdown source.

    Returns:
        A Component drawing the text: put it on a page, or show it alone.

    Raises:
        ArgumentTypeError: `text` is not a str.

    Example:
        >>> import evalviz as ev
        >>> note = ev.md("**Borealis** leads on [GSM8K](https://arxiv.org/abs/2110.14168).")
        >>> note.item["html"]
        '<p><strong>Borealis</strong> leads on <a href="https://arxiv.org/abs/2110.14168" target="_blank" \
rel="noopener noreferrer">GSM8K</a>.</p>\\n'
    """
    if not isinstance(text, str):
        raise ArgumentTypeError(f"ev.md takes the Markdown text as a str, not {type(text).__name__} "
                                f"({_short(text)}): for a chart or a table, pass it to ev.page directly.")
    return Component.from_parts(MarkdownText(to_html(text)), {})


def heading(text: str, level: int = 1) -> MarkdownText:
    """A heading of plain text (no Markdown read in it), with its id as `md` gives one.

    Example:
        >>> heading("Scores <by> task").html
        '<h1 id="scores-by-task">Scores &lt;by&gt; task</h1>\\n'
    """
    return MarkdownText(f'<h{level} id="{slug(text)}">{html.escape(text)}</h{level}>\n')


def to_html(text: str) -> str:
    """The HTML of Markdown `text`, under the rules of `md`.

    Example:
        >>> to_html("[run](javascript:alert(1)) <b>x</b>")
        '<p>[run](javascript:alert(1)) &lt;b&gt;x&lt;/b&gt;</p>\\n'
    """
    return _parser().render(text)


def code(text: str) -> str:
    """Markdown showing `text` as it is, in a code span (a path, a name read from data): no Markdown in it is read.

    The span is fenced by one backtick more than the longest run of them in the text, so a backtick in it cannot
    end the span early and turn the rest into Markdown (a link, emphasis). Line breaks are shown as spaces, as in
    any code span.

    Example:
        >>> code("logs`[x](https://a.org)`")
        '`` logs`[x](https://a.org)` ``'
    """
    flat = _LINE_BREAKS.sub(" ", text)
    fence = "`" * (max((len(run) for run in re.findall("`+", flat)), default=0) + 1)
    # CommonMark takes one space off each side of a span that begins and ends with one: pad to keep them.
    padded = flat.startswith("`") or flat.endswith("`") or (flat[:1] == flat[-1:] == " " and bool(flat.strip()))
    pad = " " if padded else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def is_page_link(url: str) -> bool:
    """Whether a link may be clickable: an http(s) URL with a host, or a `#fragment` of the page.

    Example:
        >>> [is_page_link(u) for u in ("https://a.org/x", "#top", "javascript:alert(1)", "notes.html", "http:x")]
        [True, True, False, False, False]
    """
    if url.startswith("#"):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def slug(text: str) -> str:
    """A heading's id: its words in lower case joined by "-".

    Example:
        >>> slug("Results by Task (2024)!")
        'results-by-task-2024'
    """
    return "-".join(re.findall(r"\w+", text.lower())) or "section"


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported when Markdown is first rendered, not with evalviz

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.validateLink = is_page_link  # type: ignore[method-assign]
    parser.add_render_rule("image", _image_as_alt)
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("heading_open", _heading_open)
    return parser


def _image_as_alt(renderer: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return html.escape(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


def _link_open(renderer: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if not str(token.attrGet("href") or "").startswith("#"):  # a web page opens beside the report
        token.attrSet("target", "_blank")
        token.attrSet("rel", "noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


def _heading_open(renderer: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    inline = tokens[idx + 1]
    # The slug alone: ids are made unique across the whole page, in page order (`rendering.items.unique_ids`).
    tokens[idx].attrSet("id", slug(renderer.renderInlineAsText(inline.children or [], options, env)))
    return renderer.renderToken(tokens, idx, options, env)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
