"""Policy values: every time limit and threshold of the regulation, looked up in one place.

Each value is named after the article it implements, has a default taken from RULES.md, and
can be changed by an administrator (admin → 政策参数) without a deploy. Code never writes the
number itself: it asks ``policy("art15_sign_working_hours")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.core.cache import VersionedCache
from hotline.core.clock import real_now
from hotline.core.error_codes import CoreErrorCode
from hotline.core.errors import InvalidInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class PolicyDef:
    key: str
    default: Any
    kind: type
    article: str
    label: StrOrPromise  # gettext_lazy: the admin shows it in the reader's language
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
        # supervision casework (Art 26–30, 33): the thresholds of every proposal rule
        PolicyDef(
            "art26_respond_working_days", 5, int, "Art 26", _("督办事项反馈期限（工作日）"), 1
        ),
        PolicyDef("art26_attachment_max_mb", 10, int, "Art 26", _("督办附件大小上限（MB）"), 1),
        PolicyDef(
            "art27_3_late_sign_count",
            3,
            int,
            "Art 27(3)",
            _("当月签收超时或拒收达该次数提出督办单"),
            1,
        ),
        PolicyDef(
            "art27_4_overdue_count", 3, int, "Art 27(4)", _("当月超期或重办达该件数提出督办单"), 1
        ),
        PolicyDef(
            "art28_1_return_count", 2, int, "Art 28(1)", _("同一工单退回达该次数提出专题协调"), 1
        ),
        PolicyDef("art29_2_error_count", 1, int, "Art 29(2)", _("当月造成不良影响的知识错误数"), 1),
        PolicyDef(
            "art29_3_overdue_rate", 0.10, float, "Art 29(3)", _("月超期率超过该值提出通报（0–1）")
        ),
        PolicyDef("art29_3_min_assignments", 20, int, "Art 29(3)", _("月派单不足该数不判定超期率")),
        PolicyDef(
            "art29_4_satisfaction_min", 0.80, float, "Art 29(4)", _("满意率低于该值视为较低（0–1）")
        ),
        PolicyDef("art29_4_months", 2, int, "Art 29(4)", _("满意率连续较低的月数"), 1),
        PolicyDef("art29_4_min_evaluations", 10, int, "Art 29(4)", _("月评价不足该数不判定满意率")),
        PolicyDef(
            "art29_5_repeat_count", 3, int, "Art 29(5)", _("当月因办理不力引发重复诉求达该件数"), 1
        ),
        PolicyDef(
            "art30_3_ineffective_count",
            1,
            int,
            "Art 30(3)",
            _("督办评估无效达该次数提出移交督查"),
            1,
        ),
        # performance evaluation (Art 31): the default grade bands of a new scheme
        PolicyDef("art31_excellent_min", 90, int, "Art 31", _("考核优秀等次最低分")),
        PolicyDef("art31_good_min", 80, int, "Art 31", _("考核良好等次最低分")),
        PolicyDef("art31_pass_min", 60, int, "Art 31", _("考核合格等次最低分")),
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
        # telephony (Art 13, 29(1), 34): connection rate, missed-call call-backs, restrictions
        PolicyDef(
            "art13_short_abandon_seconds", 10, int, "Art 13", _("短时放弃（秒）：不计入接通率")
        ),
        PolicyDef("art13_connection_target", 0.95, float, "Art 13", _("座席配置接通率目标（0–1）")),
        PolicyDef(
            "art29_connection_rate_min",
            0.90,
            float,
            "Art 29(1)",
            _("接通率低于该值提出通报（0–1）"),
        ),
        PolicyDef(
            "art29_connection_min_calls", 100, int, "Art 29(1)", _("月呼入量不足该数不判定接通率")
        ),
        PolicyDef("art13_callback_due_hours", 24, int, "Art 13", _("未接来电回拨时限（小时）"), 1),
        PolicyDef(
            "art13_callback_max_attempts", 3, int, "Art 13", _("回拨未接通的最多尝试次数"), 1
        ),
        PolicyDef(
            "art13_callback_quiet_waiting",
            0,
            int,
            "Art 13",
            _("排队来电不超过该数时向空闲座席推送回拨"),
        ),
        PolicyDef(
            "art34_second_approval", False, bool, "Art 34", _("限制呼入须另一名审核督办员批准")
        ),
        PolicyDef("art34_max_days", 180, int, "Art 34", _("限制呼入最长期限（天）"), 1),
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
        # sign-in throttle (Art 25; issue 19 F7): per account with a growing lock, per address
        # with a much higher bound (an office behind one NAT address must not lock everyone)
        PolicyDef(
            "art25_login_account_failures", 10, int, "Art 25", _("账号连续登录失败锁定次数"), 1
        ),
        PolicyDef(
            "art25_login_lock_seconds",
            60,
            int,
            "Art 25",
            _("账号首次锁定时长（秒，此后每次加倍）"),
            1,
        ),
        PolicyDef(
            "art25_login_lock_max_seconds", 86400, int, "Art 25", _("账号锁定最长时长（秒）"), 1
        ),
        PolicyDef(
            "art25_login_address_failures",
            500,
            int,
            "Art 25",
            _("同一地址登录失败上限（时间窗口内）"),
            1,
        ),
        PolicyDef(
            "art25_login_window_seconds", 300, int, "Art 25", _("登录失败计数时间窗口（秒）"), 1
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
        # Art 23 monitoring: anomaly alerts, hot topics, long-unresolved, report times
        PolicyDef("art23_spike_baseline_days", 28, int, "Art 23", _("诉求量预警：基线天数"), 1),
        PolicyDef(
            "art23_spike_p_value", 0.001, float, "Art 23", _("诉求量预警：泊松检验显著性（0–1）")
        ),
        PolicyDef("art23_spike_min_count", 10, int, "Art 23", _("诉求量预警：当日最少件数"), 1),
        PolicyDef(
            "art23_hot_topic_similarity", 0.3, float, "Art 23", _("热点问题：内容相似度阈值（0–1）")
        ),
        PolicyDef(
            "art23_hot_topic_window_hours", 72, int, "Art 23", _("热点预警：时间窗口（小时）"), 1
        ),
        PolicyDef(
            "art23_hot_topic_min_count", 5, int, "Art 23", _("热点预警：同一事项最少件数"), 2
        ),
        PolicyDef("art23_unresolved_days", 30, int, "Art 23", _("久拖不决：在办超过天数"), 1),
        PolicyDef("art23_overdue_rate_threshold", 0.1, float, "Art 23", _("超期率预警阈值（0–1）")),
        PolicyDef("art23_rate_window_days", 30, int, "Art 23", _("超期率、接通率预警统计天数"), 1),
        PolicyDef("art23_rate_min_count", 20, int, "Art 23", _("超期率预警：最少派单数"), 1),
        PolicyDef(
            "art23_connection_rate_threshold", 0.9, float, "Art 23, Art 29(1)", _("接通率预警阈值")
        ),
        PolicyDef("art23_report_hour", 7, int, "Art 23", _("定期报告生成时间（时）")),
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
        raise InvalidInput(
            gettext("未知的政策参数：%(key)s") % {"key": key}, code=CoreErrorCode.UNKNOWN_POLICY
        )
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
def policy_set(*, key: str, value: Any, actor=None, now: datetime | None = None) -> Any:
    """Change one policy value (administrators). A change is logged with the value before and
    after, who and when (``PolicyChange``), in the same transaction; setting the value already
    in force logs nothing. ``now`` defaults to the real time, as the row's ``updated_at``."""
    from hotline.core.models import PolicyChange, PolicySetting

    converted = validate_policy_value(key, value)
    row = PolicySetting.objects.select_for_update().filter(key=key).first()
    old_value = row.value if row is not None else DEFINITIONS[key].default
    PolicySetting.objects.update_or_create(
        key=key, defaults={"value": converted, "updated_by": actor}
    )
    if row is None or old_value != converted:
        PolicyChange.objects.create(
            key=key,
            old_value=old_value,
            old_was_default=row is None,
            new_value=converted,
            actor=actor,
            changed_at=now or real_now(),
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
