"""Every runnable example in ``docs/howto-*.md`` passes (or fails exactly as it says).

A fenced ``python`` block whose first line is ``# howto-test`` is a test module. It runs
with pytester in a subprocess, with ``asyncio_mode = auto`` and ``--strict-markers``.
``# howto-test: passed=2 errors=1 args="--mockserver-seed 7"`` states the exact outcomes
(keys left out are 0) and extra pytest arguments. Without outcomes, at least one test must
pass and none may fail or error. A block whose first line is ``# howto-conftest`` becomes
the ``conftest.py`` of the next ``# howto-test`` block of the same file. New howto files
are picked up automatically.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockserver.tests.conftest import PYTESTER_INI

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
OUTCOMES = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    """One runnable block of a howto document."""

    doc: str  # file name, e.g. "howto-pytest.md"
    line: int  # line of the opening fence
    code: str
    conftest: str | None  # the preceding "# howto-conftest" block, if any
    outcomes: dict[str, int] | None  # exact outcomes, or None for "all pass"
    args: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def parse_directive(text: str, where: str) -> tuple[dict[str, int] | None, tuple[str, ...]]:
    """``passed=2 errors=1 args="..."`` -> (outcomes or None, extra arguments)."""
    outcomes: dict[str, int] = {}
    args: tuple[str, ...] = ()
    for token in shlex.split(text.lstrip(":").strip()):
        key, sep, value = token.partition("=")
        if not sep:
            raise ValueError(f"{where}: expected key=value in the howto-test line, got {token!r}")
        if key == "args":
            args = tuple(shlex.split(value))
        elif key in OUTCOMES:
            outcomes[key] = int(value)
        else:
            raise ValueError(f"{where}: unknown howto-test key {key!r} (use {OUTCOMES}, args)")
    return (dict.fromkeys(OUTCOMES, 0) | outcomes if outcomes else None), args


def collect(docs: Path = DOCS) -> list[Example]:
    """The runnable blocks of every ``howto-*.md`` under ``docs``."""
    examples: list[Example] = []
    for path in sorted(docs.glob("howto-*.md")):
        text = path.read_text(encoding="utf-8")
        conftest: str | None = None
        for match in FENCE.finditer(text):
            code = match.group(1)
            first, _, _ = code.partition("\n")
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.name}:{line}"
            if first.strip() == "# howto-conftest":
                conftest = code
            elif first.startswith("# howto-test"):
                outcomes, args = parse_directive(first.removeprefix("# howto-test"), where)
                examples.append(Example(path.name, line, code, conftest, outcomes, args))
                conftest = None
    return examples


EXAMPLES = collect()


def test_the_howtos_have_runnable_examples() -> None:
    docs = {e.doc for e in EXAMPLES}
    assert {"howto-pytest.md", "howto-journal.md"} <= docs, docs


def test_directive_parsing() -> None:
    assert parse_directive("", "x") == (None, ())
    outcomes, args = parse_directive(': passed=2 errors=1 args="-k one --x 7"', "x")
    assert outcomes == dict.fromkeys(OUTCOMES, 0) | {"passed": 2, "errors": 1}
    assert args == ("-k", "one", "--x", "7")
    with pytest.raises(ValueError, match="unknown howto-test key 'pased'"):
        parse_directive(": pased=1", "x")


@pytest.mark.e2e
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_howto_example(example: Example, pytester: pytest.Pytester) -> None:
    pytester.makeini(PYTESTER_INI)
    if example.conftest is not None:
        pytester.makeconftest(example.conftest)
    stem = re.sub(r"\W", "_", Path(example.doc).stem)
    pytester.makepyfile(**{f"test_{stem}_{example.line}": example.code})
    result = pytester.runpytest_subprocess(*example.args)
    outcomes = result.parseoutcomes()
    got = {key: outcomes.get(key, 0) for key in OUTCOMES}
    expected = example.outcomes
    if expected is None:
        assert got["passed"] >= 1 and got["failed"] == got["errors"] == 0, (
            f"{example.id}: {got}\n{result.stdout.str()}"
        )
    else:
        assert got == expected, f"{example.id}: {got} != {expected}\n{result.stdout.str()}"
