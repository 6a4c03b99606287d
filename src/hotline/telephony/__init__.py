"""Telephony (Art 13, 14(1), 19, 29(1), 32, 34): call events from the center's phone switch
(CTI), connection rate, missed-call call-backs, seats and restricted callers.

The platform never places calls: the switch reports what happened, agents work beside their
phone. See docs/telephony.md."""
