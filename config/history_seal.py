"""History that shows when it has been tampered with.

The application's database role may add history rows but not change or delete them
(``manage.py grant_app_role``), yet anyone who can run SQL as that role could still
*add* a row: attributed to a partner, back-dated, "Agreed at Cabinet", and the plan's
history would show it as genuine. So every history row carries a **seal**: an
HMAC-SHA256, under a key that is not in the database (``HISTORY_SEAL_KEY``), of the
table's name and every value of the row but its own id. A row written with SQL has no
valid seal; a row changed afterwards no longer matches its seal; a genuine row copied
has the seal of the row it copies. ``manage.py verify_history`` finds all three, and
its checkpoints (``audit.HistoryCheckpoint``) find rows deleted since the last check.

Sealing happens where the historical row is written, so no write path can forget it:
``save()`` (every ordinary change, through simple-history's ``create_historical_record``)
and the manager's ``bulk_create`` (``bulk_history_create``, the moves and the generator).
The seal covers the row exactly as the database gives it back, so values are put into
one canonical form first (UTC times, decimals to their places).
"""

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import models

SEAL_FIELD = "history_seal"


def _canonical(field: models.Field, value):
    if value is None:
        return None
    value = field.to_python(value) if not isinstance(field, models.FileField) else value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        return format(value.quantize(Decimal(1).scaleb(-places)) if places is not None else value, "f")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def sealed_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a seal covers: all of the row's but its id and the seal itself, by name
    (a migration's model of the table lists them in another order)."""
    skip = {model._meta.pk.attname, SEAL_FIELD}
    return sorted((f for f in model._meta.concrete_fields if f.attname not in skip), key=lambda f: f.attname)


_FIELDS: dict[type[models.Model], list[tuple[models.Field, object]]] = {}


def _fields_and_defaults(model: type[models.Model]) -> list[tuple[models.Field, object]]:
    """``sealed_fields`` with each one's default in canonical form, worked out once per model."""
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = [
            (f, None if callable(f.default) else _canonical(f, f.get_default())) for f in sealed_fields(model)
        ]
    return found


def seal(model: type[models.Model], values: dict) -> str:
    """The seal of a row of ``model`` holding ``values`` (attname -> value).

    A column holding its default is left out of what is sealed, so that a column added to a
    tracked model later (with a default, as Django's migrations fill existing rows) leaves
    the rows written before it as they were sealed. Nothing is lost by this: a row changed
    *to* a default no longer has the value it was sealed with, and fails."""
    pairs = []
    for field, default in _fields_and_defaults(model):
        value = _canonical(field, values.get(field.attname))
        if value != default:
            pairs.append([field.attname, value])
    message = json.dumps([model._meta.db_table, pairs], separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(settings.HISTORY_SEAL_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def seal_of(instance: models.Model) -> str:
    return seal(
        type(instance), {f.attname: getattr(instance, f.attname) for f, _ in _fields_and_defaults(type(instance))}
    )


def matches(model: type[models.Model], values: dict, stored: str) -> bool:
    return bool(stored) and hmac.compare_digest(seal(model, values), stored)


class SealingManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.history_seal = seal_of(obj)
        return super().bulk_create(objs, *args, **kwargs)


class SealedHistory(models.Model):
    """The base of every historical model (``config.history.track``)."""

    history_seal = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = SealingManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.history_seal = seal_of(self)
        super().save(*args, **kwargs)


def seal_rows_written_before_seals(app_label: str):
    """A migration's step: seal the history rows an installation wrote before rows were
    sealed, with its own key. Whatever was in history at that moment is taken as written
    by the application; from then on, nothing written otherwise passes for it."""

    def run(apps, schema_editor) -> None:
        for model in apps.get_app_config(app_label).get_models():
            if not model.__name__.startswith("Historical"):
                continue
            columns = [f.attname for f in sealed_fields(model)]
            unsealed = model._default_manager.filter(**{SEAL_FIELD: ""}).values_list("pk", *columns)
            for pk, *row in unsealed.iterator(chunk_size=2_000):
                values = dict(zip(columns, row, strict=True))
                # the history table's own new column, never a tracked field: a one-time step
                model._default_manager.filter(pk=pk).update(**{SEAL_FIELD: seal(model, values)})

    return run
