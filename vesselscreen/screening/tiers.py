"""Match tiers: how sure each match is, and the evidence that speaks against it.

A match's tier starts from how it was made (`vesselscreen.MatchTier`):

==========  ===============================================================================
tier        made by
==========  ===============================================================================
confirmed   the IMO number; or the MMSI or call sign with a consistent name (the AIS name
            is the listed name or an alias, or at least ``fuzzy_min_similarity`` alike)
probable    the MMSI, or the call sign with the listed flag, without a consistent name
possible    the name and the flag only, or a near-equal name
==========  ===============================================================================

Each piece of contradicting evidence lowers a match one tier (never below ``possible``;
an IMO match is never lowered, as the IMO number is the ship's for life, but its
contradictions are still named):

- the list gives an IMO number (or call sign) that the AIS identity broadcasts
  differently, or never broadcasts although it sends static data (a name);
- the AIS identity transmits from a Class B transponder, while the list gives an IMO
  number: ships with IMO numbers (cargo ships of 300 GT and more, passenger ships) must
  carry Class A (SOLAS chapter V, regulation 19.2.4);
- the AIS ship type (ITU-R M.1371 codes) is far from the listed vessel type: a merchant
  ship listed, a pleasure craft, sailing vessel, fishing vessel, tug or other small craft
  broadcast, or the reverse (a listed yacht broadcasting as a tanker); or the AIS length
  is far too short for the listed merchant type (under `MIN_MERCHANT_LENGTH_M`).

>>> ship_category(37), ship_category(84), listed_category("Crude Oil Tanker"), listed_category("Yacht")
('small craft', 'merchant', 'merchant', 'small craft')
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.identifiers import normalize_call_sign
from vesselscreen.models import MatchMethod, MatchTier
from vesselscreen.schema import IDENTITY, MATCH, POSITION, WATCHLIST
from vesselscreen.screening._prepared import derived

__all__ = ["listed_category", "lower", "match_tiers", "ship_category"]

_MERCHANT: Final = "merchant"
_SMALL: Final = "small craft"

# ITU-R M.1371-5, table 53: the "type of ship and cargo" codes
_SMALL_CODES: Final = frozenset({30, 31, 32, 33, 34, 36, 37, 50, 51, 52, 53, 55})
"""Fishing, towing, dredging, diving, sailing, pleasure craft, pilot, SAR, tug, port tender,
law enforcement."""
_MERCHANT_CODES: Final = frozenset(range(70, 90))
"""Cargo ships (70-79) and tankers (80-89)."""

_MERCHANT_WORDS: Final = re.compile(
    r"\b(TANKER|CARRIER|CARGO|CONTAINER|BULK|OIL|CHEMICAL|PRODUCTS|LPG|LNG|GAS|ORE|REEFER|RO ?RO|FREIGHTER)\b"
)
MIN_MERCHANT_LENGTH_M: Final = 40.0
"""Shorter than this, a ship is no tanker, bulk carrier or container ship: sea-going merchant
ships of these types are well over 60 m (the smallest coastal tankers about 50 m)."""

_SMALL_WORDS: Final = re.compile(r"\b(YACHT|PLEASURE|SAILING|FISHING|TRAWLER|TUG|PILOT)\b")


def ship_category(code: object) -> str | None:
    """``merchant``, ``small craft`` or ``None`` (other or unknown) for an AIS ship type code."""
    if code is None or pd.isna(code):  # type: ignore[call-overload]  # a pandas scalar, NA checked
        return None
    value = int(code)  # type: ignore[call-overload]  # an integer ship type code
    if value in _MERCHANT_CODES:
        return _MERCHANT
    return _SMALL if value in _SMALL_CODES else None


def listed_category(vessel_type: object) -> str | None:
    """``merchant``, ``small craft`` or ``None`` for a list's vessel type text."""
    if not isinstance(vessel_type, str):
        return None
    text = vessel_type.upper()
    if _SMALL_WORDS.search(text):
        return _SMALL
    return _MERCHANT if _MERCHANT_WORDS.search(text) else None


def lower(tier: MatchTier, steps: int) -> MatchTier:
    """``tier`` lowered ``steps`` times, never below possible.

    >>> lower(MatchTier.CONFIRMED, 1), lower(MatchTier.PROBABLE, 5)
    (<MatchTier.PROBABLE: 'probable'>, <MatchTier.POSSIBLE: 'possible'>)
    """
    by_rank = {t.rank: t for t in MatchTier}
    return by_rank[max(tier.rank - steps, 0)]


