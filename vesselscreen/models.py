"""Typed records at the public boundary: list entries, matches, port calls, findings.

Inside the pipeline everything is a DataFrame; these frozen pydantic models are built
only where a user (or a JSON consumer) meets the result, so they can be validated,
serialised and compared.

>>> f = Finding(kind=FindingKind.DESIGNATED_VESSEL, severity=Severity.HIGH, mmsi=273000001,
...             vessel_name="PORT OLYA 3", entry_ids=("demo:1",),
...             designation_status=DesignationStatus.DESIGNATED, score=0.8,
...             evidence=Evidence(rule="designated_vessel", explanation="name and flag match"))
>>> Finding.model_validate_json(f.model_dump_json()) == f
True
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DesignationStatus",
    "Evidence",
    "EvidencePosition",
    "Finding",
    "FindingKind",
    "Match",
    "MatchMethod",
    "MatchTier",
    "PortCall",
    "RuleRecord",
    "Severity",
    "VesselEntry",
]

ParameterValue = str | int | float | bool | None


class FindingKind(StrEnum):
    """What a finding is about (the kinds in DESIGN.md)."""

    DESIGNATED_VESSEL = "designated_vessel"
    PORT_CALL = "port_call"
    VOYAGE = "voyage"
    STS_ENCOUNTER = "sts_encounter"
    DARK_GAP = "dark_gap"
    SANCTIONED_PORT_CALL = "sanctioned_port_call"
    IDENTITY_CHANGE = "identity_change"
    SPOOFING = "spoofing"
    OWNER_DESIGNATED = "owner_designated"
    IDENTITY_CONFLICT = "identity_conflict"
    LOITERING = "loitering"


_KINDS = frozenset(kind.value for kind in FindingKind)


class Severity(StrEnum):
    """How urgently a compliance officer should look at a finding."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DesignationStatus(StrEnum):
    """The listing status of the entry *as of the event's time*.

    ``listing_uncertain`` / ``delisting_uncertain``: the event falls inside the interval
    in which the entry was listed (or delisted), known only from dated snapshots of a
    list that gives no dates (``listed_not_before``..``listed_on``).
    """

    DESIGNATED = "designated"
    PRE_DESIGNATION = "pre_designation"
    DELISTED = "delisted"
    LISTING_DATE_UNKNOWN = "listing_date_unknown"
    LISTING_UNCERTAIN = "listing_uncertain"
    DELISTING_UNCERTAIN = "delisting_uncertain"


class MatchTier(StrEnum):
    """How sure a match is; a finding's severity follows it (a possible match is never high).

    - ``confirmed``: the IMO number, or the MMSI or call sign together with a consistent
      name (the AIS name is the listed name or an alias);
    - ``probable``: the MMSI or the call sign (with the listed flag) without a consistent
      name, or a confirmed match contradicted by other evidence;
    - ``possible``: the name and the flag only, or a near-equal name, or a probable match
      contradicted by other evidence: a lead to verify, not a designated vessel.
    """

    CONFIRMED = "confirmed"
    PROBABLE = "probable"
    POSSIBLE = "possible"

    @property
    def rank(self) -> int:
        """2 for confirmed, 1 for probable, 0 for possible."""
        return {MatchTier.CONFIRMED: 2, MatchTier.PROBABLE: 1, MatchTier.POSSIBLE: 0}[self]


class MatchMethod(StrEnum):
    """How an AIS identity was tied to a list entry, strongest first."""

    IMO = "imo"
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    NAME_FLAG = "name_flag"
    FUZZY_NAME = "fuzzy_name"
    NAME = "name"
    """The name alone (`vesselscreen.screen_vessel` only, always a possible match): ALPHA and
    BELLA are common ship names, so screening never matches on it."""


class VesselEntry(BaseModel):
    """One listed vessel (a row of ``Watchlist.vessels``)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    entry_id: str
    source: str
    name: str
    aliases: tuple[str, ...] = ()
    imo: int | None = None
    mmsi: int | None = None
    call_sign: str | None = None
    flag: str | None = None
    former_flags: tuple[str, ...] = ()
    vessel_type: str | None = None
    programs: tuple[str, ...] = ()
    listed_on: AwareDatetime | None = None
    delisted_on: AwareDatetime | None = None
    owners: tuple[str, ...] = ()
    linked_to: tuple[str, ...] = ()
    remarks: str | None = None


class Match(BaseModel):
    """An AIS identity (MMSI with the IMO/name it broadcast) tied to a list entry."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    mmsi: int
    imo: int | None = None
    name: str | None = None
    entry_id: str
    method: MatchMethod
    score: float = Field(ge=0.0, le=1.0)
    explanation: str
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    tier: MatchTier = MatchTier.POSSIBLE
    contradictions: tuple[str, ...] = ()
    """Evidence against the match (identifiers the list gives that AIS does not carry, ...)."""


class PortCall(BaseModel):
    """One visit of one vessel to one port (a row of ``ScreeningResult.port_calls``)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    mmsi: int
    imo: int | None = None
    name: str | None = None
    port_id: str
    port_name: str
    country: str | None = None
    arrival: AwareDatetime
    departure: AwareDatetime
    confidence: int = Field(ge=1, le=4)


class EvidencePosition(BaseModel):
    """One AIS position quoted as evidence."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    mmsi: int
    timestamp: AwareDatetime
    lat: float
    lon: float
    sog: float | None = None
    name: str | None = None
    imo: int | None = None


class Evidence(BaseModel):
    """Why a finding was made: the rule, its parameters, the list entries and the AIS rows."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    rule: str
    explanation: str
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    match_methods: tuple[MatchMethod, ...] = ()
    positions: tuple[EvidencePosition, ...] = ()
    snapshot_id: str | None = None


class RuleRecord(BaseModel):
    """A rule as it ran in a screening: its name, kind, risk weight and settings (for the audit trail)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    kind: str | None = None
    weight: float | None = None
    settings: dict[str, object] = Field(default_factory=dict)


class Finding(BaseModel):
    """Something a compliance officer should know, with the evidence to defend it.

    ``kind`` is a `FindingKind` for the built-in rules; users' rules may report kinds of
    their own (any string).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: FindingKind | str

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: object) -> object:
        """A built-in kind given as text is that `FindingKind` (``finding.kind is FindingKind.X`` holds)."""
        if isinstance(value, str) and value in _KINDS:
            return FindingKind(value)
        return value

    severity: Severity
    mmsi: int | None = None
    imo: int | None = None
    vessel_name: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    port_id: str | None = None
    counterpart_mmsi: int | None = None
    entry_ids: tuple[str, ...] = ()
    designation_status: DesignationStatus | None = None
    match_tier: MatchTier | None = None
    """How sure the match behind a list-based finding is (``None`` for findings not about a list entry)."""
    score: float = Field(ge=0.0, le=1.0)
    evidence: Evidence

    def headline(self) -> str:
        """One sentence for tables and logs."""
        who = self.vessel_name or (f"MMSI {self.mmsi}" if self.mmsi is not None else "unknown vessel")
        when = f" {_day(self.start)}" if self.start else ""
        return f"{self.kind}: {who}{when}: {self.evidence.explanation}"

    def _repr_html_(self) -> str:
        """Notebook display: the why, every field, the evidence table (see ``vesselscreen.report.html``)."""
        from vesselscreen.report.html import finding_html

        return finding_html(self)


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
