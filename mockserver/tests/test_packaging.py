"""The wheel carries the data files and they are found outside the checkout."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_bundles_schemas_protos_and_fixtures(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("affect_mockserver-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "mockserver/_data/schemas/hume/publish.schema.json",
        "mockserver/_data/schemas/hume/response.schema.json",
        "mockserver/_data/fixtures/media/face.png",
        "mockserver/_data/fixtures/media/manifest.json",
        "mockserver/_data/protos/README.md",
        "mockserver/py.typed",
        "mockserver/ui/static/index.html",  # the dashboard (package data, no build step)
        "mockserver/ui/static/app.js",
        "mockserver/ui/static/app.css",
        "contract_tests/strategies/hume.py",
    ):
        assert required in names, required
    assert not [n for n in names if n.startswith("mockserver/tests/")]  # the suite stays home

    # Only what serving needs is required; test tools and SDKs are extras.
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    plain = [r for r in requires if "extra ==" not in r]
    for tool in ("pytest", "pytest-asyncio", "hypothesis", "hume", "behavioralsignals"):
        assert not [r for r in plain if re.match(rf"{tool}\b(?!-)", r)], (tool, plain)
    extras = {r.split("extra ==")[1].strip().strip("'\"") for r in requires if "extra ==" in r}
    assert {"pytest", "contract", "sdks"} <= extras
    assert any(r.startswith("pytest") and "extra == 'pytest'" in r for r in requires)
    assert any(r.startswith("hypothesis") and "extra == 'contract'" in r for r in requires)

    # Installed outside the checkout, resources resolve to the bundled copy.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import mockserver.resources as r; "
        "print(r.data_root()); print(r.load_schema('hume/publish.schema.json')['title']); "
        "import mockserver.ui as ui; print(len(ui.read_asset('app.js')) > 1000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    root, title, dashboard = out.stdout.split()
    assert root == str(target / "mockserver" / "_data")
    assert title == "StreamModelsEndpointPayload"
    assert dashboard == "True"
