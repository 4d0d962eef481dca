"""Canonical column names, dtypes and validation of the frames that flow between stages.

Column names are constants on small namespace classes, so code says
``POSITION.MMSI`` rather than a string literal:

>>> POSITION.MMSI, WATCHLIST.ENTRY_ID, PORT_CALL.ARRIVAL
('mmsi', 'entry_id', 'arrival')
>>> empty_frame(POSITION_DTYPES).dtypes[POSITION.TIMESTAMP]
datetime64[ns, UTC]

Units: ``lat``/``lon`` are WGS84 degrees, ``sog`` knots, ``cog``/``heading`` degrees
true, ``draught`` metres, timestamps are timezone-aware UTC. List-valued columns
(``aliases``, ``programs``...) hold Python lists of strings (object dtype).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Final

import pandas as pd

from vesselscreen.errors import SchemaError

__all__ = [
    "CHANGE",
    "CHANGE_DTYPES",
    "ENCOUNTER",
    "ENCOUNTER_DTYPES",
    "ENTITY",
    "ENTITY_DTYPES",
    "FINDING",
    "FINDING_COLUMNS",
    "FINDING_TABLE_DTYPES",
    "GAP",
    "GAP_DTYPES",
    "IDENTITY",
    "INTERVAL",
    "INTERVAL_DTYPES",
    "LISTED",
    "LOITERING",
    "LOITERING_DTYPES",
    "MATCH",
    "MATCH_DTYPES",
    "PORT",
    "PORT_CALL",
    "PORT_CALL_DTYPES",
    "PORT_DTYPES",
    "POSITION",
    "POSITION_DTYPES",
    "POSITION_OPTIONAL_DTYPES",
    "RISK",
    "RISK_DTYPES",
    "SPOOFING",
    "SPOOFING_DTYPES",
    "STOP",
    "STOP_DTYPES",
    "STORY",
    "STORY_DTYPES",
    "VOYAGE",
    "VOYAGE_DTYPES",
    "WATCHLIST",
    "WATCHLIST_DTYPES",
    "conform",
    "empty_frame",
    "validate",
]

UTC_TIMESTAMP: Final = "datetime64[ns, UTC]"
STRING: Final = "string"
LIST: Final = "object"  # a Python list of str in each cell


class POSITION:
    """Columns of a positions frame: one row per AIS position report."""

    MMSI: Final = "mmsi"
    TIMESTAMP: Final = "timestamp"
    LAT: Final = "lat"
    LON: Final = "lon"
    SOG: Final = "sog"
    COG: Final = "cog"
    HEADING: Final = "heading"
    NAV_STATUS: Final = "nav_status"
    IMO: Final = "imo"
    NAME: Final = "name"
    CALL_SIGN: Final = "call_sign"
    DESTINATION: Final = "destination"
    SHIP_TYPE: Final = "ship_type"
    DRAUGHT: Final = "draught"
    SOURCE: Final = "source"
    TRANSCEIVER: Final = "transceiver"
    """Optional: ``A`` or ``B``, the AIS class of the transponder, where the source says."""
    LENGTH: Final = "length"
    """Optional: the ship's length overall in metres, as broadcast (AIS dimensions A + B)."""


POSITION_DTYPES: Final[Mapping[str, str]] = {
    POSITION.MMSI: "Int64",
    POSITION.TIMESTAMP: UTC_TIMESTAMP,
    POSITION.LAT: "float64",
    POSITION.LON: "float64",
    POSITION.SOG: "float64",
    POSITION.COG: "float64",
    POSITION.HEADING: "float64",
    POSITION.NAV_STATUS: "Int8",
    POSITION.IMO: "Int64",
    POSITION.NAME: STRING,
    POSITION.CALL_SIGN: STRING,
    POSITION.DESTINATION: STRING,
    POSITION.SHIP_TYPE: "Int16",
    POSITION.DRAUGHT: "float64",
    POSITION.SOURCE: STRING,
}

POSITION_OPTIONAL_DTYPES: Final[Mapping[str, str]] = {
    POSITION.TRANSCEIVER: STRING,
    POSITION.LENGTH: "float64",
}
"""Columns a positions frame may carry after the canonical ones, when its source says
(MarineCadastre's TransceiverClass and Length): screening uses them to weigh a match."""


