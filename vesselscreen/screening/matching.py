"""Tie AIS identities to list entries: IMO, MMSI, call sign, and names corroborated by flag.

Each rule is a small vectorised function with a stable method name and a score; the
explanation that travels with every match is written here, in words a compliance
officer can repeat.

==========  =====  ===============================================================
method      score  rule
==========  =====  ===============================================================
imo         1.00   the AIS IMO (check-digit valid) equals the listed IMO
mmsi        0.90   the AIS MMSI equals the listed MMSI (0.50 when the AIS IMO
                   contradicts the listed IMO: a conflict, reported on its own)
call_sign   0.80   the AIS call sign equals the listed call sign, and the MMSI's
                   MID is the listed flag or a former flag
name_flag   0.70   normalised AIS name equals the listed name or an alias, and the
                   MMSI's MID is the listed flag (0.60 for a *former* flag)
fuzzy_name  <0.65  names at least 90 % alike (rapidfuzz ratio; ``MatchingConfig.
                   fuzzy_min_similarity``), the same numbers in both, and the MMSI's
                   MID is the listed flag or a former flag
==========  =====  ===============================================================

A name alone never matches: ALPHA and BELLA are common ship names. Every identity is
an (MMSI, IMO, name, call sign) combination with the interval it was broadcast, so an
MMSI match holds only for the interval in which that MMSI carried that identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vesselscreen.identifiers import normalize_call_sign, normalize_name
from vesselscreen.models import MatchMethod
from vesselscreen.schema import IDENTITY, MATCH, MATCH_DTYPES, POSITION, WATCHLIST, conform, empty_frame
from vesselscreen.screening._prepared import derived
from vesselscreen.screening.config import MatchingConfig
from vesselscreen.screening.tiers import consistent_names, match_tiers

__all__ = ["CONFLICT", "METHODS", "METHOD_SCORES", "match_identities"]

METHOD_SCORES: dict[MatchMethod, float] = {
    MatchMethod.IMO: 1.0,
    MatchMethod.MMSI: 0.9,
    MatchMethod.CALL_SIGN: 0.8,
    MatchMethod.NAME_FLAG: 0.7,
    MatchMethod.FUZZY_NAME: 0.65,
}
FORMER_FLAG_SCORE = 0.6
CONFLICTING_MMSI_SCORE = 0.5

METHODS = "methods"  # extra column: every method that tied this identity to this entry
CONFLICT = "conflict"  # extra column: why the match contradicts itself (NA when it does not)
LISTED_IMO = "listed_imo"

_EXTRA_DTYPES = {METHODS: "object", CONFLICT: "string", LISTED_IMO: "Int64"}
_NO_HITS = pd.DataFrame()  # a method that found nothing (left out of the concatenation)


def _tag(hits: pd.DataFrame, method: MatchMethod, explanation: pd.Series) -> pd.DataFrame:
    hits[MATCH.METHOD] = method.value
    if MATCH.SCORE not in hits:
        hits[MATCH.SCORE] = METHOD_SCORES[method]
    hits[MATCH.EXPLANATION] = explanation
    return hits


def _by_imo(identities: pd.DataFrame, prepared: _Listed) -> pd.DataFrame:
    # only identities whose IMO is listed can match: most screenings have none, and
    # merging nothing is cheaper than merging everything
    left = identities[identities[POSITION.IMO].isin(prepared.imos).to_numpy(dtype=bool)]
    if left.empty:
        return _NO_HITS
    hits = left.merge(prepared.by_imo, on=POSITION.IMO, how="inner")
    hits[LISTED_IMO] = hits[POSITION.IMO]
    text = "AIS IMO " + hits[POSITION.IMO].astype("string") + " is the listed IMO"
    return _tag(hits, MatchMethod.IMO, text)


def _by_mmsi(identities: pd.DataFrame, prepared: _Listed) -> pd.DataFrame:
    left = identities[identities[POSITION.MMSI].isin(prepared.mmsis).to_numpy(dtype=bool)]
    if left.empty:
        return _NO_HITS
    hits = left.merge(prepared.by_mmsi, on=POSITION.MMSI, how="inner")
    contradicts = (
        hits[POSITION.IMO].notna() & hits[LISTED_IMO].notna() & (hits[POSITION.IMO] != hits[LISTED_IMO])
    ).fillna(False)
    text = "MMSI " + hits[POSITION.MMSI].astype("string") + " is the listed MMSI"
    conflict = (
        "AIS IMO " + hits[POSITION.IMO].astype("string") + " contradicts listed IMO "
        + hits[LISTED_IMO].astype("string") + " for the same MMSI"
    )  # fmt: skip
    hits[CONFLICT] = conflict.mask(~contradicts)
    hits[MATCH.SCORE] = np.where(contradicts, CONFLICTING_MMSI_SCORE, METHOD_SCORES[MatchMethod.MMSI])
    text = text.where(~contradicts, text + ", but " + conflict)
    return _tag(hits, MatchMethod.MMSI, text)


def _listed_flags(vessels: pd.DataFrame) -> pd.DataFrame:
    """One row per (entry, flag, former) over the listed flag and former flags."""
    current = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.FLAG]].dropna()
    current = current.rename(columns={WATCHLIST.FLAG: IDENTITY.FLAG}).assign(former=False)
    former = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.FORMER_FLAGS]].explode(WATCHLIST.FORMER_FLAGS)
    former = former.dropna().rename(columns={WATCHLIST.FORMER_FLAGS: IDENTITY.FLAG}).assign(former=True)
    flags = pd.concat([current, former], ignore_index=True)
    flags[IDENTITY.FLAG] = flags[IDENTITY.FLAG].astype("string")
    # a flag that is both current and former counts as current
    return flags.sort_values("former", kind="stable").drop_duplicates([WATCHLIST.ENTRY_ID, IDENTITY.FLAG])


def _listed_names(vessels: pd.DataFrame) -> pd.DataFrame:
    """One row per (entry, listed name, name key) over names and aliases."""
    names = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.NAME, WATCHLIST.ALIASES]].copy()
    names["listed_name"] = [
        [name, *(aliases if isinstance(aliases, list | tuple) else [])]
        for name, aliases in zip(names[WATCHLIST.NAME], names[WATCHLIST.ALIASES], strict=True)
    ]
    names = names.explode("listed_name")[[WATCHLIST.ENTRY_ID, "listed_name"]].dropna()
    names[IDENTITY.NAME_KEY] = names["listed_name"].map(normalize_name).astype("string")
    return names[names[IDENTITY.NAME_KEY] != ""].drop_duplicates([WATCHLIST.ENTRY_ID, IDENTITY.NAME_KEY])


def _listed_call_signs(vessels: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """One row per (entry, normalised call sign, flag) over the listed flag and former flags."""
    listed = vessels.loc[vessels[WATCHLIST.CALL_SIGN].notna(), [WATCHLIST.ENTRY_ID, WATCHLIST.CALL_SIGN]]
    listed = listed.assign(cs_key=listed[WATCHLIST.CALL_SIGN].map(normalize_call_sign).astype("string"))
    return listed.drop(columns=[WATCHLIST.CALL_SIGN]).merge(flags, on=WATCHLIST.ENTRY_ID)


@dataclass(frozen=True)
class _Listed:
    """The list side of matching, prepared once per list (`_prepared.derived`): flags, name
    keys, both joined, the identifier tables and the sets that say which AIS values can match."""

    flags: pd.DataFrame
    names: pd.DataFrame
    named_flags: pd.DataFrame
    by_imo: pd.DataFrame
    by_mmsi: pd.DataFrame
    call_signs: pd.DataFrame
    imos: frozenset[int]
    mmsis: frozenset[int]
    cs_keys: frozenset[str]
    name_keys: frozenset[str]

    @classmethod
    def of(cls, vessels: pd.DataFrame) -> _Listed:
        return derived(vessels, "matching", cls._build)

    @classmethod
    def _build(cls, vessels: pd.DataFrame) -> _Listed:
        flags, names = _listed_flags(vessels), _listed_names(vessels)
        named_flags = names.merge(flags, on=WATCHLIST.ENTRY_ID, how="inner")
        by_imo = vessels.loc[vessels[WATCHLIST.IMO].notna(), [WATCHLIST.ENTRY_ID, WATCHLIST.IMO]]
        by_mmsi = vessels.loc[
            vessels[WATCHLIST.MMSI].notna(), [WATCHLIST.ENTRY_ID, WATCHLIST.MMSI, WATCHLIST.IMO]
        ].rename(columns={WATCHLIST.IMO: LISTED_IMO})
        call_signs = _listed_call_signs(vessels, flags)
        return cls(
            flags, names, named_flags, by_imo, by_mmsi, call_signs,
            imos=frozenset(int(v) for v in by_imo[WATCHLIST.IMO]),
            mmsis=frozenset(int(v) for v in by_mmsi[WATCHLIST.MMSI]),
            cs_keys=frozenset(str(v) for v in call_signs["cs_key"].dropna()),
            name_keys=frozenset(str(v) for v in named_flags[IDENTITY.NAME_KEY].dropna()),
        )  # fmt: skip


def _flag_words(hits: pd.DataFrame) -> pd.Series:
    which = hits["former"].map({False: "the listed flag", True: "a listed former flag"}).astype("string")
    return " carries the MID of " + hits[IDENTITY.FLAG].astype("string") + ", " + which


def _by_call_sign(identities: pd.DataFrame, prepared: _Listed) -> pd.DataFrame:
    left = identities[identities[POSITION.CALL_SIGN].notna() & identities[IDENTITY.FLAG].notna()]
    keys = {normalize_call_sign(str(v)) for v in left[POSITION.CALL_SIGN].unique().tolist()}
    if keys.isdisjoint(prepared.cs_keys):  # the usual screening: no listed call sign on the air
        return _NO_HITS
    left = left.assign(cs_key=left[POSITION.CALL_SIGN].map(normalize_call_sign).astype("string"))
    hits = left.merge(prepared.call_signs, on=["cs_key", IDENTITY.FLAG], how="inner")
    hits[MATCH.SCORE] = np.where(hits["former"], FORMER_FLAG_SCORE, METHOD_SCORES[MatchMethod.CALL_SIGN])
    text = (
        "AIS call sign " + hits[POSITION.CALL_SIGN].astype("string") + " is the listed call sign and MMSI "
        + hits[POSITION.MMSI].astype("string") + _flag_words(hits)
    )  # fmt: skip
    return _tag(hits.drop(columns=["cs_key", "former"]), MatchMethod.CALL_SIGN, text)


def _named(identities: pd.DataFrame) -> pd.DataFrame:
    return identities[identities[IDENTITY.NAME_KEY].notna() & identities[IDENTITY.FLAG].notna()]


def _by_name_and_flag(identities: pd.DataFrame, prepared: _Listed) -> pd.DataFrame:
    left, listed = _named(identities), prepared.named_flags
    left = left[left[IDENTITY.NAME_KEY].isin(prepared.name_keys).to_numpy(dtype=bool)]
    if left.empty:
        return _NO_HITS
    hits = left.merge(listed, on=[IDENTITY.NAME_KEY, IDENTITY.FLAG], how="inner")
    hits[MATCH.SCORE] = np.where(hits["former"], FORMER_FLAG_SCORE, METHOD_SCORES[MatchMethod.NAME_FLAG])
    text = (
        "AIS name '" + hits[POSITION.NAME].astype("string") + "' equals listed name '"
        + hits["listed_name"].astype("string") + "' and MMSI " + hits[POSITION.MMSI].astype("string")
        + _flag_words(hits)
    )  # fmt: skip
    return _tag(hits.drop(columns=["listed_name", "former"]), MatchMethod.NAME_FLAG, text)


_DIGITS = re.compile(r"\d+")


def _by_fuzzy_name(identities: pd.DataFrame, prepared: _Listed, min_similarity: float) -> pd.DataFrame:
    """Near-equal names under a corroborating flag, compared one flag block at a time."""
    from rapidfuzz import fuzz, process  # imported when first needed, not by `import vesselscreen`

    left, listed = _named(identities), prepared.named_flags
    listed = listed[listed[IDENTITY.FLAG].isin(left[IDENTITY.FLAG].unique()).to_numpy(dtype=bool)]
    blocks = []
    # a loop over the flag states both sides carry (at most a few hundred), each block
    # compared in one cdist call
    ais_blocks = dict(tuple(left.groupby(IDENTITY.FLAG, sort=False)))
    for flag, listed_block in listed.groupby(IDENTITY.FLAG, sort=False):
        ais_block = ais_blocks[flag]
        ais_keys = ais_block[IDENTITY.NAME_KEY].tolist()
        listed_keys = listed_block[IDENTITY.NAME_KEY].tolist()
        scores = process.cdist(ais_keys, listed_keys, scorer=fuzz.ratio, score_cutoff=min_similarity)
        rows, cols = np.nonzero(scores)
        if len(rows) == 0:
            continue
        pair = pd.concat(
            [ais_block.iloc[rows].reset_index(drop=True), listed_block.iloc[cols].reset_index(drop=True)
             .drop(columns=[IDENTITY.FLAG, IDENTITY.NAME_KEY])], axis=1,
        )  # fmt: skip
        pair["similarity"] = scores[rows, cols]
        pair["listed_key"] = [listed_keys[c] for c in cols]
        blocks.append(pair)
    if not blocks:
        return pd.DataFrame()
    hits = pd.concat(blocks, ignore_index=True)
    same_digits = [
        _DIGITS.findall(a) == _DIGITS.findall(b)
        for a, b in zip(hits[IDENTITY.NAME_KEY], hits["listed_key"], strict=True)
    ]
    hits = hits[np.array(same_digits, dtype=bool) & (hits[IDENTITY.NAME_KEY] != hits["listed_key"])]
    base = np.where(hits["former"], FORMER_FLAG_SCORE - 0.05, METHOD_SCORES[MatchMethod.FUZZY_NAME] - 0.05)
    hits = hits.assign(**{MATCH.SCORE: base + (hits["similarity"] - min_similarity) / 200})
    text = (
        "AIS name '" + hits[POSITION.NAME].astype("string") + "' is " + hits["similarity"].round(0)
        .astype(int).astype("string") + "% alike listed name '" + hits["listed_name"].astype("string")
        + "' and MMSI " + hits[POSITION.MMSI].astype("string") + _flag_words(hits)
    )  # fmt: skip
    hits = hits.drop(columns=["listed_name", "listed_key", "former", "similarity"])
    return _tag(hits, MatchMethod.FUZZY_NAME, text)


def match_identities(
    identities: pd.DataFrame, vessels: pd.DataFrame, config: MatchingConfig | None = None
) -> pd.DataFrame:
    """One row per AIS identity x list entry, in ``schema.MATCH_DTYPES`` plus extras.

    Where several rules tie the same identity to the same entry, the row keeps the
    strongest rule's method, score and explanation; ``methods`` lists every rule that
    agreed, ``conflict`` says why the match contradicts itself (or NA), and
    ``listed_imo`` is the entry's IMO where the rule knows it. ``tier`` and
    ``contradictions`` say how sure the match is and what speaks against it
    (`vesselscreen.screening.tiers`).
    """
    config = config or MatchingConfig()
    keys = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, MATCH.ENTRY_ID]
    prepared = _Listed.of(vessels)
    parts = [
        _by_imo(identities, prepared),
        _by_mmsi(identities, prepared),
        _by_call_sign(identities, prepared),
    ]
    if config.by_name_and_flag:
        parts.append(_by_name_and_flag(identities, prepared))
        if config.fuzzy_names:
            parts.append(_by_fuzzy_name(identities, prepared, config.fuzzy_min_similarity))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_frame({**MATCH_DTYPES, **_EXTRA_DTYPES})
    hits = pd.concat(parts, ignore_index=True)
    hits = hits.sort_values([*keys, MATCH.SCORE], ascending=[True] * len(keys) + [False], kind="stable")
    # the groups in order of first appearance: the order of the best (first) row of each
    grouped = hits.groupby(keys, dropna=False, sort=False)
    best = hits[~hits.duplicated(keys, keep="first").to_numpy(dtype=bool)].reset_index(drop=True)
    methods = grouped[MATCH.METHOD].agg(lambda s: sorted(set(s), key=list(MatchMethod).index))
    best[METHODS] = methods.to_numpy(dtype=object)
    if CONFLICT in hits:
        best[CONFLICT] = grouped[CONFLICT].first().array
    best = best.rename(columns={IDENTITY.FIRST_SEEN: MATCH.FIRST_SEEN, IDENTITY.LAST_SEEN: MATCH.LAST_SEEN})
    consistent = consistent_names(best, prepared.names, config.fuzzy_min_similarity)
    best[MATCH.TIER], best[MATCH.CONTRADICTIONS] = match_tiers(
        best, best[METHODS], consistent, identities, vessels
    )
    out = conform(best, {**MATCH_DTYPES, **_EXTRA_DTYPES})[[*MATCH_DTYPES, *_EXTRA_DTYPES]]
    return out.sort_values([MATCH.ENTRY_ID, MATCH.MMSI], kind="stable").reset_index(drop=True)
