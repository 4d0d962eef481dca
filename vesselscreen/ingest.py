"""Accounting for what a reader kept and what it rejected, so nothing is lost silently.

Every reader (lists and AIS) fills an :class:`IngestReport` while it works: each input
record (a CSV row, an NMEA sentence, a list entry) is either accepted, rejected with
a reason, or merged into another record (list readers: a second row of the same entry),
and ``accepted + rejected + merged == records`` always holds.

>>> log = RejectionLog("positions.csv")
>>> log.accept(2)
>>> log.reject("latitude out of range: 91.5", line=3, raw="...")
>>> report = log.report(format="marinecadastre_csv")
>>> report.records, report.accepted, report.rejected, dict(report.reasons)
(3, 2, 1, {'latitude out of range': 1})
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["INGEST_REPORT_ATTR", "IngestReport", "Merge", "Rejection", "RejectionLog", "ingest_report"]

INGEST_REPORT_ATTR = "vesselscreen_ingest_report"
"""Key under which readers store their report in ``DataFrame.attrs``."""

MAX_SAMPLES = 100


class Rejection(BaseModel):
    """One rejected (or, with ``kept=True``, flagged) input record: where, why, raw text."""

    model_config = ConfigDict(frozen=True)

    source: str
    line: int | None = None
    reason: str
    raw: str = ""
    kept: bool = False


class Merge(BaseModel):
    """One record merged into an earlier one: where it was, into which entry, and why.

    ``name`` is the merged record's name when it differed from the entry's (it is then
    kept among the entry's aliases).
    """

    model_config = ConfigDict(frozen=True)

    source: str
    line: int | None = None
    into: str
    reason: str
    name: str | None = None
    raw: str = ""


class IngestReport(BaseModel):
    """What a reader did with its input. ``accepted + rejected + merged == records``.

    ``reasons`` counts rejections by reason class (the text before the first colon);
    ``warnings`` counts records that were kept but flagged (e.g. a list entry whose IMO
    fails its check digit: kept, but never matched by IMO), by the same kind of key;
    ``samples`` keeps the first 100 rejections and warnings in full; ``notes`` holds other counts a
    reader wants to report (e.g. comment lines skipped, messages of types it ignores).
    ``merged`` counts records folded into an earlier record of the same entry (``merges``
    by reason, ``merge_samples`` the first 100 of each reason); AIS readers merge nothing.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    format: str
    records: int
    accepted: int
    rejected: int
    merged: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)
    merges: dict[str, int] = Field(default_factory=dict)
    warnings: dict[str, int] = Field(default_factory=dict)
    notes: dict[str, int] = Field(default_factory=dict)
    samples: list[Rejection] = Field(default_factory=list)
    merge_samples: list[Merge] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the CLI.

        >>> IngestReport(source="a.nmea", format="nmea", records=3, accepted=2, rejected=1,
        ...              reasons={"bad checksum": 1}).summary()
        'a.nmea (nmea): 3 records, 2 accepted, 1 rejected (bad checksum: 1)'
        """
        text = (
            f"{self.source} ({self.format}): {self.records} records, "
            f"{self.accepted} accepted, {self.rejected} rejected"
        )
        if self.reasons:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items())) + ")"
        if self.merged:
            text += f", {self.merged} merged"
            text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.merges.items())) + ")"
        if self.warnings:
            text += f", {sum(self.warnings.values())} flagged"
        return text


class RejectionLog:
    """Mutable counter a reader fills; :meth:`report` freezes it into an :class:`IngestReport`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.accepted = 0
        self.reasons: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()
        self.samples: list[Rejection] = []
        self.merges: Counter[str] = Counter()
        self.merge_samples: list[Merge] = []

    def accept(self, n: int = 1) -> None:
        self.accepted += n

    def reject(self, reason: str, *, line: int | None = None, raw: str = "", n: int = 1) -> None:
        """Count ``n`` rejected records; ``reason`` may carry detail after a colon."""
        self.reasons[reason.split(":", 1)[0].strip()] += n
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(Rejection(source=self.source, line=line, reason=reason, raw=raw[:300]))

    def warn(self, reason: str, *, line: int | None = None, raw: str = "") -> None:
        """Flag a record that is kept (and accepted separately) but has a problem."""
        self.warnings[reason.split(":", 1)[0].strip()] += 1
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(
                Rejection(source=self.source, line=line, reason=reason, raw=raw[:300], kept=True)
            )

    def merge(
        self, reason: str, *, into: str, line: int | None = None, name: str | None = None, raw: str = ""
    ) -> None:
        """Count one record merged into the entry ``into`` (kept samples: 100 per reason)."""
        key = reason.split(":", 1)[0].strip()
        self.merges[key] += 1
        if self.merges[key] <= MAX_SAMPLES:
            self.merge_samples.append(
                Merge(source=self.source, line=line, into=into, reason=reason, name=name, raw=raw[:300])
            )

    def note(self, key: str, n: int = 1) -> None:
        self.notes[key] += n

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    @property
    def merged(self) -> int:
        return sum(self.merges.values())

    def report(self, *, format: str) -> IngestReport:
        return IngestReport(
            source=self.source,
            format=format,
            records=self.accepted + self.rejected + self.merged,
            accepted=self.accepted,
            rejected=self.rejected,
            merged=self.merged,
            reasons=dict(self.reasons),
            merges=dict(self.merges),
            warnings=dict(self.warnings),
            notes=dict(self.notes),
            samples=list(self.samples),
            merge_samples=list(self.merge_samples),
        )


def ingest_report(frame: pd.DataFrame) -> IngestReport | None:
    """The report a reader attached to ``frame`` (``None`` if it has none, e.g. after a merge).

    >>> ingest_report(pd.DataFrame()) is None
    True
    """
    report = frame.attrs.get(INGEST_REPORT_ATTR)
    return report if isinstance(report, IngestReport) else None
