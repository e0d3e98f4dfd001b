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
        "mockserver/contract/hume/obligations.py",  # the contract kit, installed
        "mockserver/contract/suites/test_conformance.py",
        "mockserver/_data/schemas/hume/contract-tables.json",
        "mockserver/_data/schemas/behavioral/contract-tables.json",
        "mockserver/_data/schemas/certify-report.schema.json",
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
    assert not [n for n in names if n.startswith("contract_tests/")]  # only the repository's

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

    # The installed contract kit runs outside the checkout: its profiles and markers ship
    # with the package (the plugin is found through the wheel's entry point).
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "mockserver.contract", "-q",
         "-p", "no:cacheprovider", "--strict-markers", "-k", "hume",
         "--mockserver-contract-profile", "quick"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert "1 passed" in suite.stdout
    command = subprocess.run(
        [sys.executable, "-m", "mockserver", "conformance", "hume", "--profile", "quick",
         "--checks", "hume.server.auth,hume.server.job-details"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert command.returncode == 0, command.stdout + command.stderr
    assert "conformance hume: passed" in command.stdout
