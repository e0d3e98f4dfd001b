"""The echo vendor's part of the scenario format."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mockserver.journal import Journal, JournalEntry
from mockserver.scenario.part import ExpectationKind, ScenarioPart

from .scenario import EchoRule

__all__ = ["PART", "EchoScript"]


class EchoScript:
    """The rules of the active scenarios, in load order."""

    def __init__(self, rules: Sequence[EchoRule]) -> None:
        self.rules = list(rules)

    def reply(self, text: str) -> str | None:
        for rule in self.rules:
            if rule.when in text:
                return rule.reply
        return None


def _check(data: Mapping[str, Any]) -> Iterator[str]:
    for i, rule in enumerate(data.get("rules", ())):
        if rule["when"] == rule["reply"]:
            yield f"echo.rules[{i}]: reply must differ from when"


def _compile(entries: Sequence[tuple[Sequence[Any], Any]]) -> EchoScript | None:
    rules = [item for items, _ in entries for item in items if isinstance(item, EchoRule)]
    return EchoScript(rules) if rules else None


def _messages(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    entries = journal.entries(vendor="echo", direction="in", kind="text")
    if "text" in where:
        entries = [e for e in entries if where["text"] in str(e.data)]
    return entries


PART = ScenarioPart(
    key="echo",
    sections={"rules": EchoRule},
    root={"$ref": "#/$defs/Echo"},
    defs={
        "Echo": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"rules": {"type": "array", "items": {"$ref": "#/$defs/EchoRule"}}},
        },
        "EchoRule": {
            "type": "object",
            "required": ["when", "reply"],
            "additionalProperties": False,
            "properties": {
                "when": {"type": "string", "minLength": 1},
                "reply": {"type": "string"},
            },
        },
    },
    check=_check,
    activate=lambda items: None,
    compile=_compile,
    expectations={
        "echo.messages": ExpectationKind(where={"text": {"type": "string"}}, count=_messages)
    },
)
