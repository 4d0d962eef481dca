"""``Screener``: screen a live feed incrementally; each finding is reported once.

Feed it position chunks as they arrive (from a websocket, a file tail, a queue). It
keeps a sliding window of recent positions so events that span chunks (a port call that
began an hour ago) are still detected, and it remembers what it has reported.

>>> import vesselscreen as vs
>>> ais = vs.read_ais(vs.demo.ais_path())
>>> screener = vs.Screener(vs.load_watchlist(vs.demo.watchlist_path()))
>>> halves = [ais.iloc[: len(ais) // 2], ais.iloc[len(ais) // 2 :]]
>>> new = [len(screener.feed(chunk)) for chunk in halves]
>>> sum(new) == len(screener.reported)
True
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Finding
from vesselscreen.schema import POSITION
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.screen import screen

__all__ = ["Screener", "finding_key"]

FindingKey = tuple[str, int | None, str | None, tuple[str, ...], str | None, int | None]


def finding_key(finding: Finding) -> FindingKey:
    """What makes a finding the same finding across chunks (its end may still grow)."""
    start = finding.start.isoformat() if finding.start else None
    return (
        finding.kind.value,
        finding.mmsi,
        finding.port_id,
        finding.entry_ids,
        start,
        finding.counterpart_mmsi,
    )


class Screener:
    """Incremental screening over a stream of position chunks.

    Args:
        watchlist: the lists to screen against.
        window: how much history to keep per feed (default 3 days): events longer than
            this are reported with the start the window still shows.
        ports, config, registry: as for :func:`vesselscreen.screen`.
    """

    def __init__(
        self,
        watchlist: Watchlist,
        *,
        window: timedelta = timedelta(days=3),
        ports: pd.DataFrame | None = None,
        config: ScreeningConfig | None = None,
        registry: pd.DataFrame | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.window = window
        self.ports = ports
        self.config = config
        self.registry = registry
        self.reported: dict[FindingKey, Finding] = {}
        self._buffer: pd.DataFrame | None = None
        self._listed: set[tuple[str, int | None, tuple[str, ...]]] = set()

    def feed(self, chunk: pd.DataFrame) -> list[Finding]:
        """Screen the window plus ``chunk``; return only findings not reported before."""
        frames = [f for f in (self._buffer, chunk) if f is not None and not f.empty]
        if not frames:
            return []
        window = pd.concat(frames, ignore_index=True).drop_duplicates()
        window = window.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
        latest = window[POSITION.TIMESTAMP].max()
        self._buffer = window[window[POSITION.TIMESTAMP] >= latest - self.window].reset_index(drop=True)
        result = screen(window, self.watchlist, ports=self.ports, config=self.config, registry=self.registry)
        new = []
        for finding in result.findings:
            key = finding_key(finding)
            # a designated vessel is reported once per entry, whatever the window shows of it
            vessel_key = (finding.kind.value, finding.mmsi, finding.entry_ids)
            if finding.kind == "designated_vessel":
                if vessel_key in self._listed:
                    continue
                self._listed.add(vessel_key)
            if key in self.reported:
                continue
            self.reported[key] = finding
            new.append(finding)
        return new
