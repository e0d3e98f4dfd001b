"""Projects (cid + API token) the emulator accepts (readme.io "Create a Project and API
Token": "The Secret is the API-Token")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["AuthResult", "Project", "ProjectRegistry", "parse_project"]

AuthResult = Literal["ok", "unknown_token", "wrong_project"]


@dataclass(frozen=True, slots=True)
class Project:
    cid: int
    token: str


def parse_project(text: str) -> Project:
    """``"1000:mock-bs-token"`` -> Project (the settings table validates the shape)."""
    cid, _, token = text.partition(":")
    return Project(int(cid), token)


class ProjectRegistry:
    """Answers "may this token act for this cid?"."""

    def __init__(self, projects: Iterable[Project]) -> None:
        self._by_token: dict[str, set[int]] = {}  # token -> the cids it belongs to
        for project in projects:
            self._by_token.setdefault(project.token, set()).add(project.cid)

    def check(self, cid: int | str | None, token: str | None) -> AuthResult:
        """``ok``; ``unknown_token`` (no project has it); ``wrong_project`` (another cid's)."""
        if not token or token not in self._by_token:
            return "unknown_token"
        try:
            number = int(cid) if cid is not None else None
        except (TypeError, ValueError):
            number = None
        return "ok" if number in self._by_token[token] else "wrong_project"