def _contradictions(row: dict[str, object]) -> list[str]:
    said: list[str] = []
    listed_imo, ais_imo = row.get("listed_imo_"), row.get(POSITION.IMO)
    has_static = row.get(POSITION.NAME) is not None or row.get(POSITION.CALL_SIGN) is not None
    if listed_imo is not None:
        if ais_imo is not None and ais_imo != listed_imo:
            said.append(f"the list gives IMO {listed_imo}, AIS broadcasts IMO {ais_imo}")
        elif ais_imo is None and has_static:
            said.append(f"the list gives IMO {listed_imo}, which this AIS identity never broadcast")
    listed_cs, ais_cs = row.get("listed_call_sign_"), row.get(POSITION.CALL_SIGN)
    if listed_cs is not None:
        if ais_cs is not None and normalize_call_sign(str(ais_cs)) != normalize_call_sign(str(listed_cs)):
            said.append(f"the list gives call sign {listed_cs}, AIS broadcasts {ais_cs}")
        elif ais_cs is None and row.get(POSITION.NAME) is not None:
            said.append(f"the list gives call sign {listed_cs}, which this AIS identity never broadcast")
    if listed_imo is not None and row.get(IDENTITY.TRANSCEIVER) == "B":
        said.append("a Class B transponder, while ships with an IMO number carry Class A")
    length, listed_type = row.get(IDENTITY.LENGTH), row.get("listed_type_")
    if (
        isinstance(length, float)
        and length < MIN_MERCHANT_LENGTH_M
        and listed_category(listed_type) == _MERCHANT
    ):
        said.append(f"AIS length {length:.0f} m, far too short for a listed '{listed_type}'")
    ais_kind, listed_kind = (
        ship_category(row.get(IDENTITY.SHIP_TYPE)),
        listed_category(row.get("listed_type_")),
    )
    if ais_kind is not None and listed_kind is not None and ais_kind != listed_kind:
        said.append(
            f"AIS ship type {row.get(IDENTITY.SHIP_TYPE)} ({ais_kind}) is far from the listed type "
            f"'{row.get('listed_type_')}' ({listed_kind})"
        )
    return said


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of a small frame as dicts of plain values, ``None`` where missing."""
    return [
        {str(k): v for k, v in record.items()}
        for record in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]


_NO_ENTRY: Final[dict[str, object]] = {"listed_imo_": None, "listed_call_sign_": None, "listed_type_": None}


def _entry_records(vessels: pd.DataFrame) -> dict[object, dict[str, object]]:
    """Per entry: the identifiers and type a match is checked against (the first row of each)."""
    listed = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.IMO, WATCHLIST.CALL_SIGN, WATCHLIST.VESSEL_TYPE]].rename(
        columns={
            WATCHLIST.IMO: "listed_imo_",
            WATCHLIST.CALL_SIGN: "listed_call_sign_",
            WATCHLIST.VESSEL_TYPE: "listed_type_",
        }
    )
    records = _records(listed.drop_duplicates(WATCHLIST.ENTRY_ID))
    return {record.pop(WATCHLIST.ENTRY_ID): record for record in records}


def match_tiers(
    matches: pd.DataFrame, methods: pd.Series, name_consistent: pd.Series, identities: pd.DataFrame,
    vessels: pd.DataFrame,
) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """(tier, contradictions) of each match row (``schema.MATCH`` columns plus extras).

    ``methods``: every method that tied the row; ``name_consistent``: whether the AIS
    name is the entry's name or an alias (or near-equal).
    """
    keys = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN]
    extra = [
        c for c in (IDENTITY.SHIP_TYPE, IDENTITY.TRANSCEIVER, IDENTITY.LENGTH) if c in identities.columns
    ]
    if all(column in matches.columns for column in extra):  # matched identity rows carry them
        rows = matches[[*keys, MATCH.ENTRY_ID, *extra]]
    else:
        rows = matches[[*keys, MATCH.ENTRY_ID]].merge(
            identities[[*keys, *extra]].drop_duplicates(keys), on=keys, how="left"
        )
    entries = derived(vessels, "tier_entries", _entry_records)
    tiers, said_all = [], []
    for record, how, consistent in zip(_records(rows), methods, name_consistent, strict=True):
        said = _contradictions({**record, **entries.get(record[MATCH.ENTRY_ID], _NO_ENTRY)})
        if MatchMethod.IMO in how:
            tier = MatchTier.CONFIRMED
            steps = 0  # the IMO number is the ship's for life: named, but never lowered
        else:
            strong = MatchMethod.MMSI in how or MatchMethod.CALL_SIGN in how
            tier = (
                (MatchTier.CONFIRMED if consistent else MatchTier.PROBABLE) if strong else MatchTier.POSSIBLE
            )
            steps = len(said)
        tiers.append(lower(tier, steps).value)
        said_all.append(said)
    index = matches.index
    return pd.Series(tiers, index=index, dtype="string"), pd.Series(said_all, index=index, dtype=object)


def consistent_names(matches: pd.DataFrame, listed_names: pd.DataFrame, min_similarity: float) -> pd.Series:
    """Whether each match's AIS name key is one of its entry's name keys, or near-equal to one.

    ``listed_names``: one row per (entry_id, name_key) (the listed name and aliases).
    """
    from rapidfuzz import fuzz  # imported when first needed, not by `import vesselscreen`

    known: dict[str, list[str]] = {}
    for entry, key in zip(listed_names[WATCHLIST.ENTRY_ID], listed_names[IDENTITY.NAME_KEY], strict=True):
        known.setdefault(str(entry), []).append(str(key))
    out = np.zeros(len(matches), dtype=bool)
    for i, (entry, key) in enumerate(zip(matches[MATCH.ENTRY_ID], matches[IDENTITY.NAME_KEY], strict=True)):
        if key is None or pd.isna(key):
            continue
        candidates = known.get(str(entry), [])
        out[i] = str(key) in candidates or any(
            fuzz.ratio(str(key), c) >= min_similarity
            and re.findall(r"\d+", str(key)) == re.findall(r"\d+", c)
            for c in candidates
        )
    return pd.Series(out, index=matches.index)
