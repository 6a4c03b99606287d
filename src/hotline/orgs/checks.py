"""System checks of the settings that name organisation concepts core cannot import."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from hotline.orgs.choices import RoleCode


@checks.register(checks.Tags.security)
def simulation_roles_exist(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``HOTLINE_SIMULATION_ROLES`` guards the simulation endpoints of ``core.api``: a role
    code that does not exist would silently leave them to superusers only."""
    unknown = sorted(set(settings.HOTLINE_SIMULATION_ROLES) - set(RoleCode.values))
    if unknown:
        return [
            checks.Error(
                f"HOTLINE_SIMULATION_ROLES names unknown roles: {', '.join(unknown)}",
                hint=f"use codes of hotline.orgs.choices.RoleCode: {', '.join(RoleCode.values)}",
                id="hotline.orgs.E001",
            )
        ]
    return []
