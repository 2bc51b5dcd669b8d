"""Analyse a store once per process: a memo of :func:`~mtr_analysis.analysis.review.load_review`.

In: the arguments of a ``load_review`` call. Out: the same :class:`ReviewData` as a fresh
call, a deep copy of the first result for those arguments, so that no caller (one notebook
of a warm kernel) can change the data another one sees.

Off by default: a consultant's own session always re-reads the store. The runner's warm
kernels (:mod:`mtr_analysis.run.pool`) switch it on, where every country profile of a run
analyses the same store with the same arguments. The key is the SHA-256 of the store's files
(``observations.parquet``, ``intake.json``: a rebuilt store is analysed again) and every
argument by value (settings by their content), whatever arguments ``load_review`` gains.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mtr_analysis import provenance

F = TypeVar("F", bound=Callable[..., Any])

#: Results kept per process at most (oldest dropped): a run uses one or two argument sets.
MAX_ENTRIES = 4

_state: dict[str, Any] = {"on": False, "entries": {}}


def remember(on: bool = True) -> None:
    """Switch the memo on (``True``) or off and empty it (``False``)."""
    _state["on"] = bool(on)
    if not on:
        _state["entries"].clear()


def _plain(value: Any) -> Any:
    """A JSON-able stand-in for an argument (settings by content, paths resolved)."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, Path):
        return str(value.resolve())
    return value


def _key(func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    """SHA-256 of the store's files and every argument of the call, defaults included."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    values = {name: _plain(v) for name, v in bound.arguments.items()}
    data_dir = Path(bound.arguments["data_dir"]).resolve()
    values["data_dir"] = str(data_dir)
    values["store"] = provenance.store_hashes(data_dir)
    return json.dumps(values, sort_keys=True, default=repr)


def remembered(func: F) -> F:
    """Wrap ``func`` (``load_review``) so that, while :func:`remember` is on, a call with
    the same store and arguments returns a deep copy of the first result."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _state["on"]:
            return func(*args, **kwargs)
        key = _key(func, args, kwargs)
        entries = _state["entries"]
        if key not in entries:
            if len(entries) >= MAX_ENTRIES:
                entries.pop(next(iter(entries)))
            entries[key] = func(*args, **kwargs)
        return copy.deepcopy(entries[key])

    return wrapper  # type: ignore[return-value]
