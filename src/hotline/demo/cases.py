"""What the simulated people of the demo history know about an appeal and its assignments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.tickets.models import Ticket

# -- the simulation ----------------------------------------------------------------------------


@dataclass(eq=False)
class Asg:
    """One assignment as the simulated people know it (the database has the truth)."""

    pk: int
    org: str
    role: str
    case: Case
    parent: Asg | None = None
    children: list[Asg] = field(default_factory=list)
    due_at: datetime | None = None
    sign_due_at: datetime | None = None
    plan: str = ""
    reply_text: str = ""
    replied: bool = False
    returned: bool = False
    wrong: bool = False  # dispatched to the wrong unit on purpose (the return is approved)


@dataclass(eq=False)
class Case:
    """One appeal and what the simulated people will do about it."""

    received_at: datetime
    county: str
    appeal_type: str = ""
    topic: dict | None = None
    channel: str = "phone"
    content: str = ""
    text_seed: int = 0
    township: str = ""
    citizen: tuple[str, str] = ("", "")
    confidential: bool = False
    script: dict = field(default_factory=dict)
    ticket: Ticket | None = None
    asgs: list[Asg] = field(default_factory=list)
    lead: str = ""
    redos: int = 0
    repeat_of: Case | None = None
    repeated: bool = False

    def scripted(self, key: str, default: Any = None) -> Any:
        return self.script.get(key, default)
