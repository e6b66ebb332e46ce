"""The renderer travels once per notebook and per Quarto document: which output a kernel displays carries it.

A kernel process displays its outputs into one document (a notebook, or the page `quarto render` writes). The first
evalviz output it displays carries the renderer (js/page.js): where a widget front end shows a chart as its live view
then its static HTML output (`Component._ipython_display_`), the static one. Later outputs carry their payload and a
loader of about a kilobyte (js/loader.js) that draws with it. The carrier is remembered by the notebook cell it was
shown from (the `cellId` JupyterLab, Notebook 7 and VS Code send in an execute request's metadata), and the next
output carries the renderer again when that output is being replaced or gone:

- the carrier's cell runs again (its output is replaced), or JupyterLab reports it deleted (`deletedCells`);
- a run not kept in the history starts a new document: Quarto's setup cell, at the start of each render of a kernel
  it keeps alive between renders (`quarto preview`);
- where no cell id is sent (nbclient, `nbconvert --execute`, papermill, Quarto), the cell is known by its code:
  running the same code again counts as running the carrier's cell again. Each cell runs once there, top to bottom,
  so the first chart's output carries it.

The carrier is the output that was sent: an output is marked as it leaves the kernel (its display publisher and
display hook are followed), so an output formatted but never shown (captured by `%%capture`, or whose formatting
failed) marks nothing, and the next output carries the renderer. The kernel also sees its own replacements of the
carrier's output: `clear_output()` in the carrier's run forgets it (the next output carries the renderer), and an
update of the carrier's display (`handle.update(chart)`) carries the renderer again in place of the loader.

An output cleared in the front end is not reported to the kernel: `include_renderer()` puts the renderer back.
Outside a kernel, and in Google Colab (which shows each output in a frame of its own), every output carries it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from evalviz.rendering.environment import in_colab, in_kernel
from evalviz.signatures import checks_signature


@dataclass(frozen=True)
class _Carrier:
    """The cell whose output carries the renderer: its id, or its code where the front end sends no id."""

    cell_id: str | None
    code: str | None
    request_id: str | None = None  # the execute request whose run displayed it: its clear_output removes it
    display_id: str | None = None  # the display it was shown in, which `update_display` replaces


@dataclass
class _Document:
    """The document this kernel process displays into: the output carrying the renderer, if any."""

    carrier: _Carrier | None = None
    watching: bool = False
    following: bool = False  # the kernel's outputs are seen as they leave (`_follow_outputs`)


_DOCUMENT = _Document()


def _shell() -> Any:
    """The kernel's shell, or None outside a kernel (IPython is not imported for a script)."""
    return sys.modules["IPython"].get_ipython() if in_kernel() else None


def _request(shell: Any) -> dict[str, Any]:
    """The execute request being run: its header, metadata (cell id, deleted cells) and content (code)."""
    parent = getattr(shell, "parent_header", None)
    return parent if isinstance(parent, dict) else {}


def _cell(request: dict[str, Any], display_id: Any = None) -> _Carrier:
    metadata = request.get("metadata") or {}
    cell_id = metadata.get("cellId")
    code = (request.get("content") or {}).get("code")
    return _Carrier(cell_id if isinstance(cell_id, str) else None, code if isinstance(code, str) else None,
                    _request_id(request), display_id if isinstance(display_id, str) else None)


def _request_id(request: dict[str, Any]) -> str | None:
    msg_id = (request.get("header") or {}).get("msg_id")
    return msg_id if isinstance(msg_id, str) else None


def _replaces_carrier(request: dict[str, Any], stored: bool) -> bool:
    """True when running this request replaces or starts without the carrier's output."""
    carrier = _DOCUMENT.carrier
    if carrier is None or not stored:
        return True
    deleted = (request.get("metadata") or {}).get("deletedCells") or ()
    if carrier.cell_id is not None and carrier.cell_id in deleted:
        return True
    cell = _cell(request)
    if carrier.cell_id is not None or cell.cell_id is not None:
        return carrier.cell_id == cell.cell_id
    return carrier.code is not None and carrier.code == cell.code


def _before_run(info: Any) -> None:
    """IPython's pre_run_cell event: forget the carrier when this run replaces its output."""
    shell = _shell()
    if shell is not None and _replaces_carrier(_request(shell), bool(getattr(info, "store_history", True))):
        _DOCUMENT.carrier = None


def _watch(shell: Any) -> None:
    if not _DOCUMENT.watching:
        shell.events.register("pre_run_cell", _before_run)
        _DOCUMENT.watching = True
    _DOCUMENT.following = _follow_outputs(shell)


_FOLLOWED = "_evalviz_followed"  # set on a display publisher or hook whose outputs are followed


