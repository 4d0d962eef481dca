"""Readable plain-text tables of findings, for terminals and logs.

>>> print(findings_table([]))
No findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from vesselscreen.models import Finding

__all__ = ["findings_table"]

_COLUMNS = ("severity", "kind", "vessel", "mmsi", "port", "from", "to", "status", "lists")


def _row(f: Finding) -> tuple[str, ...]:
    return (
        f.severity.value.upper(),
        str(f.kind),
        f.vessel_name or "",
        "" if f.mmsi is None else str(f.mmsi),
        f.port_id or "",
        f.start.strftime("%Y-%m-%d %H:%M") if f.start else "",
        f.end.strftime("%Y-%m-%d %H:%M") if f.end else "",
        f.designation_status.value if f.designation_status else "",
        ", ".join(f.entry_ids),
    )


def findings_table(findings: Sequence[Finding], *, explain: bool = True) -> str:
    """Findings as an aligned text table; with ``explain``, each row's reason below it."""
    if not findings:
        return "No findings."
    rows = [_row(f) for f in findings]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(_COLUMNS)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*(c.upper() for c in _COLUMNS)).rstrip(), line.format(*("-" * w for w in widths))]
    for f, r in zip(findings, rows, strict=True):
        out.append(line.format(*r).rstrip())
        if explain:
            out.append(f"    why: {f.evidence.explanation}")
    return "\n".join(out)
