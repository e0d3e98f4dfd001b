"""A child process's start-up hook: copied as ``sitecustomize.py`` into a directory that
:mod:`mockserver.child` puts first on the child's ``PYTHONPATH``.

Python imports ``sitecustomize`` at start-up (https://docs.python.org/3/library/site.html),
before the child's own code. This module then:

1. imports each vendor hook named in ``MOCKSERVER_CHILD_HOOKS`` (copies of the vendors'
   ``redirect.py`` in the package ``_mockserver_child_hooks`` next to it) and asks it for
   ``post_import_hooks(os.environ)``: ``{module name: patch}``;
2. applies each patch at once to a module already imported, and otherwise right after the
   module is first imported (a finder at the front of ``sys.meta_path`` wraps the module's
   loader), so that an SDK that binds a function at import time (``from websockets import
   connect``) binds the patched one;
3. runs the ``sitecustomize`` this file shadows, if the environment has one.

Standard library only: the child may run any Python environment (one with only a vendor
SDK installed). A failing hook prints one line on stderr and the child runs unpatched.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

__all__ = ["HOOKS_PACKAGE", "HOOKS_VARIABLE", "PostImportFinder", "install"]

#: Comma-separated names of the vendor hooks to apply (modules of :data:`HOOKS_PACKAGE`).
HOOKS_VARIABLE = "MOCKSERVER_CHILD_HOOKS"
#: The package, next to this file in the child's start-up directory, holding the hooks.
HOOKS_PACKAGE = "_mockserver_child_hooks"

Patch = Callable[[Any], None]


class _PatchingLoader(importlib.abc.Loader):
    """A module's own loader, applying the patches once the module has executed."""

    def __init__(self, loader: Any, patches: Sequence[Patch]) -> None:
        self._loader = loader
        self._patches = tuple(patches)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        create = getattr(self._loader, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _apply(module, self._patches)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class PostImportFinder:
    """A ``sys.meta_path`` finder that only wraps the loaders of the patched modules."""

    def __init__(self, patches: Mapping[str, Sequence[Patch]]) -> None:
        self._patches = {name: tuple(items) for name, items in patches.items()}
        self._searching: set[str] = set()  # names being looked up (no recursion)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patches = self._patches.get(fullname)
        if not patches or fullname in self._searching:
            return None
        self._searching.add(fullname)
        try:
            spec: importlib.machinery.ModuleSpec | None = None
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                if finder is self or find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    break
        finally:
            self._searching.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _PatchingLoader(spec.loader, patches)
        return spec

    def invalidate_caches(self) -> None:
        """Nothing cached."""


def _apply(module: ModuleType, patches: Sequence[Patch]) -> None:
    for patch in patches:
        try:
            patch(module)
        except Exception as exc:
            sys.stderr.write(f"mockserver: patching {module.__name__} failed: {exc!r}\n")


def install(environ: Mapping[str, str] | None = None) -> PostImportFinder | None:
    """Apply the hooks named in ``MOCKSERVER_CHILD_HOOKS``; return the finder installed
    (None when there is nothing to patch)."""
    environ = os.environ if environ is None else environ
    names = [name for name in environ.get(HOOKS_VARIABLE, "").split(",") if name]
    patches: dict[str, list[Patch]] = {}
    for name in names:
        try:
            hook = importlib.import_module(f"{HOOKS_PACKAGE}.{name}")
            for target, patch in hook.post_import_hooks(environ).items():
                patches.setdefault(target, []).append(patch)
        except Exception as exc:
            sys.stderr.write(f"mockserver: start-up hook {name!r} failed: {exc!r}\n")
    if not patches:
        return None
    for target, items in patches.items():
        module = sys.modules.get(target)
        if module is not None:
            _apply(module, items)
    finder = PostImportFinder(patches)
    sys.meta_path.insert(0, finder)
    return finder


def _run_shadowed_sitecustomize() -> None:
    """Execute the ``sitecustomize`` that this one shadows (later on ``sys.path``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.stderr.write(f"mockserver: the environment's sitecustomize failed: {exc!r}\n")


if __name__ == "sitecustomize":  # only as a child's start-up hook, never when imported
    install()
    _run_shadowed_sitecustomize()
