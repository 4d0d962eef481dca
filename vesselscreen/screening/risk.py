"""Per-vessel risk: a transparent sum of weighted findings, with its breakdown.

Each finding adds ``weight[kind] * score`` points to its vessel; the total is capped at
100. The breakdown says how many findings of each kind contributed how many points, so
the number can always be explained.

>>> from vesselscreen.models import Evidence, Finding
>>> e = Evidence(rule="r", explanation="e")
>>> f = Finding(kind="port_call", severity="high", mmsi=1, score=0.5, evidence=e)
>>> risk, breakdown = risk_scores([f, f], {"port_call": 10.0})
>>> risk.to_dict("records")
[{'mmsi': 1, 'risk': 10.0, 'findings': 2, 'top_kind': 'port_call'}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vesselscreen.models import Finding

__all__ = ["risk_scores"]

MAX_RISK = 100.0


def risk_scores(
    findings: Sequence[Finding], weights: Mapping[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(risk per vessel, breakdown per vessel and kind), both sorted by descending points."""
    # findings are Python objects already: summing them in a dict beats a pandas groupby
    # at any realistic count (hundreds to thousands)
    tally: dict[tuple[int, str], list[float]] = {}
    for finding in findings:
        if finding.mmsi is None:
            continue
        kind = str(finding.kind)
        count_points = tally.setdefault((finding.mmsi, kind), [])
        count_points.append(weights.get(kind, 0.0) * finding.score)
    parts = sorted(
        ((mmsi, kind, len(points), math.fsum(points)) for (mmsi, kind), points in tally.items()),
        key=lambda part: (part[0], -part[3], part[1]),
    )
    breakdown = pd.DataFrame(
        {
            "mmsi": pd.array([p[0] for p in parts], dtype="Int64"),
            "kind": pd.array([p[1] for p in parts], dtype="string"),
            "findings": np.array([p[2] for p in parts], dtype=np.int64),
            "points": np.array([p[3] for p in parts], dtype=np.float64),
        }
    )
    vessels: dict[int, tuple[float, int, str]] = {}
    for mmsi, kind, count, points in parts:  # a vessel's first part has its most points
        total, number, top = vessels.get(mmsi, (0.0, 0, kind))
        vessels[mmsi] = (total + points, number + count, top)
    ranked = sorted(
        (
            (mmsi, float(np.round(min(total, MAX_RISK), 2)), number, top)
            for mmsi, (total, number, top) in vessels.items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    risk = pd.DataFrame(
        {
            "mmsi": pd.array([r[0] for r in ranked], dtype="Int64"),
            "risk": np.array([r[1] for r in ranked], dtype=np.float64),
            "findings": np.array([r[2] for r in ranked], dtype=np.int64),
            "top_kind": pd.array([r[3] for r in ranked], dtype="string"),
        }
    )
    return risk, breakdown
