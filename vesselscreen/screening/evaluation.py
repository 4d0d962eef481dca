"""Precision and recall of findings against labelled ground truth, per finding kind.

Truth is a frame with columns ``kind``, ``mmsi`` and ``detail``: the finding's port id
where it has one (the port of a call, the destination of a voyage), else its
counterpart's MMSI (the other ship of a meeting), else empty. Any kind works, users'
rules' included. A finding counts once per (kind, mmsi, detail), however many times it occurs.

>>> import pandas as pd
>>> from vesselscreen.models import Evidence, Finding
>>> e = Evidence(rule="r", explanation="e")
>>> found = [Finding(kind="port_call", severity="high", mmsi=1, port_id="IRAMD", score=1, evidence=e)]
>>> truth = pd.DataFrame({"kind": ["port_call", "dark_gap"], "mmsi": [1, 2], "detail": ["IRAMD", ""]})
>>> print(evaluate(found, truth)[["kind", "tp", "fp", "fn", "precision", "recall"]].to_string(index=False))
     kind  tp  fp  fn  precision  recall
 dark_gap   0   0   1        NaN     0.0
port_call   1   0   0        1.0     1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from vesselscreen.models import Finding

__all__ = ["evaluate", "finding_label"]


def finding_label(finding: Finding) -> tuple[str, int, str]:
    """(kind, mmsi, detail) of a finding, as ground truth labels it."""
    detail = finding.port_id or (
        str(finding.counterpart_mmsi) if finding.counterpart_mmsi is not None else ""
    )
    return str(finding.kind), int(finding.mmsi or 0), detail


def evaluate(findings: Sequence[Finding], truth: pd.DataFrame) -> pd.DataFrame:
    """One row per kind: true/false positives, misses, precision and recall."""
    found = {finding_label(f) for f in findings}
    detail = truth["detail"].fillna("").astype(str) if "detail" in truth else pd.Series("", index=truth.index)
    expected = set(zip(truth["kind"].astype(str), truth["mmsi"].astype(int), detail, strict=True))
    rows = []
    for kind in sorted({k for k, _, _ in found | expected}):
        f = {x for x in found if x[0] == kind}
        t = {x for x in expected if x[0] == kind}
        tp, fp, fn = len(f & t), len(f - t), len(t - f)
        rows.append({
            "kind": kind, "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else np.nan,
            "recall": tp / (tp + fn) if tp + fn else np.nan,
            "false_positives": sorted(f - t), "misses": sorted(t - f),
        })  # fmt: skip
    return pd.DataFrame(rows)
