"""The version of vesselscreen: the one place it is written (pyproject.toml reads it from here).

A constant rather than an ``importlib.metadata`` lookup, which costs more than the rest of
``import vesselscreen``.
"""

__version__ = "0.1.0"
