"""``mockserver certify`` on the example clients (``examples/clients/``): the official-SDK
examples pass, each buggy one is named by the obligation it breaks with a shrunk, replayable
reproducer, and every way the kit can end (exit 0, 1, 2) says what to fix."""

from __future__ import annotations

import json
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.cli import main
from mockserver.contract import CertifyOptions, assert_certified, certify
from mockserver.contract.report import Report
from mockserver.journal import Journal
from mockserver.resources import load_schema

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "clients"


def client(name: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / name)]


def script(tmp_path: Path, code: str) -> list[str]:
    path = tmp_path / "client.py"
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return [sys.executable, str(path)]


def statuses(report: Report) -> dict[str, str]:
    return {result.id: result.status for result in report.results}


def failed(report: Report) -> set[str]:
    return {result.id for result in report.results if result.status == "FAIL"}


# -- the official-SDK examples pass ------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor", "name", "profile"),
    [
        ("hume", "hume_sdk_sync.py", "default"),
        ("hume", "hume_sdk_async.py", "quick"),
        ("behavioral", "behavioral_sdk_stream.py", "default"),
        ("behavioral", "behavioral_sdk_batch.py", "quick"),
    ],
)
def test_the_official_sdk_examples_pass(
    vendor: str, name: str, profile: str, tmp_path: Path
) -> None:
    report = assert_certified(vendor, client(name), profile=profile, report_dir=tmp_path)
    assert set(statuses(report).values()) == {"PASS", "SKIP"}
    assert statuses(report)[f"{vendor}.recovers"] == "SKIP"
    families = {run.behaviour["family"] for run in report.runs}
    assert families == {"baseline", "valid", "fault"}


def test_a_client_that_retries_with_back_off_recovers(tmp_path: Path) -> None:
    report = assert_certified(
        "hume", client("hume_retrying.py"), profile="quick", expect_recovery=True
    )
    assert statuses(report)["hume.recovers"] == "PASS"


def test_a_client_that_gives_up_after_a_fault_does_not_recover(tmp_path: Path) -> None:
    report = certify(CertifyOptions("hume", client("hume_sdk_sync.py"), runs=3,
                                    expect_recovery=True, report_dir=tmp_path))  # fmt: skip
    assert failed(report) == {"hume.recovers"}
    (first, *_) = [v for v in report.violations if v.id == "hume.recovers"]
    assert "close-1011(after_results=0)" in first.message


# -- each bug is named by its obligation, with a shrunk reproducer ------------------------------


@pytest.mark.parametrize(
    ("vendor", "name", "obligation", "runs"),
    [
        ("hume", "hume_long_audio.py", "hume.audio-duration", 3),
        ("hume", "hume_crash_on_warning.py", "hume.tolerates-valid-responses", 3),
        ("hume", "hume_reconnect_loop.py", "hume.handshake-rate", 3),
        ("behavioral", "behavioral_audio_first.py", "behavioral.config-first", 2),
        ("behavioral", "behavioral_credentials_once.py", "behavioral.credentials", 2),
        ("behavioral", "behavioral_cancel.py", "behavioral.half-close", 2),
    ],
)
def test_each_buggy_client_is_named_by_its_obligation(
    vendor: str, name: str, obligation: str, runs: int, tmp_path: Path
) -> None:
    report = certify(CertifyOptions(vendor, client(name), runs=runs, report_dir=tmp_path))
    assert not report.passed
    assert failed(report) == {obligation}
    (shrunk,) = [v for v in report.violations if v.id == obligation and v.shrunk]
    assert shrunk.reproducer.startswith(f"mockserver certify {vendor} --replay {tmp_path}/run-")
    replay = Path(shrunk.reproducer.split(" --replay ")[1].split(" -- ")[0])
    again = certify(
        CertifyOptions(vendor, client(name), replay=replay, report_dir=tmp_path / "replay")
    )
    assert [run.phase for run in again.runs] == ["replay"]
    assert failed(again) == {obligation}


def test_a_failure_found_by_exploration_is_shrunk_to_the_fewest_earliest_items(
    tmp_path: Path,
) -> None:
    """A client that only breaks when its third reply has no predictions: the coverage
    runs (first payload) miss it, Hypothesis finds it and shrinks it."""
    command = script(
        tmp_path,
        """
        import json, os
        from websockets.sync.client import connect
        headers = {"X-Hume-Api-Key": os.environ["MOCKSERVER_HUME_API_KEY"]}
        with connect(os.environ["MOCKSERVER_HUME_URL"], additional_headers=headers) as ws:
            for i in range(4):
                ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "hi"}))
                reply = json.loads(ws.recv(timeout=10))
                if i == 2:
                    reply["language"]["predictions"][0]
        """,
    )
    report = certify(
        CertifyOptions("hume", command, runs=25, seed=1, timeout_s=10, report_dir=tmp_path / "out")
    )
    assert failed(report) == {"hume.tolerates-valid-responses"}
    (shrunk,) = [v for v in report.violations if v.shrunk]
    run = report.runs[shrunk.run - 1]
    (item,) = run.behaviour["items"]
    assert item["payload"] == 3
    assert item["kind"] in ("model-warning", "top-level-warning", "empty-predictions")
    assert {r.phase for r in report.runs} >= {"baseline", "coverage", "explore", "shrink"}


