"""One report format for the contract kit: ``mockserver certify`` and ``mockserver
conformance`` (console, JSON, JUnit XML, and a report directory).

A :class:`Report` holds the runs (a certify run is one execution of the client under one
server behaviour; a conformance run is one generated exchange with the server), one
:class:`CheckResult` per obligation or check, and every :class:`Violation`, each with a
one-line reproducer. Renderings:

* :func:`console_lines`: one line per obligation or check (``PASS``, ``FAIL``, ``WARN``
  or ``SKIP``, its id, and the first failing run), the violations, then a summary;
* :func:`report_json`: validates against ``schemas/certify-report.schema.json`` or
  ``schemas/conformance-report.schema.json``;
* :func:`junit_xml`: one ``testcase`` per obligation or check;
* :func:`write_report_dir`: each run's NDJSON journal and an HTML page per run (the
  journal report of :mod:`mockserver.report`, its violations marked), an ``index.html``,
  ``report.json`` and ``summary.txt``.

Exit status (:func:`exit_status`): 0 when nothing fails, 1 when an obligation or check
fails (a warning fails only with ``strict``); harness and usage errors (2) never get this
far.
"""

from __future__ import annotations

import html
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mockserver.journal import JournalEntry
from mockserver.report import write_report
from mockserver.version import __version__

__all__ = [
    "CheckResult",
    "Report",
    "RunRecord",
    "Severity",
    "Status",
    "Violation",
    "console_lines",
    "exit_status",
    "junit_xml",
    "report_json",
    "summarise",
    "write_report_dir",
]

Severity = Literal["error", "warning"]
Status = Literal["PASS", "FAIL", "WARN", "SKIP"]
Kind = Literal["certify", "conformance"]

#: The key of a violation's id in each kind of report.
_ID_KEY: Mapping[Kind, str] = {"certify": "obligation", "conformance": "check"}


@dataclass(frozen=True)
class Violation:
    """One broken obligation (certify) or failed check (conformance).

    Attributes:
        id: The obligation or check id, e.g. ``hume.audio-duration``.
        severity: ``error`` fails the run; ``warning`` only with ``strict``.
        run: The run it happened in (1-based).
        message: What was wrong, naming the frame or message.
        reproducer: One line that replays exactly that run.
        seq: The journal entry to mark in the run's HTML page, if any.
        transcript: Conformance: the frames to send to reproduce it (shrunk).
        shrunk: The run is the smallest found that still breaks it.
    """

    id: str
    severity: Severity
    run: int
    message: str
    reproducer: str = ""
    seq: int | None = None
    transcript: tuple[Any, ...] | None = None
    shrunk: bool = False

    def to_json(self, kind: Kind) -> dict[str, Any]:
        out: dict[str, Any] = {
            _ID_KEY[kind]: self.id,
            "severity": self.severity,
            "run": self.run,
            "message": self.message,
            "reproducer": self.reproducer,
        }
        if self.seq is not None:
            out["seq"] = self.seq
        if self.transcript is not None:
            out["transcript"] = list(self.transcript)
        if self.shrunk:
            out["shrunk"] = True
        return out