def _follow_outputs(shell: Any) -> bool:
    """See each output as the kernel sends it (display_data, update_display_data, execute_result) and each
    clear_output, through the shell's display publisher and display hook, to keep the carrier where it is sent;
    whether they are followed. An output captured (`%%capture`, `capture_output()`) is kept, not sent: it is seen
    when shown later, through the publisher followed."""
    publisher, hook = getattr(shell, "display_pub", None), getattr(shell, "displayhook", None)
    if not all(callable(getattr(one, name, None)) for one, name in
               ((publisher, "publish"), (publisher, "clear_output"), (hook, "write_format_data"))):
        return False  # a shell of another kind: the carrier is marked when formatted
    if not getattr(publisher, _FOLLOWED, False) and not _capturing(publisher):
        publish, clear = publisher.publish, publisher.clear_output

        def published(data: Any, *args: Any, **kwargs: Any) -> Any:
            transient = kwargs.get("transient") or {}
            return publish(_sent(shell, data, transient.get("display_id"), bool(kwargs.get("update"))), *args,
                           **kwargs)

        def cleared(*args: Any, **kwargs: Any) -> Any:
            carrier = _DOCUMENT.carrier
            if carrier is not None and carrier.request_id is not None and carrier.request_id == _request_id(
                    _request(shell)):
                _DOCUMENT.carrier = None  # the carrier's own output is cleared: the next output carries it
            return clear(*args, **kwargs)

        publisher.publish, publisher.clear_output = published, cleared
        setattr(publisher, _FOLLOWED, True)
    if not getattr(hook, _FOLLOWED, False):
        write = hook.write_format_data

        def written(format_dict: Any, *args: Any, **kwargs: Any) -> Any:
            return write(_sent(shell, format_dict, None, False), *args, **kwargs)

        hook.write_format_data = written
        setattr(hook, _FOLLOWED, True)
    return True


def _capturing(publisher: Any) -> bool:
    """Whether the publisher keeps outputs rather than sending them (IPython's `capture_output`)."""
    from IPython.core.displaypub import CapturingDisplayPublisher

    return isinstance(publisher, CapturingDisplayPublisher)


def _sent(shell: Any, data: Any, display_id: Any, update: bool) -> Any:
    """The output being sent, after noting it: an output carrying the renderer becomes the carrier; an update of
    the carrier's display carries the renderer again (in place of the loader), or, when it is no evalviz chart,
    leaves the document without a carrier."""
    from evalviz.rendering.html import loader_script, renderer_script

    text = data.get("text/html") if isinstance(data, dict) else None
    carrier = _DOCUMENT.carrier
    replaces_carrier = update and carrier is not None and display_id is not None and display_id == carrier.display_id
    if isinstance(text, str) and text.endswith(renderer_script()):
        _DOCUMENT.carrier = _cell(_request(shell), display_id if not replaces_carrier else carrier.display_id)
    elif replaces_carrier and isinstance(text, str) and text.endswith(loader_script()):
        return {**data, "text/html": text[:-len(loader_script())] + renderer_script()}
    elif replaces_carrier:
        _DOCUMENT.carrier = None
    return data


def takes_renderer() -> bool:
    """True when the output being displayed now carries the renderer; it becomes the carrier as it is sent.

    Example:
        >>> takes_renderer()  # outside a kernel every output stands alone
        True
    """
    shell = _shell()
    if shell is None or in_colab():
        return True
    _watch(shell)
    request = _request(shell)
    deleted = (request.get("metadata") or {}).get("deletedCells") or ()
    carrier = _DOCUMENT.carrier
    if carrier is not None and carrier.cell_id is not None and carrier.cell_id in deleted:
        carrier = _DOCUMENT.carrier = None
    if carrier is not None:
        return False
    if not _DOCUMENT.following:
        _DOCUMENT.carrier = _cell(request)  # no output is seen as it is sent: the one formatted now carries it
    return True


@checks_signature
def include_renderer() -> None:
    """Display an output carrying the evalviz renderer, for a notebook whose output that carried it was cleared or
    deleted: its saved charts show a note in their place instead of drawing, when opened without a kernel or
    exported to HTML. Run this in any cell, then save: every chart of the notebook draws again. The renderer travels
    once per notebook, in the first chart's output; this output now carries it (about 0.6 MB), and running its cell
    again keeps it there. Outside a notebook's kernel it does nothing: pages and files carry their own renderer.

    Example:
        >>> import evalviz as ev
        >>> ev.include_renderer()  # doctest: +SKIP
    """
    from IPython.display import display

    from evalviz.rendering.html import renderer_output

    shell = _shell()
    if shell is None:
        return  # no notebook: pages and files carry their own renderer
    _watch(shell)
    _DOCUMENT.carrier = _cell(_request(shell))
    display({"text/html": renderer_output(), "text/plain": "<evalviz renderer>"}, raw=True)
