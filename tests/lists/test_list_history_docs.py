"""The list-history worked example and the pages of this area run, offline, as documented."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("page", ["docs/list_history.md", "docs/snapshots.md"])
def test_page_runs_in_order_in_one_namespace(
    page: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the pages read bundled files by paths from the repository root
    blocks = python_blocks(ROOT / page)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)  # trusted project documentation
    assert capsys.readouterr().out


def test_the_worked_example_tells_the_story(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "list_history.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("  2024-09-11 06:00Z ofac_sdn sdn_september.csv: new snapshot #1 (82 vessels")
    assert out[3].startswith("  2024-08-30 00:00Z ofac_sdn sdn_2024-08-30.csv: same content as snapshot #2")
    assert "ofac_sdn history: 3 observations of 2 contents" in out
    assert "Listed as of 1 Sep 2024: 80 vessels (no PORT OLYA-3 yet)" in out
    assert "  ofac_sdn:990001  PORT OLYA-3  listed between 2024-08-30 and 2024-09-11" in out
    assert any(line.endswith("delisted between 2024-08-30 and 2024-09-11") for line in out)
    calls = [line.split() for line in out if line.startswith("  PORT OLYA 3 ")]
    # before the interval, twice inside it, after it
    assert [(call[3], call[-1]) for call in calls] == [
        ("IRAMD", "pre_designation"),
        ("RUOYA", "listing_uncertain"),
        ("IRAMD", "listing_uncertain"),
        ("RUOYA", "designated"),
    ]
