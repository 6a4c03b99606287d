"""Forms of the knowledge-base staff pages. They check the shape of the input (required,
lengths, dates) and give Chinese messages on the field; the content rules are the service's own
``services.clean_content`` (called here field by field so a message lands on its field), and
whether something may happen at all is the guard's (``rules``) — a refused write comes back
from the service as a DomainError and the page shows it on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hotline.core.errors import InvalidInput
from hotline.knowledge import selectors, services
from hotline.knowledge.choices import EntryStatus, FeedbackKind, FeedbackState
from hotline.orgs.models import Organisation
from hotline.orgs.selectors import org_groups
from hotline.tickets import selectors as ticket_selectors

BLANK = [("", "——")]
DATE_MESSAGE = _("日期格式应为 YYYY-MM-DD")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": DATE_MESSAGE},
    )


# -- the list -------------------------------------------------------------------------------------

STATUS_CHOICES = [
    ("", _("在用条目")),
    *[(value, label) for value, label in EntryStatus.choices],
    ("all", _("全部状态")),
]
PUBLIC_CHOICES = [("", _("不限")), ("1", _("对公众公开")), ("0", _("仅内部使用"))]


def category_choices(categories: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The categories in use and the levels above them (a filter on a code also matches the
    codes below it), in code order, so the tree reads from the top."""
    names = dict(categories)
    codes = set(names)
    for code in names:
        parts = code.split(".")
        codes.update(".".join(parts[:i]) for i in range(1, len(parts)))
    below = _("（含下级）")
    return [
        (code, f"{names[code]}（{code}）" if names.get(code) else f"{code}{below}")
        for code in sorted(codes)
    ]


