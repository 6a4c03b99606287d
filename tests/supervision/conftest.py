"""The lifecycle fixtures (API callers per demo user, the simulation clock, intake) of the
tickets tests, for supervision tests that need real tickets."""

from tests.tickets.conftest import api, intake, sim  # noqa: F401  (fixtures)
