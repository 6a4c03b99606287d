from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from hotline.core.errors import InvalidInput, NotFound
from hotline.orgs.choices import OrgKind
from hotline.orgs.error_codes import OrgsErrorCode
from hotline.orgs.selectors import organisation_by_code, organisation_list

router = Router(tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None


def _out(org) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent_id else None,
    }


@router.get("", response=list[OrgOut], auth=None)
def list_orgs(request: HttpRequest, kind: str | None = None, parent: str | None = None) -> list:
    """The organisation tree (public reference data), optionally filtered."""
    if kind is not None and kind not in OrgKind.values:
        raise InvalidInput(
            _("未知的组织类型：%(kind)s") % {"kind": kind}, code=OrgsErrorCode.UNKNOWN_KIND
        )
    qs = organisation_list(kind=kind)
    if parent is not None:
        parent_org = organisation_by_code(parent)
        if parent_org is None:
            raise InvalidInput(
                _("未知的组织代码：%(code)s") % {"code": parent}, code=OrgsErrorCode.UNKNOWN_ORG
            )
        qs = qs.filter(parent=parent_org)
    return [_out(org) for org in qs]


@router.get("/{code}", response=OrgOut, auth=None)
def get_org(request: HttpRequest, code: str) -> dict:
    org = organisation_by_code(code)
    if org is None:
        raise NotFound(
            _("未知的组织代码：%(code)s") % {"code": code}, code=OrgsErrorCode.UNKNOWN_ORG
        )
    return _out(org)
