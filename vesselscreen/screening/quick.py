"""``vs.screen_vessel``: is this ship listed? A quick check without AIS.

>>> import vesselscreen as vs
>>> check = vs.screen_vessel(vs.load_watchlist(vs.demo.watchlist_path()), name="Port Olya 3", mmsi=273999301)
>>> check.listed, [m.entry_id for m in check.matches]
(True, ['demo:1'])
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import UTC, datetime

import pandas as pd
from pydantic import BaseModel, ConfigDict

from vesselscreen.ais.identity import identity_timeline
from vesselscreen.errors import ConfigError
from vesselscreen.identifiers import is_valid_imo, mmsi_flag, parse_imo, parse_mmsi
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Match, MatchMethod, VesselEntry
from vesselscreen.schema import IDENTITY, MATCH, POSITION, POSITION_DTYPES, WATCHLIST, conform
from vesselscreen.screening.matching import match_identities

__all__ = ["VesselCheck", "screen_vessel"]


class VesselCheck(BaseModel):
    """The answer to "is this ship listed?": the matches and the entries they point to."""

    model_config = ConfigDict(frozen=True)

    imo: int | None
    mmsi: int | None
    name: str | None
    flag: str | None
    matches: tuple[Match, ...]
    entries: tuple[VesselEntry, ...]

    @property
    def listed(self) -> bool:
        """Whether any list entry matched."""
        return bool(self.matches)


def _entry(row: Mapping[Hashable, object]) -> VesselEntry:
    def present(value: object) -> bool:
        return isinstance(value, list) or not pd.isna(value)  # type: ignore[call-overload]  # a scalar cell

    fields = {str(k): v for k, v in row.items() if str(k) in VesselEntry.model_fields and present(v)}
    return VesselEntry.model_validate(fields)


def screen_vessel(
    watchlist: Watchlist,
    *,
    imo: int | str | None = None,
    mmsi: int | str | None = None,
    name: str | None = None,
    flag: str | None = None,
    call_sign: str | None = None,
) -> VesselCheck:
    """Match one ship's identifiers against a watchlist with the same rules as :func:`screen`.

    ``flag`` (ISO2) corroborates a name; without it the MMSI's MID is used. Raises
    :class:`ConfigError` when no identifier is given and :class:`IdentifierError` for a
    malformed IMO or MMSI.
    """
    if not isinstance(watchlist, Watchlist):
        raise ConfigError(
            f"screen_vessel(watchlist, imo=..., mmsi=..., name=...): watchlist must be a Watchlist, "
            f"got {type(watchlist).__name__}"
        )
    if imo is None and mmsi is None and name is None and call_sign is None:
        raise ConfigError("screen_vessel needs at least one of imo, mmsi, name, call_sign")
    imo_number = parse_imo(imo) if imo is not None else None
    mmsi_number = parse_mmsi(mmsi) if mmsi is not None else None
    now = pd.Timestamp(datetime.now(UTC))
    row = conform(
        pd.DataFrame({
            POSITION.MMSI: [mmsi_number if mmsi_number is not None else 0],
            POSITION.TIMESTAMP: [now],
            POSITION.IMO: [imo_number],
            POSITION.NAME: [name],
            POSITION.CALL_SIGN: [call_sign],
        }),
        POSITION_DTYPES,
    )  # fmt: skip
    identities = identity_timeline(row).identities.copy()
    used_flag = flag.upper() if flag else (mmsi_flag(mmsi_number) if mmsi_number is not None else None)
    identities[IDENTITY.FLAG] = pd.array([used_flag], dtype="string")
    frame = match_identities(identities, watchlist.vessels)
    if mmsi_number is None:  # the placeholder MMSI 0 must not match anything by MMSI
        frame = frame[frame[MATCH.METHOD] != MatchMethod.MMSI.value]
    matches = tuple(
        Match(
            mmsi=mmsi_number or 0,
            imo=imo_number if imo_number is not None and is_valid_imo(imo_number) else None,
            name=name,
            entry_id=str(r[MATCH.ENTRY_ID]),
            method=MatchMethod(r[MATCH.METHOD]),
            score=float(r[MATCH.SCORE]),
            explanation=str(r[MATCH.EXPLANATION]),
            first_seen=now.to_pydatetime(),
            last_seen=now.to_pydatetime(),
        )
        for r in frame.sort_values(MATCH.SCORE, ascending=False).to_dict("records")
    )
    listed = watchlist.vessels[watchlist.vessels[WATCHLIST.ENTRY_ID].isin([m.entry_id for m in matches])]
    return VesselCheck(
        imo=imo_number,
        mmsi=mmsi_number,
        name=name,
        flag=used_flag,
        matches=matches,
        entries=tuple(_entry(r) for r in listed.to_dict("records")),
    )
