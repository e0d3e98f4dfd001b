"""The package version (one place; ``pyproject.toml`` repeats it, a test keeps them equal)."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