class EntryFilterForm(forms.Form):
    """The knowledge home's search box and filters (``selectors.entry_search`` arguments)."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("查询内容不超过200字")},
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    category = forms.ChoiceField(label=_("分类"), required=False)
    org = forms.ChoiceField(label=_("责任单位"), required=False)
    public = forms.ChoiceField(label=_("公开范围"), required=False, choices=PUBLIC_CHOICES)

    def __init__(
        self,
        *args,
        categories: list[tuple[str, str]],
        orgs: list[Organisation],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        english = selectors.category_names()  # empty unless English is active
        if english:
            categories = [(code, english.get(code, name)) for code, name in categories]
        self.fields["category"].choices = BLANK + category_choices(categories)
        self.fields["org"].choices = BLANK + org_groups(orgs)

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        public = data.get("public")
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or None,
            "category": data.get("category") or None,
            "org": data.get("org") or None,
            "public": None if not public else public == "1",
        }


# -- an entry -------------------------------------------------------------------------------------


class EntryForm(forms.Form):
    """Create or edit an entry. ``orgs`` is given to the center's reviewers, who may choose
    (or change) the owning unit; a unit always writes for itself."""

    title = forms.CharField(label=_("标题"), max_length=services.TITLE_MAX)
    org = forms.ChoiceField(label=_("责任单位"))
    # Picked from the appeal category tree (诉求分类) the tickets use; the name comes with it.
    category_code = forms.ChoiceField(
        label=_("分类"), error_messages={"invalid_choice": _("请从诉求分类中选择")}
    )
    keywords = forms.CharField(
        label=_("关键词"), required=False, help_text=_("用顿号、逗号或空格分隔，最多30个")
    )
    synonyms = forms.CharField(
        label=_("同义词"),
        required=False,
        help_text=_("市民常用的其他说法，帮助检索；用顿号、逗号或空格分隔"),
    )
    public = forms.BooleanField(label=_("对公众公开"), required=False)
    effective_from = _date_field(_("生效日期"))
    expires_on = _date_field(_("失效日期"))
    body = forms.CharField(
        label=_("正文（Markdown）"),
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    note = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=500,
        help_text=_("写入版本记录，便于审核人员了解改了什么"),
    )
    # The version the form was read at: a later change by someone else is a conflict.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    CONTENT = ("title", "category_code", "category_name", "keywords", "synonyms", "body")

    def __init__(
        self,
        *args,
        orgs: list[Organisation] | None = None,
        edit: bool = False,
        current_category: tuple[str, str] | None = None,
        **kw,
    ):
        super().__init__(*args, **kw)
        # the tree, indented by level; an entry's code from before (an import, the API) that
        # is not in the tree stays selectable so the entry can still be edited
        tree = ticket_selectors.category_options()
        self.category_names = {c.code: c.name for c in tree}  # stored with the entry
        english = (get_language() or "").startswith("en")
        choices = [
            (c.code, "\u3000" * c.code.count(".") + ((c.name_en or c.name) if english else c.name))
            for c in tree
        ]
        if current_category and current_category[0] not in self.category_names:
            code, name = current_category
            self.category_names[code] = name
            choices.append((code, f"{name or code}（{code}）"))
        self.fields["category_code"].choices = BLANK + choices
        if orgs is None:
            del self.fields["org"]
        else:
            self.fields["org"].choices = BLANK + org_groups(orgs)
            self.org_by_code = {o.code: o for o in orgs}
        if not edit:
            del self.fields["note"]
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        # The service's own content check, one field at a time, so each message is shown on
        # its field (and the same rule holds for the API and imports).
        for name in self.CONTENT:
            if name not in data:
                continue
            try:
                data[name] = services.clean_content({name: data[name]})[name]
            except InvalidInput as exc:
                self.add_error(name, exc.message)
        if data.get("category_code"):
            data["category_name"] = self.category_names.get(data["category_code"], "")
        if "org" in self.fields and data.get("org"):
            data["org"] = self.org_by_code[data["org"]]
        return data

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in (*self.CONTENT, "public", "effective_from", "expires_on")
            if key in data
        }


def entry_initial(entry) -> dict:
    return {
        "title": entry.title,
        "org": entry.org.code,
        "category_code": entry.category_code,
        "keywords": "、".join(entry.keywords),
        "synonyms": "、".join(entry.synonyms),
        "public": entry.public,
        "effective_from": entry.effective_from,
        "expires_on": entry.expires_on,
        "body": entry.body,
        "version": entry.version,
    }


class NoteForm(forms.Form):
    """A workflow step (submit, publish, return, retire, review) with its note; the return's
    reason is required by the service."""

    note = forms.CharField(
        label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- corrections and questions --------------------------------------------------------------------


class FeedbackForm(forms.Form):
    """A correction or question raised on an entry."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=FeedbackKind.choices,
        initial=FeedbackKind.CORRECTION,
        widget=forms.RadioSelect,
    )
    content = forms.CharField(
        label=_("内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("纠错请写明哪里不对、正确的说法和依据；提问请写明市民问了什么"),
    )


class TopicFeedbackForm(FeedbackForm):
    """A correction or question on a topic that has no entry yet, to a named unit."""

    topic = forms.CharField(label=_("主题"), max_length=200)
    org = forms.ChoiceField(label=_("答复单位"))

    field_order = ["kind", "topic", "org", "content"]

    def __init__(self, *args, orgs: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = BLANK + org_groups(orgs)
        self.org_by_code = {o.code: o for o in orgs}

    def clean_org(self):
        return self.org_by_code[self.cleaned_data["org"]]


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


FEEDBACK_STATE_CHOICES = [
    ("open", FeedbackState.OPEN.label),
    ("", _("全部状态")),
    *[(v, label) for v, label in FeedbackState.choices if v != FeedbackState.OPEN],
]


class FeedbackFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=FEEDBACK_STATE_CHOICES, initial="open"
    )
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    org = forms.ChoiceField(label=_("答复单位"), required=False)

    def __init__(self, *args, orgs: list[Organisation] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is None:
            del self.fields["org"]
        else:
            self.fields["org"].choices = BLANK + org_groups(orgs)
