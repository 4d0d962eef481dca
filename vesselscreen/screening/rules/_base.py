"""What a rule is, and the one builder that turns a rule's frame into `Finding` records."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast, runtime_checkable

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.models import (
    DesignationStatus,
    Evidence,
    Finding,
    MatchMethod,
    MatchTier,
    ParameterValue,
    Severity,
)
from vesselscreen.schema import FINDING, LISTED

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = [
    "CONTRADICTED_POSSIBLE_SEVERITY",
    "SEVERITY_BY_STATUS",
    "SEVERITY_CAP_BY_TIER",
    "BuiltinRule",
    "Rule",
    "against",
    "build_findings",
    "finding_frame",
    "listed_party",
    "listed_severity",
    "listing_parameters",
    "listing_words",
    "rows_of",
    "status_words",
    "thresholds",
    "to_confirm",
]

SEVERITY_BY_STATUS: Mapping[DesignationStatus, Severity] = {
    DesignationStatus.DESIGNATED: Severity.HIGH,
    # conservative: a listed vessel whose listing date we cannot place is treated as listed,
    # and so is one whose listing day is known only to lie in an interval
    DesignationStatus.LISTING_DATE_UNKNOWN: Severity.HIGH,
    DesignationStatus.LISTING_UNCERTAIN: Severity.HIGH,
    DesignationStatus.DELISTING_UNCERTAIN: Severity.HIGH,
    DesignationStatus.PRE_DESIGNATION: Severity.MEDIUM,
    DesignationStatus.DELISTED: Severity.LOW,
}
"""Severity of an event of a listed vessel, by the entry's status at the event's time."""

SEVERITY_CAP_BY_TIER: Mapping[MatchTier, Severity] = {
    MatchTier.CONFIRMED: Severity.HIGH,
    MatchTier.PROBABLE: Severity.MEDIUM,
    MatchTier.POSSIBLE: Severity.MEDIUM,
}
"""The highest severity a finding can have, by the tier of the match behind it: a probable or
possible match is for review, never a high alert."""

CONTRADICTED_POSSIBLE_SEVERITY: Severity = Severity.LOW
"""A possible match that evidence speaks against (identifiers the list gives and AIS does not
carry, a Class B transponder, a far ship type) is at most low: a namesake, most likely."""

_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def listed_severity(row: Mapping[Hashable, Any]) -> Severity:
    """The severity of an event of a listed vessel: by its status, capped by its match tier.

    >>> listed_severity({"status": "designated", "tier": "confirmed", "contradictions": []})
    <Severity.HIGH: 'high'>
    >>> listed_severity({"status": "designated", "tier": "possible", "contradictions": []})
    <Severity.MEDIUM: 'medium'>
    >>> listed_severity({"status": "designated", "tier": "possible", "contradictions": ["Class B"]})
    <Severity.LOW: 'low'>
    """
    by_status = SEVERITY_BY_STATUS[DesignationStatus(str(row[LISTED.STATUS]))]
    tier = MatchTier(str(row[LISTED.TIER]))
    said = row.get(LISTED.CONTRADICTIONS)
    cap = SEVERITY_CAP_BY_TIER[tier]
    if tier is MatchTier.POSSIBLE and isinstance(said, list | tuple) and said:
        cap = CONTRADICTED_POSSIBLE_SEVERITY
    return by_status if _RANK[by_status] <= _RANK[cap] else cap


def _day(value: object) -> str | None:
    if value is None or not isinstance(value, pd.Timestamp | datetime) or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def listing_words(row: Mapping[Hashable, Any]) -> str:
    """When the entry was listed (and delisted), as the list or its dated snapshots tell.

    >>> listing_words({"listed_on": pd.Timestamp("2024-09-10", tz="UTC")})
    'listed on 2024-09-10'
    >>> listing_words({"listed_on": pd.Timestamp("2024-09-11", tz="UTC"),
    ...                "listed_not_before": pd.Timestamp("2024-08-30", tz="UTC")})
    'listed between 2024-08-30 and 2024-09-11'
    """
    words = []
    for verb, on, not_before in (
        ("listed", LISTED.LISTED_ON, LISTED.LISTED_NOT_BEFORE),
        ("delisted", LISTED.DELISTED_ON, LISTED.DELISTED_NOT_BEFORE),
    ):
        day, first = _day(row.get(on)), _day(row.get(not_before))
        if day is None:
            if verb == "listed":
                words.append("listing date unknown")
        elif first is not None and first != day:
            words.append(f"{verb} between {first} and {day}")
        else:
            words.append(f"{verb} on {day}")
    return ", ".join(words)


def listing_parameters(row: Mapping[Hashable, Any]) -> dict[str, ParameterValue]:
    """The listing dates (ISO days or None), the match tier and what speaks against the match."""
    said = row.get(LISTED.CONTRADICTIONS)
    return {
        "listed_on": _day(row.get(LISTED.LISTED_ON)),
        "listed_not_before": _day(row.get(LISTED.LISTED_NOT_BEFORE)),
        "delisted_on": _day(row.get(LISTED.DELISTED_ON)),
        "delisted_not_before": _day(row.get(LISTED.DELISTED_NOT_BEFORE)),
        "match_tier": str(row.get(LISTED.TIER)),
        "contradictions": "; ".join(said) if isinstance(said, list | tuple) and said else None,
    }


def to_confirm(row: Mapping[Hashable, Any]) -> str:
    """What would confirm a match: the identifiers the list gives, or the ship's papers."""
    given = [
        f"{label} {row.get(column)}"
        for label, column in (("IMO", LISTED.LISTED_IMO), ("MMSI", LISTED.LISTED_MMSI),
                              ("call sign", LISTED.LISTED_CALL_SIGN))
        if row.get(column) is not None and not pd.isna(row.get(column))
    ]  # fmt: skip
    if given:
        return "confirm with the listed " + ", ".join(given)
    return "the list gives no IMO, MMSI or call sign: confirm with the ship's registry documents"


