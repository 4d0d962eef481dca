"""Small frame helpers shared by the list readers (list-valued columns).

>>> import pandas as pd
>>> long = pd.Series(["MT", "TV", "MT"], index=[7, 7, 7])
>>> lists_by_row(long, pd.Index([7, 8])).tolist()
[['MT', 'TV'], []]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from vesselscreen.errors import IdentifierError

_ROW = "_row"
_VALUE = "_value"


def lists_by_row(values: pd.Series, index: pd.Index) -> pd.Series:
    """Long values (index = row label) -> one list per row of ``index``, in order, no repeats.

    Rows without values get an empty list, never ``None``.
    """
    long = pd.DataFrame({_ROW: values.index, _VALUE: values.to_numpy()}).dropna().drop_duplicates()
    if long.empty:
        return pd.Series([[] for _ in range(len(index))], index=index, dtype=object)
    # group without groupby.agg(list), which runs Python per group and dominates on full lists
    codes, rows = pd.factorize(long[_ROW])
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(rows)))[:-1]
    chunks = np.split(long[_VALUE].to_numpy(dtype=object)[order], ends)
    grouped = {row: chunk.tolist() for row, chunk in zip(rows, chunks, strict=True)}
    return pd.Series([grouped.get(row, []) for row in index], index=index, dtype=object)


def parse_each(values: pd.Series, parse: Callable[[object], int]) -> tuple[pd.Series, pd.Series]:
    """Parse each distinct value once: (numbers as Int64, NA where invalid; error text or NA).

    >>> from vesselscreen.identifiers import parse_imo
    >>> numbers, errors = parse_each(pd.Series(["IMO 9187629", "9187628", None]), parse_imo)
    >>> numbers.tolist(), errors.tolist()
    ([9187629, <NA>, <NA>], [<NA>, 'IMO 9187628 fails the ship check digit (expected 9)', <NA>])
    """
    numbers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for value in pd.unique(values.dropna()):
        try:
            numbers[str(value)] = parse(value)
        except IdentifierError as exc:
            errors[str(value)] = str(exc)
    text = values.astype("string")
    # mapping to Int64 / string dtypes keeps integers exact next to NA
    return text.map(numbers).astype("Int64"), text.map(errors).astype("string")
