"""`Param` and `Selection`: values shared by inputs, charts and tables, linked wherever they are shown together.

A selection holds clauses, one per client that published into it (an input, a chart's clicks, a table's rows).
A clause says which rows its client keeps: the values of some columns (`op="in"`), a closed range of one
column (`"range"`), or a text match on one column (`"contains"`, `"prefix"`, `"regexp"`). How a selection
combines its clauses is its `resolve`:

- "single": only the clause published last counts;
- "intersect": a row is kept when every clause keeps it;
- "union": a row is kept when any clause keeps it;
- "crossfilter": as "intersect", but a client is not filtered by its own clause (a chart stays whole while the
  user brushes it, the others follow).

A selection without clauses keeps every row. The same clauses travel to the page (`js/selections.js` combines
them in the browser) and to the kernel (`evalviz.query.filters` turns them into a WHERE clause with parameters).
"""

from __future__ import annotations

import itertools
import math
import reprlib
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.signatures import checks_signature

Resolve = Literal["single", "intersect", "union", "crossfilter"]
Op = Literal["in", "range", "contains", "prefix", "regexp"]
TEXT_OPS = ("contains", "prefix", "regexp")
Scalar = str | int | float | bool | None

# Names are unique in a process and unlike those of another process: two kernels' outputs on one page (a
# notebook run twice, then saved) never link by accident.
_PROCESS = uuid.uuid4().hex[:8]
_COUNTER = itertools.count(1)


def _fresh_name(kind: str) -> str:
    return f"ev_{kind}_{_PROCESS}_{next(_COUNTER)}"


def _scalar(value: Any, where: str) -> Scalar:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ArgumentTypeError(f"{where} holds {reprlib.repr(value)}; a clause's values are text, numbers "
                            "(finite), booleans or None.")


@dataclass(frozen=True)
class Clause:
    """What one client of a selection keeps: rows whose `fields` match `value` by `op`.

    Attributes:
        source: The client that published the clause (an input's, chart's or table's id).
        fields: The columns the clause reads (several for "in": a clicked cell's model and task).
        op: "in" (value: the kept tuples, one value per field), "range" (value: (low, high), both kept),
            "contains", "prefix" or "regexp" (value: the text).
        value: As `op` says.

    Example:
        >>> Clause("model-select", ("model",), "in", (("gpt-4",),)).to_dict()
        {'source': 'model-select', 'fields': ['model'], 'op': 'in', 'value': [['gpt-4']]}
    """

    source: str
    fields: tuple[str, ...]
    op: Op
    value: Any

    def __post_init__(self) -> None:
        if not isinstance(self.source, str) or not self.source:
            raise ArgumentTypeError(f"A clause's source is a non-empty string, not {reprlib.repr(self.source)}.")
        if not self.fields or not all(isinstance(f, str) and f for f in self.fields):
            raise ArgumentTypeError(f"A clause reads columns named by strings, not {reprlib.repr(self.fields)}.")
        if self.op not in get_args(Op):
            raise EvalvizError(f"A clause's op is one of {', '.join(get_args(Op))}, not {reprlib.repr(self.op)}.")
        if self.op != "in" and len(self.fields) != 1:
            raise EvalvizError(f"A {self.op!r} clause reads one column, not {list(self.fields)}.")
        if self.op == "in":
            rows = tuple(tuple(_scalar(v, "An 'in' clause") for v in row) for row in self.value)
            if any(len(row) != len(self.fields) for row in rows):
                raise EvalvizError(f"Each kept value of an 'in' clause on {list(self.fields)} has "
                                   f"{len(self.fields)} parts, one per column.")
            object.__setattr__(self, "value", rows)
        elif self.op == "range":
            bounds = tuple(_scalar(v, "A 'range' clause") for v in self.value)
            if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
                raise EvalvizError(f"A 'range' clause keeps [low, high], two numbers, not {reprlib.repr(self.value)}.")
            object.__setattr__(self, "value", bounds)
        elif not isinstance(self.value, str):
            raise ArgumentTypeError(f"A {self.op!r} clause matches text, not {reprlib.repr(self.value)}.")

    def to_dict(self) -> dict[str, Any]:
        """The clause as it travels (JSON)."""
        value = [list(row) for row in self.value] if self.op == "in" else (
            list(self.value) if self.op == "range" else self.value)
        return {"source": self.source, "fields": list(self.fields), "op": self.op, "value": value}

    @classmethod
    def from_dict(cls, data: Any) -> Clause:
        """A clause as the browser sent it; anything malformed is an `EvalvizError` naming what is wrong.

        Example:
            >>> Clause.from_dict({"source": "s", "fields": ["x"], "op": "range", "value": [0, 1]}).value
            (0, 1)
        """
        if not isinstance(data, Mapping) or not {"source", "fields", "op", "value"} <= set(data):
            raise EvalvizError(f"A clause is {{source, fields, op, value}}, not {reprlib.repr(data)}.")
        fields = data["fields"]
        if not isinstance(fields, Sequence) or isinstance(fields, str):
            raise ArgumentTypeError(f"A clause's fields are a list of column names, not {reprlib.repr(fields)}.")
        value = data["value"]
        if data["op"] in ("in", "range") and (not isinstance(value, Sequence) or isinstance(value, str)):
            raise ArgumentTypeError(f"A {data['op']!r} clause's value is a list, not {reprlib.repr(value)}.")
        if data["op"] == "in" and not all(isinstance(row, Sequence) and not isinstance(row, str) for row in value):
            raise ArgumentTypeError(f"An 'in' clause's value is a list of lists, not {reprlib.repr(value)}.")
        return cls(data["source"], tuple(fields), data["op"], value)


