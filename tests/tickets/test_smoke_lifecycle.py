def test_full_cycle_through_the_api(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    number = ticket["number"]
    assert ticket["status"] == "new"
    assert ticket["dispatch_due_at"] == "2026-09-30T21:00:00+08:00"
    t = api("dispatcher").ok(f"/tickets/{number}/dispatch", {"lead": "411702", "assists": []})
    assert t["status"] == "in_handling"
    aid = t["assignments"][0]["id"]
    sim.set("2026-09-30 10:00")
    t = api("org.411702").ok(f"/assignments/{aid}/sign")
    assert t["assignments"][0]["due_at"] == "2026-10-14T23:59:59+08:00"
    assert t["assignments"][0]["return_window_ends_at"] == "2026-10-08T10:00:00+08:00"
    t = api("org.411702").ok(
        f"/assignments/{aid}/reply", {"content": "已修复", "citizen_contacted": True}
    )
    assert t["status"] == "awaiting_callback"
    t = api("callback").ok(
        f"/tickets/{number}/callback", {"outcome": "satisfied", "resolved": True}
    )
    assert t["status"] == "closed"
    assert t["close_reason"] == "satisfied"
