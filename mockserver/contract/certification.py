"""Certify a client: run it against the emulator under many server behaviours and judge
its obligations (``mockserver certify``; the Python API is :func:`certify`).

Each run starts a fresh emulator (only the certified vendor, free ports, the run's
settings, scenario and faults), runs the client's command once as a child process with
the endpoint in its environment (:mod:`mockserver.child`), and judges the run:

* every journal-checked obligation of the vendor's kit, on the run's journal;
* ``<vendor>.tolerates-valid-responses``: a run of the ``valid`` family must exit 0;
* ``<vendor>.ends-after-fault``: in a run of the ``fault`` family the client must end
  within ``timeout_s`` of the first entry a fault produced (the kit kills it otherwise);
* ``<vendor>.recovers`` (only with ``expect_recovery``): a fault run must exit 0.

Run 1 is the baseline (the default engine, no fault). If it fails and broke an obligation
the kit stops there (exit 1); if it fails without one, or the client made no connection,
the kit stops with :class:`CertifyError` (exit 2). Then one run per behaviour of the
catalogue (valid and fault kinds alternating, minimal parameters), then runs whose
behaviours Hypothesis chooses (seeded by ``seed``), combining items and parameters. A
failure Hypothesis finds is shrunk, within a budget of extra runs, towards the fewest and
earliest items that still break the same obligation; for every broken obligation the
report marks the smallest failing run, whose replay file reproduces it exactly::

    mockserver certify hume --replay DIR/run-7.yaml -- python client.py
"""

from __future__ import annotations

import contextlib
import shlex
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from mockserver.child import ChildError, ChildLauncher, terminate
from mockserver.errors import MockServerError
from mockserver.journal import JournalEntry
from mockserver.registry import default_vendors
from mockserver.server import MockServer

from .kits import CERTIFY_KITS, certify_kit
from .model import Behaviour, CertifyKit, ItemKind, Plan, RunView, behaviours
from .report import (
    Report,
    RunRecord,
    Violation,
    console_lines,
    summarise,
    write_json,
    write_junit,
    write_report_dir,
)

__all__ = [
    "PROFILES",
    "REPLAY_FORMAT",
    "CertifyError",
    "CertifyOptions",
    "assert_certified",
    "certify",
]

#: ``profile -> (runs, extra runs for shrinking)``.
PROFILES: Mapping[str, tuple[int, int]] = {
    "quick": (8, 4),
    "default": (20, 10),
    "deep": (60, 30),
}
REPLAY_FORMAT = "mockserver-certify-replay/1"
_POLL_S = 0.05
_SETTLE_S = 2.0
_TAIL_CHARS = 4000


class CertifyError(MockServerError):
    """A usage or harness error (exit status 2); the message says what to fix."""


@dataclass(frozen=True)
class CertifyOptions:
    """What to certify and how (the flags of ``mockserver certify``).

    Attributes:
        vendor: ``hume`` or ``behavioral``.
        command: The client's command (``{placeholders}`` allowed).
        runs: Runs in all, the baseline included (default: the profile's).
        profile: ``quick``, ``default`` or ``deep``.
        seed: Seed of the emulator and of every choice.
        timeout_s: How long the client may run after a fault (and in the baseline).
        expect_recovery: Fault runs must exit 0.
        strict: Warnings fail.
        obligations: Only judge these ids (default: all).
        replay: Replay one run from its file instead.
        report_dir: Where to write journals, HTML pages and replay files.
        json_file: Write the JSON report here.
        junit_file: Write the JUnit XML report here.
        cwd: The client's working directory (default: this process's).
        environment: The client's base environment (default: this process's).
        shrink_runs: Extra runs for shrinking (default: the profile's).
    """

    vendor: str
    command: Sequence[str]
    runs: int | None = None
    profile: str = "default"
    seed: int = 0
    timeout_s: float = 30.0
    expect_recovery: bool = False
    strict: bool = False
    obligations: Sequence[str] | None = None
    replay: Path | None = None
    report_dir: Path | None = None
    json_file: Path | None = None
    junit_file: Path | None = None
    cwd: Path | None = None
    environment: Mapping[str, str] | None = None
    shrink_runs: int | None = None


def certify(options: CertifyOptions) -> Report:
    """Certify the client; return the report (also written where ``options`` say).

    Raises:
        CertifyError: A usage or harness error (unknown vendor or obligation, command not
            found, a baseline that fails without breaking an obligation, a client that
            never connects, an unreadable replay file).
    """
    return _Certification(options).run()


