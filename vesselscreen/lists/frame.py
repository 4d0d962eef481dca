"""Any DataFrame as a watchlist, through a column mapping.

``columns`` maps vesselscreen record keys to your frame's columns. Vessel keys: ``id``,
``name``, ``aliases``, ``imo``, ``mmsi``, ``call_sign``, ``flag``, ``former_flags``,
``vessel_type``, ``programs``, ``listed_on``, ``owners``, ``linked_to``, ``remarks``;
party keys: ``id``, ``entity_type``, ``name``, ``aliases``, ``company_imo``,
``countries``, ``programs``, ``listed_on``, ``linked_to``, ``remarks``. Each row is a
record, counted in the report like a file's rows (``line`` is the row's position, from
1). Rows sharing an ``id`` are one entry (merged, a different name kept as an alias): scalar
keys take the first non-empty value, list keys collect every value, split on
``list_separator``; a row with an empty ``id`` is rejected. ``kind`` names a column whose
value says which rows are vessels (``vessel_kinds``); without it every row is a vessel.
Identifiers are checked like every other list (invalid ones kept as NA and flagged in the
report).

>>> import pandas as pd
>>> mine = pd.DataFrame({"Ship": ["ARTAVIL", "X"], "IMO No": ["IMO 9187629", "1234568"],
...                      "Flag": ["Iran", "RU"]})
>>> wl = read_frame(mine, {"name": "Ship", "imo": "IMO No", "flag": "Flag"}, source="mine")
>>> wl.vessels["entry_id"].tolist(), wl.vessels["imo"].tolist(), wl.vessels["flag"].tolist()
(['mine:1', 'mine:2'], [9187629, <NA>], ['IR', 'RU'])
>>> wl.reports[0].warnings
{'invalid IMO': 1}
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Final

import pandas as pd

from vesselscreen.errors import ColumnsError
from vesselscreen.lists._records import LIST_KEYS, PARTY, VESSEL, WatchlistBuilder
from vesselscreen.lists._tabular import records_of
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["FORMAT", "LIST_KEYS", "read_frame"]

FORMAT: Final = "frame"
_KIND: Final = "\x00kind"  # record key of the kind column while rows become records


def read_frame(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    source: str = "custom",
    id_column: str | None = None,
    kind: str | None = None,
    vessel_kinds: Collection[str] = ("vessel", "ship"),
    list_separator: str | None = ";",
    location: str = "<frame>",
    retrieved_at: datetime | None = None,
) -> Watchlist:
    """A :class:`Watchlist` from any frame; ``columns`` maps record keys to frame columns.

    Without ``columns``, frame columns named like the keys are used. A mapped column that
    the frame lacks raises :class:`~vesselscreen.errors.ColumnsError`. Without
    ``id_column`` each row is its own entry, numbered from 1.
    """
    mapping = dict(columns) if columns is not None else {str(c): c for c in frame.columns}
    missing = [
        column for column in (*mapping.values(), id_column, kind) if column and column not in frame.columns
    ]
    if missing:
        raise ColumnsError(location, missing=[str(m) for m in missing])
    builder = WatchlistBuilder(location, source=source, format=FORMAT, id_name=id_column or "id")
    text = frame.reset_index(drop=True)
    text.index = pd.RangeIndex(1, len(text) + 1)
    keyed = {**mapping}
    if id_column is not None:
        keyed["id"] = id_column
    if kind is not None:
        keyed[_KIND] = kind
    wanted = {k.lower() for k in vessel_kinds}
    for line, record in records_of(text, keyed, list_separator=list_separator):
        if id_column is None:
            record["id"] = str(line)
        row_kind = str(record.pop(_KIND, "") or "").strip()
        if kind is None or row_kind.lower() in wanted:
            builder.add(VESSEL, record, line=line)
        else:
            record.setdefault("entity_type", row_kind or None)
            builder.add(PARTY, record, line=line)
    sha256 = hashlib.sha256(frame.to_csv(index=False).encode("utf-8", errors="replace")).hexdigest()
    return builder.build(location=location, retrieved_at=retrieved_at, sha256=sha256)
