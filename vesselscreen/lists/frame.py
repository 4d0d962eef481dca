"""Any DataFrame as a watchlist, through a column mapping (also the engine of the tabular readers).

``columns`` maps vesselscreen record keys to your frame's columns. Vessel keys: ``id``,
``name``, ``aliases``, ``imo``, ``mmsi``, ``call_sign``, ``flag``, ``former_flags``,
``vessel_type``, ``programs``, ``listed_on``, ``owners``, ``linked_to``, ``remarks``;
party keys: ``id``, ``entity_type``, ``name``, ``aliases``, ``company_imo``,
``countries``, ``programs``, ``listed_on``, ``linked_to``, ``remarks``. Rows sharing an
``id`` are one entry (lists such as UK's and EU's repeat an entry once per name or
address): scalar keys take the first non-empty value, list keys collect every value,
split on ``list_separator``. ``kind`` names a column whose value says which rows are
vessels (``vessel_kinds``); without it every row is a vessel. Identifiers are checked
like every other list (invalid ones kept as NA and flagged in the report).

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
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Final

import pandas as pd

from vesselscreen.errors import ColumnsError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._records import Record, build_watchlist, split_values
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["FORMAT", "LIST_KEYS", "read_frame", "records_from_frame"]

FORMAT: Final = "frame"
LIST_KEYS: Final = frozenset(
    {"aliases", "former_flags", "programs", "owners", "linked_to", "countries", "other_flags"}
)
"""Record keys that hold several values."""
_ROW: Final = "_row"


def records_from_frame(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    id_column: str | None = None,
    list_separator: str | None = ";",
    constants: Mapping[str, object] | None = None,
) -> list[Record]:
    """One record per distinct ``id_column`` value (per row without one), in first-seen order."""
    keys = {key: column for key, column in columns.items() if column in frame.columns}
    ids = (
        frame[id_column].astype("string").str.strip()
        if id_column is not None
        else pd.Series(range(1, len(frame) + 1), index=frame.index).astype("string")
    )
    # plain lists with None for missing cells: per-row access below stays cheap
    cells: dict[str, list[str | None]] = {}
    for key, column in keys.items():
        text = frame[column].astype("string").str.strip()
        cells[key] = text.astype(object).where(text.notna(), None).tolist()
    records: dict[str, Record] = {}
    missing = (ids.isna() | (ids == "")).fillna(True).to_numpy(dtype=bool)
    for position, entry_id in enumerate(ids.to_numpy()):
        if missing[position]:
            continue
        record = records.setdefault(str(entry_id), {"id": str(entry_id), **(constants or {})})
        for key, values in cells.items():
            value = values[position]
            if not value:
                continue
            if key in LIST_KEYS:
                items = record.setdefault(key, [])
                if isinstance(items, list):
                    items.extend(split_values(value, list_separator) if list_separator else [value])
            elif record.get(key) is None:
                record[key] = value
    return list(records.values())


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
    the frame lacks raises :class:`~vesselscreen.errors.ColumnsError`.
    """
    mapping = dict(columns) if columns is not None else {c: c for c in frame.columns}
    missing = [column for column in mapping.values() if column not in frame.columns]
    if missing:
        raise ColumnsError(location, missing=missing)
    return _build(
        frame,
        mapping,
        source=source,
        format=FORMAT,
        id_column=id_column,
        kind=kind,
        vessel_kinds=vessel_kinds,
        list_separator=list_separator,
        location=location,
        label=location,
        retrieved_at=retrieved_at,
        sha256=hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest(),
    )


def _build(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    source: str,
    format: str,
    id_column: str | None,
    kind: str | None,
    vessel_kinds: Collection[str],
    list_separator: str | None,
    location: str,
    label: str,
    retrieved_at: datetime | None,
    sha256: str,
    log: RejectionLog | None = None,
    extras: Sequence[str] = (),
    extra_dtypes: Mapping[str, str] | None = None,
    entity_mapping: Mapping[str, str] | None = None,
) -> Watchlist:
    """Split vessels from parties, group rows into records and build the watchlist."""
    log = log or RejectionLog(label)
    if kind is not None:
        wanted = {k.lower() for k in vessel_kinds}
        is_vessel = frame[kind].astype("string").str.strip().str.lower().isin(wanted).fillna(False)
    else:
        is_vessel = pd.Series(True, index=frame.index)
    vessel_rows = frame.loc[is_vessel.to_numpy(dtype=bool)]
    party_rows = frame.loc[~is_vessel.to_numpy(dtype=bool)]
    vessels = records_from_frame(vessel_rows, mapping, id_column=id_column, list_separator=list_separator)
    entity_constants = {"entity_type": None}
    parties = records_from_frame(
        party_rows,
        entity_mapping or mapping,
        id_column=id_column,
        list_separator=list_separator,
        constants=entity_constants,
    )
    if kind is not None:
        kinds = frame[kind].astype("string").str.strip()
        ids = frame[id_column].astype("string").str.strip() if id_column else None
        by_id = dict(zip(ids, kinds, strict=True)) if ids is not None else {}
        for record in parties:
            record["entity_type"] = record.get("entity_type") or by_id.get(str(record["id"]))
    log.accept(len(vessels) + len(parties))
    return build_watchlist(
        vessels,
        parties,
        source=source,
        format=format,
        location=location,
        retrieved_at=retrieved_at,
        sha256=sha256,
        log=log,
        extras=extras,
        extra_dtypes=extra_dtypes,
    )
