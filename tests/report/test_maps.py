"""The folium map and the matplotlib plot (maps extra; dev installs it)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs

folium = pytest.importorskip("folium")
pytest.importorskip("matplotlib")


def test_saved_map_needs_no_network(demo: vs.ScreeningResult, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    demo.map().save(str(path))
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", text)
    assert "data:text/javascript;base64," in text
    assert "L.tileLayer(" not in text  # no basemap by default: nothing to fetch
    for cls in ("vs-track", "vs-gap", "vs-port", "vs-finding"):
        assert cls in text, cls
    assert text.count("vs-finding vs-") == len(demo.findings)


def test_map_focuses_one_vessel_and_can_take_tiles(demo: vs.ScreeningResult) -> None:
    focused = demo.map("MUSA JALIL").get_root().render()
    assert focused.count("vs-finding vs-") == 5
    assert "openstreetmap" in demo.map(tiles="OpenStreetMap").get_root().render().lower()


def test_plot_vessel_draws_the_track_the_story_and_the_listing_date(demo: vs.ScreeningResult) -> None:
    fig = demo.plot_vessel(273999301)
    track_ax, time_ax = fig.axes
    assert len(track_ax.lines) >= 2  # the track's segments and the dashed gap
    labels = [t.get_text() for t in time_ax.get_yticklabels()]
    assert {"port_call", "voyage", "dark_gap", "designated_vessel"} <= set(labels)
    vertical = [line for line in time_ax.lines if len(set(line.get_xdata())) == 1]
    assert [line.get_xdata()[0] for line in vertical] == [pd.Timestamp("2024-09-10", tz="UTC")]
    assert "listed 2024-09-10" in [t.get_text() for t in time_ax.texts]
    fig.savefig(io.BytesIO(), format="png")
