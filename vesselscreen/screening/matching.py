"""Tie AIS identities to list entries: by IMO, by MMSI, and by name corroborated by flag.

Each rule is a small vectorised function with a stable method name and a score; the
explanation that travels with every match is written here, in words a compliance
officer can repeat.

=========  =====  ================================================================
method     score  rule
=========  =====  ================================================================
imo        1.00   the AIS IMO (check-digit valid) equals the listed IMO
mmsi       0.90   the AIS MMSI equals the listed MMSI
name_flag  0.70   normalised AIS name equals the listed name or an alias, and the
                  MMSI's MID is the listed flag (0.60 if it is a *former* flag)
=========  =====  ================================================================

A name alone never matches: ALPHA and BELLA are common ship names.
"""

from __future__ import annotations

import pandas as pd

from vesselscreen.identifiers import normalize_name
from vesselscreen.models import MatchMethod
from vesselscreen.schema import MATCH, MATCH_DTYPES, POSITION, WATCHLIST, conform, empty_frame
from vesselscreen.screening.identities import IDENTITY

__all__ = ["METHOD_SCORES", "match_identities"]

METHOD_SCORES: dict[MatchMethod, float] = {
    MatchMethod.IMO: 1.0,
    MatchMethod.MMSI: 0.9,
    MatchMethod.NAME_FLAG: 0.7,
}
FORMER_FLAG_SCORE = 0.6

METHODS = "methods"  # extra column: every method that tied this identity to this entry


def _by_imo(identities: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    left = identities[identities[POSITION.IMO].notna()]
    right = vessels.loc[vessels[WATCHLIST.IMO].notna(), [WATCHLIST.ENTRY_ID, WATCHLIST.IMO]]
    hits = left.merge(right, on=POSITION.IMO, how="inner")
    hits[MATCH.METHOD] = MatchMethod.IMO.value
    hits[MATCH.SCORE] = METHOD_SCORES[MatchMethod.IMO]
    hits[MATCH.EXPLANATION] = "AIS IMO " + hits[POSITION.IMO].astype("string") + " is the listed IMO"
    return hits


def _by_mmsi(identities: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    right = vessels.loc[vessels[WATCHLIST.MMSI].notna(), [WATCHLIST.ENTRY_ID, WATCHLIST.MMSI]]
    hits = identities.merge(right, on=POSITION.MMSI, how="inner")
    hits[MATCH.METHOD] = MatchMethod.MMSI.value
    hits[MATCH.SCORE] = METHOD_SCORES[MatchMethod.MMSI]
    hits[MATCH.EXPLANATION] = "MMSI " + hits[POSITION.MMSI].astype("string") + " is the listed MMSI"
    return hits


def _listed_names(vessels: pd.DataFrame) -> pd.DataFrame:
    """One row per (entry, name key, flag, is_former) over names, aliases, flags, former flags."""
    names = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.NAME, WATCHLIST.ALIASES]].copy()
    names["listed_name"] = [
        [name, *(aliases if isinstance(aliases, list | tuple) else [])]
        for name, aliases in zip(names[WATCHLIST.NAME], names[WATCHLIST.ALIASES], strict=True)
    ]
    names = names.explode("listed_name")[[WATCHLIST.ENTRY_ID, "listed_name"]].dropna()
    names[IDENTITY.NAME_KEY] = names["listed_name"].map(normalize_name)
    names = names[names[IDENTITY.NAME_KEY] != ""]

    current = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.FLAG]].dropna()
    current = current.rename(columns={WATCHLIST.FLAG: IDENTITY.FLAG}).assign(former=False)
    former = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.FORMER_FLAGS]].explode(WATCHLIST.FORMER_FLAGS)
    former = former.dropna().rename(columns={WATCHLIST.FORMER_FLAGS: IDENTITY.FLAG}).assign(former=True)
    flags = pd.concat([current, former], ignore_index=True)
    flags[IDENTITY.FLAG] = flags[IDENTITY.FLAG].astype("string")
    return names.merge(flags, on=WATCHLIST.ENTRY_ID, how="inner").drop_duplicates(
        [WATCHLIST.ENTRY_ID, IDENTITY.NAME_KEY, IDENTITY.FLAG]
    )


def _by_name_and_flag(identities: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    listed = _listed_names(vessels)
    left = identities[identities[IDENTITY.NAME_KEY].notna() & identities[IDENTITY.FLAG].notna()]
    hits = left.merge(listed, on=[IDENTITY.NAME_KEY, IDENTITY.FLAG], how="inner")
    hits[MATCH.METHOD] = MatchMethod.NAME_FLAG.value
    hits[MATCH.SCORE] = (
        hits["former"]
        .map({False: METHOD_SCORES[MatchMethod.NAME_FLAG], True: FORMER_FLAG_SCORE})
        .astype("float64")
    )
    which_flag = hits["former"].map({False: "the listed flag", True: "a listed former flag"})
    hits[MATCH.EXPLANATION] = (
        "AIS name '"
        + hits[POSITION.NAME].astype("string")
        + "' equals listed name '"
        + hits["listed_name"].astype("string")
        + "' and MMSI "
        + hits[POSITION.MMSI].astype("string")
        + " carries the MID of "
        + hits[IDENTITY.FLAG].astype("string")
        + ", "
        + which_flag.astype("string")
    )
    return hits.drop(columns=["listed_name", "former"])


def match_identities(identities: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    """One row per AIS identity x list entry, in ``schema.MATCH_DTYPES`` plus ``methods``.

    Where several rules tie the same identity to the same entry, the row keeps the
    strongest rule's method, score and explanation, and ``methods`` lists them all.
    """
    keys = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, MATCH.ENTRY_ID]
    parts = [rule(identities, vessels) for rule in (_by_imo, _by_mmsi, _by_name_and_flag)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_frame({**MATCH_DTYPES, METHODS: "object"})
    hits = pd.concat(parts, ignore_index=True)
    hits = hits.sort_values([*keys, MATCH.SCORE], ascending=[True] * len(keys) + [False], kind="stable")
    methods = hits.groupby(keys, dropna=False, sort=False)[MATCH.METHOD].agg(lambda s: sorted(set(s)))
    best = hits.drop_duplicates(keys, keep="first").set_index(keys)
    best[METHODS] = methods
    best = best.reset_index().rename(
        columns={IDENTITY.FIRST_SEEN: MATCH.FIRST_SEEN, IDENTITY.LAST_SEEN: MATCH.LAST_SEEN}
    )
    out = conform(best, {**MATCH_DTYPES, METHODS: "object"})
    return out[[*MATCH_DTYPES, METHODS]].sort_values([MATCH.ENTRY_ID, MATCH.MMSI]).reset_index(drop=True)
