"""Writes to the organisation tree and to users (one write path, ARCHITECTURE.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.auth import tokens_revoke_for
from hotline.core.errors import InvalidInput
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, Role, User

logger = logging.getLogger("hotline.auth")


def _refresh_subtree_paths(org: Organisation) -> None:
    for child in org.children.all():
        child.path = child.compute_path()
        child.save(update_fields=["path"])
        _refresh_subtree_paths(child)


@transaction.atomic
def organisation_upsert(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    **fields: object,
) -> Organisation:
    """Create or update an organisation by code, keeping the tree's paths consistent."""
    if kind not in OrgKind.values:
        raise InvalidInput(_("未知的组织类型：%(kind)s") % {"kind": kind})
    if parent is not None and parent.path and parent.code == code:
        raise InvalidInput(_("组织不能以自身为上级"))
    org = Organisation.objects.filter(code=code).first() or Organisation(code=code)
    if parent is not None and org.pk and parent.path.startswith(org.path or "\0"):
        raise InvalidInput(_("上级不能是本组织的下级"))
    org.name = name
    org.kind = kind
    org.parent = parent
    for key, value in fields.items():
        setattr(org, key, value)
    old_path = org.path
    org.path = org.compute_path()
    org.save()
    if old_path and old_path != org.path:
        _refresh_subtree_paths(org)
    return org


def organisation_save(*, org: Organisation) -> Organisation:
    """Save an organisation edited in the admin through the same path rules."""
    with transaction.atomic():
        if (
            org.pk
            and org.parent is not None
            and org.parent.path.startswith(Organisation.objects.get(pk=org.pk).path)
        ):
            raise InvalidInput(_("上级不能是本组织的下级"))
        old = Organisation.objects.filter(pk=org.pk).values_list("path", flat=True).first()
        org.path = org.compute_path()
        org.save()
        if old and old != org.path:
            _refresh_subtree_paths(org)
    return org


def roles_ensure() -> dict[str, Role]:
    """Make sure every role of RULES.md §1 exists."""
    roles = {}
    for code in RoleCode.values:
        roles[code], _created = Role.objects.get_or_create(code=code)
    return roles


@transaction.atomic
def user_upsert(
    *,
    username: str,
    organisation: Organisation | None,
    roles: Iterable[str],
    display_name: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    role_objects: dict[str, Role] | None = None,
) -> User:
    """Create or update a user with exactly the given roles."""
    unknown = set(roles) - set(RoleCode.values)
    if unknown:
        raise InvalidInput(_("未知角色：%(roles)s") % {"roles": ", ".join(sorted(unknown))})
    user = User.objects.filter(username=username).first() or User(username=username)
    existed = user.pk is not None
    user.organisation = organisation
    user.display_name = display_name
    user.is_staff = is_staff or is_superuser
    user.is_superuser = is_superuser
    if password_hash is not None:
        user.password = password_hash  # a hash made once for many demo users
    elif password is not None:
        user.set_password(password)
    elif not user.pk:
        user.set_unusable_password()
    user.save()
    if existed and password is not None:
        # a new password ends the API tokens issued with the old one (as user_set_password)
        tokens_revoke_for(user)
    all_roles = role_objects or roles_ensure()
    user.roles.set([all_roles[code] for code in roles])
    return user


@transaction.atomic
def user_set_password(
    *, user: User, password: str | None, actor: User | None, now: datetime
) -> User:
    """Give ``user`` a new password (``None``: an unusable one, no password sign-in) and end
    every API token issued with the old one, in one transaction (API.md, Authentication:
    a token lives until it expires, is revoked, or its user's password changes). The admin's
    password form and any other writer of passwords call this; ``User.save`` decides nothing."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    revoked = tokens_revoke_for(user)
    logger.info(
        "password of %s changed by %s at %s; %d API token(s) revoked",
        user.get_username(),
        actor.get_username() if actor is not None else "-",
        now.isoformat(),
        revoked,
    )
    return user
