"""Formatting shared by the text, HTML and map renderers: times, values, escaping, frames.

>>> when(pd.Timestamp("2024-09-10", tz="UTC"))
'2024-09-10 00:00'
>>> cell(None), cell(3.14159), cell(("a", "b"))
('', '3.14', 'a, b')
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from vesselscreen.models import Finding

__all__ = [
    "SEVERITY_COLOURS",
    "cell",
    "esc",
    "finding_fields",
    "frame_html",
    "land",
    "list_name",
    "package_text",
    "records",
    "rows",
    "when",
]

SEVERITY_COLOURS: Mapping[str, str] = {
    "critical": "#7b1fa2",
    "high": "#c62828",
    "medium": "#ef6c00",
    "low": "#546e7a",
}
"""Colours of severities in HTML reports and maps (colour-blind safe enough with the labels)."""


def when(value: object, *, seconds: bool = False) -> str:
    """A UTC time as ``YYYY-MM-DD HH:MM`` (empty for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]  # any scalar
        return ""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]  # datetime, Timestamp or ISO text
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def cell(value: object) -> str:
    """Any value of a finding or frame as short text."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | pd.Timestamp):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return f"{value.total_seconds() / 3600:.1f} h"
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def esc(value: object) -> str:
    """``cell(value)`` escaped for HTML."""
    return html.escape(cell(value))


def list_name(entry_id: str) -> str:
    """The list an entry id belongs to (ids are ``<source>:<id>`` throughout the package)."""
    return entry_id.partition(":")[0] if ":" in entry_id else entry_id


def finding_fields(finding: Finding) -> dict[str, object]:
    """Every field of a finding except its evidence, in declaration order.

    Read generically from the model, so fields added to :class:`Finding` show up in
    every rendering without a change here.
    """
    return {name: getattr(finding, name) for name in type(finding).model_fields if name != "evidence"}


def frame_html(
    frame: pd.DataFrame, *, columns: Sequence[str] | None = None, max_rows: int | None = None, cls: str = ""
) -> str:
    """A DataFrame as a plain HTML table (no index), values through :func:`cell`."""
    cols = [c for c in (columns or frame.columns) if c in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
        for row in shown[cols].itertuples(index=False, name=None)
    )
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<tr><td colspan="{len(cols)}">... {len(frame) - max_rows} more rows</td></tr>'
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}{more}</tbody></table>"


def rows_html(pairs: Iterable[tuple[str, object]], *, cls: str = "kv") -> str:
    """A two-column key/value table."""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{esc(v)}</td></tr>" for k, v in pairs)
    return f'<table class="{cls}"><tbody>{body}</tbody></table>'


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (``itertuples``), typed loosely.

    pandas' stubs type each cell as a union of every scalar type; report code reads cells
    of known columns and formats them, so it takes them as they come.
    """
    return frame.itertuples()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts keyed by column (for column names held in constants)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def package_text(*parts: str) -> str:
    """The text of a file bundled under ``vesselscreen/data``."""
    return resources.files("vesselscreen.data").joinpath(*parts).read_text(encoding="utf-8")


@cache
def _world_land() -> shapely.Geometry:
    geometry = shape(json.loads(package_text("land.json")))
    return shapely.make_valid(geometry)


def land(west: float, south: float, east: float, north: float) -> list[np.ndarray]:
    """Outer and inner rings of the bundled land polygons clipped to a box, as (lon, lat) arrays.

    The land is Natural Earth 1:50m, simplified (see ``data/land.SOURCE.txt``).

    >>> rings = land(46.0, 36.0, 55.0, 47.0)  # the Caspian Sea
    >>> len(rings) > 0 and all(r.shape[1] == 2 for r in rings)
    True
    """
    clipped = shapely.clip_by_rect(_world_land(), west, south, east, north)
    rings: list[np.ndarray] = []
    for polygon in shapely.get_parts(clipped):
        if shapely.get_type_id(polygon) != 3:  # keep polygons; clipping can leave lines and points
            continue
        rings.append(shapely.get_coordinates(shapely.get_exterior_ring(polygon)))
        rings.extend(
            shapely.get_coordinates(shapely.get_interior_ring(polygon, i))
            for i in range(shapely.get_num_interior_rings(polygon))
        )
    return rings
