"""Request and response shapes of the API (they make the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

#: text without NUL characters (PostgreSQL cannot store them)
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    code: str
    message: str
    where: str | None = None
    hint: str | None = None


class Page(Schema):
    count: int
    limit: int
    offset: int


class ProjectRole(Schema):
    slug: str
    name: str
    role: str | None


class MeOut(Schema):
    username: str
    superuser: bool
    projects: list[ProjectRole]


class ProjectOut(Schema):
    slug: str
    name: str
    organisation: str
    description: str
    role: str | None
    created_at: dt.datetime


class ProjectPage(Page):
    items: list[ProjectOut]


class FormOut(Schema):
    form_id: str
    title: str
    current_version: str | None
    versions: int
    records: int


class FieldOut(Schema):
    path: str
    name: str
    column: str
    type: str
    kind: str
    repeat: str | None
    personal: bool


class VersionOut(Schema):
    version: str
    created_at: dt.datetime
    languages: list[str]


class FormDetail(FormOut):
    version_list: list[VersionOut]
    fields: list[FieldOut]


class RecordOut(Schema):
    id: int
    instance_id: str
    form_id: str
    version: str
    source: str
    review_state: str
    received_at: dt.datetime
    values: dict[str, Any] | None
    repeats: dict[str, list[dict[str, Any]]]
    #: personal fields left out (the caller lacks records.view_personal)
    hidden: list[str]
    error: ErrorOut | None = None


class RecordPage(Page):
    items: list[RecordOut]
    #: pass as ``after`` to read the next records in id order (None at the end)
    next_after: int | None


class ProgressOut(Schema):
    done: int
    total: int | None
    message: str
    percent: float | None


class JobOut(Schema):
    id: int
    kind: str
    project: str | None
    user: str | None
    status: Literal["queued", "running", "done", "failed"]
    progress: ProgressOut
    result: Any = None
    error: ErrorOut | None = None
    attempts: int
    max_attempts: int
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    download: str | None = None


class JobPage(Page):
    items: list[JobOut]


class ExportIn(Schema):
    format: Literal["csv", "xlsx", "parquet"] = "csv"
    form_id: Annotated[Text, Field(max_length=255)] | None = None
    include_personal: bool = False


Event = Literal["submission.created", "run.completed", "publication.created", "ping"]


class WebhookIn(Schema):
    url: Annotated[Text, Field(min_length=1, max_length=1000)]
    events: list[Event] = []
    description: Annotated[Text, Field(max_length=200)] = ""


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    #: the signing secret, shown only now
    secret: str


class AttemptOut(Schema):
    attempt: int
    at: dt.datetime
    status_code: int | None
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: str
    event: str
    status: str
    attempts: int
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    log: list[AttemptOut]


class DeliveryPage(Page):
    items: list[DeliveryOut]