def listed_party(row: Mapping[Hashable, Any]) -> str:
    """How a finding names the listed vessel behind it, with the tier's wording.

    >>> row = {"entry_id": "demo:1", "listed_name": "PORT OLYA-3", "tier": "possible",
    ...        "listed_on": pd.Timestamp("2024-09-10", tz="UTC")}
    >>> listed_party(row)
    'possible match (verify) to listed vessel demo:1 (listed as PORT OLYA-3, listed on 2024-09-10)'
    """
    entry = f"{row.get(LISTED.ENTRY_ID)} (listed as {row.get(LISTED.LISTED_NAME)}, {listing_words(row)})"
    tier = MatchTier(str(row.get(LISTED.TIER)))
    if tier is MatchTier.CONFIRMED:
        return f"listed vessel {entry}"
    ask = "verify" if tier is MatchTier.POSSIBLE else "review"
    return f"{tier.value} match ({ask}) to listed vessel {entry}"


def against(row: Mapping[Hashable, Any]) -> str:
    """The contradictions of the match behind a finding, as a clause ('' when none)."""
    said = row.get(LISTED.CONTRADICTIONS)
    if isinstance(said, list | tuple) and said:
        return "; against the match: " + "; ".join(said)
    return ""


def status_words(row: Mapping[Hashable, Any], at: str) -> str:
    """The status during an event: 'designated at arrival', or 'listed during the call: designated'."""
    status = DesignationStatus(str(row.get(LISTED.STATUS))).value.replace("_", " ")
    changed = row.get(LISTED.STATUS_CHANGED)
    if isinstance(changed, str):
        return f"{changed} while it was in progress: {status} for the part when listed"
    return f"{status} at {at}"


@runtime_checkable
class Rule(Protocol):
    """Anything with a stable ``name`` and ``apply(context) -> Iterable[Finding]`` is a rule.

    Give it a ``weight`` attribute (points per finding, times the finding's score) to
    count towards the vessels' risk; without one its findings add
    `DEFAULT_USER_RULE_WEIGHT` points each.
    """

    @property
    def name(self) -> str:
        """A stable identifier: it appears in the audit trail of every screening."""
        ...

    def apply(self, context: ScreeningContext) -> Iterable[Finding]:
        """The rule's findings on this screening's context."""
        ...