class WATCHLIST:
    """Columns of ``Watchlist.vessels``: one row per listed vessel per list."""

    ENTRY_ID: Final = "entry_id"
    SOURCE: Final = "source"
    NAME: Final = "name"
    ALIASES: Final = "aliases"
    IMO: Final = "imo"
    MMSI: Final = "mmsi"
    CALL_SIGN: Final = "call_sign"
    FLAG: Final = "flag"
    FORMER_FLAGS: Final = "former_flags"
    VESSEL_TYPE: Final = "vessel_type"
    PROGRAMS: Final = "programs"
    LISTED_ON: Final = "listed_on"
    DELISTED_ON: Final = "delisted_on"
    LISTED_NOT_BEFORE: Final = "listed_not_before"
    DELISTED_NOT_BEFORE: Final = "delisted_not_before"
    OWNERS: Final = "owners"
    LINKED_TO: Final = "linked_to"
    REMARKS: Final = "remarks"


WATCHLIST_DTYPES: Final[Mapping[str, str]] = {
    WATCHLIST.ENTRY_ID: STRING,
    WATCHLIST.SOURCE: STRING,
    WATCHLIST.NAME: STRING,
    WATCHLIST.ALIASES: LIST,
    WATCHLIST.IMO: "Int64",
    WATCHLIST.MMSI: "Int64",
    WATCHLIST.CALL_SIGN: STRING,
    WATCHLIST.FLAG: STRING,
    WATCHLIST.FORMER_FLAGS: LIST,
    WATCHLIST.VESSEL_TYPE: STRING,
    WATCHLIST.PROGRAMS: LIST,
    # dates are kept as midnight UTC timestamps so they compare directly with AIS times
    WATCHLIST.LISTED_ON: UTC_TIMESTAMP,
    WATCHLIST.DELISTED_ON: UTC_TIMESTAMP,
    # when only an interval is known (dated snapshots, vesselscreen.lists.store): its first
    # possible day; listed_on / delisted_on are then its last. NaT when the day is exact or unknown
    WATCHLIST.LISTED_NOT_BEFORE: UTC_TIMESTAMP,
    WATCHLIST.DELISTED_NOT_BEFORE: UTC_TIMESTAMP,
    WATCHLIST.OWNERS: LIST,
    WATCHLIST.LINKED_TO: LIST,
    WATCHLIST.REMARKS: STRING,
}


class ENTITY:
    """Columns of ``Watchlist.entities``: listed parties that are not vessels."""

    ENTRY_ID: Final = "entry_id"
    SOURCE: Final = "source"
    ENTITY_TYPE: Final = "entity_type"
    NAME: Final = "name"
    ALIASES: Final = "aliases"
    COMPANY_IMO: Final = "company_imo"
    COUNTRIES: Final = "countries"
    PROGRAMS: Final = "programs"
    LISTED_ON: Final = "listed_on"
    LISTED_NOT_BEFORE: Final = "listed_not_before"
    LINKED_TO: Final = "linked_to"
    REMARKS: Final = "remarks"


ENTITY_DTYPES: Final[Mapping[str, str]] = {
    ENTITY.ENTRY_ID: STRING,
    ENTITY.SOURCE: STRING,
    ENTITY.ENTITY_TYPE: STRING,
    ENTITY.NAME: STRING,
    ENTITY.ALIASES: LIST,
    ENTITY.COMPANY_IMO: "Int64",
    ENTITY.COUNTRIES: LIST,
    ENTITY.PROGRAMS: LIST,
    ENTITY.LISTED_ON: UTC_TIMESTAMP,
    ENTITY.LISTED_NOT_BEFORE: UTC_TIMESTAMP,  # as WATCHLIST's
    ENTITY.LINKED_TO: LIST,
    ENTITY.REMARKS: STRING,
}


class PORT:
    """Columns of the port gazetteer."""

    PORT_ID: Final = "port_id"
    PORT_NAME: Final = "port_name"
    COUNTRY: Final = "country"
    LAT: Final = "lat"
    LON: Final = "lon"
    RADIUS_M: Final = "radius_m"
    SOURCE: Final = "source"


PORT_DTYPES: Final[Mapping[str, str]] = {
    PORT.PORT_ID: STRING,
    PORT.PORT_NAME: STRING,
    PORT.COUNTRY: STRING,
    PORT.LAT: "float64",
    PORT.LON: "float64",
    PORT.RADIUS_M: "float64",
    PORT.SOURCE: STRING,
}


