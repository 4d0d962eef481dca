"""Ownership screening: a registry of who owns, operates and manages each ship (IMO),
screened against the watchlist's listed parties, gives ``owner_designated`` findings.

The registry is a table the user supplies (from a commercial or national registry), one
row per ship, with these columns (only ``imo`` and one role are required):

==========================  ===============================================
column                      meaning
==========================  ===============================================
``imo``                     the ship's IMO number
``registered_owner``        registered owner's name
``registered_owner_imo``    its IMO company number (company check digit)
``operator`` / ``_imo``     ship operator
``manager`` / ``_imo``      technical manager (ISM manager)
==========================  ===============================================

A party matches a listed entity by IMO company number (score 1.0) or by company name
key (0.8): the normalised name without legal-form words (LTD, LLC, CO, SA...).

>>> company_key("Gallion Navigation Incorporated"), company_key("GALLION NAVIGATION INC.")
('GALLION NAVIGATION', 'GALLION NAVIGATION')
"""

from __future__ import annotations

import re

import pandas as pd

from vesselscreen.errors import ColumnsError
from vesselscreen.identifiers import is_valid_company_imo, normalize_name
from vesselscreen.schema import ENTITY

__all__ = ["ROLES", "company_key", "match_registry"]

ROLES = ("registered_owner", "operator", "manager")
_LEGAL_FORMS = re.compile(
    r"\b(?:LTD|LIMITED|LLC|L L C|INC|INCORPORATED|CO|COMPANY|CORP|CORPORATION|SA|S A|SRL|GMBH|AG|PLC|"
    r"JSC|OJSC|PJSC|OOO|FZE|FZCO|DMCC|LLP|LP|BV|NV|PTE|SHIPPING LINES)\b"
)


def company_key(name: str | None) -> str:
    """A company name reduced for comparison: normalised, legal-form words removed."""
    key = normalize_name(name)
    return " ".join(_LEGAL_FORMS.sub(" ", key).split())


def _registry_parties(registry: pd.DataFrame, source: str) -> pd.DataFrame:
    if "imo" not in registry.columns or not any(role in registry.columns for role in ROLES):
        missing = ["imo"] if "imo" not in registry.columns else [" or ".join(ROLES)]
        raise ColumnsError(source, missing=missing)
    parts = []
    for role in ROLES:  # three roles, each handled as a whole column
        if role not in registry.columns:
            continue
        imo_column = f"{role}_imo"
        party_imo = (
            pd.to_numeric(registry[imo_column], errors="coerce").astype("Int64")
            if imo_column in registry.columns
            else pd.Series(pd.NA, index=registry.index, dtype="Int64")
        )
        part = pd.DataFrame({
            "imo": pd.to_numeric(registry["imo"], errors="coerce").astype("Int64"),
            "role": role,
            "party": registry[role].astype("string"),
            "party_imo": party_imo,
        })  # fmt: skip
        parts.append(part)
    parties = pd.concat(parts, ignore_index=True).dropna(subset=["imo", "party"])
    # a company number that fails its check digit is not used for matching
    valid_numbers = {int(v) for v in parties["party_imo"].dropna().unique() if is_valid_company_imo(int(v))}
    parties["party_imo"] = parties["party_imo"].where(parties["party_imo"].isin(valid_numbers))
    parties["party_key"] = parties["party"].map(company_key).astype("string")
    return parties


def _entity_keys(entities: pd.DataFrame) -> pd.DataFrame:
    names = entities[
        [ENTITY.ENTRY_ID, ENTITY.NAME, ENTITY.ALIASES, ENTITY.LISTED_ON, ENTITY.LISTED_NOT_BEFORE]
    ].copy()
    names["listed_name"] = [
        [n, *(a if isinstance(a, list | tuple) else [])]
        for n, a in zip(names[ENTITY.NAME], names[ENTITY.ALIASES], strict=True)
    ]
    names = names.explode("listed_name").dropna(subset=["listed_name"])
    names["party_key"] = names["listed_name"].map(company_key).astype("string")
    return names[names["party_key"] != ""].drop(columns=[ENTITY.NAME, ENTITY.ALIASES])


def match_registry(
    registry: pd.DataFrame, entities: pd.DataFrame, *, source: str = "registry"
) -> pd.DataFrame:
    """Registry parties that are listed: one row per (ship IMO, role, party, entity).

    Columns: imo, role, party, party_imo, entry_id, listed_on, listed_not_before, method, score,
    explanation.
    """
    parties = _registry_parties(registry, source)
    by_imo = parties.dropna(subset=["party_imo"]).merge(
        entities[
            [ENTITY.ENTRY_ID, ENTITY.COMPANY_IMO, ENTITY.LISTED_ON, ENTITY.LISTED_NOT_BEFORE, ENTITY.NAME]
        ].dropna(subset=[ENTITY.COMPANY_IMO]),
        left_on="party_imo",
        right_on=ENTITY.COMPANY_IMO,
    )
    by_imo = by_imo.assign(
        method="company_imo",
        score=1.0,
        explanation="IMO company number " + by_imo["party_imo"].astype("string") + " of the " + by_imo["role"]
        + " is that of listed party " + by_imo[ENTITY.NAME].astype("string"),
    )  # fmt: skip
    by_name = parties.merge(_entity_keys(entities), on="party_key")
    by_name = by_name.assign(
        method="company_name",
        score=0.8,
        explanation="the " + by_name["role"] + " '" + by_name["party"] + "' has the name of listed party '"
        + by_name["listed_name"].astype("string") + "'",
    )  # fmt: skip
    cols = [
        "imo",
        "role",
        "party",
        "party_imo",
        ENTITY.ENTRY_ID,
        ENTITY.LISTED_ON,
        ENTITY.LISTED_NOT_BEFORE,
        "method",
        "score",
        "explanation",
    ]
    hits = pd.concat([by_imo[cols], by_name[cols]], ignore_index=True)
    hits = hits.sort_values("score", ascending=False, kind="stable")
    return hits.drop_duplicates(["imo", "role", ENTITY.ENTRY_ID]).reset_index(drop=True)