@dataclass
class RunRecord:
    """One run: what the server did (``behaviour``), how it went, what it broke.

    Attributes:
        number: 1-based; run 1 of a certification is the baseline.
        phase: ``baseline``, ``coverage``, ``explore``, ``shrink`` or ``replay`` (certify);
            the check or state machine it belongs to (conformance).
        behaviour: JSON description of the run (certify: its family and items).
        exit_status: The client's exit status (None: killed at the timeout; conformance:
            always None).
        duration_s: Wall-clock seconds.
        entries: The journal of the run (written to the report directory).
        violations: What it broke.
        files: Other files of the run in the report directory, by role (``replay``...).
        output: The client's standard output and error (tails), when captured.
    """

    number: int
    phase: str
    behaviour: Mapping[str, Any]
    exit_status: int | None = None
    duration_s: float = 0.0
    entries: Sequence[JournalEntry] = ()
    violations: list[Violation] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    output: dict[str, str] = field(default_factory=dict)

    @property
    def journal_file(self) -> str:
        return f"run-{self.number}.ndjson"

    @property
    def page_file(self) -> str:
        return f"run-{self.number}.html"

    def to_json(self, kind: Kind) -> dict[str, Any]:
        out: dict[str, Any] = {
            "run": self.number,
            "phase": self.phase,
            "behaviour": dict(self.behaviour),
            "duration_s": round(self.duration_s, 3),
            "journal": self.journal_file,
            "violations": [v.id for v in self.violations],
        }
        if kind == "certify":
            out["exit_status"] = self.exit_status
        if self.files:
            out["files"] = dict(self.files)
        return out


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one obligation or check.

    Attributes:
        id: Its id.
        title: One line saying what it requires.
        severity: ``error`` or ``warning``.
        status: ``PASS``, ``FAIL``, ``WARN`` (a warning broke, without ``strict``) or
            ``SKIP`` (not judged: not selected, or not applicable to this run).
        first_run: The first run that broke it.
        count: How many violations.
        note: Why it was skipped, or what the first violation said.
    """

    id: str
    title: str
    severity: Severity
    status: Status
    first_run: int | None = None
    count: int = 0
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "violations": self.count,
        }
        if self.first_run is not None:
            out["first_run"] = self.first_run
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Report:
    """The outcome of one certification or conformance run.

    Attributes:
        kind: ``certify`` or ``conformance``.
        vendor: The vendor certified or checked.
        target: Certify: ``{"command": [...]}``; conformance: ``{"url": ...,
            "emulated": bool}`` or the vendor's target fields.
        seed: The seed of every generated choice.
        profile: The profile (``quick``, ``default``, ``deep``) or ``custom``.
        strict: Warnings fail.
        runs: Every run, in order.
        results: One per obligation or check, in catalogue order.
        notes: Lines for the console (where files went, what was skipped).
        started: Wall-clock start (seconds since the epoch).
        duration_s: Wall-clock seconds.
    """

    kind: Kind
    vendor: str
    target: Mapping[str, Any]
    seed: int
    profile: str = "default"
    strict: bool = False
    runs: list[RunRecord] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    duration_s: float = 0.0

    @property
    def violations(self) -> list[Violation]:
        return [v for run in self.runs for v in run.violations]

    @property
    def passed(self) -> bool:
        return all(r.status != "FAIL" for r in self.results)


def summarise(
    catalogue: Sequence[tuple[str, str, Severity]],
    runs: Sequence[RunRecord],
    *,
    strict: bool,
    skipped: Mapping[str, str] | None = None,
) -> list[CheckResult]:
    """One :class:`CheckResult` per ``(id, title, severity)`` of ``catalogue``, from the
    violations of ``runs``; ``skipped`` maps ids not judged to the reason."""
    skipped = skipped or {}
    results: list[CheckResult] = []
    for check_id, title, severity in catalogue:
        if check_id in skipped:
            results.append(CheckResult(check_id, title, severity, "SKIP", note=skipped[check_id]))
            continue
        found = [v for run in runs for v in run.violations if v.id == check_id]
        if not found:
            results.append(CheckResult(check_id, title, severity, "PASS"))
            continue
        first = min(found, key=lambda v: v.run)
        status: Status = "FAIL" if severity == "error" or strict else "WARN"
        results.append(
            CheckResult(check_id, title, severity, status, first.run, len(found), first.message)
        )
    return results


def exit_status(report: Report) -> int:
    """0 when every obligation or check passed (or only warned), 1 otherwise."""
    return 0 if report.passed else 1


# -- console ----------------------------------------------------------------------------------


def console_lines(report: Report, *, max_violations: int = 20) -> list[str]:
    """The console output: one line per result, the violations, a summary."""
    width = max((len(r.id) for r in report.results), default=10)
    lines = []
    for result in report.results:
        tail = ""
        if result.status in ("FAIL", "WARN"):
            tail = f"  first failing run: {result.first_run} ({result.count} violation"
            tail += "s)" if result.count != 1 else ")"
        elif result.status == "SKIP" and result.note:
            tail = f"  ({result.note})"
        lines.append(f"{result.status:<4}  {result.id:<{width}}{tail}".rstrip())
    shown = _first_per_check(report.violations)
    if shown:
        lines.append("")
        lines.append("Violations (the first of each, shrunk where possible):")
        for violation in shown[:max_violations]:
            lines.append(f"  run {violation.run}: {violation.id}: {violation.message}")
            if violation.reproducer:
                lines.append(f"    reproduce: {violation.reproducer}")
    counts = {s: sum(1 for r in report.results if r.status == s) for s in _STATUSES}
    verdict = "passed" if report.passed else "FAILED"
    what = "obligations" if report.kind == "certify" else "checks"
    lines.append("")
    lines.append(
        f"{report.kind} {report.vendor}: {verdict}: "
        + ", ".join(f"{counts[s]} {s.lower()}" for s in _STATUSES if counts[s])
        + f" of {len(report.results)} {what}; {len(report.runs)} runs, seed {report.seed}, "
        f"{report.duration_s:.1f} s"
    )
    lines.extend(report.notes)
    return lines


_STATUSES: tuple[Status, ...] = ("PASS", "FAIL", "WARN", "SKIP")


def _first_per_check(violations: Sequence[Violation]) -> list[Violation]:
    """For each id, its shrunk violation if any, else its first; in order of first
    appearance."""
    best: dict[str, Violation] = {}
    for violation in violations:
        current = best.get(violation.id)
        if current is None or (violation.shrunk and not current.shrunk):
            best[violation.id] = violation
    return list(best.values())


# -- JSON ------------------------------------------------------------------------------------


def report_json(report: Report) -> dict[str, Any]:
    """The JSON document (``schemas/<kind>-report.schema.json``)."""
    out: dict[str, Any] = {
        "kind": report.kind,
        "version": __version__,
        "passed": report.passed,
        "vendor": report.vendor,
        "seed": report.seed,
        "profile": report.profile,
        "strict": report.strict,
        "duration_s": round(report.duration_s, 3),
        "results": [r.to_json() for r in report.results],
        "runs": [run.to_json(report.kind) for run in report.runs],
        "violations": [v.to_json(report.kind) for v in report.violations],
    }
    if report.kind == "certify":
        out["command"] = list(report.target.get("command", ()))
    else:
        out["target"] = dict(report.target)
    return out


def write_json(report: Report, path: str | Path) -> Path:
    target = Path(path)
    target.write_text(json.dumps(report_json(report), indent=2) + "\n", encoding="utf-8")
    return target


# -- JUnit -----------------------------------------------------------------------------------


def junit_xml(report: Report) -> str:
    """JUnit XML: one ``testcase`` per obligation or check (``failure`` for FAIL,
    ``skipped`` for SKIP, a ``system-out`` note for WARN)."""
    failures = sum(1 for r in report.results if r.status == "FAIL")
    skipped = sum(1 for r in report.results if r.status == "SKIP")
    suite = ET.Element(
        "testsuite",
        name=f"mockserver {report.kind} {report.vendor}",
        tests=str(len(report.results)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{report.duration_s:.3f}",
    )
    by_id: dict[str, list[Violation]] = {}
    for violation in report.violations:
        by_id.setdefault(violation.id, []).append(violation)
    for result in report.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"{report.kind}.{report.vendor}", name=result.id
        )
        found = by_id.get(result.id, [])
        text = "\n".join(
            f"run {v.run}: {v.message}" + (f"\nreproduce: {v.reproducer}" if v.reproducer else "")
            for v in found[:20]
        )
        if result.status == "FAIL":
            failure = ET.SubElement(case, "failure", message=result.note[:500], type=result.id)
            failure.text = text
        elif result.status == "SKIP":
            ET.SubElement(case, "skipped", message=result.note or "not judged")
        elif result.status == "WARN":
            ET.SubElement(case, "system-out").text = "warning:\n" + text
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode")


def write_junit(report: Report, path: str | Path) -> Path:
    target = Path(path)
    target.write_text(junit_xml(report) + "\n", encoding="utf-8")
    return target


# -- report directory --------------------------------------------------------------------------


def write_report_dir(report: Report, directory: str | Path) -> Path:
    """Write the report directory: per run ``run-N.ndjson`` and ``run-N.html`` (violations
    marked), then ``index.html``, ``report.json`` and ``summary.txt``. Files the runner
    put there already (replay files) are kept."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    for run in report.runs:
        lines = "".join(entry.to_ndjson_line() for entry in run.entries)
        (root / run.journal_file).write_text(lines, encoding="utf-8")
        highlight = {v.seq: f"{v.id}: {v.message}" for v in run.violations if v.seq is not None}
        unmarked = [v for v in run.violations if v.seq is None]
        title = f"{report.kind} {report.vendor}, run {run.number} ({run.phase})"
        if unmarked:
            title += ": " + "; ".join(f"{v.id}: {v.message}" for v in unmarked)[:300]
        write_report(run.entries, root / run.page_file, title=title, highlight=highlight)
    write_json(report, root / "report.json")
    (root / "summary.txt").write_text("\n".join(console_lines(report)) + "\n", encoding="utf-8")
    (root / "index.html").write_text(_index_html(report), encoding="utf-8")
    return root