class PORT_CALL:
    """Columns of a port-calls frame: one row per visit of one vessel to one port."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    PORT_ID: Final = "port_id"
    PORT_NAME: Final = "port_name"
    COUNTRY: Final = "country"
    ARRIVAL: Final = "arrival"
    DEPARTURE: Final = "departure"
    DURATION: Final = "duration"
    CONFIDENCE: Final = "confidence"
    N_POSITIONS: Final = "n_positions"


PORT_CALL_DTYPES: Final[Mapping[str, str]] = {
    PORT_CALL.MMSI: "Int64",
    PORT_CALL.IMO: "Int64",
    PORT_CALL.NAME: STRING,
    PORT_CALL.PORT_ID: STRING,
    PORT_CALL.PORT_NAME: STRING,
    PORT_CALL.COUNTRY: STRING,
    PORT_CALL.ARRIVAL: UTC_TIMESTAMP,
    PORT_CALL.DEPARTURE: UTC_TIMESTAMP,
    PORT_CALL.DURATION: "timedelta64[ns]",
    PORT_CALL.CONFIDENCE: "Int8",
    PORT_CALL.N_POSITIONS: "Int64",
}


class MATCH:
    """Columns of ``ScreeningResult.matches``: one row per AIS identity x list entry."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    ENTRY_ID: Final = "entry_id"
    METHOD: Final = "method"
    SCORE: Final = "score"
    EXPLANATION: Final = "explanation"
    FIRST_SEEN: Final = "first_seen"
    LAST_SEEN: Final = "last_seen"
    TIER: Final = "tier"
    """``confirmed``, ``probable`` or ``possible`` (`vesselscreen.MatchTier`)."""
    CONTRADICTIONS: Final = "contradictions"
    """The evidence against the match, one sentence each (a list; empty when none)."""


MATCH_DTYPES: Final[Mapping[str, str]] = {
    MATCH.MMSI: "Int64",
    MATCH.IMO: "Int64",
    MATCH.NAME: STRING,
    MATCH.ENTRY_ID: STRING,
    MATCH.METHOD: STRING,
    MATCH.SCORE: "float64",
    MATCH.EXPLANATION: STRING,
    MATCH.FIRST_SEEN: UTC_TIMESTAMP,
    MATCH.LAST_SEEN: UTC_TIMESTAMP,
    MATCH.TIER: STRING,
    MATCH.CONTRADICTIONS: LIST,
}


def empty_frame(dtypes: Mapping[str, str]) -> pd.DataFrame:
    """An empty frame with exactly these columns and dtypes.

    >>> list(empty_frame({"a": "Int64"}).columns)
    ['a']
    """
    return _empty(tuple(dtypes.items())).copy()  # a cached empty frame, never handed out itself


@cache
def _empty(dtypes: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes})


