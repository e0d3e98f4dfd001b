"""What a vendor contributes to scenarios: its :class:`ScenarioPart`.

A scenario file has one top-level key per vendor (``hume:``, ``behavioral:``...). The part
registered for that key says everything the generic scenario machinery needs and nothing
else knows: the Python classes of its items and the data sections they live in, the JSON
Schema fragment of its object, the checks a schema cannot make, how to compile the items
of the active scenarios into the script its sessions consult, and the expectation kinds
(``<vendor>.<what>``) it can count in the journal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from mockserver.journal import Journal, JournalEntry

__all__ = ["ExpectationKind", "ScenarioItem", "ScenarioPart"]


class ScenarioItem(Protocol):
    """One item of a vendor's part of a scenario (a rule, a timeline, a result...)."""

    #: The key of the vendor object that holds items of this class (``"rules"``).
    section: ClassVar[str]
    #: The position of that key in the data form (rules before timelines...).
    section_order: ClassVar[int]

    def to_dict(self) -> dict[str, Any]:
        """The data form of the item."""
        ...


@dataclass(frozen=True)
class ExpectationKind:
    """One ``what`` of an expectation (``hume.messages``): what it counts, and its filters.

    Attributes:
        where: JSON Schema properties of the ``where`` object.
        count: ``(journal, where, settings) -> entries`` counted (``settings``: the
            vendor's settings, or None).
        check: Semantic problems of ``where`` (``(path, where) -> messages``).
    """

    where: Mapping[str, Any]
    count: Callable[[Journal, Mapping[str, Any], Any], list[JournalEntry]]
    check: Callable[[str, Mapping[str, Any]], Iterator[str]] | None = None


@dataclass(frozen=True)
class ScenarioPart:
    """A vendor's part of the scenario format.

    Attributes:
        key: The scenario's top-level key (the vendor's name).
        sections: Data key -> item class, in data order (``{"rules": HumeRule, ...}``).
        root: JSON Schema of the vendor object (may reference ``#/$defs/...``).
        defs: The schema definitions it references (names must not clash; the shared
            ``Seconds`` and ``Score`` definitions are always present).
        check: Semantic problems of the vendor object, as ``"<json.path>: <problem>"``.
        activate: The per-scenario state of a loaded scenario's items (rule counters).
        compile: The combined script of the active scenarios from ``[(items, state)]``,
            or None when nothing is scripted for this vendor.
        expectations: Expectation kinds by ``what``.
    """

    key: str
    sections: Mapping[str, type]
    root: Mapping[str, Any]
    defs: Mapping[str, Any]
    check: Callable[[Mapping[str, Any]], Iterator[str]]
    activate: Callable[[Sequence[Any]], Any]
    compile: Callable[[Sequence[tuple[Sequence[Any], Any]]], Any]
    expectations: Mapping[str, ExpectationKind] = field(default_factory=dict)

    def from_data(self, data: Mapping[str, Any]) -> tuple[Any, ...]:
        """The items of a validated vendor object, section by section."""
        items: list[Any] = []
        for section, cls in self.sections.items():
            items.extend(cls._from_data(entry) for entry in data.get(section, ()))  # type: ignore[attr-defined]
        return tuple(items)
