"""What a vendor contributes to the server, as one :class:`VendorSpec` (its registry entry).

Every vendor-specific piece reaches the generic layers through this entry, never by name:
its settings (flags, environment variables, TOML table), its service (listeners and
sessions), its fault contributions (what "audio seconds" means, default error bodies,
fault types of its own), its scenario part (Python classes, schema fragment, compiler,
expectation counters), the secrets its journal entries redact, its pytest handle, and the
public names it adds to :mod:`mockserver.scenario` and :mod:`mockserver.redirect`.

The built-in entries are listed in ``mockserver.vendors.VENDORS``; generic code reaches
them through :func:`default_vendors`, which loads that list by name (as plugin discovery
does), so no generic module imports a vendor. Servers, the CLI and the pytest plugin also
take another list, for tests or extensions.

Heavy parts are named as ``"module:attribute"`` strings and imported only when used, so
importing the registry stays cheap.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .faults.model import Catalogue, VendorFaults
from .faults.types import GENERIC_TYPES
from .settings import Setting, build_settings, settings_table

__all__ = [
    "BUILTIN_VENDORS",
    "VendorSpec",
    "default_vendors",
    "export",
    "load_attribute",
    "vendor_named",
]

#: Where the built-in registry entries are listed.
BUILTIN_VENDORS = "mockserver.vendors:VENDORS"


def load_attribute(path: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute."""
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class VendorSpec:
    """How the server builds, configures and describes one vendor emulator.

    Args:
        name: Short name: the TOML table, the flag prefix, ``MockServer.<name>``, the
            ``vendor`` of journal entries and fault definitions, a scenario's key.
        title: Human name (``--help`` group, messages).
        settings: The settings dataclass (fields declared with
            :func:`mockserver.settings.setting`; the one source of defaults).
        service: ``"module:Class"`` of the service (listeners, sessions), imported only
            when serving. Its constructor takes ``(settings, host=..., runtime=...)``.
        faults: The vendor's fault contributions.
        secrets: Header, query and field names whose values the journal redacts.
        scenario: ``"module:PART"`` of the vendor's scenario part, or None.
        handle: ``"module:Class"`` of the pytest handle (fixture ``mock_<name>``), which
            takes the running server.
        fixture_aliases: Older fixture names for the handle (kept for one release).
        exports: Public names the vendor adds to a generic module, by module:
            ``{"mockserver.scenario": {"HumeRule": "module:attribute"}}``.
        hostnames: The production host names of the vendor's APIs; the emulator's TLS
            certificate names them, so a client that keeps its vendor URL can reach it.
        documents: API descriptions the admin API serves at ``/apis/<name>/<document>``:
            ``{document: path under schemas/}``, an AsyncAPI 3 or OpenAPI 3.1 document. When
            served, its ``$ref`` to other schema files are inlined, and the running
            listener is added to its servers (OpenAPI: the endpoint's ``base_url``;
            AsyncAPI: the endpoint's ``url``).
        child_environment: ``"module:function"`` taking the vendor's endpoint and
            returning the environment variables a child process gets to reach it
            (``MOCKSERVER_<VENDOR>_...``, and the SDK's own credential variables), or
            None. See :mod:`mockserver.child`.
        child_hook: Name of a standard-library-only module defining
            ``post_import_hooks(environ) -> {module name: patch}``: a child's start-up hook
            applies each patch right after its module is imported (to point an unmodified
            SDK at the emulator), or None.
    """

    name: str
    title: str
    settings: type
    service: str
    faults: VendorFaults
    secrets: tuple[str, ...] = ()
    scenario: str | None = None
    handle: str | None = None
    fixture_aliases: tuple[str, ...] = ()
    exports: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    hostnames: tuple[str, ...] = ()
    documents: Mapping[str, str] = field(default_factory=dict)
    child_environment: str | None = None
    child_hook: str | None = None
    table: tuple[Setting, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", settings_table(self.settings, self.name))

    def build_settings(self, values: Mapping[str, Any]) -> Any:
        """The vendor's settings object from resolved values keyed ``<name>.<field>``; a
        settings class's ``check()``, if it has one, runs here (at startup).

        Raises:
            ConfigError: ``check()`` found a problem.
        """
        settings: Any = build_settings(self.settings, self.name, values)
        check = getattr(settings, "check", None)
        if callable(check):
            check()
        return settings

    def ports(self, settings: Any) -> dict[str, int]:
        """``{flag: port}`` of every port setting (for conflict checks)."""
        return {
            s.flag_name: int(getattr(settings, s.key.partition(".")[2]))
            for s in self.table
            if s.key.endswith("port")
        }

    def enabled(self, settings: Any) -> bool:
        """Whether the settings enable this emulator (an ``enabled`` field, default on)."""
        return bool(getattr(settings, "enabled", True))

    def load_service(self) -> Any:
        """Import and return the service class."""
        return load_attribute(self.service)

    def load_scenario(self) -> Any:
        """Import and return the scenario part (None if the vendor has none)."""
        return None if self.scenario is None else load_attribute(self.scenario)

    def child_variables(self, endpoint: Any) -> dict[str, str]:
        """The environment variables a child process gets to reach ``endpoint`` (empty if
        the vendor contributes none)."""
        if self.child_environment is None:
            return {}
        variables: dict[str, str] = load_attribute(self.child_environment)(endpoint)
        return dict(variables)

    def load_handle(self) -> Any:
        """Import and return the pytest handle class (None if the vendor has none)."""
        return None if self.handle is None else load_attribute(self.handle)


def vendor_named(vendors: Sequence[VendorSpec], name: str) -> VendorSpec:
    """The entry called ``name``.

    Raises:
        ConfigError: No such vendor (the message lists the known ones).
    """
    for vendor in vendors:
        if vendor.name == name:
            return vendor
    known = ", ".join(v.name for v in vendors)
    raise ConfigError(f"unknown emulator {name!r} (known: {known})")


@functools.cache
def default_vendors() -> tuple[VendorSpec, ...]:
    """The built-in registry entries (loaded once, by name)."""
    vendors: tuple[VendorSpec, ...] = load_attribute(BUILTIN_VENDORS)
    return vendors


def export(module: str, name: str) -> Any:
    """The public ``name`` a built-in vendor adds to generic ``module`` (for a module's
    ``__getattr__``).

    Raises:
        AttributeError: No vendor exports that name there.
    """
    for vendor in default_vendors():
        target = vendor.exports.get(module, {}).get(name)
        if target is not None:
            return load_attribute(target)
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


def fault_catalogue(vendors: Sequence[VendorSpec] | None = None) -> Catalogue:
    """The fault types and vendors of a server serving ``vendors`` (default: built-in)."""
    vendors = default_vendors() if vendors is None else vendors
    return Catalogue.build(GENERIC_TYPES, {v.name: v.faults for v in vendors})
