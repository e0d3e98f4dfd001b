"""What a vendor's part of the contract kit declares, and how runs are described.

A vendor's kit (``mockserver/contract/<vendor>/``) declares, as data:

* its **obligations**: what a client must do, each an :class:`Obligation` with a stable
  id, the public source it comes from (address and quote), and either a check of one
  run's journal (``judged="journal"``) or a verdict on the client's exit status and
  timing (``judged="outcome"``, judged by the runner);
* its **behaviours**: the server behaviours a certification chooses from, as
  :class:`ItemKind` entries of two families, ``valid`` (answers the contract allows) and
  ``fault`` (failures a client must survive); each turns its parameters into emulator
  settings, scenario rules and fault definitions (:class:`Contribution`).

A run's behaviour is a :class:`Behaviour`: a family and a tuple of :class:`Item`. It is
plain data: it prints as JSON, it is what Hypothesis generates and shrinks, and
:meth:`Behaviour.plan` turns it into the emulator's configuration (a :class:`Plan`, what
a replay file stores).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import strategies as st

from mockserver.journal import JournalEntry

from .report import Severity

__all__ = [
    "Behaviour",
    "Contribution",
    "Family",
    "Finding",
    "Item",
    "ItemKind",
    "Obligation",
    "Plan",
    "RunView",
    "merge_contributions",
]

Family = Literal["baseline", "valid", "fault"]


@dataclass(frozen=True)
class Finding:
    """One breach found in a journal: what, and the entry to mark (``seq``)."""

    message: str
    seq: int | None = None


@dataclass(frozen=True)
class RunView:
    """What an obligation check reads: one run's journal entries of the vendor.

    Attributes:
        vendor: The vendor certified.
        entries: Its journal entries, oldest first.
        end_t: The journal time when the client exited (None: still running, killed).
    """

    vendor: str
    entries: Sequence[JournalEntry]
    end_t: float | None = None

    def of(self, **filters: Any) -> list[JournalEntry]:
        """Entries whose fields equal every given value (``transport="grpc"``...)."""
        return [e for e in self.entries if all(getattr(e, k) == v for k, v in filters.items())]

    def connections(self, transport: str | None = None) -> list[str]:
        """Connection ids in order of appearance (of one transport)."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            if transport is None or entry.transport == transport:
                seen.setdefault(entry.connection, None)
        return list(seen)

    def connection(self, connection: str) -> list[JournalEntry]:
        """One connection's entries, oldest first."""
        return [e for e in self.entries if e.connection == connection]


Check = Callable[[RunView], Iterable[Finding]]


@dataclass(frozen=True)
class Obligation:
    """Something a client of the vendor's API must do.

    Attributes:
        id: Stable id, ``<vendor>.<name>``.
        title: One line: what it requires.
        source: The public source (documentation address, SDK file).
        quote: The source's words.
        how: How the kit checks it (for ``docs/contract.md``).
        severity: ``error``, or ``warning`` for a recommendation.
        judged: ``journal`` (``check`` reads each run's journal) or ``outcome`` (the
            runner judges exit statuses and timing).
        check: The journal check (``judged="journal"``).
    """

    id: str
    title: str
    source: str
    quote: str
    how: str
    severity: Severity = "error"
    judged: Literal["journal", "outcome"] = "journal"
    check: Check | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Contribution:
    """What one item adds to a run: emulator settings (the vendor's table), scenario
    content (the vendor's part: lists are concatenated) and fault definitions."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    scenario: Mapping[str, Any] = field(default_factory=dict)
    faults: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class ItemKind:
    """One server behaviour a certification can choose.

    Attributes:
        name: Short id, e.g. ``close-1011``.
        family: ``valid`` or ``fault``.
        doc: One line for ``docs/contract.md``.
        params: Parameter name -> Hypothesis strategy (shrinks towards the earliest,
            smallest value).
        defaults: The parameters of its coverage run (the minimal ones).
        build: Parameters -> contribution.
    """

    name: str
    family: Literal["valid", "fault"]
    doc: str
    params: Mapping[str, st.SearchStrategy[Any]]
    defaults: Mapping[str, Any]
    build: Callable[[Mapping[str, Any]], Contribution] = field(compare=False, repr=False)

    def item(self, params: Mapping[str, Any] | None = None) -> Item:
        values = dict(self.defaults) if params is None else dict(params)
        return Item(self.name, tuple(sorted(values.items())))

    def strategy(self) -> st.SearchStrategy[Item]:
        if not self.params:
            return st.just(self.item())
        return st.fixed_dictionaries(dict(self.params)).map(self.item)


@dataclass(frozen=True, order=True)
class Item:
    """One chosen behaviour: its kind's name and parameters."""

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Item:
        params = {k: v for k, v in data.items() if k != "kind"}
        return cls(str(data["kind"]), tuple(sorted(params.items())))

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}({params})" if params else self.kind


