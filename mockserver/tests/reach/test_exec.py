"""``mockserver exec [serve flags] -- CMD``: the emulators for the life of one command.

The main case is Hume's own streaming example (``examples/hume_python_streaming``, copied
unmodified, see its SOURCE.md), an app built without ``base_url`` that reads
``HUME_API_KEY``: its own test passes under ``mockserver exec``, and the app itself works
with ``--tls`` too. An unmodified Behavioral Signals SDK client streams over TLS the same
way. Then the command's contract: exit status, placeholders, variables, signals.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mockserver.resources import fixture_path

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

EXAMPLE = Path(__file__).parent / "examples" / "hume_python_streaming"
EXEC = [sys.executable, "-m", "mockserver", "exec", "--log-level", "warning"]
#: Variables the parent may have that would let a child skip or bypass the emulator.
FOREIGN = ("HUME_API_KEY", "TEST_HUME_API_KEY", "PYTHONPATH", "SSL_CERT_FILE")


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in FOREIGN}


def run(
    argv: list[str], cwd: Path, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=environment(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of Hume's example, checked byte for byte against its recorded source."""
    source = (EXAMPLE / "SOURCE.md").read_text(encoding="utf-8")
    for name in ("main.py", "test_main.py"):
        data = (EXAMPLE / name).read_bytes()
        recorded = re.search(rf"`{re.escape(name)}` \| `([0-9a-f]{{64}})`", source)
        assert recorded is not None and hashlib.sha256(data).hexdigest() == recorded[1], name
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_hume_example_passes_its_own_test(example: Path) -> None:
    done = run([*EXEC, "--", sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                "-q", "test_main.py"], cwd=example)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    # Without the emulator it skips: no key, nothing reached.
    alone = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                 "test_main.py"], cwd=example)  # fmt: skip
    assert "1 skipped" in alone.stdout and "API key required" in alone.stdout


def test_hume_example_over_tls(example: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    done = run(
        [*EXEC, "--tls", "--state-dir", str(state), "--", sys.executable, "main.py"],
        cwd=example,
        stdin="I am so happy today\nexit\n",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Emotion Analysis" in done.stdout
    top = re.search(r"-{40}\n(\w+)\s*: (0\.\d{4})", done.stdout)
    assert top is not None and top[1] == "Joy", done.stdout  # the content decides
    assert (state / "ca" / "ca.pem").is_file()


def test_an_unmodified_behavioral_signals_client_over_tls(tmp_path: Path) -> None:
    client = tmp_path / "client.py"
    client.write_text(
        textwrap.dedent(
            """
            import os, sys
            from behavioralsignals import Client, StreamingOptions
            from behavioralsignals.utils import make_audio_stream

            client = Client(int(os.environ["BEHAVIORALSIGNALS_CID"]),
                            os.environ["BEHAVIORALSIGNALS_API_KEY"])
            stream, rate = make_audio_stream(sys.argv[1], chunk_size=0.25)
            options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
            results = list(client.behavioral.stream_audio(audio_stream=stream, options=options))
            print("results", len(results))
            print("processes", len(client.behavioral.list_processes()))
            """
        ),
        encoding="utf-8",
    )
    speech = str(fixture_path("media/speech_16k.wav"))
    done = run(
        [*EXEC, "--tls", "--state-dir", str(tmp_path / "state"), "--",
         sys.executable, str(client), speech],
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = re.search(r"results (\d+)", done.stdout)
    assert results is not None and int(results[1]) > 0
    assert "processes 1" in done.stdout  # the stream is a process of the emulator's REST API


def test_exit_status_variables_and_placeholders(tmp_path: Path) -> None:
    code = (
        "import os, sys; print(sys.argv[1]); "
        "print(os.environ['MOCKSERVER_HUME_URL'], os.environ['MOCKSERVER_ADMIN_URL']); "
        "sys.exit(7)"
    )
    done = run([*EXEC, "--", sys.executable, "-c", code, "{hume_url}"], cwd=tmp_path)
    assert done.returncode == 7, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("ws://127.0.0.1:") and second.split()[0] == first
    assert second.split()[1].startswith("http://127.0.0.1:")
    killed = run([*EXEC, "--", sys.executable, "-c", "import os; os.kill(os.getpid(), 15)"],
                 cwd=tmp_path)  # fmt: skip
    assert killed.returncode == 128 + signal.SIGTERM  # as a shell reports it


def test_usage_errors(tmp_path: Path) -> None:
    missing = run([*EXEC], cwd=tmp_path)
    assert missing.returncode == 2 and "no command given" in missing.stderr
    unknown = run([*EXEC, "--", "no-such-command-here"], cwd=tmp_path)
    assert unknown.returncode == 2 and "command not found: 'no-such-command-here'" in unknown.stderr
    typo = run([*EXEC, "--", sys.executable, "-c", "pass", "{hume_ulr}"], cwd=tmp_path)
    assert typo.returncode == 2 and "unknown placeholder {hume_ulr}" in typo.stderr


def test_a_signal_is_passed_on_and_the_server_stops_after_the_child(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(5))\n"
        "print('waiting', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [*EXEC, "--ready-file", str(ready), "--", sys.executable, "-c", code],
        env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "waiting"
    assert ready.is_file()  # the server runs while the child does
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 5, err  # the child's own answer to the signal
    assert not ready.exists()


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_any_command_not_only_python(tmp_path: Path) -> None:
    done = run([*EXEC, "--", "sh", "-c", 'test -n "$MOCKSERVER_BEHAVIORAL_GRPC_TARGET"'],
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