class _Shared:
    """What Param and Selection share: a name, observers, and a lock (a widget's messages arrive on the
    kernel's thread, a user's reads on theirs)."""

    kind = "shared"

    def __init__(self, name: str | None) -> None:
        if name is not None and (not isinstance(name, str) or not name.isidentifier()):
            raise ArgumentTypeError(f"A {self.kind}'s name is an identifier (letters, digits, _), not "
                                    f"{reprlib.repr(name)}.")
        self._name = name or _fresh_name(self.kind)
        self._observers: list[Callable[[Any], None]] = []
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        """The name the page and the kernel know it by."""
        return self._name

    def observe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(self)` after each change made in a live widget; returns a function that stops it."""
        if not callable(callback):
            raise ArgumentTypeError(f"observe takes a function of one argument, not {reprlib.repr(callback)}.")
        with self._lock:
            self._observers.append(callback)
        return lambda: self._unobserve(callback)

    def _unobserve(self, callback: Callable[[Any], None]) -> None:
        with self._lock:
            if callback in self._observers:
                self._observers.remove(callback)

    def _notify(self) -> None:
        """Call every observer, even after one raised; then raise the first error (with the others as notes), so
        a failing observer neither silences the rest nor goes unseen."""
        with self._lock:
            observers = list(self._observers)
        errors: list[Exception] = []
        for callback in observers:
            try:
                callback(self)
            except Exception as exc:  # noqa: BLE001 - raised below, once every observer was called
                errors.append(exc)
        if errors:
            for later in errors[1:]:
                errors[0].add_note(f"Another observer of {self.name} raised too: {type(later).__name__}: {later}")
            raise errors[0]


class Param(_Shared):
    """A value an input sets (a slider, a select, a checkbox), for Python to read: no chart reads a Param (charts
    follow `Selection`s). In the live widget, `value` is the value the user picked and `observe` calls back as it
    changes; on a standalone page an input bound to a Param changes nothing else.

    Args:
        value: The starting value (text, a number, a boolean, None, or a list of them).
        name: The name the page knows it by (made unique when not given).

    Example:
        >>> import evalviz as ev
        >>> threshold = ev.Param(0.5)
        >>> threshold.value
        0.5
    """

    kind = "param"

    @checks_signature
    def __init__(self, value: Any = None, *, name: str | None = None) -> None:
        super().__init__(name)
        self._value = self._checked(value)

    @property
    def value(self) -> Any:
        """The current value (as the live widget last reported it)."""
        with self._lock:
            return self._value

    def set_from_page(self, value: Any) -> None:
        """Take a value the page reported; observers are called."""
        with self._lock:
            self._value = self._checked(value)
        self._notify()

    def to_dict(self) -> dict[str, Any]:
        """The param as the page declares it."""
        return {"name": self.name, "kind": "param", "value": self.value}

    def _checked(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [_scalar(v, f"Param {self.name}") for v in value]
        return _scalar(value, f"Param {self.name}")

    def __repr__(self) -> str:
        return f"Param({self.value!r}, name={self.name!r})"


class Selection(_Shared):
    """Clauses published by inputs, chart clicks and table rows, combined by `resolve` (see the module).

    Make one with `Selection.single()`, `.intersect()`, `.union()` or `.crossfilter()`; give it to inputs as
    `target=` and to views and tables as `filter_by=`.

    Example:
        >>> import evalviz as ev
        >>> models = ev.Selection.intersect()
        >>> models.resolve, models.clauses
        ('intersect', ())
    """

    kind = "selection"

    @checks_signature
    def __init__(self, resolve: Resolve = "intersect", *, name: str | None = None) -> None:
        if resolve not in get_args(Resolve):
            raise EvalvizError(f"A selection resolves as one of {', '.join(get_args(Resolve))}, "
                               f"not {reprlib.repr(resolve)}.")
        super().__init__(name)
        self.resolve: Resolve = resolve
        self._clauses: dict[str, Clause] = {}  # by source, in the order published (the last is the latest)
        self._columns: dict[str, None] = {}  # the source columns its publishers read, in the order added

    @classmethod
    @checks_signature
    def single(cls, *, name: str | None = None) -> Selection:
        """Only the clause published last counts."""
        return cls("single", name=name)

    @classmethod
    @checks_signature
    def intersect(cls, *, name: str | None = None) -> Selection:
        """A row is kept when every clause keeps it."""
        return cls("intersect", name=name)

    @classmethod
    @checks_signature
    def union(cls, *, name: str | None = None) -> Selection:
        """A row is kept when any clause keeps it."""
        return cls("union", name=name)

    @classmethod
    @checks_signature
    def crossfilter(cls, *, name: str | None = None) -> Selection:
        """As intersect, but no client is filtered by its own clause."""
        return cls("crossfilter", name=name)

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """Every clause, oldest first (as the live widget last reported them)."""
        with self._lock:
            return tuple(self._clauses.values())

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns clauses in this selection may read: those of every input, chart and table built
        with it as their target (`add_columns`), in the order they were added. A view built with it as
        `filter_by` ships these columns with its drawn rows, so that a standalone page can answer a filter on
        them; build the publishers first.

        Example:
            >>> s = Selection.intersect()
            >>> s.add_columns("model", "task")
            >>> s.columns
            ('model', 'task')
        """
        with self._lock:
            return tuple(self._columns)

    def add_columns(self, *columns: str) -> None:
        """Record that a publisher's clauses read `columns` (an input its column, a chart the columns of what a
        click selects). Called by inputs, views and tables given this selection as their target.

        Example:
            >>> s = Selection.single()
            >>> s.add_columns("model_organization_name")
            >>> s.columns
            ('model_organization_name',)
        """
        if not all(isinstance(c, str) and c for c in columns):
            raise ArgumentTypeError(f"A selection's columns are names of columns, not {reprlib.repr(columns)}.")
        with self._lock:
            self._columns.update(dict.fromkeys(columns))

    def active(self, client: str | None = None) -> tuple[Clause, ...]:
        """The clauses that filter `client` (None: a reader outside the selection): the latest alone for
        "single", all but the client's own for "crossfilter", all otherwise.

        Example:
            >>> s = Selection.crossfilter()
            >>> s.publish(Clause("a", ("x",), "in", [[1]]))
            >>> [c.source for c in s.active("a")], [c.source for c in s.active("b")]
            ([], ['a'])
        """
        clauses = self.clauses
        if self.resolve == "single":
            return clauses[-1:]
        if self.resolve == "crossfilter":
            return tuple(c for c in clauses if c.source != client)
        return clauses

    def publish(self, clause: Clause) -> None:
        """Put `clause` in place of its source's earlier one (it becomes the latest); observers are called."""
        with self._lock:
            self._clauses.pop(clause.source, None)
            self._clauses[clause.source] = clause
        self._notify()

    def clear(self, source: str | None = None) -> None:
        """Take out `source`'s clause (every clause when None); observers are called."""
        with self._lock:
            if source is None:
                self._clauses.clear()
            else:
                self._clauses.pop(source, None)
        self._notify()

    def set_from_page(self, clauses: Any) -> None:
        """Take the clauses the page reported (a list of clause dicts, oldest first); observers are called."""
        if not isinstance(clauses, Sequence) or isinstance(clauses, str):
            raise ArgumentTypeError(f"A selection's clauses are a list, not {reprlib.repr(clauses)}.")
        parsed = [Clause.from_dict(c) for c in clauses]
        with self._lock:
            self._clauses = {c.source: c for c in parsed}
        self._notify()

    def to_dict(self) -> dict[str, Any]:
        """The selection as the page declares it: its name, resolve and current clauses."""
        return {"name": self.name, "kind": "selection", "resolve": self.resolve,
                "clauses": [c.to_dict() for c in self.clauses]}

    def __repr__(self) -> str:
        return f"Selection.{self.resolve}(name={self.name!r}, clauses={len(self.clauses)})"


def checked_selection(value: Any, argument: str) -> Selection | None:
    """`value` when it is a Selection or None, else an error naming `argument` and what it takes.

    Example:
        >>> checked_selection(None, "filter_by") is None
        True
    """
    if value is None or isinstance(value, Selection):
        return value
    raise ArgumentTypeError(f"{argument} takes an ev.Selection (ev.Selection.intersect(), ...), not "
                            f"{reprlib.repr(value)}.")


SharedT = TypeVar("SharedT", bound=_Shared)


def each_once(shared: Iterable[SharedT]) -> tuple[SharedT, ...]:
    """The params and selections of one chart or page, each once; a page knows each by its name, so two different
    objects of one name would silently become one.

    Raises:
        EvalvizError: two different params or selections have the same name.

    Example:
        >>> models = Selection.intersect(name="models")
        >>> each_once([models, models]) == (models,)
        True
        >>> each_once([models, Selection.intersect(name="models")])
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: Two different selections are named 'models' on one page, ...
    """
    by_name: dict[str, SharedT] = {}
    for one in shared:
        seen = by_name.setdefault(one.name, one)
        if seen is not one:
            if seen.kind != one.kind:
                raise EvalvizError(f"A {seen.kind} and a {one.kind} are both named {one.name!r} on one page, which "
                                   "knows each by its name: give them different names.")
            raise EvalvizError(
                f"Two different {one.kind}s are named {one.name!r} on one page, which would make them one: give them "
                f"different names, or make one {one.kind} of that name and pass that same object to every chart, "
                "input and table that should share it.")
    return tuple(by_name.values())
