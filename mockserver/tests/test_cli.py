"""The command line: flags, errors, and a real ``serve`` process stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from mockserver.cli import command_parser, main
from mockserver.config import all_settings
from mockserver.resources import fixture_path
from mockserver.server import MockServer


def config_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["config", "--format", "json", *argv]) == 0
    loaded: dict[str, Any] = json.loads(capsys.readouterr().out)
    return loaded


def test_config_command_prints_resolved_json(capsys: pytest.CaptureFixture[str]) -> None:
    config = config_json(capsys, "--seed", "7", "--hume-api-key", "a", "--hume-api-key", "b")
    assert config["settings"]["seed"] == 7
    assert config["settings"]["hume"]["api_keys"] == ["a", "b"]
    assert config["sources"]["seed"] == "flag --seed"
    assert config["sources"]["hume.api_keys"] == "flag --hume-api-key"
    assert config["sources"]["hume.port"] == "default"


def test_boolean_flags_have_negative_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert config_json(capsys, "--hume-compression")["settings"]["hume"]["compression"] is True
    assert config_json(capsys, "--no-hume-enabled")["settings"]["hume"]["enabled"] is False


def test_config_prints_a_file_that_config_accepts_with_each_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.toml"
    first.write_text("[behavioral]\nspeaking_rate_labels = 5\n", encoding="utf-8")
    monkeypatch.setenv("MOCKSERVER_HUME_PORT", "9001")
    argv = ["config", "--config", str(first), "--seed", "7", "--hume-api-key", "a"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "\nseed = 7  # flag --seed\n" in text
    assert "\n[hume]\n" in text and "\nport = 9001  # environment MOCKSERVER_HUME_PORT\n" in text
    assert f"\nspeaking_rate_labels = 5  # config file {first}\n" in text
    assert '\nhost = "127.0.0.1"  # default\n' in text
    assert tomllib.loads(text)["hume"]["api_keys"] == ["a"]
    # the printed file, read back with nothing else set, gives the same configuration
    monkeypatch.delenv("MOCKSERVER_HUME_PORT")
    printed = tmp_path / "printed.toml"
    printed.write_text(text, encoding="utf-8")
    again = config_json(capsys, "--config", str(printed))
    assert again["settings"]["seed"] == 7 and again["settings"]["hume"]["port"] == 9001
    assert again["settings"]["behavioral"]["speaking_rate_labels"] == 5
    assert set(again["sources"].values()) == {f"config file {printed}"}


def test_unknown_settings_get_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('seeed = 1\n[hume]\napi_key = "x"\n[humev1]\nport = 1\n', encoding="utf-8")
    assert main(["config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "hume.api_key (did you mean 'api_keys'?)" in err
    assert "seeed (did you mean 'seed'?)" in err
    assert "humev1" in err and "hume_v1" in err


def test_a_mistyped_environment_variable_is_warned_about(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKSERVER_HUME_PROT", "9001")
    assert main(["config"]) == 0
    assert (
        "warning: environment variable MOCKSERVER_HUME_PROT is not a setting and is ignored "
        "(did you mean MOCKSERVER_HUME_PORT?)"
    ) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--hume-po", "9001"], "unrecognized arguments: --hume-po 9001"),
        (["--seed", "3", "serve"], "options go after the command: mockserver serve --seed 3"),
        (["--hume-port", "1", "config"], "options go after the command: mockserver config"),
    ],
)
def test_flags_are_never_abbreviated_and_go_after_the_command(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = int(exc.code or 0)
    assert status == 2
    assert message in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly() -> None:
    command = f"{sys.executable} -m mockserver config | head -n 1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert done.stdout.startswith("# mockserver configuration")
    assert done.stderr == ""
    assert done.returncode in (0, 141)  # the writer may also die of SIGPIPE's exit status


PORT_FLAGS = [
    "--hume-port", "--hume-v1-port", "--behavioral-grpc-port", "--behavioral-rest-port",
    "--admin-port",
]  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize("flag", PORT_FLAGS)
def test_a_busy_port_names_its_flag(flag: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [a for f in PORT_FLAGS for a in (f, str(port) if f == flag else "0")]
        done = subprocess.run(
            [sys.executable, "-m", "mockserver", "serve", *argv],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    # one line: no traceback, no gRPC C-core log line
    assert done.stderr == (
        f"mockserver: error: {flag} {port} is in use; pass another port or 0 for any free port\n"
    )


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


def test_a_bad_scenario_is_reported_before_any_port_is_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as busy:  # were a listener started first, this would be the error
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        argv = [*SERVE_ON_FREE_PORTS, "--hume-port", str(busy.getsockname()[1])]
        assert main([*argv, "--scenario", "builtin:nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockserver: error: builtin:nope: no such built-in scenario (built in: ")
    assert "builtin:hume-errors" in err


def test_scenarios_by_path_any_suffix_builtin_name_and_inline_text(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("name: from-txt\nhume: {rules: [{respond: {warning: {code: W0105}}}]}\n")
    server = MockServer(
        scenarios=[str(text_file), "builtin:hume-errors"],
        scenario_texts=["name: inline\nhume: {rules: [{respond: {warning: {code: W0105}}}]}"],
    )
    with server:
        names = [s.name for s in server.runtime.scenarios.active()]
        assert names == ["from-txt", "hume-errors", "inline"]
        server.reset()  # the configured ones come back after a reset
        assert [s.name for s in server.runtime.scenarios.active()] == names


def test_the_scenario_text_flag_is_one_scenario_even_with_commas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = "name: a, b\nhume: {rules: [{respond: {warning: {code: W0105}}}]}"
    config = config_json(capsys, "--scenario-text", text, "--scenario", "builtin:hume-errors")
    assert config["settings"]["scenario_texts"] == [text]
    assert config["settings"]["scenarios"] == ["builtin:hume-errors"]


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
