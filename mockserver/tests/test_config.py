"""Settings precedence and validation: flags > environment > file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.config import ServerConfig, all_settings
from mockserver.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mockserver.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    config = ServerConfig.resolve()
    assert config.host == "127.0.0.1"
    assert config.seed == 0
    assert config.hume.port == 8765
    assert config.hume.api_keys == ("mock-hume-key",)
    assert config.hume.inactivity_timeout_s == 60.0


def test_precedence_flags_over_env_over_file_over_defaults(tmp_path: Path) -> None:
    file = write(tmp_path, 'seed = 1\n[hume]\nport = 9001\napi_keys = ["file-key"]\n')
    env = {"MOCKSERVER_SEED": "2", "MOCKSERVER_HUME_PORT": "9002"}
    config = ServerConfig.resolve(flags={"seed": "3"}, environ=env, config_file=file)
    assert config.seed == 3  # flag
    assert config.hume.port == 9002  # environment
    assert config.hume.api_keys == ("file-key",)  # file
    assert config.hume.inactivity_timeout_s == 60.0  # default


def test_env_list_is_comma_separated() -> None:
    config = ServerConfig.resolve(environ={"MOCKSERVER_HUME_API_KEYS": "a, b,c"})
    assert config.hume.api_keys == ("a", "b", "c")


def test_python_values_nested_or_dotted_and_ephemeral_ports() -> None:
    config = ServerConfig.resolve(
        python_values={"seed": 9, "hume": {"api_keys": ["k"]}, "hume.repeated_error_limit": 3},
        ephemeral_ports=True,
    )
    assert (config.seed, config.hume.api_keys, config.hume.port) == (9, ("k",), 0)
    assert config.hume.repeated_error_limit == 3


def test_integer_choices_are_integers_from_every_source(tmp_path: Path) -> None:
    file = write(tmp_path, "[behavioral]\nspeaking_rate_labels = 5\n")
    for config in (
        ServerConfig.resolve(config_file=file),
        ServerConfig.resolve(python_values={"behavioral": {"speaking_rate_labels": 5}}),
        ServerConfig.resolve(environ={"MOCKSERVER_BEHAVIORAL_SPEAKING_RATE_LABELS": "5"}),
        ServerConfig.resolve(flags={"behavioral.speaking_rate_labels": "5"}),
    ):
        assert config.behavioral.speaking_rate_labels == 5


def test_every_value_knows_its_source(tmp_path: Path) -> None:
    file = write(tmp_path, "seed = 1\n[hume]\nport = 9001\n")
    config = ServerConfig.resolve(
        flags={"hume.api_keys": ["k"]},
        environ={"MOCKSERVER_HUME_PORT": "9002"},
        config_file=file,
    )
    assert config.sources["seed"] == f"config file {file}"
    assert config.sources["hume.port"] == "environment MOCKSERVER_HUME_PORT"
    assert config.sources["hume.api_keys"] == "flag --hume-api-key"
    assert config.sources["hume.inactivity_timeout_s"] == "default"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"environ": {"MOCKSERVER_HUME_PORT": "x"}}, "MOCKSERVER_HUME_PORT: expected an integer"),
        ({"flags": {"hume.port": "70000"}}, "--hume-port: must be <= 65535"),
        ({"flags": {"hume.inactivity_timeout_s": "0"}}, "must be >= 0.001"),
        ({"flags": {"hume.time_reference": "wall"}}, "expected one of stream, window"),
        ({"flags": {"hume.compression": "maybe"}}, "expected true or false"),
        ({"flags": {"host": "0.0.0.0"}}, "not a loopback address"),
        ({"flags": {"hume.api_keys": []}}, "needs at least 1 value"),
        ({"python_values": {"hume": {"nope": 1}}}, "unknown setting(s): hume.nope"),
        ({"flags": {"seed": "1.5"}}, "--seed: expected an integer"),
        ({"flags": {"hume.inactivity_timeout_s": "nan"}}, "expected a finite number"),
        ({"python_values": {"hume": {"api_key": 1}}}, "hume.api_key (did you mean 'api_keys'?)"),
        ({"flags": {"behavioral.speaking_rate_labels": "4"}}, "expected one of 3, 5, got '4'"),
        ({"python_values": {"behavioral.speaking_rate_labels": "five"}}, "expected an integer"),
    ],
)
def test_invalid_values_name_their_source(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        ServerConfig.resolve(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_bad_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        ServerConfig.resolve(config_file=write(tmp_path, "seed = = 1"))
    with pytest.raises(ConfigError, match="unknown setting"):
        ServerConfig.resolve(config_file=write(tmp_path, "[hume]\nprot = 1\n"))
    with pytest.raises(ConfigError, match="cannot read config file"):
        ServerConfig.resolve(config_file=tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=r"config file .* hume\.port: expected an integer"):
        ServerConfig.resolve(config_file=write(tmp_path, '[hume]\nport = "x"\n'))


def test_loopback_hosts_and_explicit_opt_out() -> None:
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert ServerConfig.resolve(flags={"host": host}).host == host
    exposed = {"host": "0.0.0.0", "allow_non_loopback": True}
    config = ServerConfig.resolve(flags={**exposed, "admin_token": "t"})
    assert config.host == "0.0.0.0"
    # Beyond loopback the admin API needs a token, or must be off.
    with pytest.raises(ConfigError, match=r"needs a token: set --admin-token"):
        ServerConfig.resolve(flags=exposed)
    assert not ServerConfig.resolve(flags={**exposed, "admin_enabled": False}).admin_enabled
    with pytest.raises(ConfigError, match="not a loopback address"):
        ServerConfig.resolve(flags={"host": "0.0.0.0", "admin_token": "t"})


def test_every_setting_has_distinct_flag_and_env_and_help() -> None:
    settings = all_settings()
    assert len({s.flag_name for s in settings}) == len(settings)
    assert len({s.env_name for s in settings}) == len(settings)
    assert all(s.help.endswith(".") or s.help.endswith(")") for s in settings)


def test_behavioral_defaults_and_projects() -> None:
    config = ServerConfig.resolve()
    assert (config.behavioral.grpc_port, config.behavioral.rest_port) == (50051, 8780)
    assert config.behavioral.projects == ("1000:mock-bs-token",)
    flags = {"behavioral.projects": ["1:a", "2:b"], "behavioral.pacing": "realtime"}
    resolved = ServerConfig.resolve(flags=flags)
    assert [(p.cid, p.token) for p in resolved.behavioral.project_list()] == [(1, "a"), (2, "b")]
    assert resolved.behavioral.pacing == "realtime"


@pytest.mark.parametrize("project", ["abc:token", "1000", "1000:", ":token"])
def test_bad_projects_are_rejected(project: str) -> None:
    with pytest.raises(ConfigError, match="expected CID:TOKEN"):
        ServerConfig.resolve(flags={"behavioral.projects": [project]})


def test_two_listeners_on_one_port_are_rejected() -> None:
    with pytest.raises(ConfigError, match="both use port 9000"):
        ServerConfig.resolve(flags={"hume.port": "9000", "behavioral.rest_port": "9000"})
