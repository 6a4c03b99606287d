from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.choices import CENTER_ROLES, OrgKind, RoleCode


class Organisation(models.Model):
    """A node of the organisation tree (RULES.md §1, Art 5–9)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=OrgKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes ("/city/411702/411702-01/") so a subtree is one indexed
    # prefix query instead of a recursive walk.
    path = models.CharField(_("路径"), max_length=500, db_index=True, editable=False)
    # Art 9(2): one responsible leader, one responsible person, one liaison.
    leader_name = models.CharField(_("分管领导"), max_length=40, blank=True)
    leader_phone = models.CharField(_("分管领导电话"), max_length=40, blank=True)
    responsible_name = models.CharField(_("具体负责人"), max_length=40, blank=True)
    responsible_phone = models.CharField(_("具体负责人电话"), max_length=40, blank=True)
    liaison_name = models.CharField(_("联络员"), max_length=40, blank=True)
    liaison_phone = models.CharField(_("联络员电话"), max_length=40, blank=True)
    keywords = models.TextField(_("职责关键词"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    # not a field: the ids of this subtree, remembered on the instance for the rest of the
    # request by hotline.tickets.selectors.subtree_of (read with getattr: it may be unset)
    _subtree_ids: list[int]

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else "/"
        return f"{prefix}{self.code}/"

    def is_in_subtree_of(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    @property
    def county(self) -> Organisation | None:
        """The county body this organisation belongs to (itself for a county)."""
        node: Organisation | None = self
        while node is not None:
            if node.kind == OrgKind.COUNTY:
                return node
            node = node.parent
        return None


class Role(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class User(AbstractUser):
    """A person working on the platform, belonging to one organisation with one or more roles."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="users")
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    # Art 20: agents may be contractor staff.
    contractor = models.BooleanField(_("外包人员"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("code", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    @property
    def acts_for_center(self) -> bool:
        return bool(self.role_codes() & CENTER_ROLES) or self.is_superuser