@dataclass
class _ChildOutcome:
    returncode: int | None
    timed_out: bool
    duration_s: float
    end_t: float | None
    fault_t: float | None
    stdout: str = ""
    stderr: str = ""


@dataclass
class _Replay:
    run: int
    seed: int
    timeout_s: float
    expect_recovery: bool
    baseline_s: float
    behaviour: Behaviour
    plan: Plan


@dataclass
class _State:
    """What the runs found so far."""

    records: list[RunRecord] = field(default_factory=list)
    by_key: dict[str, RunRecord] = field(default_factory=dict)
    baseline_ids: set[str] = field(default_factory=set)
    baseline_s: float = 0.0
    failure_seen: bool = False


class _Certification:
    def __init__(self, options: CertifyOptions) -> None:
        self.options = options
        try:
            self.kit: CertifyKit = certify_kit(options.vendor)
        except KeyError:
            known = ", ".join(CERTIFY_KITS)
            raise CertifyError(f"unknown vendor {options.vendor!r} (known: {known})") from None
        if options.profile not in PROFILES:
            known = ", ".join(PROFILES)
            raise CertifyError(f"unknown profile {options.profile!r} (known: {known})")
        ids = [o.id for o in self.kit.obligations]
        selected = set(ids) if options.obligations is None else set(options.obligations)
        unknown = sorted(selected - set(ids))
        if unknown:
            raise CertifyError(
                f"unknown obligation {', '.join(unknown)} for {options.vendor} "
                f"(known: {', '.join(ids)})"
            )
        if not options.command:
            raise CertifyError("no command given: put the client's command after --")
        self.selected = selected
        runs, shrink = PROFILES[options.profile]
        self.runs = runs if options.runs is None else options.runs
        self.shrink_runs = shrink if options.shrink_runs is None else options.shrink_runs
        if self.runs < 1:
            raise CertifyError("--runs must be at least 1 (the baseline)")
        self.seed = options.seed
        self.timeout_s = options.timeout_s
        self.expect_recovery = options.expect_recovery
        self.state = _State()
        self._directory: Path | None = options.report_dir
        self._temporary = False
        self._failure_types: dict[str, type[Exception]] = {}

    # -- the whole certification ------------------------------------------------------------

    def run(self) -> Report:
        started = time.monotonic()
        options = self.options
        profile = options.profile if options.runs is None else "custom"
        report = Report(
            "certify",
            options.vendor,
            {"command": list(options.command)},
            self.seed,
            profile,
            options.strict,
        )
        if options.replay is not None:
            self._replay(options.replay)
        elif self._baseline():
            self._coverage_and_exploration()
        else:
            report.notes.append(
                "The baseline failed and broke an obligation: fix that first (no other run)."
            )
        self._mark_shrunk()
        report.runs = self.state.records
        skipped = {} if self.expect_recovery else {self._id("recovers"): "no --expect-recovery"}
        for obligation in self.kit.obligations:
            if obligation.id not in self.selected:
                skipped.setdefault(obligation.id, "not selected (--obligations)")
        catalogue = [(o.id, o.title, o.severity) for o in self.kit.obligations]
        report.results = summarise(catalogue, report.runs, strict=options.strict, skipped=skipped)
        report.duration_s = time.monotonic() - started
        self._write(report)
        return report

    def _write(self, report: Report) -> None:
        options = self.options
        if options.report_dir is not None:
            write_report_dir(report, options.report_dir)
            report.notes.append(f"Report directory: {options.report_dir}")
        elif self._temporary and self._directory is not None:
            report.notes.append(f"Replay files: {self._directory}")
        if options.json_file is not None:
            write_json(report, options.json_file)
        if options.junit_file is not None:
            write_junit(report, options.junit_file)

    def _id(self, name: str) -> str:
        return f"{self.kit.vendor}.{name}"

    # -- phases ------------------------------------------------------------------------------

    def _baseline(self) -> bool:
        """Run 1; True to go on. Raises CertifyError for a harness problem."""
        record = self._execute("baseline", Behaviour("baseline"))
        self.state.baseline_s = record.duration_s
        self.state.baseline_ids = {v.id for v in record.violations}
        if not any(e.direction == "in" for e in record.entries):
            raise CertifyError(
                f"the client made no connection to the emulator in the baseline run (exit "
                f"status {record.exit_status}). It must use the endpoint it is given: the "
                f"MOCKSERVER_* variables or {{placeholders}}, or an official Python SDK "
                f"(redirected by the start-up hook); a client that calls the production "
                f"service is not certified.{_tail(record)}"
            )
        if record.exit_status == 0:
            return True
        errors = [v for v in record.violations if v.severity == "error"]
        if errors:
            return False
        how = (
            f"did not end within {self.timeout_s:g} s"
            if record.exit_status is None
            else f"exited with status {record.exit_status}"
        )
        raise CertifyError(
            f"the baseline failed: the client {how} under the default engine with no fault, "
            f"and broke no obligation. Check that it runs on its own (command: "
            f"{shlex.join(self.options.command)}).{_tail(record)}"
        )

    def _coverage_and_exploration(self) -> None:
        budget = self.runs - 1
        coverage = _interleave(self.kit.valid, self.kit.faults)
        for kind in coverage[:budget]:
            self._execute("coverage", Behaviour(kind.family, (kind.item(),)))
        self._explore(budget - len(coverage[:budget]))

    def _explore(self, count: int) -> None:
        """``count`` runs Hypothesis chooses, then shrinking within the shrink budget."""
        if count <= 0:
            return
        strategy = behaviours(self.kit.valid, self.kit.faults)
        limit = count + self.shrink_runs
        executed = [0]

        @seed(self.seed)
        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.generate, Phase.shrink),
            report_multiple_bugs=True,
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @given(strategy)
        def probe(behaviour: Behaviour) -> None:
            record = self.state.by_key.get(behaviour.key())
            if record is None:
                if executed[0] >= limit:
                    return  # out of budget: what is unknown counts as passing
                executed[0] += 1
                phase = "shrink" if self.state.failure_seen else "explore"
                record = self._execute(phase, behaviour)
            new = [v for v in record.violations if self._shrinkable(v)]
            if new:
                self.state.failure_seen = True
                raise self._failure_type(new[0].id)(new[0].message)

        with contextlib.suppress(Exception):
            probe()

    def _shrinkable(self, violation: Violation) -> bool:
        return violation.severity == "error" and violation.id not in self.state.baseline_ids

    def _failure_type(self, obligation: str) -> type[Exception]:
        """One exception class per obligation, so that Hypothesis shrinks each failure
        separately and keeps the obligation it breaks."""
        if obligation not in self._failure_types:
            self._failure_types[obligation] = type(
                "Breaks_" + obligation.replace(".", "_").replace("-", "_"), (AssertionError,), {}
            )
        return self._failure_types[obligation]

    def _mark_shrunk(self) -> None:
        """For each broken obligation, mark the violation of its smallest failing run."""
        best: dict[str, RunRecord] = {}
        for record in self.state.records:
            for violation in record.violations:
                current = best.get(violation.id)
                if current is None or _size(record) < _size(current):
                    best[violation.id] = record
        for obligation, record in best.items():
            record.violations = [
                _replace_shrunk(v) if v.id == obligation else v for v in record.violations
            ]

    def _replay(self, path: Path) -> None:
        replay = self._read_replay(path)
        self.seed = replay.seed
        self.timeout_s = replay.timeout_s
        self.expect_recovery = self.expect_recovery or replay.expect_recovery
        self.state.baseline_s = replay.baseline_s
        self._execute("replay", replay.behaviour, replay.plan)

    # -- one run -----------------------------------------------------------------------------

    def _execute(self, phase: str, behaviour: Behaviour, plan: Plan | None = None) -> RunRecord:
        number = len(self.state.records) + 1
        if plan is None:
            plan = behaviour.plan(self.kit.kinds)
        limit = (
            self.timeout_s
            if behaviour.family == "baseline"
            else (self.timeout_s + self.state.baseline_s)
        )
        outcome, entries = self._run_client(plan, behaviour.family == "fault", limit)
        record = RunRecord(
            number,
            phase,
            behaviour.to_json(),
            outcome.returncode,
            outcome.duration_s,
            entries,
            output={"stdout": outcome.stdout, "stderr": outcome.stderr},
        )
        view = RunView(self.kit.vendor, entries, outcome.end_t)
        record.violations = self._judge(number, behaviour, view, outcome)
        self.state.records.append(record)
        self.state.by_key[behaviour.key()] = record
        if record.violations:
            self._write_run_files(record, behaviour, plan)
        return record

    def _judge(
        self, number: int, behaviour: Behaviour, view: RunView, outcome: _ChildOutcome
    ) -> list[Violation]:
        found: list[Violation] = []
        for obligation in self.kit.obligations:
            if obligation.id not in self.selected or obligation.check is None:
                continue
            for finding in obligation.check(view):
                found.append(
                    Violation(obligation.id, obligation.severity, number, finding.message,
                              seq=finding.seq)
                )  # fmt: skip
        found.extend(self._judge_outcome(number, behaviour, outcome))
        return found

    def _judge_outcome(
        self, number: int, behaviour: Behaviour, outcome: _ChildOutcome
    ) -> list[Violation]:
        def violation(name: str, message: str) -> list[Violation]:
            obligation = self.kit.obligation(name)
            if obligation.id not in self.selected:
                return []
            return [Violation(obligation.id, obligation.severity, number, message)]

        what = behaviour.describe()
        last = _last_line(outcome.stderr)
        tail = f"; its last error line: {last}" if last else ""
        if behaviour.family == "valid" and (outcome.timed_out or outcome.returncode != 0):
            how = (
                "did not end in time"
                if outcome.timed_out
                else f"exited with status {outcome.returncode}"
            )
            return violation("tolerates-valid-responses", f"the client {how} under {what}{tail}")
        if behaviour.family != "fault":
            return []
        if outcome.timed_out:
            if outcome.fault_t is None:
                message = f"no fault fired and the client did not end in time under {what}"
            else:
                message = (
                    f"the client was still running {self.timeout_s:g} s after the fault "
                    f"fired ({what})"
                )
            return violation("ends-after-fault", message)
        if self.expect_recovery and outcome.returncode != 0:
            return violation(
                "recovers", f"the client exited with status {outcome.returncode} after {what}"
                f"{tail}"
            )  # fmt: skip
        return []

    def _run_client(
        self, plan: Plan, fault_run: bool, limit_s: float
    ) -> tuple[_ChildOutcome, list[JournalEntry]]:
        vendor = self.kit.vendor
        overrides: dict[str, Any] = {
            v.name: {"enabled": False} for v in default_vendors() if v.name != vendor
        }
        overrides[vendor] = {**self.kit.settings, **plan.settings}
        try:
            server = MockServer(seed=self.seed, admin_enabled=False, **overrides)
        except MockServerError as exc:
            raise CertifyError(f"the run's settings are invalid: {exc}") from None
        with server:
            try:
                if plan.scenario:
                    server.load_scenario({vendor: dict(plan.scenario)})
                if plan.faults:
                    server.add_faults([dict(f) for f in plan.faults])
            except MockServerError as exc:
                raise CertifyError(f"the run's scenario or faults are invalid: {exc}") from None
            try:
                with ChildLauncher(
                    server, vendors=[vendor], base_environment=self.options.environment
                ) as launcher:
                    outcome = self._wait(server, launcher, fault_run, limit_s)
            except ChildError as exc:
                raise CertifyError(str(exc)) from None
            deadline = time.monotonic() + _SETTLE_S
            while server.connections() and time.monotonic() < deadline:
                time.sleep(_POLL_S)  # the last entries (a cancel, a close) are journaled
            entries = server.journal.entries(vendor=vendor)
            server.runtime.take_failures()  # the emulator's own errors are not the client's
        return outcome, entries

    def _wait(
        self, server: MockServer, launcher: ChildLauncher, fault_run: bool, limit_s: float
    ) -> _ChildOutcome:
        journal = server.journal
        first_fault: list[float] = []

        def listen(entry: JournalEntry) -> None:
            if entry.fault is not None and not first_fault:
                first_fault.append(entry.t)

        journal.add_listener(listen)
        with (
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out,
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err,
        ):
            started, start_t = time.monotonic(), journal.elapsed()
            process = launcher.start(
                self.options.command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                cwd=self.options.cwd, text=True,
            )  # fmt: skip
            timed_out = False
            returncode: int | None = None
            while True:
                try:
                    returncode = process.wait(timeout=_POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    now = journal.elapsed()
                    if fault_run and first_fault:
                        deadline = first_fault[0] + self.timeout_s
                    else:
                        deadline = start_t + limit_s
                    if now > deadline:
                        timed_out = True
                        terminate(process)
                        break
            duration = time.monotonic() - started
            end_t = None if timed_out else journal.elapsed()
            journal.remove_listener(listen)
            stdout, stderr = _read_tail(out), _read_tail(err)
        return _ChildOutcome(
            None if timed_out else returncode,
            timed_out,
            duration,
            end_t,
            first_fault[0] if first_fault else None,
            stdout,
            stderr,
        )

    # -- files ----------------------------------------------------------------------------------

    def _directory_for_files(self) -> Path:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="mockserver-certify-"))
            self._temporary = True
        self._directory.mkdir(parents=True, exist_ok=True)
        return self._directory

    def _write_run_files(self, record: RunRecord, behaviour: Behaviour, plan: Plan) -> None:
        import yaml  # noqa: PLC0415  PyYAML: only to write replay files

        directory = self._directory_for_files()
        name = f"run-{record.number}.yaml"
        document = {
            "format": REPLAY_FORMAT,
            "vendor": self.kit.vendor,
            "run": record.number,
            "seed": self.seed,
            "timeout_s": self.timeout_s,
            "expect_recovery": self.expect_recovery,
            "baseline_s": round(self.state.baseline_s, 3),
            "behaviour": behaviour.to_json(),
            **plan.to_json(),
        }
        header = (
            f"# mockserver certify: run {record.number} ({behaviour.describe()}).\n"
            f"# Replay it: {self._reproducer(directory / name)}\n"
        )
        (directory / name).write_text(
            header + yaml.safe_dump(document, sort_keys=False), encoding="utf-8"
        )
        record.files["replay"] = name
        for stream in ("stdout", "stderr"):
            text = record.output.get(stream, "")
            if text:
                (directory / f"run-{record.number}.{stream}.txt").write_text(text, encoding="utf-8")
                record.files[stream] = f"run-{record.number}.{stream}.txt"
        reproducer = self._reproducer(directory / name)
        record.violations = [
            Violation(v.id, v.severity, v.run, v.message, reproducer, v.seq)
            for v in record.violations
        ]

    def _reproducer(self, path: Path) -> str:
        return (
            f"mockserver certify {self.kit.vendor} --replay {shlex.quote(str(path))} -- "
            + shlex.join(self.options.command)
        )

    def _read_replay(self, path: Path) -> _Replay:
        import yaml  # noqa: PLC0415  PyYAML: only to read replay files

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CertifyError(f"cannot read {path}: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise CertifyError(f"{path} is not YAML: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != REPLAY_FORMAT:
            raise CertifyError(f"{path} is not a replay file ({REPLAY_FORMAT})")
        if data.get("vendor") != self.kit.vendor:
            raise CertifyError(
                f"{path} replays a {data.get('vendor')} run, not {self.kit.vendor}: "
                f"run `mockserver certify {data.get('vendor')} --replay ...`"
            )
        try:
            return _Replay(
                run=int(data["run"]),
                seed=int(data["seed"]),
                timeout_s=float(data["timeout_s"]),
                expect_recovery=bool(data.get("expect_recovery", False)),
                baseline_s=float(data.get("baseline_s", 0.0)),
                behaviour=Behaviour.from_json(data["behaviour"]),
                plan=Plan.from_json(data),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CertifyError(f"{path} is not a valid replay file: {exc!r}") from None


def _interleave(valid: Sequence[ItemKind], faults: Sequence[ItemKind]) -> list[ItemKind]:
    out: list[ItemKind] = []
    for index in range(max(len(valid), len(faults))):
        out.extend(kinds[index] for kinds in (valid, faults) if index < len(kinds))
    return out


def _size(record: RunRecord) -> tuple[Any, ...]:
    behaviour = Behaviour.from_json(record.behaviour)
    return (*behaviour.size(), record.number)


def _replace_shrunk(violation: Violation) -> Violation:
    return Violation(
        violation.id, violation.severity, violation.run, violation.message,
        violation.reproducer, violation.seq, violation.transcript, shrunk=True,
    )  # fmt: skip


def _read_tail(handle: IO[str]) -> str:
    handle.seek(0)
    text = handle.read()
    return text[-_TAIL_CHARS:]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _tail(record: RunRecord) -> str:
    last = _last_line(record.output.get("stderr", ""))
    return f" Its last error line: {last}" if last else ""


def assert_certified(vendor: str, command: Sequence[str], **options: Any) -> Report:
    """:func:`certify` for a test suite: return the report if every obligation passed,
    else raise ``AssertionError`` with the console report (violations and reproducers).

    Args:
        vendor: ``hume`` or ``behavioral``.
        command: The client's command.
        **options: Other :class:`CertifyOptions` fields (``profile="quick"``,
            ``expect_recovery=True``, ``report_dir=tmp_path``...).
    """
    __tracebackhide__ = True
    report = certify(CertifyOptions(vendor, list(command), **options))
    if not report.passed:
        raise AssertionError("\n".join(console_lines(report)))
    return report
