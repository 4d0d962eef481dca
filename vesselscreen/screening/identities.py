"""AIS identities: the distinct (MMSI, IMO, name, call sign) combinations a frame broadcast.

This is the thin first form of the identity timeline: one row per combination, with the
interval over which it was seen. Screening matches these rows, not individual positions,
so a million positions of one ship are matched once.

>>> import pandas as pd
>>> ais = pd.DataFrame({
...     "mmsi": pd.array([273000001, 273000001], dtype="Int64"),
...     "timestamp": pd.to_datetime(["2024-08-26 00:00", "2024-08-26 06:00"], utc=True),
...     "imo": pd.array([None, None], dtype="Int64"),
...     "name": pd.array(["PORT OLYA 3", "PORT OLYA 3"], dtype="string"),
...     "call_sign": pd.array([None, None], dtype="string")})
>>> ais_identities(ais)[["mmsi", "name_key", "flag", "n_positions"]].to_dict("records")
[{'mmsi': 273000001, 'name_key': 'PORT OLYA 3', 'flag': 'RU', 'n_positions': 2}]
"""

from __future__ import annotations

import pandas as pd

from vesselscreen.identifiers import mmsi_flags, normalize_name
from vesselscreen.schema import IDENTITY, POSITION

__all__ = ["IDENTITY", "ais_identities"]


_KEYS = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN]


def ais_identities(positions: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct (mmsi, imo, name, call_sign) with first/last seen and counts.

    ``flag`` is the state whose MID the MMSI carries; ``name_key`` the normalised name.
    """
    grouped = positions.groupby(_KEYS, dropna=False, sort=True, observed=True)[POSITION.TIMESTAMP]
    out = grouped.agg(["min", "max", "size"]).reset_index()
    out = out.rename(
        columns={"min": IDENTITY.FIRST_SEEN, "max": IDENTITY.LAST_SEEN, "size": IDENTITY.N_POSITIONS}
    )
    names = out[POSITION.NAME].astype("string")
    unique_names = names.dropna().unique()
    out[IDENTITY.NAME_KEY] = names.map({n: normalize_name(n) for n in unique_names}).astype("string")
    out[IDENTITY.FLAG] = mmsi_flags(out[POSITION.MMSI].astype("Int64"))
    out[IDENTITY.N_POSITIONS] = out[IDENTITY.N_POSITIONS].astype("int64")
    return out.reset_index(drop=True)
