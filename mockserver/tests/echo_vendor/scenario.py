"""The echo vendor's scenario item: a rule that replies with given text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["EchoRule"]


@dataclass(frozen=True)
class EchoRule:
    """Frames whose text contains ``when`` get ``reply`` instead of the echo."""

    section: ClassVar[str] = "rules"
    section_order: ClassVar[int] = 0

    when: str
    reply: str

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.when, "reply": self.reply}

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> EchoRule:
        return cls(when=data["when"], reply=data["reply"])
