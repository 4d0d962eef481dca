"""What a rule is, and the one builder that turns a rule's frame into `Finding` records."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.models import DesignationStatus, Evidence, Finding, MatchMethod, ParameterValue, Severity
from vesselscreen.schema import FINDING

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["SEVERITY_BY_STATUS", "BuiltinRule", "Rule", "build_findings", "finding_frame", "thresholds"]

SEVERITY_BY_STATUS: Mapping[DesignationStatus, Severity] = {
    DesignationStatus.DESIGNATED: Severity.HIGH,
    # conservative: a listed vessel whose listing date we cannot place is treated as listed
    DesignationStatus.LISTING_DATE_UNKNOWN: Severity.HIGH,
    DesignationStatus.PRE_DESIGNATION: Severity.MEDIUM,
    DesignationStatus.DELISTED: Severity.LOW,
}
"""Severity of an event of a listed vessel, by the entry's status at the event's time."""


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
    finding in the `schema.FINDING` columns; `apply` hands that frame to `build_findings`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str]
    kind: ClassVar[str]
    weight: float = Field(ge=0, description="Risk points a finding adds to its vessel (times its score).")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        """One row per finding, in the `schema.FINDING` columns."""
        raise NotImplementedError

    def apply(self, context: ScreeningContext) -> list[Finding]:
        """The rule's findings, with their evidence."""
        return build_findings(self.frame(context), context)


def thresholds(*configs: BaseModel) -> dict[str, ParameterValue]:
    """The scalar fields of detector configs, for ``Evidence.parameters`` (what the rule used)."""
    out: dict[str, ParameterValue] = {}
    for config in configs:
        for key, value in config.model_dump().items():
            if isinstance(value, str | int | float | bool) or value is None:
                out[key] = value
    return out


def finding_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A rule's frame from one dict per finding (keys: `schema.FINDING` columns)."""
    columns = [name for name in vars(FINDING) if not name.startswith("_")]
    return pd.DataFrame.from_records(records, columns=[getattr(FINDING, name) for name in columns])


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
    default_quote = context.config.evidence_positions
    findings = []
    for row in rows.to_dict("records"):
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
