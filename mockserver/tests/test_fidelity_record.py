"""Statuses in docs/fidelity.md that a public source settles (beyond test_docs' name check)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def rows() -> dict[str, tuple[str, str, str, str]]:
    """``behaviour -> (our choice, status, source, test)`` of every five-column table row."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for line in (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] not in ("behaviour", "fault"):
            out[cells[0]] = (cells[1], cells[2], cells[3], cells[4])
    return out


def test_the_record_parses() -> None:
    assert len(rows()) > 100


def test_what_hume_s_websocket_guide_states_is_verified_from_it() -> None:
    """https://dev.hume.ai/docs/expression-measurement/websocket (key S24) states the "in a
    row" error limit, the 5000 ms video limit, the 50/s handshake rate and the idle minute."""
    record = rows()
    for behaviour, quote in (
        ("Ten identical errors", "in a row"),
        ("Video over 5000 ms", "5000 milliseconds"),
        ("Handshake rate limit", "fifty (50) requests per second"),
        ("Inactivity timeout", "one (1) minute of inactivity"),
    ):
        _, status, source, _ = record[behaviour]
        verified = status.split(" / INFERRED")[0]
        assert verified.startswith("VERIFIED") and quote in verified, behaviour
        assert "3rd-party" not in verified, behaviour
        assert "S24" in source.split(", "), behaviour
    assert "consecutive" not in record["Ten identical errors"][1].split("INFERRED")[-1]


def test_refused_upgrade_bodies_are_marked_as_this_project_s_choice() -> None:
    record = rows()
    for behaviour in ("Bad key", "Handshake 401/429/500"):
        choice, status, _, _ = record[behaviour]
        assert "fault" in choice
        assert "INFERRED: the body is this project's choice" in status, behaviour
        assert "VERIFIED 3rd-party" not in status, behaviour


# -- public sources only ----------------------------------------------------------------------

INTERNAL_CITATION = re.compile(
    r"shared/|\bspec(?: sections?)? \d|\(spec\s|\bspec ``|hume-expression-stream\.md"
    r"|behavioral-signals\.md`*\s+\d|research spec"
)


def cited_files() -> list[Path]:
    """What users read: the README, the docs, the changelog, the package and the schemas."""
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    for folder, pattern in (("mockserver", "*.py"), ("schemas", "*.json"), ("scripts", "*.py")):
        files += sorted((ROOT / folder).rglob(pattern))
    return files


def test_internal_citations_are_recognised() -> None:
    for text in ("(spec 2.1)", "spec section 5", "``shared/spec/x.md``", "(spec sections 1, 3)",
                 "(spec ``behavioral-signals.md`` 2.4)", "see shared/perf-notes.md"):  # fmt: skip
        assert INTERNAL_CITATION.search(text), text
    for text in ("[docs/behavioral-signals.md](docs/behavioral-signals.md)", "f(spec.param)",
                 "module_from_spec(spec)", "FaultSpec"):  # fmt: skip
        assert not INTERNAL_CITATION.search(text), text


def test_docs_and_code_cite_public_sources_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in cited_files()
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNAL_CITATION.search(line)
    ]
    assert not found, "\n".join(found)


def test_every_source_key_is_defined() -> None:
    text = (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"^\| ([^|`]+?) \| [^|]+ \|$", text, re.M))
    for key in ("S1", "S24", "SDK071", "DOCS", "DATA", "EXP"):
        assert key in defined
    undefined = set()
    for behaviour, (_, _, source, _) in rows().items():
        for raw in re.split(r",\s*(?![^()]*\))", source):
            part = raw.strip()
            known = any(part == key or part.startswith(f"{key} ") for key in defined)
            if (
                part[:1] not in "`[("
                and not known
                and part.split(" ")[0] not in ("ours", "measured:")
            ):
                undefined.add(f"{behaviour}: {part}")
    assert not undefined, sorted(undefined)
