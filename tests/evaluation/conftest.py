"""The lifecycle fixtures of the tickets tests, for evaluations over real tickets."""

from tests.tickets.conftest import api, intake, sim  # noqa: F401  (fixtures)
