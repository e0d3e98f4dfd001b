"""Optional dependencies: the server runs without them; asking for them names the extra."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from mockserver.optional import optional_import
from mockserver.server import MockServer
from mockserver.vendors.behavioral.handle import BehavioralHandle
from mockserver.vendors.behavioral.redirect import behavioral_signals_redirect
from mockserver.vendors.hume.handle import HumeHandle
from mockserver.vendors.hume_v1.handle import HumeV1Handle

EXTRA = r"pip install 'affect-mockserver\[sdks\]'"


def test_a_missing_module_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hume", None)
    with pytest.raises(
        ModuleNotFoundError, match=f"^f\\(\\) needs the 'hume' package, .*: {EXTRA}$"
    ):
        optional_import("hume", extra="sdks", needed_for="f()")
    assert optional_import("json", extra="x", needed_for="g()") is json


def test_a_broken_install_is_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    # the module exists but one of its own imports is missing: the original error stands
    monkeypatch.setitem(sys.modules, "yaml", None)
    monkeypatch.delitem(sys.modules, "mockserver.tests.optional_probe", raising=False)
    with pytest.raises(ModuleNotFoundError) as info:
        optional_import("mockserver.tests.optional_probe", extra="x", needed_for="h()")
    assert "needs the" not in str(info.value)


@pytest.mark.e2e
def test_every_sdk_helper_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    sdks = ("hume", "hume_expression_measurement", "behavioralsignals")
    for module in [m for m in sys.modules if m.partition(".")[0] in sdks] + list(sdks):
        monkeypatch.setitem(sys.modules, module, None)  # as if never installed
    with MockServer(seed=0) as server:
        calls: dict[str, Callable[[], object]] = {
            "HumeHandle.client()": HumeHandle(server).client,
            "HumeHandle.async_client()": HumeHandle(server).async_client,
            "HumeV1Handle.client()": HumeV1Handle(server).client,
            "HumeV1Handle.async_client()": HumeV1Handle(server).async_client,
            "BehavioralHandle.client()": BehavioralHandle(server).client,
            "behavioral_signals_redirect()": lambda: behavioral_signals_redirect(
                server.service("behavioral").endpoint
            ).__enter__(),
        }
        for needed_for, call in calls.items():
            with pytest.raises(ModuleNotFoundError, match=EXTRA) as info:
                call()
            assert str(info.value).startswith(needed_for), info.value


def test_the_server_imports_no_test_or_sdk_package() -> None:
    optional = ["pytest", "_pytest", "hypothesis", "pytest_asyncio", "hume", "behavioralsignals"]
    optional.append("hume_expression_measurement")
    code = (
        "import json, sys\n"
        "import mockserver.cli, mockserver.server\n"
        "from mockserver.server import MockServer\n"
        "with MockServer(seed=0):\n"
        "    pass\n"
        f"print(json.dumps([m for m in {optional!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
