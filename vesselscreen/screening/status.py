"""Designation status *as of an event's time*, vectorised.

>>> import pandas as pd
>>> t = pd.to_datetime(["2024-08-29", "2024-09-12", "2024-09-12"], utc=True)
>>> listed = pd.Series(pd.to_datetime(["2024-09-10", "2024-09-10", None], utc=True))
>>> delisted = pd.Series(pd.NaT, index=range(3), dtype="datetime64[ns, UTC]")
>>> designation_status(pd.Series(t), listed, delisted).tolist()
['pre_designation', 'designated', 'listing_date_unknown']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.models import DesignationStatus

__all__ = ["designation_status"]


def designation_status(event_time: pd.Series, listed_on: pd.Series, delisted_on: pd.Series) -> pd.Series:
    """For each row: was the entry designated at ``event_time``?

    ``delisted`` when the event is on or after the delisting date; ``pre_designation``
    when it is before the listing date; ``listing_date_unknown`` when the list gives no
    date (the event cannot be placed); otherwise ``designated``.
    """
    event = event_time.to_numpy()
    listed = listed_on.to_numpy()
    delisted = delisted_on.to_numpy()
    conditions = [
        ~pd.isna(delisted) & (event >= delisted),
        pd.isna(listed),
        event < listed,
    ]
    choices = [
        DesignationStatus.DELISTED.value,
        DesignationStatus.LISTING_DATE_UNKNOWN.value,
        DesignationStatus.PRE_DESIGNATION.value,
    ]
    status = np.select(conditions, choices, default=DesignationStatus.DESIGNATED.value)
    return pd.Series(status, index=event_time.index, dtype="string")
