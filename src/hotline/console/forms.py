"""Forms of the console. They check the shape of the input (required, lengths, formats) and
turn codes into objects; every rule about *whether* something may happen is the services'
and the guard's (``hotline.tickets.rules``). A refused action comes back as a DomainError and
is shown on the form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.console import queries
from hotline.orgs.models import Organisation, User
from hotline.orgs.selectors import org_groups
from hotline.tickets import rules, selectors, services
from hotline.tickets.choices import (
    AppealType,
    CallbackOutcome,
    Channel,
    ContactKind,
    EmergencyLine,
    NotAcceptedReason,
    SpecialSeat,
    SuddenEventKind,
    TicketStatus,
)

BLANK = [("", "——")]
YES_NO_UNKNOWN = [("", _("未判定")), ("yes", _("是")), ("no", _("否"))]


class OrgChoiceField(forms.ChoiceField):
    """A handling unit by code, resolved through the service's lookup (unknown → message)."""

    def __init__(self, *, orgs: list[Organisation] | None = None, **kwargs):
        super().__init__(choices=BLANK + org_groups(orgs or []), **kwargs)


def _org(code: str, field: str) -> Organisation | None:
    return services.handling_org(code, field=field) if code else None


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# -- intake ------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """Art 13: the citizen's contact, the content, when and where it happened; Art 19
    special seats; Art 18 major incidents."""

    citizen_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"}
        ),
    )
    citizen_name = forms.CharField(label=_("诉求人"), max_length=60, required=False)
    confidential = forms.BooleanField(label=_("保密（承办单位不可见姓名和电话）"), required=False)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices, initial="phone")
    appeal_type = forms.ChoiceField(label=_("诉求类型"), choices=BLANK + AppealType.choices)
    county = forms.ChoiceField(label=_("县区"))
    address = forms.CharField(label=_("地址"), max_length=300)
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    occurred_unknown = forms.BooleanField(label=_("发生时间不详"), required=False)
    content = forms.CharField(
        label=_("诉求内容"),
        max_length=services.MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(label=_("诉求分类"), required=False)
    special_seat = forms.ChoiceField(
        label=_("专席"), choices=[("", _("否")), *SpecialSeat.choices], required=False
    )
    major_incident = forms.BooleanField(
        label=_("重大诉求（大面积停水、停电、停气、停热、环境污染）"), required=False
    )

    def __init__(self, *args, counties=None, categories=None, language="zh-hans", **kwargs):
        super().__init__(*args, **kwargs)
        counties = counties if counties is not None else queries.counties()
        categories = categories if categories is not None else selectors.category_options()
        self.fields["county"].choices = BLANK + [(c.code, c.short_name or c.name) for c in counties]
        english = language.startswith("en")
        self.fields["category"].choices = BLANK + [
            (
                c.code,
                "\u3000" * c.code.count(".") + ((c.name_en or c.name) if english else c.name),
            )
            for c in categories
        ]

    def clean_citizen_phone(self) -> str:
        phone = self.cleaned_data["citizen_phone"].strip()
        if not services.PHONE_RE.match(phone):
            raise forms.ValidationError(_("请输入有效的电话号码（手机或座机）"))
        return phone

    def clean(self):
        data = super().clean()
        if not data.get("occurred_at") and not data.get("occurred_unknown"):
            self.add_error("occurred_at", _("请填写发生时间，或勾选“发生时间不详”"))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "channel": d["channel"],
            "appeal_type": d["appeal_type"],
            "content": d["content"],
            "citizen_name": d["citizen_name"],
            "citizen_phone": d["citizen_phone"],
            "confidential": d["confidential"],
            "county": services.county_org(d["county"]),
            "address": d["address"],
            "occurred_at": None if d["occurred_unknown"] else d["occurred_at"],
            "category": services.category_by_code(d["category"] or None),
            "major_incident": d["major_incident"],
            "special_seat": d["special_seat"] or None,
        }


INTAKE_ACTIONS = [
    ("dispatch", _("保存并派单")),
    ("answer", _("即时答复")),
    ("reject", _("不予受理")),
    ("contact", _("转接 / 三方通话")),
]


class IntakeActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("受理方式"), choices=INTAKE_ACTIONS, initial="dispatch", widget=forms.RadioSelect
    )


# -- ticket actions ----------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复内容"),
        max_length=services.MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    knowledge_entries = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_knowledge_entries(self) -> list[int]:
        raw = self.cleaned_data.get("knowledge_entries") or ""
        try:
            return [int(x) for x in raw.replace(" ", "").split(",") if x][:20]
        except ValueError:
            raise forms.ValidationError(_("知识条目编号不正确")) from None


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("不予受理原因"), choices=BLANK + NotAcceptedReason.choices)
    explanation = forms.CharField(
        label=_("解释引导"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    transferred_to = forms.ChoiceField(
        label=_("转接紧急热线"), choices=BLANK + EmergencyLine.choices, required=False
    )
    closed_ticket = forms.CharField(label=_("原工单编号"), max_length=24, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == NotAcceptedReason.EMERGENCY and not data.get("transferred_to"):
            self.add_error("transferred_to", _("紧急诉求须选择转接的热线（110/119/120/122）"))
        return data


class ContactForm(forms.Form):
    contact_kind = forms.ChoiceField(label=_("联动方式"), choices=ContactKind.choices)
    party = forms.CharField(label=_("联系对象（单位/电话）"), max_length=120)
    consent = forms.BooleanField(label=_("诉求人已同意"), required=False)


class DispatchForm(forms.Form):
    lead = OrgChoiceField(label=_("主办单位"))
    assists = forms.MultipleChoiceField(label=_("协办单位"), required=False)
    coordinated = forms.BooleanField(label=_("协调派单（协调后派单，不得退回）"), required=False)
    note = forms.CharField(
        label=_("派单说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, orgs: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        groups = org_groups(orgs)
        self.fields["lead"].choices = BLANK + groups
        self.fields["assists"].choices = groups

    def units(self) -> tuple[Organisation, list[Organisation]]:
        lead = _org(self.cleaned_data["lead"], "lead")
        assists = [_org(code, "assists") for code in self.cleaned_data.get("assists") or []]
        return lead, assists


class RedispatchForm(DispatchForm):
    coordinated = None
    note = None


class SignForm(forms.Form):
    pass


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(
        label=_("退回依据（职责、文件）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    suggested_org = OrgChoiceField(label=_("建议承办单位"), required=False)

    def __init__(self, *args, orgs: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_org"].choices = BLANK + org_groups(orgs)

    def suggested(self) -> Organisation | None:
        return _org(self.cleaned_data.get("suggested_org") or "", "suggested_org")


class ExtensionForm(forms.Form):
    working_days = forms.IntegerField(label=_("延期天数（工作日）"), min_value=1, max_value=60)
    reason = forms.CharField(
        label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(forms.Form):
    content = forms.CharField(
        label=_("办理进度"),
        max_length=services.MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_completion = forms.DateField(
        label=_("预计办结日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=_("办理结果"),
        max_length=services.MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    citizen_contacted = forms.BooleanField(label=_("已联系诉求人"), required=False)


class CallbackForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("评价"), choices=CallbackOutcome.choices, widget=forms.RadioSelect
    )
    resolved = forms.ChoiceField(label=_("解决情况"), choices=YES_NO_UNKNOWN, required=False)
    reasonable = forms.ChoiceField(
        label=_("诉求是否合理（不满意时必填：合理则重办，否则依法依规办结）"),
        choices=YES_NO_UNKNOWN,
        required=False,
    )

    @staticmethod
    def _yes_no(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value or "")

    def values(self) -> dict:
        return {
            "outcome": self.cleaned_data["outcome"],
            "resolved": self._yes_no(self.cleaned_data.get("resolved")),
            "reasonable": self._yes_no(self.cleaned_data.get("reasonable")),
        }


class SuddenReportForm(forms.Form):
    """Art 18: report a sudden event to the local government and the hotline authority and
    notify the responding departments; each recipient is recorded with the time."""

    kind = forms.ChoiceField(label=_("类型"), choices=SuddenEventKind.choices)
    recipients = forms.MultipleChoiceField(label=_("报告/通知对象"), required=False)
    others = forms.CharField(
        label=_("其他报告/通知对象（用顿号分隔）"), max_length=500, required=False
    )
    note = forms.CharField(
        label=_("内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, orgs: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = org_groups(orgs)

    def clean(self):
        data = super().clean()
        if not data.get("recipients") and not self.recipient_names(data.get("others") or ""):
            self.add_error("recipients", _("至少需要一个报告或通知对象"))
        return data

    @staticmethod
    def recipient_names(text: str) -> list[str]:
        return [p.strip() for p in re.split(r"[、,，;；\n]+", text) if p.strip()]

    def all_recipients(self) -> list[str]:
        """Organisation codes, then the other recipients by name (the service records an
        organisation by its name, anyone else as written)."""
        d = self.cleaned_data
        return [*d.get("recipients", []), *self.recipient_names(d.get("others") or "")]


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewApproveForm(forms.Form):
    lead = OrgChoiceField(label=_("重新派至主办单位（留空则退回派单队列）"), required=False)
    assists = forms.MultipleChoiceField(label=_("协办单位"), required=False)
    override = forms.BooleanField(label=_("准予再次延期（超出次数上限，记录在案）"), required=False)

    def __init__(self, *args, orgs: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        groups = org_groups(orgs)
        self.fields["lead"].choices = BLANK + groups
        self.fields["assists"].choices = groups

    def units(self) -> tuple[Organisation | None, list[Organisation]]:
        lead = _org(self.cleaned_data.get("lead") or "", "lead")
        assists = [_org(code, "assists") for code in self.cleaned_data.get("assists") or []]
        return lead, assists


class ReviewRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("驳回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- lists -------------------------------------------------------------------------------------

SORTS = {
    "-received": ("-received_at", "-id"),
    "received": ("received_at", "id"),
    "dispatch_due": ("dispatch_due_at", "id"),
    "callback_due": ("callback_due_at", "id"),
    "number": ("number",),
}
SORT_CHOICES = [
    ("-received", _("受理时间（新→旧）")),
    ("received", _("受理时间（旧→新）")),
    ("dispatch_due", _("派单时限")),
    ("callback_due", _("回访时限")),
    ("number", _("工单编号")),
]


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *TicketStatus.choices], required=False
    )
    appeal_type = forms.ChoiceField(
        label=_("诉求类型"), choices=[("", _("全部")), *AppealType.choices], required=False
    )
    county = forms.ChoiceField(label=_("县区"), required=False)
    org = forms.ChoiceField(label=_("承办单位"), required=False)
    overdue = forms.ChoiceField(
        label=_("超期"),
        choices=[("", _("全部")), ("1", _("有超期")), ("0", _("无超期"))],
        required=False,
    )
    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, counties=None, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = counties if counties is not None else queries.counties()
        self.fields["county"].choices = [("", _("全部"))] + [
            (c.code, c.short_name or c.name) for c in counties
        ]
        # the handling units the user may see (queries.filter_orgs), grouped as in dispatch
        self.fields["org"].choices = [("", _("全部")), *org_groups(orgs or [])]


# -- the intake panel --------------------------------------------------------------------------


@dataclass
class IntakeForms:
    """The intake form and the forms of its four ways to finish (Art 11, 14)."""

    main: IntakeForm
    action: IntakeActionForm
    dispatch: DispatchForm | None
    answer: AnswerForm
    reject: RejectForm
    contact: ContactForm
    may_dispatch: bool

    @property
    def selected(self) -> str:
        return _selected(self.action)

    @property
    def finishing(self) -> forms.Form | None:
        """The form of the chosen way to finish (None: dispatch without the dispatch right,
        the ticket waits for the dispatchers)."""
        return {
            "dispatch": self.dispatch,
            "answer": self.answer,
            "reject": self.reject,
            "contact": self.contact,
        }[self.selected]


def _selected(action: IntakeActionForm) -> str:
    value = action["action"].value()
    return value if value in dict(INTAKE_ACTIONS) else "dispatch"


def _initial(data) -> dict[str, Any] | None:
    """POST data as initial values (lists for multi-valued fields)."""
    if data is None:
        return None
    return {key: (values if len(values) > 1 else values[0]) for key, values in data.lists()}


def intake_forms(*, user: User, now: datetime, language: str, data=None) -> IntakeForms:
    """Only the way to finish that was chosen is bound to the POST: the other panels stay
    unbound (what was typed in them is kept as initial data, without "required" messages)."""
    may_dispatch = bool(rules.allowed(user, "dispatch", now=now))
    action = IntakeActionForm(data)
    chosen = _selected(action) if data is not None else None

    def finish(name: str, form_class, **kwargs):
        if name == chosen:
            return form_class(data, **kwargs)
        return form_class(initial=_initial(data), **kwargs)

    return IntakeForms(
        main=IntakeForm(data, language=language),
        action=action,
        dispatch=finish("dispatch", DispatchForm, orgs=queries.handling_orgs())
        if may_dispatch
        else None,
        answer=finish("answer", AnswerForm),
        reject=finish("reject", RejectForm),
        contact=finish("contact", ContactForm),
        may_dispatch=may_dispatch,
    )