def test_a_client_that_hangs_after_a_fault_is_killed_and_named(tmp_path: Path) -> None:
    command = script(
        tmp_path,
        """
        import json, os, time
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect
        headers = {"X-Hume-Api-Key": os.environ["MOCKSERVER_HUME_API_KEY"]}
        try:
            with connect(os.environ["MOCKSERVER_HUME_URL"], additional_headers=headers) as ws:
                ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "hi"}))
                ws.recv(timeout=10)
        except ConnectionClosed:
            time.sleep(600)  # the bug: stuck after the connection is lost
        """,
    )
    report = certify(
        CertifyOptions("hume", command, runs=3, timeout_s=1.0, report_dir=tmp_path / "out")
    )
    assert failed(report) == {"hume.ends-after-fault"}
    (violation,) = [v for v in report.violations if v.id == "hume.ends-after-fault"]
    assert "still running 1 s after the fault fired" in violation.message
    assert report.runs[violation.run - 1].exit_status is None


# -- the command line: exit statuses, reports -----------------------------------------------------


def test_cli_exit_1_with_json_junit_and_a_report_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["certify", "hume", "--runs", "2", "--report-dir", str(out), "--json",
            str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml"), "--",
            *client("hume_crash_on_warning.py")]  # fmt: skip
    assert main(argv) == 1
    console = capsys.readouterr().out
    assert "FAIL  hume.tolerates-valid-responses  first failing run: 2" in console
    assert "reproduce: mockserver certify hume --replay" in console
    data: dict[str, Any] = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(data, load_schema("certify-report.schema.json"))
    assert data["passed"] is False and data["command"] == client("hume_crash_on_warning.py")
    assert [v["obligation"] for v in data["violations"]] == ["hume.tolerates-valid-responses"]
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert suite.get("tests") == "12" and suite.get("failures") == "1"
    names = [case.get("name") for case in suite if case.find("failure") is not None]
    assert names == ["hume.tolerates-valid-responses"]
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html", "report.json", "run-1.html", "run-1.ndjson", "run-2.html",
        "run-2.ndjson", "run-2.stderr.txt", "run-2.yaml", "summary.txt",
    ]  # fmt: skip
    assert len(Journal.read_ndjson(out / "run-2.ndjson")) > 0  # valid journal entries
    assert "TypeError" in (out / "run-2.stderr.txt").read_text()
    assert "run-2.yaml" in (out / "index.html").read_text()


def test_cli_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", "hume", "--runs", "2", "--", *client("hume_retrying.py")]) == 0
    assert "certify hume: passed" in capsys.readouterr().out


def test_a_marked_violation_is_highlighted_in_the_runs_page(tmp_path: Path) -> None:
    certify(CertifyOptions("hume", client("hume_long_audio.py"), runs=1, report_dir=tmp_path))
    page = (tmp_path / "run-1.html").read_text()
    assert "hume.audio-duration: frame #3 on hume-ws-1: 8890 ms of audio" in page


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["certify", "hume", "--obligations", "hume.nope", "--", "x"],
         "unknown obligation hume.nope for hume (known: hume.json-text"),
        (["certify", "hume", "--", "no-such-command-xyz"], "command not found"),
        (["certify", "hume"], "no command given: put the client's command after --"),
        (["certify", "hume", "--replay", "/nonexistent.yaml", "--", "x"],
         "cannot read /nonexistent.yaml"),
        (["certify", "hume", "--", sys.executable, "-c", "print('offline')"],
         "made no connection to the emulator in the baseline run"),
    ],
)  # fmt: skip
def test_cli_exit_2_says_what_to_fix(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_baseline_that_fails_without_breaking_an_obligation_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = script(
        tmp_path,
        """
        import json, os, sys
        from websockets.sync.client import connect
        headers = {"X-Hume-Api-Key": os.environ["MOCKSERVER_HUME_API_KEY"]}
        with connect(os.environ["MOCKSERVER_HUME_URL"], additional_headers=headers) as ws:
            ws.send(json.dumps({"job_details": True}))
            ws.recv(timeout=10)
        sys.exit("the client's own problem")
        """,
    )
    assert main(["certify", "hume", "--", *command]) == 2
    err = capsys.readouterr().err
    assert "the baseline failed: the client exited with status 1" in err
    assert "Its last error line: the client's own problem" in err


def test_replaying_another_vendors_file_is_refused(tmp_path: Path) -> None:
    report = certify(CertifyOptions("behavioral", client("behavioral_audio_first.py"),
                                    runs=1, report_dir=tmp_path))  # fmt: skip
    assert failed(report) == {"behavioral.config-first"}
    assert main(["certify", "hume", "--replay", str(tmp_path / "run-1.yaml"), "--", "x"]) == 2


def test_only_the_selected_obligations_are_judged() -> None:
    report = certify(CertifyOptions("hume", client("hume_crash_on_warning.py"), runs=2,
                                    obligations=["hume.credentials"]))  # fmt: skip
    assert report.passed
    assert statuses(report)["hume.tolerates-valid-responses"] == "SKIP"
    assert statuses(report)["hume.credentials"] == "PASS"
