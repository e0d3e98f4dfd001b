"""The optional atheris harness runs (a short burst) when atheris is installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(
        importlib.util.find_spec("atheris") is None,
        reason="atheris is optional: pip install atheris (docs/reliability.md)",
    ),
]

HARNESS = Path(__file__).with_name("atheris_harness.py")


def test_a_short_atheris_run_finds_no_crash(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(HARNESS), "-atheris_runs=1500", f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 1500" in result.stderr