def _index_html(report: Report) -> str:
    """A static page (no script) linking every run and listing every result."""
    esc = html.escape
    rows = "\n".join(
        f"<tr class='{r.status.lower()}'><td>{r.status}</td><td>{esc(r.id)}</td>"
        f"<td>{esc(r.title)}</td><td>{_run_link(r.first_run)}</td><td>{esc(r.note)}</td></tr>"
        for r in report.results
    )
    runs = "\n".join(
        f"<tr><td>{_run_link(run.number)}</td><td>{esc(run.phase)}</td>"
        f"<td><code>{esc(json.dumps(run.behaviour, sort_keys=True)[:300])}</code></td>"
        f"<td>{'' if run.exit_status is None else run.exit_status}</td>"
        f"<td>{run.duration_s:.2f}</td><td>{esc(', '.join(v.id for v in run.violations))}</td>"
        f"<td>{' '.join(_file_link(role, name) for role, name in sorted(run.files.items()))}</td>"
        "</tr>"
        for run in report.runs
    )
    verdict = "passed" if report.passed else "FAILED"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>mockserver {esc(report.kind)} {esc(report.vendor)}: {verdict}</title>
<style>body{{font:14px sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}}
.fail td:first-child{{background:#f8d0d0}}.warn td:first-child{{background:#fbeec2}}
.pass td:first-child{{background:#d6f0d6}}code{{font-size:12px}}</style></head><body>
<h1>mockserver {esc(report.kind)} {esc(report.vendor)}: {verdict}</h1>
<p>seed {report.seed}, profile {esc(report.profile)}, {len(report.runs)} runs,
{report.duration_s:.1f} s. Target: <code>{esc(json.dumps(dict(report.target))[:500])}</code></p>
<h2>Results</h2><table><tr><th>status</th><th>id</th><th>requires</th><th>first run</th>
<th>note</th></tr>
{rows}</table>
<h2>Runs</h2><table><tr><th>run</th><th>phase</th><th>behaviour</th><th>exit</th><th>s</th>
<th>violations</th><th>files</th></tr>
{runs}</table></body></html>
"""


def _run_link(number: int | None) -> str:
    if number is None:
        return ""
    return f"<a href='run-{number}.html'>{number}</a>"


def _file_link(role: str, name: str) -> str:
    return f"<a href='{html.escape(name)}'>{html.escape(role)}</a>"
