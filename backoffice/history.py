"""The audit history as staff read it (docs/backoffice.md, "Audit history"): one timeline
per row, behind the change form's "History" button, and the Events list across rows. Both
show a staff member only what the back office already shows them:

- the events of a model whose admin lets them view it (`has_view_permission`); a model with no
  admin of its own (one edited inline) asks for its view or change permission. A membership row
  (a user's group, a permission granted) belongs to the model declaring the many-to-many field;
- of each event, the fields that model's admin shows them on the change page
  (`get_fieldsets(request, obj)`): a field hidden there is hidden in its history too. Secret
  columns are never copied in the first place (config/audit.py).

It names no app: models and their admins are found at run time, through the app registry and
the admin site's registry, so every audited model is covered without being listed here.
"""

import json
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from functools import cache

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from pghistory.models import Event, Events

from config.admin import ViewOnlyMixin, admin_of, field_behind, may_view
from config.audit import SECRET_CHANGE

# A row's page shows its newest changes; the Events list, filtered to the row, pages through
# the rest. A user's row gathers an event per credit movement: "all" could be millions.
TIMELINE_LENGTH = 100

ACTIONS = {
    "insert": "insert",
    "update": "update",
    "delete": "delete",
    SECRET_CHANGE: "secret change",
}
LOG_ACTIONS = {ADDITION: "admin: added", DELETION: "admin: deleted"}
NOTHING = "—"


# What each event table records


@dataclass(frozen=True)
class Subject:
    """Whose history an event model holds: rows of `model`; or, for a membership table (a
    many-to-many's through table), the `m2m` field of `model` that its rows fill."""

    model: type
    m2m: object = None


@cache
def subjects():
    """{event model: Subject} for every event model of a tracked model."""
    through_fields = {
        m2m.remote_field.through._meta.concrete_model: m2m
        for model in apps.get_models()
        for m2m in model._meta.local_many_to_many
    }
    found = {}
    for event_model in apps.get_models():
        tracked = getattr(event_model, "pgh_tracked_model", None)
        if not issubclass(event_model, Event) or tracked is None:
            continue
        m2m = through_fields.get(tracked._meta.concrete_model)
        found[event_model] = Subject(m2m.model, m2m) if m2m else Subject(tracked)
    return found


def row_event_models(model):
    """The event models recording the rows of `model` itself."""
    concrete = model._meta.concrete_model
    return [
        event_model
        for event_model, subject in subjects().items()
        if subject.m2m is None and subject.model._meta.concrete_model == concrete
    ]


def membership_event_models(model):
    """(event model, many-to-many field) for each membership table of `model`."""
    concrete = model._meta.concrete_model
    return [
        (event_model, subject.m2m)
        for event_model, subject in subjects().items()
        if subject.m2m is not None and subject.model._meta.concrete_model == concrete
    ]


def snapshot_fields(event_model):
    """The event model's copies of the tracked row's columns."""
    return [f for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]


# Who may read what


def shown_fields(request, model_admin, obj):
    """The names of the fields the admin shows this viewer on obj's change page (a money
    column shows its field: `config.admin.field_behind`)."""
    names = flatten_fieldsets(model_admin.get_fieldsets(request, obj))
    return {field_behind(model_admin, name) for name in names} | set(names)


def stand_in(model):
    """An existing-looking row, for asking an admin which fields its change page shows where
    the Events list has no row at hand (many rows of a page, some long deleted)."""
    row = model()
    row._state.adding = False
    return row


def readable_event_models(request, site):
    """{event model: the field names of its events this viewer may read}, for the event
    models they may read at all. Worked out once per request."""
    if not hasattr(request, "_readable_event_models"):
        readable = {}
        for event_model, subject in subjects().items():
            if not may_view(request, subject.model):
                continue
            model_admin = admin_of(subject.model)
            if model_admin is None:  # its view permission decides alone
                shown = {f.name for f in snapshot_fields(event_model)} | {
                    f.name for f in subject.model._meta.many_to_many
                }
            else:
                shown = shown_fields(request, model_admin, stand_in(subject.model))
            if subject.m2m is None:
                readable[event_model] = shown
            elif subject.m2m.name in shown:
                readable[event_model] = {subject.m2m.name}
        request._readable_event_models = readable
    return request._readable_event_models


