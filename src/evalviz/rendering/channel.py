"""The message channel between a live widget and the kernel: requests by kind, answers with Arrow tables.

The browser sends `{"kind", "id", "payload"}`; the kernel answers `{"kind", "id", "payload", "tables",
"python_ms"}` with one Arrow IPC buffer per name in `tables`, in order, or `{"kind", "id", "error", "python_ms"}`.
Requests are answered one at a time, in the order they arrive; a failed request never stops the kernel: a reply
that cannot be sent is answered with an error, and an error that cannot be sent either is logged.
"""

from __future__ import annotations

import logging
import reprlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

from evalviz.errors import EvalvizError
from evalviz.rendering.transport import to_ipc

# A handler answers a request's payload with a reply payload (JSON) and named Arrow tables (sent as buffers).
Reply = tuple[dict[str, Any], Mapping[str, pa.Table]]
Handler = Callable[[Any], Reply]
# How a channel sends a message: its JSON content and its binary buffers (a widget's `send`).
Send = Callable[..., None]

_log = logging.getLogger(__name__)


class ChannelError(EvalvizError):
    """A request the channel cannot answer (a kind no handler is registered for), or a handler given wrongly."""


class Channel:
    """Answers the requests a widget's browser side sends, each by the handler registered for its kind.

    Example:
        >>> import pyarrow as pa
        >>> sent = []
        >>> channel = Channel(lambda content, buffers: sent.append((content, buffers)))
        >>> channel.handle("count", lambda payload: ({"n": payload["n"]}, {"rows": pa.table({"i": range(3)})}))
        >>> channel.receive({"kind": "count", "id": 1, "payload": {"n": 3}})
        >>> sent[0][0]["payload"], sent[0][0]["tables"], len(sent[0][1])
        ({'n': 3}, ['rows'], 1)
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._handlers: dict[str, Handler] = {}

    @property
    def kinds(self) -> list[str]:
        """The kinds of request this channel answers, in the order their handlers were registered."""
        return list(self._handlers)

    def handle(self, kind: str, handler: Handler) -> None:
        """Answer requests of `kind` with `handler(payload) -> (reply payload, {name: Arrow table})`.

        Registering a kind again replaces its handler.

        Example:
            >>> channel = Channel(lambda content, buffers: None)
            >>> channel.handle("echo", lambda payload: (payload, {}))
            >>> channel.kinds
            ['echo']
        """
        if not isinstance(kind, str) or not kind:
            raise ChannelError(f"A request kind is a non-empty string such as 'drill', not {reprlib.repr(kind)}.")
        if not callable(handler):
            raise ChannelError(
                f"The handler of {kind!r} requests is a function payload -> (reply payload, tables), "
                f"not {reprlib.repr(handler)}."
            )
        self._handlers[kind] = handler

    def receive(self, content: Any, buffers: list[bytes] | None = None) -> None:
        """Answer one message from the browser; a message that is not a request (no id) is left alone. It never
        raises: a failure is answered as an error, or logged when even the error cannot be sent."""
        del buffers  # requests carry their payload as JSON; only answers carry buffers
        if not isinstance(content, dict) or "id" not in content:
            return
        began = time.perf_counter()
        kind, request_id = content.get("kind"), content.get("id")
        head = {"kind": kind, "id": request_id}
        try:
            payload, tables = self._answer(kind, content.get("payload"))
            names = list(tables)
            reply = {**head, "payload": payload, "tables": names}
            data = [to_ipc(tables[name]) for name in names]
        except Exception as exc:  # noqa: BLE001 - the browser shows the reason, whatever it is
            self._fail(head, _reason(exc), began)
            return
        # How long the answer took in Python (handler, Arrow encoding), for the benchmarks' breakdown.
        reply["python_ms"] = _elapsed_ms(began)
        try:
            self._send(reply, buffers=data)
        except Exception as exc:  # noqa: BLE001 - a payload JSON cannot carry: the browser still gets an answer
            self._fail(head, f"The answer could not be sent: {_reason(exc)}", began)

    def _answer(self, kind: Any, payload: Any) -> Reply:
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            known = ", ".join(repr(k) for k in self._handlers) or "none"
            raise ChannelError(f"No handler answers requests of kind {reprlib.repr(kind)}; kinds answered: {known}.")
        reply = handler(payload)
        if not (isinstance(reply, tuple) and len(reply) == 2 and isinstance(reply[1], Mapping)
                and all(isinstance(t, pa.Table) for t in reply[1].values())):
            raise ChannelError(
                f"The handler of {kind!r} requests returned {reprlib.repr(reply)}; it returns a pair "
                "(reply payload, {name: pyarrow.Table})."
            )
        unnamed = [name for name in reply[1] if not isinstance(name, str)]
        if unnamed:
            raise ChannelError(
                f"The handler of {kind!r} requests named tables {reprlib.repr(unnamed)}; tables are named by "
                "strings, which the browser reads them by."
            )
        return reply

    def _fail(self, head: dict[str, Any], error: str, began: float) -> None:
        """Answer the request with `error`; when even that cannot be sent (the widget is closed, or the request's
        id or kind is nothing JSON carries), the failure is logged and the channel goes on."""
        try:
            self._send({**head, "error": error, "python_ms": _elapsed_ms(began)}, buffers=[])
        except Exception:  # noqa: BLE001 - nothing is left to tell the browser with
            _log.warning("evalviz could not answer request %s (kind %s): %s", reprlib.repr(head.get("id")),
                         reprlib.repr(head.get("kind")), error, exc_info=True)


def _reason(exc: BaseException) -> str:
    """What the browser is told of a failure: an evalviz error's message, else the exception's type and message
    (its type alone when even its message cannot be written)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails still has a type to name
        return type(exc).__name__
    return text if isinstance(exc, EvalvizError) else f"{type(exc).__name__}: {text}"


def _elapsed_ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000
