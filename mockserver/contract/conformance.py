"""Check a server against the vendor's contract (``mockserver conformance``; the Python API
is :func:`conformance`).

The target is an in-process emulator by default, or any server given by its address and
credentials (the real services included). Each vendor's kit
(``mockserver/contract/<vendor>/conformance.py``) declares its **checks** (ids, sources,
quotes) and its **suites**: Hypothesis ``RuleBasedStateMachine`` runs (one connection or
call per example) and deterministic probes. A suite reports a breach by raising
:class:`CheckFailed`; Hypothesis shrinks the example, and the kit keeps the frames of the
smallest failing example of each check as its transcript (the frames to send to reproduce
it), recorded from the client's side in a :class:`~mockserver.journal.Journal` so the
report directory shows it as a timeline. The oracle is the kit's tables and
``schemas/``: this module and the kits import nothing from the emulator's vendor code.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.errors import MockServerError
from mockserver.journal import Direction, Journal, JournalEntry
from mockserver.registry import load_attribute

from .kits import CONFORMANCE_KITS, CONFORMANCE_SECRETS
from .profiles import contract_settings, select_profile, selected_profile
from .report import (
    Report,
    RunRecord,
    Severity,
    Violation,
    summarise,
    write_json,
    write_junit,
    write_report_dir,
)

__all__ = [
    "Check",
    "CheckFailed",
    "ConformanceError",
    "ConformanceKit",
    "ConformanceOptions",
    "Suite",
    "SuiteContext",
    "Transcript",
    "conformance",
    "conformance_kit",
]


class ConformanceError(MockServerError):
    """A usage or connection error (exit status 2); the message says what to fix."""


@dataclass(frozen=True)
class Check:
    """Something a server must do.

    Attributes:
        id: Stable id, ``<vendor>.server.<name>``.
        title: One line.
        source: The public source.
        quote: The source's words.
        how: How the kit checks it (for ``docs/contract.md``).
        severity: ``error`` or ``warning``.
    """

    id: str
    title: str
    source: str
    quote: str
    how: str
    severity: Severity = "error"


class CheckFailed(AssertionError):
    """A breach of ``check`` (raised inside a suite; one subclass per check, so that
    Hypothesis shrinks each check's failure on its own)."""

    check = ""

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.seq = seq


class Transcript:
    """What the client side of the kit sent and received, as journal entries (``in`` =
    sent by the kit, as the journal of a server sees it)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        secrets = CONFORMANCE_SECRETS.get(vendor, ())
        self.journal = Journal(time.monotonic, max_entries=0, secrets=secrets)

    def record(
        self, connection: str, direction: Direction, kind: str, transport: str, **fields: Any
    ) -> JournalEntry:
        return self.journal.record(
            vendor=self.vendor, transport=transport, connection=connection,
            direction=direction, kind=kind, **fields,
        )  # fmt: skip

    def entries(self) -> list[JournalEntry]:
        return self.journal.entries()

    def sent(self) -> list[Any]:
        """The frames or messages the kit sent, in order (the reproducer)."""
        return [
            e.data if e.data is not None else {"kind": e.kind}
            for e in self.journal.entries(direction="in")
        ]

    def clear(self) -> None:
        self.journal.clear()


@dataclass
class SuiteContext:
    """What a suite gets: the target, the Hypothesis settings of the profile, and where to
    put failures."""

    target: Mapping[str, Any]
    settings: Any  # hypothesis.settings of the profile
    seed: int
    reply_timeout_s: float
    transcript: Transcript
    failures: dict[str, tuple[CheckFailed, list[JournalEntry], list[Any]]] = field(
        default_factory=dict
    )

    def fail(self, check: str, message: str, seq: int | None = None) -> CheckFailed:
        """Remember this breach (its transcript so far: the last one recorded is the
        smallest example) and return the exception to raise."""
        error = failure_type(check)(message, seq)
        self.failures[check] = (error, self.transcript.entries(), self.transcript.sent())
        return error


@dataclass(frozen=True)
class Suite:
    """A state machine or a probe: ``run(context)`` raises nothing; it records breaches
    with ``context.fail``. ``checks``: the ids it judges."""

    name: str
    checks: tuple[str, ...]
    run: Callable[[SuiteContext], None]


@dataclass(frozen=True)
class ConformanceKit:
    """A vendor's part of ``mockserver conformance``.

    Attributes:
        vendor: The registry name of the emulator used as the default target.
        checks: Every check, in documentation order.
        suites: What runs, in order.
        target_fields: The target's fields (``url``, ``api_key``...) and whether each is
            required for a remote target.
        emulator: ``(seed, settings) -> context manager`` yielding the in-process target.
    """

    vendor: str
    checks: tuple[Check, ...]
    suites: tuple[Suite, ...]
    target_fields: Mapping[str, bool]
    emulator: Callable[[int], contextlib.AbstractContextManager[Mapping[str, Any]]]


@dataclass(frozen=True)
class ConformanceOptions:
    """What to check and how (the flags of ``mockserver conformance``).

    Attributes:
        vendor: ``hume`` or ``behavioral``.
        target: The server's address and credentials; empty for the in-process emulator.
        profile: ``quick``, ``default`` or ``deep``.
        seed: Seed of every generated example.
        checks: Only these check ids (default: all).
        reply_timeout_s: How long to wait for one reply.
        report_dir: Where to write the runs' transcripts and pages.
        json_file: Write the JSON report here.
        junit_file: Write the JUnit XML report here.
        prepare: Called with the in-process emulator's server before the suites run (tests
            use it to load faults or scenarios).
    """

    vendor: str
    target: Mapping[str, Any] = field(default_factory=dict)
    profile: str | None = None
    seed: int = 0
    checks: Sequence[str] | None = None
    reply_timeout_s: float = 10.0
    report_dir: Path | None = None
    json_file: Path | None = None
    junit_file: Path | None = None
    prepare: Callable[[Any], None] | None = None


def conformance_kit(name: str) -> ConformanceKit:
    """The conformance kit of vendor ``name`` (``kits.CONFORMANCE_KITS``).

    Raises:
        KeyError: No kit has that name.
    """
    kit: ConformanceKit = load_attribute(CONFORMANCE_KITS[name])
    return kit


@functools.cache
def failure_type(check: str) -> type[CheckFailed]:
    """The :class:`CheckFailed` subclass of ``check`` (one class per check id)."""
    name = "Fails_" + check.replace(".", "_").replace("-", "_")
    return type(name, (CheckFailed,), {"check": check})


def conformance(options: ConformanceOptions) -> Report:
    """Check the target; return the report (also written where ``options`` say).

    Raises:
        ConformanceError: Unknown vendor, profile or check id, incomplete target options,
            or a target that cannot be reached.
    """
    try:
        kit = conformance_kit(options.vendor)
    except KeyError:
        known = ", ".join(CONFORMANCE_KITS)
        raise ConformanceError(f"unknown vendor {options.vendor!r} (known: {known})") from None
    ids = [check.id for check in kit.checks]
    selected = set(ids if options.checks is None else options.checks)
    unknown = sorted(selected - set(ids))
    if unknown:
        raise ConformanceError(
            f"unknown check {', '.join(unknown)} for {options.vendor} (known: {', '.join(ids)})"
        )
    try:
        profile = select_profile(options.profile) if options.profile else selected_profile()
    except ValueError as exc:
        raise ConformanceError(str(exc)) from None
    started = time.monotonic()
    emulated = not options.target
    if not emulated:
        fields = kit.target_fields.items()
        missing = [k for k, required in fields if required and not options.target.get(k)]
        if missing:
            flags = ", ".join("--" + m.replace("_", "-") for m in missing)
            raise ConformanceError(f"a {options.vendor} target needs {flags}")
    public = {
        k: v
        for k, v in options.target.items()
        if k in kit.target_fields and not any(s in k for s in ("key", "token"))
    }
    report = Report(
        "conformance",
        options.vendor,
        {"emulated": emulated, **public},
        options.seed,
        profile,
    )
    with _target(kit, options) as target:
        for suite in kit.suites:
            if not selected & set(suite.checks):
                continue
            report.runs.extend(_run_suite(kit, suite, target, options, len(report.runs) + 1))
    report.runs = [_only_selected(run, selected) for run in report.runs]
    skipped = {c.id: "not selected" for c in kit.checks if c.id not in selected}
    report.results = summarise(
        [(c.id, c.title, c.severity) for c in kit.checks], report.runs, strict=False,
        skipped=skipped,
    )  # fmt: skip
    report.duration_s = time.monotonic() - started
    if options.report_dir is not None:
        write_report_dir(report, options.report_dir)
        report.notes.append(f"Report directory: {options.report_dir}")
    if options.json_file is not None:
        write_json(report, options.json_file)
    if options.junit_file is not None:
        write_junit(report, options.junit_file)
    return report


@contextlib.contextmanager
def _target(kit: ConformanceKit, options: ConformanceOptions) -> Iterator[Mapping[str, Any]]:
    if options.target:
        yield dict(options.target)
        return
    with kit.emulator(options.seed) as target:
        if options.prepare is not None:
            options.prepare(target["server"])
        yield target


def _run_suite(
    kit: ConformanceKit,
    suite: Suite,
    target: Mapping[str, Any],
    options: ConformanceOptions,
    number: int,
) -> list[RunRecord]:
    """The suite's run (its last example), then one run per failing check (its smallest
    failing example)."""
    transcript = Transcript(kit.vendor)
    context = SuiteContext(
        target, contract_settings(), options.seed, options.reply_timeout_s, transcript
    )
    started = time.monotonic()
    try:
        suite.run(context)
    except OSError as exc:
        raise ConformanceError(f"cannot reach the {kit.vendor} target: {exc}") from None
    except Exception as exc:  # e.g. an upgrade refused: the target or its credentials
        raise ConformanceError(
            f"the {suite.name} checks stopped: {type(exc).__name__}: {exc} (check the target's "
            "address and credentials)"
        ) from exc
    behaviour = {"suite": suite.name, "checks": list(suite.checks)}
    runs = [
        RunRecord(number, suite.name, behaviour, None, time.monotonic() - started,
                  transcript.entries())
    ]  # fmt: skip
    severities = {c.id: c.severity for c in kit.checks}
    for check, (error, entries, sent) in sorted(context.failures.items()):
        run = RunRecord(
            number + len(runs), f"{suite.name}: {check}", {**behaviour, "failing": check},
            None, 0.0, entries,
        )  # fmt: skip
        run.violations.append(
            Violation(
                check, severities.get(check, "error"), run.number, error.message,
                reproducer=f"send these {len(sent)} frames in order: "
                + json.dumps(sent, ensure_ascii=False)[:1500],
                seq=error.seq, transcript=tuple(sent), shrunk=True,
            )
        )  # fmt: skip
        runs.append(run)
    return runs


def _only_selected(run: RunRecord, selected: set[str]) -> RunRecord:
    run.violations = [v for v in run.violations if v.id in selected]
    return run