# Who did it


@dataclass(frozen=True)
class Actor:
    name: str
    url: str = ""


def change_url(site, model, pk):
    opts = model._meta
    try:
        return reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(pk)])
    except NoReverseMatch:
        return ""


def actors_for(request, site, contexts):
    """A function naming the actor of an event's context metadata: the user's email (linked to
    their admin page when this viewer may view users), or the management command. One query
    for all the users named."""
    user_model = get_user_model()
    user_ids = {str(context["user"]) for context in contexts if context.get("user")}
    emails = {}
    if user_ids:
        users = user_model._default_manager.filter(pk__in=user_ids)
        emails = {
            str(pk): email
            for pk, email in users.values_list("pk", user_model.get_email_field_name())
        }
    link_users = may_view(request, user_model)

    def actor(context):
        if context.get("user"):
            user_id = str(context["user"])
            if user_id not in emails:
                return Actor(f"deleted user {user_id}")
            return Actor(
                emails[user_id], change_url(site, user_model, user_id) if link_users else ""
            )
        if context.get("command"):
            return Actor(f"manage.py {context['command']}")
        return Actor(NOTHING)

    return actor


def context_of(event):
    return event.pgh_context.metadata if event.pgh_context_id else {}


# How a change reads


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One line of a timeline: when (to the second, UTC), who, what, and per field old → new.
    `order` is the event's number in its table (`newest_first_key`)."""

    at: datetime
    order: int
    actor: Actor
    what: str
    changes: list = field(default_factory=list)
    note: str = ""

    @property
    def when(self):
        return shown_value(self.at)


def shown_value(value):
    if value is None or value == "":
        return NOTHING
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def action_of(label):
    """insert / update / delete / secret change, and membership add / remove."""
    if label.endswith(".add"):
        return "membership add"
    if label.endswith(".remove"):
        return "membership remove"
    return ACTIONS.get(label, label)


# One row's timeline


@dataclass
class Timeline:
    entries: list
    truncated: bool


def row_changes(newer, older, fields):
    """What `newer` changed since `older`; with no `older` (the row's first event), every
    field it set."""
    changes = []
    for snapshot_field in fields:
        new = getattr(newer, snapshot_field.attname)
        old = None if older is None else getattr(older, snapshot_field.attname)
        if (old == new) if older is not None else new in (None, ""):
            continue
        changes.append(Change(snapshot_field.name, shown_value(old), shown_value(new)))
    return changes


def row_entries(events, fields, actor):
    """Entries of one row's events, given newest first: each against the event before it."""
    return [
        Entry(
            newer.pgh_created_at,
            newer.pgh_id,
            actor(context_of(newer)),
            action_of(newer.pgh_label),
            row_changes(newer, older, fields),
        )
        for newer, older in zip(events, [*events[1:], None], strict=False)
    ]


def membership_entries(events, m2m, actor):
    target = m2m.m2m_reverse_field_name()
    return [
        Entry(
            event.pgh_created_at,
            event.pgh_id,
            actor(context_of(event)),
            action_of(event.pgh_label),
            [membership_change(m2m, event.pgh_label, shown_value(getattr(event, target)))],
        )
        for event in events
    ]


def membership_change(m2m, label, target):
    """A membership added reads as the field gaining the target; removed, as losing it."""
    if label.endswith(".add"):
        return Change(m2m.name, NOTHING, target)
    return Change(m2m.name, target, NOTHING)


