"""The public API: ``__all__`` is complete, sorted, and every name resolves."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import vesselscreen as vs


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions and modules."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


def test_all_is_sorted_and_resolves() -> None:
    assert list(vs.__all__) == sorted(vs.__all__, key=_isort_style)
    for name in vs.__all__:
        assert hasattr(vs, name), name


def test_import_is_lazy_and_every_name_resolves() -> None:
    # `import vesselscreen` imports no heavy dependency; each name loads on first use
    heavy = ("pandas", "shapely", "pyais")
    code = f"import sys, vesselscreen; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert all(getattr(vs, name) is not None for name in vs.__all__)
    assert set(dir(vs)) >= set(vs.__all__)


def test_all_is_complete() -> None:
    # every public class, function and constant in the package namespace is exported;
    # subpackages appear as attributes on import, and only the documented ones are exported
    public = {
        name for name, value in vars(vs).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }  # fmt: skip
    assert public - set(vs.__all__) == set()
    exported_modules = {name for name in vs.__all__ if isinstance(getattr(vs, name), types.ModuleType)}
    assert exported_modules == {"archive", "demo", "events", "geo", "identifiers", "schema"}


def test_contract_names_from_design() -> None:
    for name in ("load_watchlist", "read_ais", "screen", "ScreeningConfig", "ScreeningResult", "Finding",
                 "Watchlist", "VesselScreenError"):  # fmt: skip
        assert name in vs.__all__
    assert inspect.signature(vs.screen).parameters.keys() >= {"ais", "watchlist", "ports", "config"}


def test_errors_share_one_root() -> None:
    for name in vs.__all__:
        value = getattr(vs, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, vs.VesselScreenError), name
