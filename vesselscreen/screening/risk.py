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

from collections.abc import Mapping, Sequence

import pandas as pd

from vesselscreen.models import Finding

__all__ = ["risk_scores"]

MAX_RISK = 100.0


def risk_scores(
    findings: Sequence[Finding], weights: Mapping[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(risk per vessel, breakdown per vessel and kind), both sorted by descending points."""
    rows = pd.DataFrame(
        {
            "mmsi": pd.array([f.mmsi for f in findings], dtype="Int64"),
            "kind": pd.array([str(f.kind) for f in findings], dtype="string"),
            "score": [f.score for f in findings],
        }
    ).dropna(subset=["mmsi"])
    rows["points"] = rows["kind"].map(dict(weights)).fillna(0.0).astype("float64") * rows["score"]
    breakdown = (
        rows.groupby(["mmsi", "kind"], as_index=False)
        .agg(findings=("score", "size"), points=("points", "sum"))
        .sort_values(["mmsi", "points"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )
    risk = breakdown.groupby("mmsi", as_index=False).agg(
        risk=("points", "sum"), findings=("findings", "sum"), top_kind=("kind", "first")
    )
    risk["risk"] = risk["risk"].clip(upper=MAX_RISK).round(2)
    risk = risk.sort_values(["risk", "mmsi"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return risk, breakdown
