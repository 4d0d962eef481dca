"""``vs.screen_vessel``: is this ship listed? A quick check without AIS.

The same matching rules and tiers as `vesselscreen.screen`: a ship given by IMO number is
listed (a confirmed match); one given by name and flag only is a possible match, to
verify, and the check says what would confirm it. A name alone, which screening never
matches on, is offered as a possible match too, so an exactly listed name is never
answered with a bare "not listed".

>>> import vesselscreen as vs
>>> watchlist = vs.load_watchlist(vs.demo.watchlist_path())
>>> check = vs.screen_vessel(watchlist, name="Port Olya 3", mmsi=273999301)
>>> check.listed, [(m.entry_id, m.tier.value) for m in check.matches]
(False, [('demo:1', 'possible')])
>>> print(check.to_confirm[0])
demo:1 (PORT OLYA-3): the list gives no IMO, MMSI or call sign: confirm with the ship's registry documents
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import UTC, datetime

import pandas as pd
from pydantic import BaseModel, ConfigDict

from vesselscreen.ais.identity import identity_timeline
from vesselscreen.errors import ConfigError
from vesselscreen.identifiers import is_valid_imo, mmsi_flag, normalize_name, parse_imo, parse_mmsi
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Match, MatchMethod, MatchTier, VesselEntry
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
    to_confirm: tuple[str, ...] = ()
    """For each match short of confirmed: what would confirm it (the identifiers the list gives)."""

    @property
    def listed(self) -> bool:
        """Whether a list entry matched as confirmed or probable (possible matches are leads)."""
        return any(m.tier is not MatchTier.POSSIBLE for m in self.matches)

    @property
    def possible(self) -> tuple[Match, ...]:
        """The possible matches: leads to verify before treating the ship as listed."""
        return tuple(m for m in self.matches if m.tier is MatchTier.POSSIBLE)


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
    rows: list[dict[Hashable, object]] = list(
        frame.sort_values(MATCH.SCORE, ascending=False).to_dict("records")
    )
    rows += _by_name_alone(watchlist.vessels, name, used_flag, {str(r[MATCH.ENTRY_ID]) for r in rows})
    matches = tuple(
        Match(
            mmsi=mmsi_number or 0,
            imo=imo_number if imo_number is not None and is_valid_imo(imo_number) else None,
            name=name,
            entry_id=str(r[MATCH.ENTRY_ID]),
            method=MatchMethod(str(r[MATCH.METHOD])),
            score=float(str(r[MATCH.SCORE])),
            explanation=str(r[MATCH.EXPLANATION]),
            first_seen=now.to_pydatetime(),
            last_seen=now.to_pydatetime(),
            tier=MatchTier(str(r[MATCH.TIER])),
            contradictions=tuple(str(c) for c in _listed(r[MATCH.CONTRADICTIONS])),
        )
        for r in rows
    )
    ids = [m.entry_id for m in matches]
    listed = watchlist.vessels[watchlist.vessels[WATCHLIST.ENTRY_ID].isin(ids)].drop_duplicates(
        WATCHLIST.ENTRY_ID
    )
    by_id = {str(r[WATCHLIST.ENTRY_ID]): r for r in listed.to_dict("records")}
    hints = tuple(
        f"{m.entry_id} ({by_id[m.entry_id][WATCHLIST.NAME]}): {_to_confirm(by_id[m.entry_id])}"
        for m in matches
        if m.tier is not MatchTier.CONFIRMED and m.entry_id in by_id
    )
    return VesselCheck(
        imo=imo_number,
        mmsi=mmsi_number,
        name=name,
        flag=used_flag,
        matches=matches,
        entries=tuple(_entry(r) for r in listed.to_dict("records")),
        to_confirm=hints,
    )


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _to_confirm(entry: Mapping[Hashable, object]) -> str:
    """What would confirm a match to ``entry``: the identifiers and flag the list gives."""
    given = [
        f"{label} {entry[column]}"
        for label, column in (
            ("IMO", WATCHLIST.IMO),
            ("MMSI", WATCHLIST.MMSI),
            ("call sign", WATCHLIST.CALL_SIGN),
            ("flag", WATCHLIST.FLAG),
        )
        if isinstance(entry.get(column), str | int | float) and not pd.isna(entry.get(column))  # type: ignore[call-overload]  # a scalar cell
    ]
    identifiers = [g for g in given if not g.startswith("flag")]
    if identifiers:
        return "confirm with the listed " + ", ".join(given)
    return "the list gives no IMO, MMSI or call sign: confirm with the ship's registry documents"


def _by_name_alone(
    vessels: pd.DataFrame, name: str | None, flag: str | None, matched: set[str]
) -> list[dict[Hashable, object]]:
    """Entries listed under exactly this name (or alias) that no stronger rule matched: possible."""
    key = normalize_name(name) if name else ""
    if not key:
        return []
    rows: list[dict[Hashable, object]] = []
    for r in vessels.to_dict("records"):
        entry = str(r[WATCHLIST.ENTRY_ID])
        aliases = r[WATCHLIST.ALIASES] if isinstance(r[WATCHLIST.ALIASES], list | tuple) else []
        listed_names = [str(r[WATCHLIST.NAME]), *map(str, aliases)]
        if entry in matched or key not in {normalize_name(n) for n in listed_names}:
            continue
        listed_flag = r[WATCHLIST.FLAG] if isinstance(r[WATCHLIST.FLAG], str) else None
        said = []
        if flag and listed_flag and flag != listed_flag:
            said.append(f"flag {flag}, the list gives {listed_flag}")
        rows.append(
            {
                MATCH.ENTRY_ID: entry,
                MATCH.METHOD: MatchMethod.NAME.value,
                MATCH.SCORE: 0.3,
                MATCH.EXPLANATION: f"name '{name}' is listed ({entry}, listed as {r[WATCHLIST.NAME]}); "
                "a name alone is not a match",
                MATCH.TIER: MatchTier.POSSIBLE.value,
                MATCH.CONTRADICTIONS: said,
            }
        )
    return rows
