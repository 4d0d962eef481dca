"""The self-contained HTML report and the notebook displays."""

from __future__ import annotations

import html
import re
from pathlib import Path

import vesselscreen as vs

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_report_is_one_self_contained_file(demo: vs.ScreeningResult, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    text = demo.to_html(path)
    assert path.read_text(encoding="utf-8") == text
    assert not EXTERNAL.search(text), EXTERNAL.search(text)
    assert "<script" not in text
    assert text.count('class="finding"') == len(demo.findings) == 23
    for number in range(1, 24):
        assert f'id="finding-{number}"' in text
    for mmsi in (273999301, 273999302, 273999303):
        assert f'id="vessel-{mmsi}"' in text


def test_report_carries_snapshot_and_a_config_that_reads_back(demo: vs.ScreeningResult) -> None:
    text = demo.to_html()
    source = demo.metadata.watchlist.sources[0]
    assert source.sha256 in text
    assert demo.metadata.watchlist.id in text
    config = re.search(r'<section id="config">.*?<pre>(.*?)</pre>', text, flags=re.DOTALL)
    assert config is not None
    assert vs.ScreeningConfig.model_validate_json(html.unescape(config.group(1))) == demo.metadata.config


def test_report_maps_draw_tracks_ports_and_the_dark_gap(demo: vs.ScreeningResult) -> None:
    text = demo.to_html()
    overview = text[text.index("<h2>Map</h2>") : text.index("<h2>Vessels</h2>")]
    assert overview.count('class="track listed"') >= 3
    assert 'class="track other"' in overview  # the innocent traffic, in grey
    assert overview.count('class="gap"') == 1  # PORT OLYA 3 dark after Amirabad
    assert {"IRAMD", "RUOYA", "RUMCX"} <= set(re.findall(r'class="port-call" data-port="(\w+)"', overview))
    assert 'class="land"' in overview


def test_finding_display_shows_every_field_and_parameter(demo: vs.ScreeningResult) -> None:
    finding = next(f for f in demo.findings if f.kind == "voyage")
    shown = finding._repr_html_()
    for name in type(finding).model_fields:
        if name != "evidence" and getattr(finding, name) not in (None, ()):
            assert f"<th>{name}</th>" in shown, name
    for key in finding.evidence.parameters:
        assert f"<th>{key}</th>" in shown
    assert html.escape(finding.evidence.explanation) in shown
    assert shown.count("<tr>") >= len(finding.evidence.positions)


def test_watchlist_and_result_displays(demo: vs.ScreeningResult) -> None:
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    shown = watchlist._repr_html_()
    assert watchlist.snapshot.id in shown
    assert "custom_csv" in shown
    assert "PORT OLYA-3" in shown
    assert repr(watchlist).startswith("<Watchlist 5 vessels")  # the plain repr stays short
    summary = demo._repr_html_()
    assert "23 findings" in summary
    assert "PORT OLYA 3" in summary  # top risks name the vessel
    assert demo.metadata.watchlist.id in summary
    assert len(repr(demo)) < 300
    story = demo.vessel(273999301)._repr_html_()
    assert 'data-event="listed"' in story
