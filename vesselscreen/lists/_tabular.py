"""Reading the published CSV lists into a frame of text cells (private helper of the tabular readers).

The file is decoded line by line and parsed record by record (``_text``): damaged rows
are rejected with their line in the reader's log, and the frame's index is each row's
first line, so later rejections and warnings can say where a row was.

>>> from vesselscreen.ingest import RejectionLog
>>> log = RejectionLog("x.csv")
>>> frame, numbers = read_table(as_raw(b"a;b\\n1;2\\n3;4;5\\n6;7\\n"), log, separator=";")
>>> frame.to_dict("index"), numbers, log.report(format="demo").reasons
({2: {'a': '1', 'b': '2'}, 4: {'a': '6', 'b': '7'}}, [1, 3], {'wrong number of fields': 1})
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import pandas as pd

from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource, read_raw
from vesselscreen.lists._records import LIST_KEYS, Record, split_values
from vesselscreen.lists._text import BLANK, decode_lines, read_csv_table

__all__ = ["as_raw", "read_table", "records_of", "require"]


def as_raw(data: ListSource | RawSource) -> RawSource:
    """``data`` read whole (a RawSource is passed through)."""
    return data if isinstance(data, RawSource) else read_raw(data)


def read_table(
    raw: RawSource, log: RejectionLog, *, separator: str = ",", skip_rows: int = 0
) -> tuple[pd.DataFrame, list[int]]:
    """All cells as stripped strings (blank -> NA), header after ``skip_rows`` records, index = line.

    Also each row's number among the data rows, counted from 1 with the rejected rows
    (formats that number their entries by row use it, so a damaged row renumbers nothing).

    A file without a header raises :class:`FormatError` (``empty file``); so does a header
    naming a column twice (which of the two would be meant?).
    """
    lines = decode_lines(raw.data, log)
    if not any(line.strip(BLANK) for line in lines):
        raise FormatError(raw.label, "empty file: not a watchlist")
    table = read_csv_table(lines, log, label=raw.label, delimiter=separator, skip=skip_rows)
    if not table.header:
        raise FormatError(raw.label, "empty file: no header row")
    header = [name.strip() for name in table.header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FormatError(raw.label, f"repeated columns in the header: {', '.join(repeated)}")
    frame = pd.DataFrame(table.rows, columns=header, index=pd.Index(table.lines, name="line"), dtype="string")
    for name in header:
        stripped = frame[name].str.strip(BLANK)
        frame[name] = stripped.mask(stripped == "")
    return frame, table.ordinals


def require(frame: pd.DataFrame, columns: Collection[str], label: str) -> None:
    """Raise :class:`ColumnsError` naming every missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnsError(label, missing=missing)


def records_of(
    frame: pd.DataFrame, mapping: Mapping[str, str], *, list_separator: str | None = ";"
) -> Iterator[tuple[int, Record]]:
    """``(line, record)`` per row: ``mapping`` is record key -> column; list keys are split.

    Columns the frame lacks are left out of the records.
    """
    keys = [(key, column) for key, column in mapping.items() if column in frame.columns]
    columns = [frame[column].astype(object).where(frame[column].notna(), None).tolist() for _, column in keys]
    for position, line in enumerate(frame.index):
        record: Record = {}
        for (key, _), values in zip(keys, columns, strict=True):
            value = values[position]
            if value is None:
                continue
            if key in LIST_KEYS and list_separator is not None and not isinstance(value, list | tuple):
                record[key] = split_values(str(value), list_separator)
            else:
                record[key] = value
        yield int(line), record