class BuiltinRule(BaseModel):
    """Base of the built-in rules: a stable name, a finding kind, a risk weight, its own settings.

    Subclasses set ``name`` and ``kind`` and implement `frame`, which returns one row per
    finding in the `schema.FINDING` columns, or `records`, one dict per finding (the
    built-in rules do: no frame is made only to be read back); `apply` turns those rows into
    findings as `build_findings` does.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str]
    kind: ClassVar[str]
    weight: float = Field(ge=0, description="Risk points a finding adds to its vessel (times its score).")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        """One row per finding, in the `schema.FINDING` columns (by default: the `records`)."""
        if type(self).records is BuiltinRule.records:
            raise NotImplementedError(f"{type(self).__name__} implements neither frame nor records")
        return finding_frame(self.records(context))

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        """One dict per finding (keys: `schema.FINDING` columns; by default: the `frame`'s rows)."""
        return cast(list[dict[str, Any]], rows_of(self.frame(context)))  # FINDING's names are strings

    def apply(self, context: ScreeningContext) -> list[Finding]:
        """The rule's findings, with their evidence."""
        return _findings(self.records(context), context)


def thresholds(*configs: BaseModel) -> dict[str, ParameterValue]:
    """The scalar fields of detector configs, for ``Evidence.parameters`` (what the rule used)."""
    out: dict[str, ParameterValue] = {}
    for config in configs:
        for key, value in config.model_dump().items():
            if isinstance(value, str | int | float | bool) or value is None:
                out[key] = value
    return out


_FINDING_COLUMNS = [getattr(FINDING, name) for name in vars(FINDING) if not name.startswith("_")]
_NO_FINDINGS = pd.DataFrame.from_records([], columns=_FINDING_COLUMNS)


def finding_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A rule's frame from one dict per finding (keys: `schema.FINDING` columns)."""
    if not records:  # the usual case: a copy of the one empty frame, not a new one each time
        return _NO_FINDINGS.copy()
    return pd.DataFrame.from_records(records, columns=_FINDING_COLUMNS)


def rows_of(frame: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """``frame.to_dict("records")``, without its fixed cost when the frame is empty (most are).

    >>> rows_of(pd.DataFrame({"a": [1]})), rows_of(pd.DataFrame({"a": []}))
    ([{'a': 1}], [])
    """
    return frame.to_dict("records") if len(frame) else []


def _cell(row: Mapping[Hashable, Any], column: str) -> Any:
    value = row.get(column)
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return None
    return value


def _when(value: Any) -> Any:
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def build_findings(rows: pd.DataFrame, context: ScreeningContext) -> list[Finding]:
    """`Finding` records from a rule's frame (`schema.FINDING` columns), quoting their evidence.

    Each finding quotes up to ``quote`` positions (the configured
    ``evidence_positions`` by default) of its vessel between ``start`` and ``end``, and
    of its counterpart when ``quote_counterpart``; list-based findings (with
    ``entry_ids``) carry the watchlist snapshot id.
    """
    return _findings(rows_of(rows), context)


def _findings(rows: Sequence[Mapping[Any, Any]], context: ScreeningContext) -> list[Finding]:
    """`build_findings` of the rows as dicts (missing keys: NA)."""
    default_quote = context.config.evidence_positions
    findings = []
    for row in rows:
        mmsi, counterpart = _cell(row, FINDING.MMSI), _cell(row, FINDING.COUNTERPART_MMSI)
        start, end = _cell(row, FINDING.START), _cell(row, FINDING.END)
        quote = _cell(row, FINDING.QUOTE)
        limit = default_quote if quote is None or int(quote) < 0 else int(quote)
        positions = []
        if mmsi is not None and start is not None and end is not None and limit:
            positions = context.quote(int(mmsi), pd.Timestamp(start), pd.Timestamp(end), limit)
            if counterpart is not None and _cell(row, FINDING.QUOTE_COUNTERPART):
                positions += context.quote(int(counterpart), pd.Timestamp(start), pd.Timestamp(end), limit)
        entry_ids = tuple(str(e) for e in (_cell(row, FINDING.ENTRY_IDS) or ()))
        status = _cell(row, FINDING.DESIGNATION_STATUS)
        tier = _cell(row, FINDING.MATCH_TIER)
        imo = _cell(row, FINDING.IMO)
        name = _cell(row, FINDING.VESSEL_NAME)
        port = _cell(row, FINDING.PORT_ID)
        findings.append(
            Finding(
                kind=row[FINDING.KIND],
                severity=Severity(row[FINDING.SEVERITY]),
                mmsi=None if mmsi is None else int(mmsi),
                imo=None if imo is None else int(imo),
                vessel_name=None if name is None else str(name),
                start=_when(start),
                end=_when(end),
                port_id=None if port is None else str(port),
                counterpart_mmsi=None if counterpart is None else int(counterpart),
                entry_ids=entry_ids,
                designation_status=None if status is None else DesignationStatus(status),
                match_tier=None if tier is None else MatchTier(tier),
                score=float(row[FINDING.SCORE]),
                evidence=Evidence(
                    rule=str(row[FINDING.RULE]),
                    explanation=str(row[FINDING.EXPLANATION]),
                    parameters=dict(_cell(row, FINDING.PARAMETERS) or {}),
                    match_methods=tuple(MatchMethod(m) for m in (_cell(row, FINDING.MATCH_METHODS) or ())),
                    positions=tuple(positions),
                    snapshot_id=context.snapshot_id if entry_ids else None,
                ),
            )
        )
    return findings
