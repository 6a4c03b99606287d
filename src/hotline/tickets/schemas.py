"""The request and response schemas of the tickets API (API.md): what ``tickets.api``
parses and renders. Names are the OpenAPI component names; keep them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from hotline.core.pagination import PageQuery
from hotline.tickets import services
from hotline.tickets.choices import (
    AppealType,
    CallbackOutcome,
    Channel,
    ReviewKind,
    ReviewState,
    TicketStatus,
)


class CitizenIn(Schema):
    name: str = Field("", max_length=60)
    phone: str = Field(..., min_length=1, max_length=30)
    confidential: bool = False


class LocationIn(Schema):
    county: str = Field(..., min_length=1, max_length=40)
    address: str = Field(..., min_length=1, max_length=300)


class TicketIn(Schema):
    channel: Channel
    appeal_type: AppealType
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    citizen: CitizenIn
    location: LocationIn
    occurred_at: datetime | None = None
    category: str | None = Field(None, max_length=80)
    major_incident: bool = False
    special_seat: Literal["business", "enterprise"] | None = None
    external_id: str | None = Field(None, max_length=100)
    # the switch's call this appeal came in on (telephony links the two, API.md)
    call_id: str | None = Field(None, max_length=64)
    # 并单 (Art 18): join an open incident, or group with open tickets (by number) of other
    # callers that are in no incident yet into a new one (center staff)
    incident: int | None = None
    merge_with: list[str] = Field(default_factory=list, max_length=services.MERGE_MAX)


class CitizenOut(Schema):
    name: str | None
    phone: str | None
    confidential: bool
    masked: bool


class LocationOut(Schema):
    county: str
    county_name: str
    address: str


class AssignmentOut(Schema):
    id: int
    org: str
    org_name: str
    role: str
    parent: int | None
    status: str
    dispatched_at: datetime
    sign_due_at: datetime | None
    signed_at: datetime | None
    signed_late: bool
    auto_signed: bool
    due_at: datetime | None
    overdue: bool
    return_window_ends_at: datetime | None
    extension_count: int
    redo_count: int
    first_response_due_at: datetime | None
    replied_at: datetime | None
    reply: str | None


class EvaluationOut(Schema):
    outcome: str | None
    resolved: bool | None


class EventOut(Schema):
    at: datetime
    type: str
    actor: str | None
    org: str | None
    data: dict


class TicketOut(Schema):
    number: str
    status: str
    channel: str
    appeal_type: str
    content: str
    category: str | None
    citizen: CitizenOut
    location: LocationOut
    occurred_at: datetime | None
    received_at: datetime
    dispatch_due_at: datetime | None
    dispatched_at: datetime | None
    dispatch_overdue: bool
    major_incident: bool
    incident: int | None
    special_seat: str | None
    coordinated: bool
    assignments: list[AssignmentOut]
    callback_due_at: datetime | None
    evaluation: EvaluationOut
    closed_at: datetime | None
    close_reason: str | None
    answer: str | None
    not_accepted_reason: str | None
    repeat_of: str | None
    repeat_count: int
    redo_count: int
    external_id: str | None
    events: list[EventOut]


class TicketListItem(Schema):
    number: str
    status: str
    channel: str
    appeal_type: str
    content: str
    county: str
    received_at: datetime
    dispatch_due_at: datetime | None
    callback_due_at: datetime | None
    major_incident: bool
    citizen: CitizenOut


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    knowledge_entries: list[int] = Field(default_factory=list, max_length=20)


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=40)
    explanation: str = Field(..., min_length=1, max_length=2000)
    transferred_to: str | None = Field(None, max_length=20)
    closed_ticket: str | None = Field(None, max_length=24)


class ContactIn(Schema):
    kind: Literal["three_way_call", "transfer", "expert_seat"]
    party: str = Field(..., min_length=1, max_length=120)
    consent: bool


class SuddenReportIn(Schema):
    kind: Literal["disaster", "accident", "public_health", "public_security"]
    recipients: list[str] = Field(..., min_length=1, max_length=20)
    note: str = Field("", max_length=2000)


class DispatchIn(Schema):
    lead: str = Field(..., min_length=1, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)
    coordinated: bool = False
    note: str = Field("", max_length=2000)


class RedispatchIn(Schema):
    lead: str = Field(..., min_length=1, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    basis: str = Field(..., min_length=1, max_length=2000)
    suggested_org: str | None = Field(None, max_length=40)


class ExtensionIn(Schema):
    working_days: int = Field(..., ge=1, le=365)
    reason: str = Field(..., min_length=1, max_length=2000)


class ProgressIn(Schema):
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    expected_completion: date | None = None
    citizen_informed: bool | None = None


class ReplyIn(Schema):
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    citizen_contacted: bool | None = None


class CallbackIn(Schema):
    outcome: CallbackOutcome
    resolved: bool | None = None
    reasonable: bool | None = None


class DisputeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewOut(Schema):
    id: int
    kind: str
    ticket: str
    assignment: int | None
    state: str
    requested_by: str | None
    requested_org: str | None
    created_at: datetime
    data: dict
    decided_at: datetime | None


class ApproveIn(Schema):
    lead: str | None = Field(None, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)
    override: bool = False


class RejectReviewIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class TicketFilter(PageQuery):
    status: TicketStatus | None = None
    org: str | None = Field(None, max_length=40)
    overdue: bool | None = None
    q: str | None = Field(None, max_length=200)


class ReviewFilter(PageQuery):
    kind: ReviewKind | None = None
    state: ReviewState | None = None


# -- major incidents (Art 18, 并单)


class IncidentFilter(PageQuery):
    open: bool | None = None


class IncidentOut(Schema):
    id: int
    kind: str
    title: str
    county: str | None
    opened_at: datetime
    closed_at: datetime | None
    calls: int


class IncidentCloseIn(Schema):
    note: str = Field("", max_length=2000)
