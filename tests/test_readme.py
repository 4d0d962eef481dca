"""The README's usage example is short and runs (every page's blocks run in tests/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_readme_usage_example_runs(capsys: object) -> None:
    blocks = python_blocks(ROOT / "README.md")
    assert blocks, "README has no python example"
    assert len(blocks[0].strip().splitlines()) <= 12
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # the README example is trusted project code