def log_entries(log, site, link_users):
    """The admin's log messages (Django's own history: `log_change` notes such as a credit
    adjustment's reason)."""
    user_model = get_user_model()
    return [
        Entry(
            entry.action_time,
            0,
            Actor(
                getattr(entry.user, user_model.get_email_field_name()),
                change_url(site, user_model, entry.user_id) if link_users else "",
            ),
            LOG_ACTIONS.get(entry.action_flag, "admin: changed"),
            note=entry.get_change_message(),
        )
        for entry in log
    ]


def newest(queryset, order):
    """One more than a timeline shows: the baseline of the oldest shown, and the sign that
    there is more."""
    return list(queryset.order_by(order)[: TIMELINE_LENGTH + 1])


def timeline(request, model_admin, obj):
    """The row's history, newest first: its events, the membership rows of its many-to-many
    fields, and the admin's log. A constant number of queries, whatever the number of events."""
    site = model_admin.admin_site
    shown = shown_fields(request, model_admin, obj)
    row_events = [
        (
            newest(
                event_model.objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context"),
                "-pgh_id",
            ),
            [f for f in snapshot_fields(event_model) if f.name in shown],
        )
        for event_model in row_event_models(type(obj))
    ]
    memberships = [
        (
            newest(
                event_model.objects.filter(**{m2m.m2m_field_name(): obj.pk})
                .select_related("pgh_context")
                # Not select_related: a join would drop the rows of a group deleted since.
                .prefetch_related(
                    Prefetch(
                        m2m.m2m_reverse_field_name(),
                        queryset=m2m.remote_field.model._base_manager.select_related(),
                    )
                ),
                "-pgh_id",
            ),
            m2m,
        )
        for event_model, m2m in membership_event_models(type(obj))
        if m2m.name in shown
    ]
    log = newest(
        LogEntry.objects.filter(
            content_type=get_content_type_for_model(obj), object_id=str(obj.pk)
        ).select_related("user"),
        "-action_time",
    )

    actor = actors_for(
        request, site, [context_of(e) for events, _ in row_events + memberships for e in events]
    )
    entries = [
        *(e for events, fields in row_events for e in row_entries(events, fields, actor)),
        *(e for events, m2m in memberships for e in membership_entries(events, m2m, actor)),
        *log_entries(log, site, may_view(request, get_user_model())),
    ]
    entries.sort(key=newest_first_key, reverse=True)
    return Timeline(entries[:TIMELINE_LENGTH], truncated=len(entries) > TIMELINE_LENGTH)


def newest_first_key(entry):
    """By time; within one transaction (its events share its start time) the row's insert
    came first, then the events in the order their tables numbered them."""
    return (entry.at, entry.what != ACTIONS["insert"], entry.order)


def events_url(request, site, obj):
    """The Events list filtered to this row (its older changes), if the viewer may open it."""
    events_admin = site._registry.get(Events)
    if events_admin is None or not events_admin.has_view_permission(request):
        return ""
    changelist = reverse(f"{site.name}:pghistory_events_changelist")
    return f"{changelist}?obj={obj._meta.label}:{obj.pk}"


class HistoryTimelineMixin:
    """A ModelAdmin whose "History" page is the row's audit timeline (Django's own lists only
    the admin's log, and misses every change made elsewhere). Opening it takes what Django's
    own history page takes: view permission on the row."""

    object_history_template = "admin/studio_object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "timeline": timeline(request, self, obj),
            "events_url": events_url(request, self.admin_site, obj),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


# The Events list


def readable_tracking(queryset, label):
    """The event models of the queryset (the readable ones) recording rows of the model named
    `label`."""
    return [m for m in queryset.query.across if m.pgh_tracked_model._meta.label == label]


def across(queryset, event_models):
    """The queryset over these event models only. pghistory reads an empty list as "every
    event model", so none is no rows."""
    return queryset.across(*event_models) if event_models else queryset.none()


