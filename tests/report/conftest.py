"""The demo screened once per session, with and without its inputs attached."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "scenario"


@pytest.fixture(scope="session")
def demo() -> vs.ScreeningResult:
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    return vs.screen(ais, watchlist)


@pytest.fixture(scope="session")
def scenario() -> vs.ScreeningResult:
    """The scenario with every finding kind (meetings, spoofing, identity changes...)."""
    ais = vs.read_ais(SCENARIO / "ais.csv")
    watchlist = vs.load_watchlist(SCENARIO / "watchlist.csv")
    hormuz = vs.RiskArea(
        name="Strait of Hormuz", polygon=((55.8, 25.8), (57.2, 25.8), (57.2, 27.0), (55.8, 27.0))
    )
    return vs.screen(
        ais,
        watchlist,
        registry=pd.read_csv(SCENARIO / "registry.csv"),
        config=vs.ScreeningConfig(risk_areas=(hormuz,)),
    )