@dataclass(frozen=True)
class Plan:
    """A run's emulator configuration: the vendor's settings, its scenario part (or
    empty) and the fault definitions."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    scenario: Mapping[str, Any] = field(default_factory=dict)
    faults: Sequence[Mapping[str, Any]] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": dict(self.settings),
            "scenario": dict(self.scenario),
            "faults": [dict(f) for f in self.faults],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            dict(data.get("settings") or {}),
            dict(data.get("scenario") or {}),
            [dict(f) for f in data.get("faults") or ()],
        )


@dataclass(frozen=True)
class Behaviour:
    """One run's server behaviour: its family and items (none for the baseline)."""

    family: Family
    items: tuple[Item, ...] = ()

    def key(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family, "items": [item.to_json() for item in self.items]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Behaviour:
        family = data.get("family", "valid")
        if family not in ("baseline", "valid", "fault"):
            raise ValueError(f"unknown family {family!r}")
        items = tuple(Item.from_json(item) for item in data.get("items") or ())
        return cls(family, items)

    def describe(self) -> str:
        if not self.items:
            return "baseline (the default engine, no fault)"
        return f"{self.family}: " + " + ".join(item.describe() for item in self.items)

    def size(self) -> tuple[int, tuple[Any, ...]]:
        """Fewest items, then earliest parameters: the order shrinking minimises."""
        return len(self.items), tuple(
            tuple(v for _, v in item.params if isinstance(v, int | float)) for item in self.items
        )

    def plan(self, kinds: Mapping[str, ItemKind]) -> Plan:
        """The emulator configuration of this behaviour.

        Raises:
            KeyError: An item's kind is not in ``kinds``.
        """
        return merge_contributions(kinds[item.kind].build(dict(item.params)) for item in self.items)


def merge_contributions(contributions: Iterable[Contribution]) -> Plan:
    """Settings merged (later wins), scenario lists concatenated, faults in order."""
    settings: dict[str, Any] = {}
    scenario: dict[str, Any] = {}
    faults: list[Mapping[str, Any]] = []
    for contribution in contributions:
        settings.update(contribution.settings)
        for key, value in contribution.scenario.items():
            if isinstance(value, list):
                scenario.setdefault(key, []).extend(value)
            else:
                scenario[key] = value
        faults.extend(contribution.faults)
    return Plan(settings, scenario, faults)


def behaviours(
    valid: Sequence[ItemKind], faults: Sequence[ItemKind], *, max_items: int = 3
) -> st.SearchStrategy[Behaviour]:
    """Runs of one family: one to ``max_items`` distinct valid items, or one or two
    distinct faults; shrinking removes items and moves parameters earlier."""

    def family(kinds: Sequence[ItemKind], name: Family, most: int) -> st.SearchStrategy[Behaviour]:
        item = st.sampled_from(list(kinds)).flatmap(lambda kind: kind.strategy())
        return st.lists(item, min_size=1, max_size=most, unique_by=lambda i: i.kind).map(
            lambda items: Behaviour(name, tuple(items))
        )

    options = []
    if valid:
        options.append(family(valid, "valid", max_items))
    if faults:
        options.append(family(faults, "fault", 2))
    return st.one_of(options)


@dataclass(frozen=True)
class CertifyKit:
    """A vendor's part of ``mockserver certify``.

    Attributes:
        vendor: The registry name of the emulator it runs.
        obligations: Every obligation, journal-checked and outcome ones, in documentation
            order; the outcome ones are ``<vendor>.tolerates-valid-responses``,
            ``<vendor>.ends-after-fault`` and ``<vendor>.recovers``.
        valid: The valid variations, in coverage order.
        faults: The faults, in coverage order.
        settings: Emulator settings of every run (before the items' own).
    """

    vendor: str
    obligations: tuple[Obligation, ...]
    valid: tuple[ItemKind, ...]
    faults: tuple[ItemKind, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kinds(self) -> dict[str, ItemKind]:
        return {kind.name: kind for kind in (*self.valid, *self.faults)}

    def obligation(self, name: str) -> Obligation:
        """The obligation ``<vendor>.<name>``."""
        wanted = f"{self.vendor}.{name}"
        for obligation in self.obligations:
            if obligation.id == wanted:
                return obligation
        raise KeyError(wanted)


def outcome_obligations(
    vendor: str, *, tolerate: tuple[str, str], end: tuple[str, str], recover: tuple[str, str]
) -> tuple[Obligation, ...]:
    """The three obligations judged from exit statuses and timing, each with its
    ``(source, quote)``."""
    return (
        Obligation(
            f"{vendor}.tolerates-valid-responses",
            "exit 0 under every valid variation of the server's answers",
            *tolerate,
            "Every run of the valid family: the client's exit status is 0.",
            judged="outcome",
        ),
        Obligation(
            f"{vendor}.ends-after-fault",
            "the client ends within --timeout-s after a fault",
            *end,
            "Every run of the fault family: the client exits (with any status) within "
            "--timeout-s of the first journal entry a fault produced (of the run's start if "
            "none fired); otherwise the kit kills it.",
            judged="outcome",
        ),
        Obligation(
            f"{vendor}.recovers",
            "with --expect-recovery: exit 0 after a recoverable fault, by retrying",
            *recover,
            "Only with --expect-recovery: every run of the fault family (each fault fires "
            "once) ends with exit status 0.",
            judged="outcome",
        ),
    )
