"""The knowledge base (Art 22): entries owned by units, their version history, corrections and
questions raised by the hotline, usage from tickets, and the synonym list for search.

No business rule lives here: every write goes through ``hotline.knowledge.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.knowledge.choices import (
    EntryAction,
    EntryStatus,
    FeedbackKind,
    FeedbackState,
)


class Entry(models.Model):
    """One knowledge entry (知识条目): what an agent reads to a citizen."""

    # Small columns first: SQLite reads a row's columns in order, so the filters of a search
    # never step over the long text that follows.
    status = models.CharField(
        _("状态"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    public = models.BooleanField(_("对公众公开"), default=False)
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
    )
    # The ticket category tree is its own context; until it lands, a code plus its name.
    category_code = models.CharField(_("分类代码"), max_length=100)
    category_name = models.CharField(_("分类名称"), max_length=100, blank=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    # The number of the latest version row; a client may send it back to detect lost updates.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Last time someone with authority confirmed the content is current (publish or review);
    # older than the review period means stale (Art 27(1)).
    reviewed_at = models.DateTimeField(_("最近复核时间"), null=True, blank=True)
    # Stable key of entries loaded by the demo seed or an import, so loading twice is a no-op.
    source_key = models.CharField(_("来源标识"), max_length=80, blank=True, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    body = models.TextField(_("正文（Markdown）"))
    # Segmented (jieba) text kept by the service layer for full-text search (search.py).
    search_title = models.TextField(editable=False, blank=True, default="")
    search_keywords = models.TextField(editable=False, blank=True, default="")
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        indexes = [
            models.Index(fields=["status", "public"], name="knowledge_entry_status_pub"),
            models.Index(fields=["org", "status"], name="knowledge_entry_org_status"),
            models.Index(fields=["status", "category_code"], name="knowledge_entry_status_cat"),
            models.Index(fields=["status", "reviewed_at"], name="knowledge_entry_reviewed"),
            models.Index(fields=["status", "published_at"], name="knowledge_entry_published"),
        ]

    def __str__(self) -> str:
        return self.title


class EntryVersion(models.Model):
    """One write to an entry, with a snapshot of its content after the write (append-only)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    action = models.CharField(_("操作"), max_length=16, choices=EntryAction.choices)
    status = models.CharField(_("状态"), max_length=16, choices=EntryStatus.choices)
    snapshot = models.JSONField(_("内容快照"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("知识条目版本")
        verbose_name_plural = _("知识条目版本")
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.number} {self.action}"


class Feedback(models.Model):
    """A correction (知识纠错) or question (知识提问) raised to the owning unit (Art 22)."""

    kind = models.CharField(_("类型"), max_length=16, choices=FeedbackKind.choices)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("知识条目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    content = models.TextField(_("内容"))
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("答复单位"),
        on_delete=models.PROTECT,
        related_name="knowledge_feedback",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"))
    due_at = models.DateTimeField(_("答复时限"))
    state = models.CharField(
        _("状态"), max_length=16, choices=FeedbackState.choices, default=FeedbackState.OPEN
    )
    response = models.TextField(_("答复内容"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # Set by the timer (or by a late answer) and never cleared: overdue stays on the record.
    overdue = models.BooleanField(_("超期"), default=False)
    overdue_marked_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识纠错/提问")
        verbose_name_plural = _("知识纠错/提问")
        indexes = [
            models.Index(fields=["state", "due_at"], name="knowledge_fb_state_due"),
            models.Index(fields=["org", "state"], name="knowledge_fb_org_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class KnowledgeUsage(models.Model):
    """An entry used to answer a ticket (per-entry usage statistics)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="usages")
    ticket_number = models.CharField(_("工单编号"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("使用时间"), db_index=True)

    class Meta:
        verbose_name = _("知识使用记录")
        verbose_name_plural = _("知识使用记录")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "ticket_number"], name="knowledge_usage_once_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.ticket_number}"


class Synonym(models.Model):
    """An administrator-maintained group of equivalent terms that widens a search."""

    term = models.CharField(_("词语"), max_length=50, unique=True)
    equivalents = models.JSONField(_("同义词"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return " = ".join([self.term, *self.equivalents])


class SearchTerm(models.Model):
    """How many entries contain each indexed token (search.py), kept by the indexing code in
    the same transaction as the entry. The empty term holds the number of indexed entries.
    Used to leave out words too common to tell entries apart and, on PostgreSQL, to weight
    terms by rarity (IDF)."""

    term = models.CharField(max_length=100, primary_key=True)
    df = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("检索词频")
        verbose_name_plural = _("检索词频")

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


class KnowledgeEvent(models.Model):
    """Append-only audit of writes that are not entry versions (feedback, synonyms, imports,
    timers). Entry writes are audited by ``EntryVersion``."""

    at = models.DateTimeField(_("时间"), db_index=True)
    type = models.CharField(_("类型"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    feedback = models.ForeignKey(
        Feedback, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    data = models.JSONField(_("数据"), default=dict)

    class Meta:
        verbose_name = _("知识库操作记录")
        verbose_name_plural = _("知识库操作记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.type}"
