"""Analyse a store once per process: a memo of :func:`~mtr_analysis.analysis.review.load_review`.

In: the arguments of a ``load_review`` call. Out: the same :class:`ReviewData` as a fresh
call, a deep copy of the first result for those arguments, so that no caller (one notebook
of a warm kernel) can change the data another one sees.

Off by default: a consultant's own session always re-reads the store. The runner's warm
kernels (:mod:`mtr_analysis.run.pool`) switch it on, where every country profile of a run
analyses the same store with the same arguments. The key is the SHA-256 of the store's files
(``observations.parquet``, ``intake.json``: a rebuilt store is analysed again) and every
argument by value (settings by their content), whatever arguments ``load_review`` gains.

Seeds: the runner analyses the store once per run (it needs the review for its own tables)
and hands the result to every kernel as a pickle named by the SHA-256 of the same key
(:func:`write_seed`, in a private temporary folder of the run); a kernel told the folder
(:func:`seed_from`) loads it on its first call instead of analysing the store again, waiting
for it while the folder holds the runner's "pending" mark. A call whose arguments differ
from the runner's finds no seed and computes as before.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import json
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mtr_analysis import paths, provenance

F = TypeVar("F", bound=Callable[..., Any])

#: Results kept per process at most (oldest dropped): a run uses one or two argument sets.
MAX_ENTRIES = 4
#: Longest wait, in seconds, for a seed the runner is still writing (then: analyse here).
SEED_WAIT = 120.0

_state: dict[str, Any] = {"on": False, "entries": {}, "seed": None, "last": ""}


def remember(on: bool = True) -> None:
    """Switch the memo on (``True``) or off and empty it (``False``)."""
    _state["on"] = bool(on)
    if not on:
        _state["entries"].clear()
        _state["seed"] = None


def last_source() -> str:
    """Where the last remembered call's result came from: ``"seed"`` (the runner's pickle),
    ``"computed"``, ``"memo"`` (an earlier call in this process) or ``""`` (none yet)."""
    return str(_state["last"])


def seed_from(folder: str | Path | None) -> None:
    """Look for the runner's seeds in ``folder`` on a miss (``None``: no seeds)."""
    _state["seed"] = Path(folder) if folder else None


def _seed_file(folder: Path, key: str) -> Path:
    return folder / f"{hashlib.sha256(key.encode()).hexdigest()}{paths.REVIEW_SEED_SUFFIX}"


def write_seed(
    folder: Path, func: Callable[..., Any], value: Any, *args: Any, **kwargs: Any
) -> Path:
    """Pickle ``value``, the result of ``func(*args, **kwargs)`` (``func`` wrapped by
    :func:`remembered`), as that call's seed in ``folder``; returns the file.

    Written to a temporary name and renamed, so a kernel never reads half a file.
    """
    target = _seed_file(folder, func.memo_key(*args, **kwargs))
    part = target.with_name(target.name + paths.PARTIAL_SUFFIX)
    with part.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(part, target)
    return target


def _seeded(key: str) -> Any:
    """The seed of ``key`` in the seed folder, or ``None``."""
    folder = _state["seed"]
    if folder is None:
        return None
    path = _seed_file(folder, key)
    pending = folder / paths.SEED_PENDING_FILE
    deadline = time.monotonic() + SEED_WAIT
    # The runner analyses while the kernels start: wait (no CPU) rather than analyse twice.
    while not path.is_file() and pending.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return pickle.load(fh)


def _plain(value: Any) -> Any:
    """A JSON-able stand-in for an argument (settings by content, paths resolved)."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, Path):
        return str(value.resolve())
    return value


def _key(
    func: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    canonical: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> str:
    """SHA-256 of the store's files and every argument of the call, defaults included;
    ``canonical`` maps the arguments to one spelling of the same analysis."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    if canonical is not None:
        bound.arguments.update(canonical(dict(bound.arguments)))
    defaults = {n: p.default for n, p in bound.signature.parameters.items()}
    # "" for an argument whose default is None (a notebook parameter left empty) is None.
    values = {
        name: None if v == "" and defaults.get(name) is None else _plain(v)
        for name, v in bound.arguments.items()
    }
    data_dir = Path(bound.arguments["data_dir"]).resolve()
    values["data_dir"] = str(data_dir)
    values["store"] = provenance.store_hashes(data_dir)
    return json.dumps(values, sort_keys=True, default=repr)


def remembered(func: F, canonical: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> F:
    """Wrap ``func`` (``load_review``) so that, while :func:`remember` is on, a call with
    the same store and arguments returns a deep copy of the first result (or of the
    runner's seed).

    ``canonical`` (arguments → arguments) gives calls meaning the same analysis one key,
    e.g. the default country list spelt out or left empty. ``wrapper.memo_key(*args,
    **kwargs)`` is the key of a call.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _state["on"]:
            return func(*args, **kwargs)
        key = _key(func, args, kwargs, canonical)
        entries = _state["entries"]
        if key not in entries:
            if len(entries) >= MAX_ENTRIES:
                entries.pop(next(iter(entries)))
            seeded = _seeded(key)
            _state["last"] = "computed" if seeded is None else "seed"
            entries[key] = seeded if seeded is not None else func(*args, **kwargs)
        else:
            _state["last"] = "memo"
        return copy.deepcopy(entries[key])

    wrapper.memo_key = lambda *a, **k: _key(func, a, k, canonical)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