class ModelFilter(admin.SimpleListFilter):
    title = "model"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        labels = {
            m.pgh_tracked_model._meta.label
            for m in readable_event_models(request, model_admin.admin_site)
        }
        return [(label, label) for label in sorted(labels)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return across(queryset, readable_tracking(queryset, self.value()))


class LabelFilter(admin.SimpleListFilter):
    title = "what"
    parameter_name = "label"

    def lookups(self, request, model_admin):
        readable = readable_event_models(request, model_admin.admin_site)
        labels = {tracker.label for m in readable for tracker in m.pgh_trackers or ()}
        return [(label, action_of(label)) for label in sorted(labels)]

    def queryset(self, request, queryset):
        return queryset.filter(pgh_label=self.value()) if self.value() else queryset


class ObjFilter(admin.SimpleListFilter):
    """`?obj=app.Model:pk`: one row's events (the link from a row's History page)."""

    title = "row"
    parameter_name = "obj"

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name)
        return [(value, value)] if value else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        label, _, pk = self.value().partition(":")
        event_models = readable_tracking(queryset, label)
        if not event_models:
            return queryset.none()
        model = event_models[0].pgh_tracked_model
        try:
            row = model(pk=model._meta.pk.to_python(pk))
        except ValidationError:
            return queryset.none()
        return across(queryset, event_models).tracks(row)


class EventsChangeList(ChangeList):
    def get_results(self, request):
        """Names each row's actor (one query for the page) and what of it this viewer may
        read."""
        super().get_results(request)
        site = self.model_admin.admin_site
        rows = list(self.result_list)
        actor = actors_for(request, site, [row.pgh_context or {} for row in rows])
        readable = readable_event_models(request, site)
        for row in rows:
            row.actor = actor(row.pgh_context or {})
            row.readable_fields = readable[apps.get_model(row.pgh_model)]


class EventsAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Every event this staff member may read, newest first, filterable by model, action and
    row. Read-only, and without "Show counts": counting each filter choice would run the union
    of every event table once per choice (pghistory's own changelist fails on it)."""

    list_display = ("when", "who", "what", "row", "changes")
    list_display_links = None
    list_filter = (ModelFilter, LabelFilter, ObjFilter)
    ordering = ("-pgh_created_at", "-pgh_id")
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return EventsChangeList

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Events", **(extra_context or {})})

    def get_queryset(self, request):
        return across(Events.objects.all(), list(readable_event_models(request, self.admin_site)))

    @admin.display(description="when (UTC)", ordering="pgh_created_at")
    def when(self, event):
        return shown_value(event.pgh_created_at)

    @admin.display(description="who")
    def who(self, event):
        if event.actor.url:
            return format_html('<a href="{}">{}</a>', event.actor.url, event.actor.name)
        return event.actor.name

    @admin.display(description="what")
    def what(self, event):
        return action_of(event.pgh_label)

    @admin.display(description="row")
    def row(self, event):
        """The row, linked to its History page."""
        subject = subjects()[apps.get_model(event.pgh_model)]
        if subject.m2m is None:
            pk = event.pgh_obj_id
        else:
            pk = event.pgh_data[subject.m2m.m2m_column_name()]
        opts = subject.model._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[quote(pk)],
            )
        except NoReverseMatch:
            return f"{opts.verbose_name} {pk}"
        return format_html('<a href="{}">{} {}</a>', url, opts.verbose_name, pk)

    @admin.display(description="changes (old → new)")
    def changes(self, event):
        event_model = apps.get_model(event.pgh_model)
        m2m = subjects()[event_model].m2m
        if m2m is not None:
            target = shown_value(event.pgh_data[m2m.m2m_reverse_name()])
            changes = [membership_change(m2m, event.pgh_label, target)]
        else:
            names = {f.column: f.name for f in snapshot_fields(event_model)}
            changes = [
                Change(names[column], shown_value(old), shown_value(new))
                for column, (old, new) in sorted((event.pgh_diff or {}).items())
                if names.get(column) in event.readable_fields
            ]
        return format_html_join(
            "", "<div><strong>{}</strong>: {} → {}</div>", [astuple(c) for c in changes]
        )
