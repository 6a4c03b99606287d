"""Every write of the telephony context (ARCHITECTURE.md principle 1): the API, the pages, the
simulator, the timers and the demo call these.

- :mod:`.calls` — call events in, calls assembled from them, agents' states, call legs, the
  link to the ticket made during the call (Art 13, 14(1))
- :mod:`.callbacks` — missed-call call-back tasks and attempts (Art 13)
- :mod:`.restrictions` — the register of restricted callers (Art 34)
- :mod:`.seats` — queues and special seats (Art 19), the expert roster (Art 14(1)) and guest
  seats (Art 32)
"""

from hotline.telephony.services.callbacks import callback_attempt, callback_take
from hotline.telephony.services.calls import (
    EventResult,
    agent_state_set,
    call_leg_record,
    event_record,
)
from hotline.telephony.services.restrictions import (
    restriction_approve,
    restriction_create,
    restriction_expire_due,
    restriction_lift,
    restriction_refer_police,
)
from hotline.telephony.services.seats import (
    expert_duty_create,
    guest_session_create,
    guest_sessions_sweep,
    queue_upsert,
)

__all__ = [
    "EventResult",
    "agent_state_set",
    "call_leg_record",
    "callback_attempt",
    "callback_take",
    "event_record",
    "expert_duty_create",
    "guest_session_create",
    "guest_sessions_sweep",
    "queue_upsert",
    "restriction_approve",
    "restriction_create",
    "restriction_expire_due",
    "restriction_lift",
    "restriction_refer_police",
]
