"""One reason, one author and one timestamp for every history row a change writes.

Services wrap a write in ``change_context(...)``; the receiver below stamps each
historical row created inside it. Bulk paths read ``current_change()`` and pass the
same values to ``bulk_history_create`` themselves (it sends no signals).
"""

import functools
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Manager, Model, QuerySet, Subquery
from django.dispatch import receiver
from django.utils import timezone
from simple_history import register
from simple_history.signals import pre_create_historical_record

from config.history_seal import SealedHistory


@dataclass(frozen=True)
class Stamp:
    """What the newest history rows of some tables say: ``key`` changes whenever any of them
    gains a row (a cache key, an ETag), ``when`` is the newest row's time (Last-Modified)."""

    key: str
    when: datetime | None


@functools.cache
def _history_manager(model: type[Model]) -> Manager:
    """``Model.history`` builds a new manager on every access, which costs more than the
    stamp's query: each model's is looked up once."""
    return model.history.model._default_manager  # type: ignore[attr-defined]  # simple_history adds it


def history_stamp(models: Iterable[type[Model]], vehicle: QuerySet) -> Stamp:
    """Newest history row (id and time) of each model's history table, in one query carried
    by ``vehicle`` (a queryset of one row): unchanged, nothing those tables hold has changed.
    Ids alone could repeat after a rollback (SQLite reuses them); with the time they cannot."""
    columns = {}
    for model in models:
        history = _history_manager(model).order_by("-history_id")
        name = model._meta.model_name
        columns[f"stamp_{name}_id"] = Subquery(history.values("history_id")[:1])
        columns[f"stamp_{name}_at"] = Subquery(history.values("history_date")[:1])
    row = vehicle.annotate(**columns).values(*columns).first() or {}
    text = ";".join(f"{row.get(key)}" for key in columns)
    times = [row[key] for key in columns if key.endswith("_at") and row.get(key) is not None]
    return Stamp(hashlib.blake2b(text.encode(), digest_size=16).hexdigest(), max(times, default=None))


@dataclass(frozen=True)
class Change:
    reason: str
    when: datetime
    user: AbstractBaseUser | AnonymousUser | None


_current: ContextVar[Change | None] = ContextVar("current_change", default=None)


def database_now() -> datetime:
    """The database's clock, so app servers with drifting clocks still write history in
    the order the database serialised their transactions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


@contextmanager
def change_context(
    *, reason: str = "", user: AbstractBaseUser | AnonymousUser | None = None, when: datetime | None = None
) -> Iterator[Change]:
    change = Change(reason=fit_reason(reason.strip()), when=when or database_now(), user=user)
    token = _current.set(change)
    try:
        yield change
    finally:
        _current.reset(token)


def current_change() -> Change | None:
    return _current.get()


def change_time() -> datetime:
    """The time of the change being written; only inside ``change_context``."""
    change = _current.get()
    if change is None:
        raise RuntimeError("change_time() is only known inside change_context()")
    return change.when


# simple-history's history_change_reason column is a varchar(100)
REASON_LENGTH = 100


def fit_reason(reason: str) -> str:
    """A reason that fits the history column: PostgreSQL refuses a longer one (SQLite
    would keep it), so a long reason is shortened with an ellipsis. Where the full text
    matters (a reviewer's reason, a revised date's reason) the row itself keeps it."""
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1].rstrip() + "…"


@receiver(pre_create_historical_record)
def _stamp_history_row(sender: type[Model], instance: Model, history_instance: Any, **kwargs: Any) -> None:
    change = _current.get()
    if change is None:
        return
    history_instance.history_date = change.when
    if change.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = fit_reason(change.reason)
    if change.user is not None and getattr(change.user, "pk", None):
        history_instance.history_user_id = change.user.pk


def tracked_models() -> list[type[Model]]:
    """Every model with a django-simple-history table, in a fixed order: found from the
    models, so a newly tracked model is never left out of what relies on this (the app
    role's grants, the generated council's counts, the load test's history check)."""
    found = []
    for model in apps.get_models():
        history = getattr(model, "history", None)
        if history is not None and getattr(history, "model", model) is not model:
            found.append(model)
    return sorted(found, key=lambda model: model._meta.label)


def track(model: type[Model], **options: Any) -> None:
    """Keep ``model``'s history with django-simple-history, every row sealed
    (``config.history_seal``): how every model is tracked but the user model, which declares
    its ``HistoricalRecords`` in its class with the same base (a test checks every tracked
    model's history is sealed)."""
    register(model, bases=[SealedHistory], **options)
