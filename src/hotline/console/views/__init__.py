"""The staff console's pages, one module per page: ``home`` (the role home pages, their
exports, the caller's history), ``intake`` (recording an appeal), ``ticket`` (the ticket page
and its action forms, driven by the one table in ``actions``), ``lists`` (the ticket list),
``routing`` (the suggestion fragments) and ``routing_report`` (智能推荐采纳情况).

Pages are thin. Reads go through ``hotline.tickets.selectors`` (scoped) and the console's
own ``queries`` built on them; writes call the services; which action forms a page shows is
decided by ``rules.allowed`` — the same guard the services ask. A refused action (a
``DomainError``) is shown on its form with status 422; the database is left as it was.
"""
