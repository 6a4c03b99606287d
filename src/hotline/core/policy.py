"""Policy values: every time limit and threshold of the regulation, looked up in one place.

Each value is named after the article it implements, has a default taken from RULES.md, and
can be changed by an administrator (admin → 政策参数) without a deploy. Code never writes the
number itself: it asks ``policy("art15_sign_working_hours")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.core.cache import VersionedCache
from hotline.core.errors import InvalidInput


@dataclass(frozen=True)
class PolicyDef:
    key: str
    default: Any
    kind: type
    article: str
    label: str
    minimum: float | None = 0


DEFINITIONS: dict[str, PolicyDef] = {
    d.key: d
    for d in [
        PolicyDef("art14_dispatch_hours", 12, int, "Art 14(2)", _("派单时限（小时，自然时间）")),
        PolicyDef("art18_major_dispatch_hours", 2, int, "Art 18", _("重大诉求派单时限（小时）")),
        PolicyDef("art15_sign_working_hours", 2, int, "Art 15(1)", _("超时自动签收（工作日小时）")),
        PolicyDef(
            "art15_return_window_working_hours", 24, int, "Art 15(1)", _("退回时限（工作日小时）")
        ),
        PolicyDef(
            "art15_extension_min_hours_before_due",
            48,
            int,
            "Art 15(3)",
            _("延期须在到期前（小时）"),
        ),
        PolicyDef("art15_extension_max_count", 1, int, "Art 15(3)", _("延期次数上限")),
        PolicyDef("art15_days_consultation", 2, int, "Art 15(2)", _("咨询办理时限（工作日）"), 1),
        PolicyDef("art15_days_help", 4, int, "Art 15(2)", _("求助办理时限（工作日）"), 1),
        PolicyDef("art15_days_suggestion", 4, int, "Art 15(2)", _("意见建议办理时限（工作日）"), 1),
        PolicyDef("art15_days_complaint", 7, int, "Art 15(2)", _("投诉办理时限（工作日）"), 1),
        PolicyDef("art15_days_report", 7, int, "Art 15(2)", _("举报办理时限（工作日）"), 1),
        PolicyDef("art16_callback_working_days", 3, int, "Art 16(1)", _("回访时限（工作日）"), 1),
        PolicyDef(
            "art16_callback_counts_receipt_day",
            False,
            bool,
            "Art 16(1)",
            _("回访时限是否计入收到结果当日"),
        ),
        PolicyDef(
            "art16_redo_extra_working_days", 1, int, "Art 16(1)", _("重办增加时限（工作日）")
        ),
        PolicyDef(
            "art16_redo_includes_extension", True, bool, "Art 16(1)", _("重办时限计入已批准延期")
        ),
        PolicyDef(
            "art14_callback_after_intake_answer",
            False,
            bool,
            "Art 14(1)",
            _("即时答复工单是否回访"),
        ),
        PolicyDef(
            "art18_first_response_hours", 1, int, "Art 18", _("重大诉求初步办理意见（签收后小时）")
        ),
        PolicyDef(
            "art18_progress_interval_hours", 24, int, "Art 18", _("重大诉求进度反馈间隔（小时）")
        ),
        PolicyDef(
            "art9_repeat_window_days", 90, int, "Art 11(7), Art 29(5)", _("重复诉求判定窗口（天）")
        ),
        PolicyDef(
            "art9_repeat_similarity", 0.35, float, "Art 29(5)", _("重复诉求内容相似度阈值（0–1）")
        ),
        PolicyDef("art30_repeat_threshold", 3, int, "Art 30(1)", _("重复反映超过该次数移交督查")),
        PolicyDef("art30_redo_threshold", 3, int, "Art 30(2)", _("重办超过该次数移交督查")),
        PolicyDef(
            "art30_consecutive_months",
            3,
            int,
            "Art 30(1)",
            _("连续若干个自然月重复反映同一事项移交督查（月数）"),
            2,
        ),
        # Art 21: real-time, lossless push to the provincial platform and partners (exchange)
        PolicyDef(
            "art21_push_max_attempts", 15, int, "Art 21", _("推送失败转入死信前的尝试次数"), 1
        ),
        PolicyDef("art21_push_backoff_seconds", 2.0, float, "Art 21", _("推送重试初始间隔（秒）")),
        PolicyDef(
            "art21_push_backoff_max_seconds", 600, int, "Art 21", _("推送重试最长间隔（秒）")
        ),
        PolicyDef(
            "art21_push_timeout_seconds", 10.0, float, "Art 21", _("推送请求超时（秒）"), 0.1
        ),
        PolicyDef(
            "art21_signature_window_seconds", 300, int, "Art 21", _("接入签名时间窗口（±秒）"), 1
        ),
        PolicyDef("art21_exchange_log_days", 30, int, "Art 21", _("推送与接入记录保留天数"), 1),
        # Art 22 knowledge base; late answers and stale entries are Art 27(1) notice triggers.
        # The regulation names no period: 3 working days (the day raised counted as day 1 when
        # it is a working day) and 180 calendar days are choices (docs/knowledge.md).
        PolicyDef(
            "art22_knowledge_response_working_days",
            3,
            int,
            "Art 22, Art 27(1)",
            _("知识纠错、知识提问答复时限（工作日）"),
            1,
        ),
        PolicyDef(
            "art22_knowledge_review_period_days",
            180,
            int,
            "Art 22, Art 27(1)",
            _("知识条目复核周期（天）"),
            1,
        ),
        PolicyDef(
            "art22_knowledge_public_rate_limit",
            30,
            int,
            "Art 22",
            _("公众知识检索限流：每个IP每个时间窗口的请求数"),
            1,
        ),
        PolicyDef(
            "art22_knowledge_public_rate_window_seconds",
            60,
            int,
            "Art 22",
            _("公众知识检索限流时间窗口（秒）"),
            1,
        ),
        # routing (派单推荐): precedents of coordinated dispatches, 并单 proposals at intake
        PolicyDef(
            "routing_precedent_similarity",
            0.3,
            float,
            "Art 14(3)",
            _("先例推荐的内容相似度阈值（0–1）"),
        ),
        PolicyDef(
            "routing_merge_similarity", 0.5, float, "Art 18", _("并单提示的内容相似度阈值（0–1）")
        ),
        PolicyDef("routing_merge_window_days", 7, int, "Art 18", _("并单提示的时间窗口（天）"), 1),
        # routing: the text model of past dispatches (similar tickets vote for their lead unit)
        PolicyDef(
            "routing_neighbour_similarity",
            0.35,
            float,
            "Art 14(3)",
            _("承办单位模型：相似历史工单的内容相似度阈值（0–1）"),
        ),
        PolicyDef(
            "routing_neighbour_count",
            20,
            int,
            "Art 14(3)",
            _("承办单位模型：参与投票的相似工单数"),
            1,
        ),
        PolicyDef(
            "routing_neighbour_window_days",
            365,
            int,
            "Art 14(3)",
            _("承办单位模型：学习的历史派单范围（天）"),
            1,
        ),
        # routing: scheduled retraining of the category model from closed tickets
        PolicyDef(
            "routing_retrain_interval_days",
            7,
            int,
            "Art 14",
            _("分类模型自动重训间隔（天，0 表示不自动重训）"),
        ),
        PolicyDef(
            "routing_retrain_min_new_tickets",
            200,
            int,
            "Art 14",
            _("分类模型自动重训所需的新办结工单数"),
        ),
        PolicyDef(
            "routing_retrain_tolerance",
            0.01,
            float,
            "Art 14",
            _("新模型留出集宏平均F1最多可低于现模型的幅度（0–1）"),
        ),
    ]
}


def _load() -> dict[str, Any]:
    from hotline.core.models import PolicySetting

    values = {key: d.default for key, d in DEFINITIONS.items()}
    for key, value in PolicySetting.objects.values_list("key", "value"):
        if key in DEFINITIONS:
            values[key] = DEFINITIONS[key].kind(value)
    return values


_cache: VersionedCache[dict[str, Any]] = VersionedCache("policy", _load)


def policy(key: str) -> Any:
    """The current value of one policy (a KeyError for an unknown key is a programming error)."""
    return _cache.get()[key]


def policy_all() -> dict[str, Any]:
    return dict(_cache.get())


def validate_policy_value(key: str, value: Any) -> Any:
    definition = DEFINITIONS.get(key)
    if definition is None:
        raise InvalidInput(gettext("未知的政策参数：%(key)s") % {"key": key}, code="unknown_policy")
    try:
        if definition.kind is bool and isinstance(value, str):
            converted: Any = value.strip().lower() in {"1", "true", "yes", "on", "是"}
        else:
            converted = definition.kind(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            gettext("%(key)s 的取值无效：%(value)s") % {"key": key, "value": value}
        ) from exc
    if (
        definition.minimum is not None
        and definition.kind is not bool
        and converted < definition.minimum
    ):
        raise InvalidInput(
            gettext("%(key)s 不能小于 %(minimum)s") % {"key": key, "minimum": definition.minimum}
        )
    return converted


@transaction.atomic
def policy_set(*, key: str, value: Any, actor=None) -> Any:
    """Change one policy value (administrators; recorded with who and when)."""
    from hotline.core.models import PolicySetting

    converted = validate_policy_value(key, value)
    PolicySetting.objects.update_or_create(
        key=key, defaults={"value": converted, "updated_by": actor}
    )
    _cache.bump()
    return converted


def invalidate_cache() -> None:
    _cache.invalidate()


def policy_seed_defaults() -> int:
    """Create a row for every policy not yet set, so the admin lists them all."""
    from hotline.core.models import PolicySetting

    existing = set(PolicySetting.objects.values_list("key", flat=True))
    missing = [
        PolicySetting(key=d.key, value=d.default)
        for d in DEFINITIONS.values()
        if d.key not in existing
    ]
    PolicySetting.objects.bulk_create(missing)
    if missing:
        _cache.bump()
    return len(missing)
