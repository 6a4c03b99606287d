"""Walk a ticket through its states via the API (given/when/then helpers for rule tests)."""

from __future__ import annotations


def dispatched(
    api,
    intake,
    sim,
    *,
    when="2026-09-30 09:00",
    lead="411702",
    assists=(),
    coordinated=False,
    **intake_changes,
) -> dict:
    sim.set(when)
    ticket = intake(**intake_changes)
    return api("dispatcher").ok(
        f"/tickets/{ticket['number']}/dispatch",
        {"lead": lead, "assists": list(assists), "coordinated": coordinated},
    )


def signed(api, intake, sim, *, sign_at: str, lead="411702", **kw) -> tuple[dict, dict]:
    ticket = dispatched(api, intake, sim, lead=lead, **kw)
    assignment = ticket["assignments"][0]
    sim.set(sign_at)
    ticket = api(f"org.{lead}").ok(f"/assignments/{assignment['id']}/sign")
    return ticket, ticket["assignments"][0]


def replied(api, intake, sim, *, sign_at: str, reply_at: str, lead="411702", **kw) -> dict:
    _ticket, assignment = signed(api, intake, sim, sign_at=sign_at, lead=lead, **kw)
    sim.set(reply_at)
    return api(f"org.{lead}").ok(
        f"/assignments/{assignment['id']}/reply",
        {"content": "已处理完毕", "citizen_contacted": True},
    )


def assignment_of(ticket: dict, org: str) -> dict:
    return next(a for a in ticket["assignments"] if a["org"] == org and a["status"] != "returned")


def error_code(response) -> str:
    return response.json()["error"]["code"]