def conform(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """A new frame with the schema's columns in order, missing ones added as NA (lists: ``[]``), cast.

    Extra columns are kept after the schema's columns. Raises :class:`SchemaError` if a
    column cannot be cast.

    >>> conform(pd.DataFrame({"b": [1], "a": ["x"]}), {"a": "string", "c": "Int64"}).columns.tolist()
    ['a', 'c', 'b']
    """
    columns: dict[str, pd.Series] = {}
    for name, dtype in dtypes.items():
        if name in frame.columns:
            column = frame[name]
            if column.dtype != _dtype(dtype):
                try:
                    column = column.astype(dtype)  # type: ignore[call-overload]  # dtype is a runtime string
                except (TypeError, ValueError) as exc:
                    raise SchemaError(f"column {name!r} cannot be cast to {dtype}: {exc}") from exc
            columns[name] = column
        elif dtype == LIST:  # a missing list column is empty lists, so cells can be iterated
            columns[name] = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
        else:
            columns[name] = pd.Series(index=frame.index, dtype=dtype)  # all-missing of the right kind
    for name in frame.columns:
        if name not in columns:
            columns[name] = frame[name]
    # one constructor call, no copy: columns already cast are shared (copy-on-write)
    return pd.DataFrame(columns, index=frame.index, copy=False)


@cache
def _dtype(name: str) -> object:
    return pd.api.types.pandas_dtype(name)


def validate(frame: pd.DataFrame, dtypes: Mapping[str, str], *, what: str = "frame") -> None:
    """Raise :class:`SchemaError` listing every missing column and wrong dtype at once.

    >>> validate(pd.DataFrame({"a": [1]}), {"a": "int64", "b": "string"}, what="demo")
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: demo: missing columns ['b']
    """
    problems: list[str] = []
    missing = [name for name in dtypes if name not in frame.columns]
    if missing:
        problems.append(f"missing columns {missing}")
    for name, dtype in dtypes.items():
        if name in frame.columns and str(frame[name].dtype) != str(pd.api.types.pandas_dtype(dtype)):
            problems.append(f"column {name!r} has dtype {frame[name].dtype}, expected {dtype}")
    if problems:
        raise SchemaError(f"{what}: " + "; ".join(problems))


# --- voyage analytics (vesselscreen.events) ---------------------------------------------------------


class STOP:
    """Columns of a stops frame (`vesselscreen.events.stops`): one row per stop of one vessel."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    START: Final = "start"
    END: Final = "end"
    DURATION: Final = "duration"
    LAT: Final = "lat"
    LON: Final = "lon"
    PORT_ID: Final = "port_id"
    N_POSITIONS: Final = "n_positions"


STOP_DTYPES: Final[Mapping[str, str]] = {
    STOP.MMSI: "Int64",
    STOP.IMO: "Int64",
    STOP.NAME: STRING,
    STOP.START: UTC_TIMESTAMP,
    STOP.END: UTC_TIMESTAMP,
    STOP.DURATION: "timedelta64[ns]",
    STOP.LAT: "float64",
    STOP.LON: "float64",
    STOP.PORT_ID: STRING,
    STOP.N_POSITIONS: "Int64",
}


class VOYAGE:
    """Columns of a voyages frame: one row per port-to-port leg of one vessel."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    ORIGIN_PORT_ID: Final = "origin_port_id"
    ORIGIN_PORT_NAME: Final = "origin_port_name"
    ORIGIN_COUNTRY: Final = "origin_country"
    DESTINATION_PORT_ID: Final = "destination_port_id"
    DESTINATION_PORT_NAME: Final = "destination_port_name"
    DESTINATION_COUNTRY: Final = "destination_country"
    DEPARTURE: Final = "departure"
    ARRIVAL: Final = "arrival"
    DURATION: Final = "duration"
    DISTANCE_M: Final = "distance_m"
    LONGEST_GAP: Final = "longest_gap"
    N_STOPS: Final = "n_stops"
    STOP_DURATION: Final = "stop_duration"
    N_POSITIONS: Final = "n_positions"


VOYAGE_DTYPES: Final[Mapping[str, str]] = {
    VOYAGE.MMSI: "Int64",
    VOYAGE.IMO: "Int64",
    VOYAGE.NAME: STRING,
    VOYAGE.ORIGIN_PORT_ID: STRING,
    VOYAGE.ORIGIN_PORT_NAME: STRING,
    VOYAGE.ORIGIN_COUNTRY: STRING,
    VOYAGE.DESTINATION_PORT_ID: STRING,
    VOYAGE.DESTINATION_PORT_NAME: STRING,
    VOYAGE.DESTINATION_COUNTRY: STRING,
    VOYAGE.DEPARTURE: UTC_TIMESTAMP,
    VOYAGE.ARRIVAL: UTC_TIMESTAMP,
    VOYAGE.DURATION: "timedelta64[ns]",
    VOYAGE.DISTANCE_M: "float64",
    VOYAGE.LONGEST_GAP: "timedelta64[ns]",
    VOYAGE.N_STOPS: "Int64",
    VOYAGE.STOP_DURATION: "timedelta64[ns]",
    VOYAGE.N_POSITIONS: "Int64",
}


class GAP:
    """Columns of an AIS-gaps frame: one row per silence of one vessel."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    START: Final = "start"
    END: Final = "end"
    DURATION: Final = "duration"
    START_LAT: Final = "start_lat"
    START_LON: Final = "start_lon"
    END_LAT: Final = "end_lat"
    END_LON: Final = "end_lon"
    DISTANCE_M: Final = "distance_m"
    IMPLIED_SPEED_KN: Final = "implied_speed_kn"
    START_PORT_ID: Final = "start_port_id"
    END_PORT_ID: Final = "end_port_id"
    DRAUGHT_START: Final = "draught_start"
    DRAUGHT_END: Final = "draught_end"
    DARK: Final = "dark"
    IMPOSSIBLE_SPEED: Final = "impossible_speed"


GAP_DTYPES: Final[Mapping[str, str]] = {
    GAP.MMSI: "Int64",
    GAP.IMO: "Int64",
    GAP.NAME: STRING,
    GAP.START: UTC_TIMESTAMP,
    GAP.END: UTC_TIMESTAMP,
    GAP.DURATION: "timedelta64[ns]",
    GAP.START_LAT: "float64",
    GAP.START_LON: "float64",
    GAP.END_LAT: "float64",
    GAP.END_LON: "float64",
    GAP.DISTANCE_M: "float64",
    GAP.IMPLIED_SPEED_KN: "float64",
    GAP.START_PORT_ID: STRING,
    GAP.END_PORT_ID: STRING,
    GAP.DRAUGHT_START: "float64",
    GAP.DRAUGHT_END: "float64",
    GAP.DARK: "bool",
    GAP.IMPOSSIBLE_SPEED: "bool",
}


class ENCOUNTER:
    """Columns of an encounters frame: one row per meeting of two vessels (``mmsi_1 < mmsi_2``)."""

    MMSI_1: Final = "mmsi_1"
    MMSI_2: Final = "mmsi_2"
    START: Final = "start"
    END: Final = "end"
    DURATION: Final = "duration"
    MEDIAN_DISTANCE_M: Final = "median_distance_m"
    MIN_DISTANCE_M: Final = "min_distance_m"
    LAT: Final = "lat"
    LON: Final = "lon"
    MEDIAN_SOG_1: Final = "median_sog_1"
    MEDIAN_SOG_2: Final = "median_sog_2"
    N_POINTS: Final = "n_points"


ENCOUNTER_DTYPES: Final[Mapping[str, str]] = {
    ENCOUNTER.MMSI_1: "Int64",
    ENCOUNTER.MMSI_2: "Int64",
    ENCOUNTER.START: UTC_TIMESTAMP,
    ENCOUNTER.END: UTC_TIMESTAMP,
    ENCOUNTER.DURATION: "timedelta64[ns]",
    ENCOUNTER.MEDIAN_DISTANCE_M: "float64",
    ENCOUNTER.MIN_DISTANCE_M: "float64",
    ENCOUNTER.LAT: "float64",
    ENCOUNTER.LON: "float64",
    ENCOUNTER.MEDIAN_SOG_1: "float64",
    ENCOUNTER.MEDIAN_SOG_2: "float64",
    ENCOUNTER.N_POINTS: "Int64",
}


class LOITERING:
    """Columns of a loitering frame: one row per slow spell of one vessel away from ports."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    START: Final = "start"
    END: Final = "end"
    DURATION: Final = "duration"
    LAT: Final = "lat"
    LON: Final = "lon"
    MEDIAN_SOG: Final = "median_sog"
    DISTANCE_M: Final = "distance_m"
    N_POSITIONS: Final = "n_positions"


LOITERING_DTYPES: Final[Mapping[str, str]] = {
    LOITERING.MMSI: "Int64",
    LOITERING.IMO: "Int64",
    LOITERING.NAME: STRING,
    LOITERING.START: UTC_TIMESTAMP,
    LOITERING.END: UTC_TIMESTAMP,
    LOITERING.DURATION: "timedelta64[ns]",
    LOITERING.LAT: "float64",
    LOITERING.LON: "float64",
    LOITERING.MEDIAN_SOG: "float64",
    LOITERING.DISTANCE_M: "float64",
    LOITERING.N_POSITIONS: "Int64",
}


class SPOOFING:
    """Columns of a spoofing frame: one row per suspicious position pattern of one vessel."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    KIND: Final = "kind"
    START: Final = "start"
    END: Final = "end"
    LAT: Final = "lat"
    LON: Final = "lon"
    VALUE: Final = "value"
    N_POSITIONS: Final = "n_positions"
    DETAIL: Final = "detail"


SPOOFING_DTYPES: Final[Mapping[str, str]] = {
    SPOOFING.MMSI: "Int64",
    SPOOFING.IMO: "Int64",
    SPOOFING.NAME: STRING,
    SPOOFING.KIND: STRING,
    SPOOFING.START: UTC_TIMESTAMP,
    SPOOFING.END: UTC_TIMESTAMP,
    SPOOFING.LAT: "float64",
    SPOOFING.LON: "float64",
    SPOOFING.VALUE: "float64",
    SPOOFING.N_POSITIONS: "Int64",
    SPOOFING.DETAIL: STRING,
}


# --- identity timeline (vesselscreen.ais.identity) --------------------------------------------------


class INTERVAL:
    """Columns of ``IdentityTimeline.intervals`` (`vesselscreen.ais.identity`): one run of one identity."""

    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    NAME: Final = "name"
    CALL_SIGN: Final = "call_sign"
    SHIP_TYPE: Final = "ship_type"
    FLAG: Final = "flag"
    FIRST_SEEN: Final = "first_seen"
    LAST_SEEN: Final = "last_seen"
    N_POSITIONS: Final = "n_positions"


INTERVAL_DTYPES: Final[Mapping[str, str]] = {
    INTERVAL.MMSI: "Int64",
    INTERVAL.IMO: "Int64",
    INTERVAL.NAME: STRING,
    INTERVAL.CALL_SIGN: STRING,
    INTERVAL.SHIP_TYPE: "Int16",
    INTERVAL.FLAG: STRING,
    INTERVAL.FIRST_SEEN: UTC_TIMESTAMP,
    INTERVAL.LAST_SEEN: UTC_TIMESTAMP,
    INTERVAL.N_POSITIONS: "Int64",
}


class CHANGE:
    """Columns of ``IdentityTimeline.changes``: one change of a vessel's broadcast identity."""

    KIND: Final = "kind"
    TIME: Final = "time"
    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    FIELD: Final = "field"
    BEFORE: Final = "before"
    AFTER: Final = "after"
    DETAIL: Final = "detail"


CHANGE_DTYPES: Final[Mapping[str, str]] = {
    CHANGE.KIND: STRING,
    CHANGE.TIME: UTC_TIMESTAMP,
    CHANGE.MMSI: "Int64",
    CHANGE.IMO: "Int64",
    CHANGE.FIELD: STRING,
    CHANGE.BEFORE: STRING,
    CHANGE.AFTER: STRING,
    CHANGE.DETAIL: STRING,
}


class IDENTITY:
    """Columns `IdentityTimeline.identities` (`vesselscreen.ais.identity`) adds to the POSITION ones."""

    NAME_KEY: Final = "name_key"
    FLAG: Final = "flag"
    FIRST_SEEN: Final = "first_seen"
    LAST_SEEN: Final = "last_seen"
    N_POSITIONS: Final = "n_positions"
    SHIP_TYPE: Final = "ship_type"
    """The last AIS ship type (ITU-R M.1371 code) broadcast with the identity."""
    TRANSCEIVER: Final = "transceiver"
    """``A`` or ``B``: the AIS class most of the MMSI's reports came from, when the source says."""
    LENGTH: Final = "length"
    """The MMSI's median length overall (m) as broadcast, when the source says."""


# --- screening: listed intervals and findings (vesselscreen.screening) ---------------------------


class LISTED:
    """Columns of ``ScreeningContext.listed``: a match with its entry, ready to join to events.

    One row per (AIS identity, list entry): the MMSI carried the matching identity from
    ``match_first`` to ``match_last`` (a ``tier`` match, with its ``contradictions``); the
    entry was listed on ``listed_on`` (delisted on ``delisted_on``), or, known only from
    dated snapshots, between ``listed_not_before`` and ``listed_on``. Events joined to it
    get ``status``, the designation status during the event.
    """

    MMSI: Final = "mmsi"
    ENTRY_ID: Final = "entry_id"
    METHOD: Final = "method"
    METHODS: Final = "methods"
    MATCH_SCORE: Final = "match_score"
    MATCH_FIRST: Final = "match_first"
    MATCH_LAST: Final = "match_last"
    TIER: Final = "tier"
    CONTRADICTIONS: Final = "contradictions"
    LISTED_NAME: Final = "listed_name"
    LISTED_ON: Final = "listed_on"
    LISTED_NOT_BEFORE: Final = "listed_not_before"
    DELISTED_ON: Final = "delisted_on"
    DELISTED_NOT_BEFORE: Final = "delisted_not_before"
    LISTED_IMO: Final = "listed_imo"
    LISTED_MMSI: Final = "listed_mmsi"
    LISTED_CALL_SIGN: Final = "listed_call_sign"
    STATUS: Final = "status"
    """The designation status during the event (added when events are joined)."""
    STATUS_CHANGED: Final = "status_changed"
    """Added with ``status``: ``listed`` or ``delisted`` when that happened during the event, else NA."""


class FINDING:
    """Columns of ``ScreeningResult.to_frame()`` (one row per finding), and of a rule's frame.

    A built-in rule produces a frame with these columns (``kind``, ``rule``, ``severity``,
    ``explanation`` and ``score`` required; the others optional) plus the builder's inputs
    ``parameters`` (a dict per row: measured values and the thresholds used),
    ``match_methods`` (the match methods behind it), ``quote`` (how many AIS positions to
    quote per vessel; the configured default when absent or negative) and
    ``quote_counterpart`` (also quote the counterpart's positions).
    """

    KIND: Final = "kind"
    SEVERITY: Final = "severity"
    MMSI: Final = "mmsi"
    IMO: Final = "imo"
    VESSEL_NAME: Final = "vessel_name"
    START: Final = "start"
    END: Final = "end"
    PORT_ID: Final = "port_id"
    COUNTERPART_MMSI: Final = "counterpart_mmsi"
    ENTRY_IDS: Final = "entry_ids"
    DESIGNATION_STATUS: Final = "designation_status"
    MATCH_TIER: Final = "match_tier"
    SCORE: Final = "score"
    RULE: Final = "rule"
    EXPLANATION: Final = "explanation"
    PARAMETERS: Final = "parameters"
    MATCH_METHODS: Final = "match_methods"
    QUOTE: Final = "quote"
    QUOTE_COUNTERPART: Final = "quote_counterpart"


FINDING_COLUMNS: Final = (
    FINDING.KIND,
    FINDING.SEVERITY,
    FINDING.MMSI,
    FINDING.IMO,
    FINDING.VESSEL_NAME,
    FINDING.START,
    FINDING.END,
    FINDING.PORT_ID,
    FINDING.COUNTERPART_MMSI,
    FINDING.ENTRY_IDS,
    FINDING.DESIGNATION_STATUS,
    FINDING.MATCH_TIER,
    FINDING.SCORE,
    FINDING.RULE,
    FINDING.EXPLANATION,
)
"""The columns of ``ScreeningResult.to_frame()``, in order."""

FINDING_TABLE_DTYPES: Final[Mapping[str, str]] = {
    FINDING.KIND: STRING,
    FINDING.SEVERITY: STRING,
    FINDING.MMSI: "Int64",
    FINDING.IMO: "Int64",
    FINDING.VESSEL_NAME: STRING,
    FINDING.PORT_ID: STRING,
    FINDING.COUNTERPART_MMSI: "Int64",
    FINDING.DESIGNATION_STATUS: STRING,
    FINDING.MATCH_TIER: STRING,
    FINDING.SCORE: "float64",
    FINDING.RULE: STRING,
    FINDING.EXPLANATION: STRING,
}
"""Dtypes of ``to_frame()``'s columns (``start``/``end`` are UTC timestamps, ``entry_ids`` lists)."""


# --- reports (vesselscreen.report) ------------------------------------------------------------------


class STORY:
    """Columns of a vessel's story (`ScreeningResult.vessel(mmsi).timeline`): one row per event."""

    START: Final = "start"
    END: Final = "end"
    EVENT: Final = "event"
    PORT_ID: Final = "port_id"
    DESIGNATION_STATUS: Final = "designation_status"
    SEVERITY: Final = "severity"
    FINDINGS: Final = "findings"
    EXPLANATION: Final = "explanation"


STORY_DTYPES: Final[Mapping[str, str]] = {
    STORY.START: UTC_TIMESTAMP,
    STORY.END: UTC_TIMESTAMP,
    STORY.EVENT: STRING,
    STORY.PORT_ID: STRING,
    STORY.DESIGNATION_STATUS: STRING,
    STORY.SEVERITY: STRING,
    STORY.FINDINGS: STRING,
    STORY.EXPLANATION: STRING,
}


class RISK:
    """Columns of ``ScreeningResult.risk``: one row per vessel with findings."""

    MMSI: Final = "mmsi"
    VESSEL_NAME: Final = "vessel_name"
    RISK: Final = "risk"
    FINDINGS: Final = "findings"
    TOP_KIND: Final = "top_kind"


RISK_DTYPES: Final[Mapping[str, str]] = {
    RISK.MMSI: "Int64",
    RISK.VESSEL_NAME: STRING,
    RISK.RISK: "float64",
    RISK.FINDINGS: "int64",
    RISK.TOP_KIND: STRING,
}
