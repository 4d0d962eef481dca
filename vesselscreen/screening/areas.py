"""Risk areas: named sea areas where going dark or loitering is a finding for any vessel.

>>> box = ((55.8, 25.8), (57.2, 25.8), (57.2, 27.0), (55.8, 27.0))
>>> hormuz = RiskArea(name="Strait of Hormuz", polygon=box)
>>> hormuz.contains(pd.Series([26.5, 20.0]), pd.Series([56.6, 56.6])).tolist()
[True, False]
"""

from __future__ import annotations

import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict

__all__ = ["RiskArea"]


class RiskArea(BaseModel):
    """A named sea area; ``polygon`` is its outline as (lon, lat) pairs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    polygon: tuple[tuple[float, float], ...]

    def contains(self, lat: pd.Series, lon: pd.Series) -> pd.Series:
        """Whether each point lies inside the area."""
        shape = shapely.Polygon(self.polygon)
        inside = shapely.contains_xy(shape, lon.to_numpy(dtype=float), lat.to_numpy(dtype=float))
        return pd.Series(inside, index=lat.index)
