"""The command line: flags, errors, and a real ``serve`` process stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

from mockserver.cli import command_parser, main
from mockserver.config import all_settings
from mockserver.resources import fixture_path


def test_config_command_prints_resolved_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--seed", "7", "--hume-api-key", "a", "--hume-api-key", "b"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["seed"] == 7
    assert config["vendors"]["hume"]["api_keys"] == ["a", "b"]


def test_boolean_flags_have_negative_forms(capsys: pytest.CaptureFixture[str]) -> None:
    main(["config", "--hume-compression"])
    assert json.loads(capsys.readouterr().out)["vendors"]["hume"]["compression"] is True
    main(["config", "--no-hume-enabled"])
    assert json.loads(capsys.readouterr().out)["vendors"]["hume"]["enabled"] is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--hume-port", "x"], "--hume-port: expected an integer, got 'x'"),
        (["serve", "--host", "10.0.0.1"], "not a loopback address"),
        (["serve", "--config", "/nonexistent.toml"], "cannot read config file"),
    ],
)
def test_bad_settings_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_every_setting_is_a_serve_flag() -> None:
    help_text = command_parser("serve").format_help()
    for setting in all_settings():
        assert setting.flag_name in help_text
        assert setting.env_name in help_text


@pytest.mark.e2e
def test_serve_prints_listeners_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = dict(os.environ, MOCKSERVER_HUME_API_KEYS="cli-key", PYTHONUNBUFFERED="1")
    command = [
        sys.executable, "-m", "mockserver", "serve", "--hume-port", "0", "--seed", "3",
        "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0",
        "--behavioral-project", "7:cli-token", "--admin-port", "0",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"(ws://127\.0\.0\.1:\d+/v0/stream/models)", first)
        assert match, first
        assert "cli-key" in first
        banner = [first]
        while "Press Ctrl-C" not in banner[-1]:
            banner.append(process.stdout.readline())
        text = "".join(banner)
        rest = re.search(r"rest (http://127\.0\.0\.1:\d+/v5)", text)
        assert rest and re.search(r"grpc 127\.0\.0\.1:\d+", text), text
        assert "cid 7 token cli-token" in text
        admin = re.search(r"(http://127\.0\.0\.1:\d+)\S*\s", text[text.index("admin") :])
        assert admin, text
        with urllib.request.urlopen(admin.group(1) + "/health", timeout=10) as response:
            assert json.loads(response.read())["status"] == "ok"
        with connect(match.group(1), additional_headers={"X-Hume-Api-Key": "cli-key"}) as ws:
            ws.send('{"job_details": true}')
            assert len(json.loads(ws.recv())["job_details"]["job_id"]) == 32
        request = urllib.request.Request(
            rest.group(1) + "/auth", headers={"X-Auth-Token": "cli-token", "X-Auth-Client": "7"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["code"] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Shutting down" in out
    assert "Traceback" not in err


SERVE_ON_FREE_PORTS = [
    "serve", "--hume-port", "0", "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0",
    "--hume-v1-port", "0", "--admin-port", "0",
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hume: {rules: [{when: {model: languag}}]}", "hume.rules[0]: missing required key"),
        (None, "no such scenario file"),
    ],
)
def test_a_bad_scenario_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, message: str
) -> None:
    path = tmp_path / "scenario.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main([*SERVE_ON_FREE_PORTS, "--scenario", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockserver: error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.e2e
def test_serve_loads_scenario_files_at_start() -> None:

    scenario = fixture_path("scenarios/hume-angry-customer.yaml")
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *SERVE_ON_FREE_PORTS, "--scenario", str(scenario)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while "Press Ctrl-C" not in banner[-1]:
            banner.append(process.stdout.readline())
        text = "".join(banner)
        admin = re.search(r"admin\s+(http://127\.0\.0\.1:\d+)", text)
        assert admin, text
        with urllib.request.urlopen(admin.group(1) + "/scenarios", timeout=10) as response:
            (loaded,) = json.loads(response.read())
        assert loaded["name"]
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
