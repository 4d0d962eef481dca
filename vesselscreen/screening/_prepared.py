"""Work derived from a watchlist's frames, done once per frame and kept while the frame lives.

A `Watchlist`'s frames are built once and never changed in place (the library and its
readers only read them), so what matching derives from them (normalised names, flag
tables, identifier sets) holds for as long as the frame object does. Embedded use screens
many small batches against one watchlist: without this, each screening would redo it.

>>> import pandas as pd
>>> frame = pd.DataFrame({"a": [1, 2]})
>>> calls = []
>>> def total(f: pd.DataFrame) -> int:
...     calls.append(1)
...     return int(f["a"].sum())
>>> derived(frame, "total", total), derived(frame, "total", total), len(calls)
(3, 3, 1)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar, cast

import pandas as pd

__all__ = ["derived"]

T = TypeVar("T")

_CACHE: dict[int, tuple[weakref.ref[pd.DataFrame], tuple[int, tuple[str, ...]], dict[str, object]]] = {}


def _forget(key: int) -> None:
    _CACHE.pop(key, None)


def derived(frame: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], T]) -> T:
    """``build(frame)``, computed once per frame object (and per ``name``) while it lives.

    A frame whose length or columns changed since is derived again (a cheap guard; the
    frames this serves are not edited in place).
    """
    key = id(frame)
    shape = (len(frame), tuple(map(str, frame.columns)))
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not frame or entry[1] != shape:
        entry = (weakref.ref(frame), shape, {})
        _CACHE[key] = entry
        weakref.finalize(frame, _forget, key)
    values = entry[2]
    if name not in values:
        values[name] = build(frame)
    return cast(T, values[name])
