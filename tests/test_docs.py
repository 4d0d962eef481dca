"""Every ```python block of the docs and the README runs, page by page, in order.

Each page runs in one fresh namespace, from the repository root, blocks in the order
they appear (a later block may use what an earlier one defined), so a reader who pastes
the page into a notebook gets the same result. A failure names the page and the block.

A block whose first line is ``# not run: <why>`` is skipped: only for what needs the
network, credentials or the reader's own files (a live feed, a download URL), and the
reason is shown to the reader.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = "# not run:"
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(first line number, code) of each ```python block of a Markdown page."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _BLOCK.finditer(text)]


def test_skipped_blocks_say_why() -> None:
    for page in PAGES:
        for line, code in python_blocks(page):
            if code.startswith(NOT_RUN):
                reason = code.splitlines()[0].removeprefix(NOT_RUN).strip()
                assert len(reason) > 10, f"{page.name}:{line}: say why the block is not run"


def test_blocks_are_found() -> None:
    blocks = python_blocks(ROOT / "docs" / "demo.md")
    assert blocks
    assert "import vesselscreen as vs" in blocks[0][1]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_page_runs(page: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocks = python_blocks(page)
    if not blocks:
        pytest.skip(f"{page.name} has no python block")
    monkeypatch.chdir(ROOT)
    # pages that write files write them where the reader is; keep the tests' out of the tree
    monkeypatch.setenv("VESSELSCREEN_STORE", str(tmp_path / "snapshots.sqlite3"))
    namespace: dict[str, object] = {"__name__": "__docs__"}
    name = page.relative_to(ROOT).as_posix()
    for number, (line, code) in enumerate(blocks, start=1):
        if code.startswith(NOT_RUN):
            continue
        try:
            exec(compile("\n" * (line - 1) + code, name, "exec"), namespace)  # trusted project docs
        except Exception as exc:  # re-raised with the page and block named
            pytest.fail(f"{name}, block {number} (line {line}): {type(exc).__name__}: {exc}", pytrace=False)
    assert os.getcwd() == str(ROOT)


def test_every_finding_kind_and_config_field_is_documented() -> None:
    import vesselscreen as vs

    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for kind in vs.FindingKind:
        assert f"## `{kind.value}`" in text, kind
    for name in vs.ScreeningConfig.model_fields:
        assert f"| `{name}` |" in text, name
    assert "### `RiskArea`" in text
