"""The Python form of a scenario: :class:`Scenario` and :class:`Expectation`.

A scenario holds, per vendor, the items its vendor part defines (Hume rules and
timelines, Behavioral Signals results and process rules...; each vendor's classes live in
``mockserver/vendors/<vendor>/scenario.py``), plus faults and expectations.
``Scenario.to_dict()`` gives the data form (``schemas/scenario.schema.json``);
:func:`~mockserver.scenario.loader.load_scenario` turns a data form back into an equal
``Scenario``. Construction does not validate; loading does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.registry import default_vendors

__all__ = ["Expectation", "Scenario"]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


@dataclass(frozen=True)
class Expectation:
    """A count of journal events to check at teardown (``MockServer.unmet_expectations``).

    ``what`` names an expectation kind of a vendor (``hume.messages``,
    ``behavioral.requests``...; docs/scenarios.md lists them); ``where`` filters the
    events; give ``exactly`` or ``at_least``/``at_most``.
    """

    what: str
    where: Mapping[str, Any] = field(default_factory=dict)
    exactly: int | None = None
    at_least: int | None = None
    at_most: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", dict(self.where))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        out["what"] = self.what
        if self.where:
            out["where"] = dict(self.where)
        _put(out, "exactly", self.exactly)
        _put(out, "at_least", self.at_least)
        _put(out, "at_most", self.at_most)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Expectation:
        return cls(
            what=data["what"],
            where=dict(data.get("where") or {}),
            exactly=data.get("exactly"),
            at_least=data.get("at_least"),
            at_most=data.get("at_most"),
            name=data.get("name"),
        )


def _grouped(items: Iterable[Any]) -> tuple[Any, ...]:
    """Items ordered by their section (stable within a section): the data form's order."""
    return tuple(sorted(items, key=lambda item: getattr(item, "section_order", 0)))


class Scenario:
    """A whole scenario.

    Args:
        name: Shown in expectation failures and by the admin API.
        description: Free text.
        faults: Fault definitions as mappings (``schemas/fault.schema.json``).
        expect: Expectations checked at teardown.
        **vendors: Per vendor, its items in any order (kept grouped by section, which is
            the order of the data form), e.g. ``hume=[HumeRule(...), Timeline(...)]``.
    """

    __slots__ = ("description", "expect", "faults", "name", "parts")

    def __init__(
        self,
        name: str | None = None,
        description: str | None = None,
        faults: Iterable[Mapping[str, Any]] = (),
        expect: Iterable[Expectation] = (),
        **vendors: Iterable[Any],
    ) -> None:
        self.name = name
        self.description = description
        self.faults: tuple[dict[str, Any], ...] = tuple(dict(f) for f in faults)
        self.expect: tuple[Expectation, ...] = tuple(expect)
        self.parts: dict[str, tuple[Any, ...]] = {
            key: _grouped(items) for key, items in vendors.items()
        }

    def __getattr__(self, key: str) -> tuple[Any, ...]:
        """``scenario.hume``: the items of one vendor (empty for a built-in vendor with none)."""
        try:
            parts = object.__getattribute__(self, "parts")
        except AttributeError:
            raise AttributeError(key) from None
        if key in parts:
            return tuple(parts[key])
        if any(vendor.name == key for vendor in default_vendors()):
            return ()
        raise AttributeError(f"'Scenario' object has no attribute {key!r}")

    def items_of(self, cls: type) -> tuple[Any, ...]:
        """Every item of class ``cls``, in order (e.g. the Hume rules)."""
        return tuple(i for items in self.parts.values() for i in items if isinstance(i, cls))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        mine = {k: v for k, v in self.parts.items() if v}
        theirs = {k: v for k, v in other.parts.items() if v}
        return (self.name, self.description, self.faults, self.expect, mine) == (
            other.name,
            other.description,
            other.faults,
            other.expect,
            theirs,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking containers inside

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v!r}" for k, v in self.parts.items())
        return (
            f"Scenario(name={self.name!r}, description={self.description!r}, {parts}"
            f"{', ' if parts else ''}faults={self.faults!r}, expect={self.expect!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The data form (what a YAML or JSON scenario file holds)."""
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        _put(out, "description", self.description)
        for key, items in self.parts.items():
            data: dict[str, Any] = {}
            for item in items:
                data.setdefault(item.section, []).append(item.to_dict())
            if data:
                out[key] = data
        if self.faults:
            out["faults"] = [dict(f) for f in self.faults]
        if self.expect:
            out["expect"] = [e.to_dict() for e in self.expect]
        return out
