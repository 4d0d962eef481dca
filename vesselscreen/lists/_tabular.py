"""Reading the published CSV lists into frames (private helper of the tabular readers).

>>> frame, stream = read_csv_frame(b"a;b\\n1;2\\n", separator=";")
>>> frame.to_dict("records"), stream.label
([{'a': '1', 'b': '2'}], '<bytes>')
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.lists._io import ListSource, RawSource, decode_text, read_raw
from vesselscreen.lists._stream import StreamInput

__all__ = ["read_csv_frame", "require"]


def read_csv_frame(
    data: ListSource | RawSource, *, separator: str = ",", skip_rows: int = 0
) -> tuple[pd.DataFrame, StreamInput]:
    """All cells as strings (empty -> NA), header after ``skip_rows`` metadata rows."""
    raw = data if isinstance(data, RawSource) else read_raw(data)
    stream = StreamInput.of(raw)
    with stream.open():  # hash the bytes for the snapshot
        pass
    text = decode_text(raw)
    if not text.strip():
        raise FormatError(raw.label, "empty file: not a watchlist")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            skiprows=skip_rows,
            dtype="string",
            keep_default_na=False,
            na_values=[""],
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, csv.Error, UnicodeError) as exc:
        raise FormatError(raw.label, f"not a readable CSV: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, stream


def require(frame: pd.DataFrame, columns: list[str], label: str) -> None:
    """Raise :class:`ColumnsError` naming every missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnsError(label, missing=missing)
