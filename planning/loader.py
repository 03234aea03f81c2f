"""A validating loader for plans in Django's fixture format, for admins loading into a
live database.

Unlike ``loaddata`` it checks every object first (types, model validation, nesting
rules, plain text where text is plain), refuses to overwrite existing records unless
asked, ignores the file's primary keys and mptt columns (rows are created fresh from
parent + position, level by level), writes history with the reason "loaded from FILE",
and on any problem writes nothing and reports ``file: object N: field: message``.

References between objects are either the ``pk`` of another object in the same file,
or a natural key that names an existing row: an organisation's or plan's slug, a
user's username, an indicator's code. Plan items have no natural key, so a plan item
(a link's source or target, a supporter's item) is always another object in the file.
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, identify_hasher
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction

from config.history import change_context
from partners.models import MPTT_COLUMNS, Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem, PlanShare
from planning.services import _lock_tree_allocation

# model label -> (model, natural key field), in the order rows are created
MODELS: dict[str, tuple[type[models.Model], str | None]] = {
    "partners.organisation": (Organisation, "slug"),
    "partners.user": (User, "username"),
    "planning.indicator": (Indicator, "code"),
    "planning.plan": (Plan, "slug"),
    "planning.planshare": (PlanShare, None),
    "planning.planitem": (PlanItem, None),
    "planning.itemsupporter": (ItemSupporter, None),
    "planning.link": (Link, None),
}
IGNORED_FIELDS = {*MPTT_COLUMNS, "groups", "user_permissions", "version"}
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]")
MAX_ERRORS = 50


@dataclass(frozen=True)
class Problem:
    """One problem: the object it is in (1-based position in the file, or None for the
    file as a whole), the object's model label, the field (or ""), and the message."""

    number: int | None
    label: str
    field: str
    message: str


class LoadError(Exception):
    def __init__(self, messages: list[str], problems: list[Problem] | None = None):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.problems = problems or []


@dataclass
class Record:
    number: int  # 1-based position in the file, for messages
    label: str
    pk: object
    values: dict = field(default_factory=dict)  # concrete non-FK values
    refs: dict = field(default_factory=dict)  # FK field name -> raw reference
    instance: models.Model | None = None
    unreadable: set = field(default_factory=set)  # fields already reported as the wrong type
    kept: bool = False  # (update) names a row that is here already: referred to, never written


@dataclass
class LoadResult:
    created: dict[str, int]
    replaced: dict[str, int]


class Problems:
    """The problems found so far, kept both as ``Problem`` rows (for the browser import,
    which names them by row or JSON path) and as the command's lines
    ``file: object N (label): field: message``."""

    def __init__(self, name: str):
        self.name = name
        self.messages: list[str] = []
        self.problems: list[Problem] = []

    def add(self, record: Record | None, field_name: str | None, message: str) -> None:
        parts = [self.name]
        if record is not None:
            parts.append(f"object {record.number} ({record.label})")
        if field_name:
            parts.append(field_name)
        parts.append(message)
        self.messages.append(": ".join(parts))
        self.problems.append(
            Problem(
                number=record.number if record is not None else None,
                label=record.label if record is not None else "",
                field=field_name or "",
                message=message,
            )
        )

    def raise_if_any(self) -> None:
        if self.messages:
            raise LoadError(self.messages[:MAX_ERRORS], self.problems[:MAX_ERRORS])


_Problems = Problems  # the name the loader's own code uses


def load_plans(path: str | Path, *, replace: bool = False, user: User | None = None) -> LoadResult:
    path = Path(path)
    loader = check_file(path.name, _read_path(path), replace=replace)
    with transaction.atomic(), change_context(reason=f"loaded from {path.name}", user=user):
        _lock_tree_allocation()
        return loader.write()


def check_file(
    name: str, data: bytes | OSError, *, replace: bool = False, update: bool = False, max_objects: int | None = None
) -> "_Loader":
    """Every check ``load_plans`` makes, on a file's bytes, writing nothing: the command and
    the browser import (``planning.importing``) both call this. Raises LoadError with every
    problem; returns the checked loader, ready to ``write()``. ``update``: the browser's
    rule for what exists already (a plan is updated, anything else is referred to)."""
    problems = Problems(name)
    records = parse(data, problems, max_objects)
    problems.raise_if_any()
    return check_records(records, problems, replace=replace, update=update)


def check_records(records: list[Record], problems: Problems, *, replace: bool = False, update: bool = False):
    loader = _Loader(records, problems, replace=replace, update=update)
    loader.validate()
    problems.raise_if_any()
    return loader


def _read_path(path: Path) -> bytes | OSError:
    try:
        return path.read_bytes()
    except OSError as error:
        return error


def parse(data: bytes | OSError, problems: Problems, max_objects: int | None = None) -> list[Record]:
    """The file's objects as records (fields sorted into values and references)."""
    try:
        if isinstance(data, OSError):
            raise data
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add(None, None, f"cannot read the file ({error.__class__.__name__}: {error})")
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problems.add(None, None, f"line {error.lineno} column {error.colno}: not valid JSON ({error.msg})")
        return []
    except RecursionError:
        problems.add(None, None, "not valid plan JSON: its lists and objects are nested too deeply to read")
        return []
    if not isinstance(data, list):
        problems.add(None, None, "the file must hold a list of objects")
        return []
    if max_objects is not None and len(data) > max_objects:
        problems.add(None, None, f"the file holds {len(data):,} objects; at most {max_objects:,} can be loaded at once")
        return []
    records = []
    for number, raw in enumerate(data, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("fields", {}), dict):
            problems.add(None, None, f"object {number}: must be an object with 'model' and 'fields'")
            continue
        label = str(raw.get("model", "")).lower()
        record = Record(number=number, label=label or "?", pk=raw.get("pk"))
        if label not in MODELS:
            problems.add(record, "model", f"'{label}' cannot be loaded here (allowed: {', '.join(MODELS)})")
            continue
        model = MODELS[label][0]
        for name, value in raw.get("fields", {}).items():
            if name in IGNORED_FIELDS:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                problems.add(record, name, f"unknown field for {label}")
                continue
            if model_field.many_to_many or model_field.one_to_many or not model_field.concrete:
                problems.add(record, name, "set this through its own objects, not as a list here")
            elif model_field.is_relation:
                record.refs[name] = value
            else:
                record.values[name] = value
        records.append(record)
    return records


class _Loader:
    def __init__(self, records: list[Record], problems: _Problems, *, replace: bool, update: bool = False):
        self.records = records
        self.problems = problems
        self.replace = replace
        self.update = update
        self.by_pk: dict[tuple[str, object], Record] = {}
        self.existing: dict[int, models.Model] = {}  # record number -> row it replaces
        for record in records:
            if record.pk is not None and not _is_reference(record.pk):
                problems.add(record, "pk", f"must be a number or a string, not {record.pk!r}")
                continue
            key = (record.label, record.pk)
            if record.pk is not None and key in self.by_pk:
                problems.add(record, "pk", f"{record.pk} is used twice for {record.label}")
            self.by_pk[key] = record

    # -- validation ---------------------------------------------------------------------

    def validate(self) -> None:
        for record in self.records:
            model, natural_key = MODELS[record.label]
            instance = model()
            for name, raw in record.values.items():
                model_field = model._meta.get_field(name)
                try:
                    value = model_field.to_python(raw)
                except ValidationError as error:
                    self.problems.add(record, name, " ".join(error.messages))
                    record.unreadable.add(name)
                    continue
                except (TypeError, ValueError):
                    self.problems.add(record, name, f"{raw!r} is not a valid value for this field")
                    record.unreadable.add(name)
                    continue
                if isinstance(value, str) and isinstance(model_field, models.CharField) and _MARKUP.search(value):
                    self.problems.add(record, name, "must be plain text; HTML and script are not allowed")
                if name == "password" and value and not _is_password_hash(value):
                    self.problems.add(record, name, "must be a password hash (see make_password), never a password")
                setattr(instance, model_field.attname, value)
            record.instance = instance
            if natural_key:
                self._check_existing(record, natural_key)
        for record in self.records:
            if not record.kept:
                self._resolve_references(record)
        with self._provisional_ids():
            for record in self.records:
                if not record.kept:
                    self._clean(record)
        self._check_duplicates()
        self._check_plan_trees()

    @contextmanager
    def _provisional_ids(self):
        """While models validate, give references to unsaved in-file objects a stand-in id
        (one per object, negative so it names no row), so ``clean()`` sees that a parent is
        set and that two items share a plan. The real ids are assigned in ``_save``."""
        stand_in = {id(r.instance): -n for n, r in enumerate(self.records, start=1)}
        patched = []
        for record in self.records:
            for name in () if record.kept else record.refs:
                model_field = record.instance._meta.get_field(name)
                target = model_field.get_cached_value(record.instance, default=None)
                if target is not None and target.pk is None and id(target) in stand_in:
                    record.instance.__dict__[model_field.attname] = stand_in[id(target)]
                    patched.append((record.instance, model_field.attname))
        try:
            yield
        finally:
            for instance, attname in patched:
                instance.__dict__[attname] = None

    def _check_existing(self, record: Record, natural_key: str) -> None:
        model = type(record.instance)
        value = getattr(record.instance, natural_key)
        current = model.objects.filter(**{natural_key: value}).first() if value else None
        if current is None:
            return
        if self.update and record.label != "planning.plan":
            record.instance, record.kept = current, True  # referred to as it is, never written
        elif self.update:
            self.existing[record.number] = current  # planning.importing updates it in place
        elif not self.replace:
            self.problems.add(
                record, natural_key, f"{value!r} already exists; nothing was loaded (use --replace to overwrite)"
            )
        else:
            self.existing[record.number] = current

    def _resolve_references(self, record: Record) -> None:
        model = MODELS[record.label][0]
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and not model_field.null and model_field.name not in record.refs:
                self.problems.add(record, model_field.name, "is required")
        for name, raw in record.refs.items():
            model_field = model._meta.get_field(name)
            if raw is None:
                if not model_field.null:
                    self.problems.add(record, name, "is required")
                continue
            if not _is_reference(raw):
                self.problems.add(
                    record, name, f"must be the pk of an object in this file or a natural key, not {raw!r}"
                )
                continue
            target = self._find(model_field.related_model, raw)
            if target is None:
                self.problems.add(
                    record, name, f"refers to {model_field.related_model._meta.label_lower} {raw!r}, which is not here"
                )
            else:
                setattr(record.instance, name, target)

    def _find(self, related: type[models.Model], raw) -> models.Model | None:
        label = related._meta.label_lower
        if label not in MODELS:
            return None
        in_file = self.by_pk.get((label, raw))
        if in_file is not None:
            return in_file.instance
        natural_key = MODELS[label][1]
        if isinstance(raw, str) and natural_key:
            for record in self.records:
                if (
                    record.label == label
                    and record.instance is not None
                    and getattr(record.instance, natural_key) == raw
                ):
                    return record.instance
            return related.objects.filter(**{natural_key: raw}).first()
        return None

    def _clean(self, record: Record) -> None:
        instance = record.instance
        fk_names = [f.name for f in instance._meta.concrete_fields if f.is_relation]
        try:
            instance.full_clean(exclude=fk_names + ["password"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in record.unreadable:
                    continue  # "cannot be null" would only repeat the type error, confusingly
                for message in messages:
                    self.problems.add(record, None if name == "__all__" else name, message)

    def _check_duplicates(self) -> None:
        """Natural keys used twice in the file, shares and supporters listed twice or
        already in the database, and links listed twice (same source, target and relation):
        the database would refuse them half-way through writing."""
        seen: dict[tuple, Record] = {}
        for record in self.records:
            natural_key = MODELS[record.label][1]
            instance = record.instance
            if natural_key:
                if not getattr(instance, natural_key):
                    continue  # a blank slug, username or code is reported by full_clean
                name, key = natural_key, (record.label, getattr(instance, natural_key))
            elif record.label == "planning.link":
                source, target = _ref(instance, "source"), _ref(instance, "target")
                if source is None or target is None:
                    continue  # an end that did not resolve is already reported
                # both ends are objects in this file (items have no natural key), so new rows:
                # no link in the database can repeat this one
                name, key = "target", (record.label, id(source), id(target), instance.relation)
            elif record.label in {"planning.planshare", "planning.itemsupporter"}:
                first, second = (f.name for f in instance._meta.concrete_fields if f.is_relation)
                a = instance._meta.get_field(first).get_cached_value(instance, default=None)
                b = instance._meta.get_field(second).get_cached_value(instance, default=None)
                if a is None or b is None:
                    continue
                name, key = second, (record.label, id(a), id(b))
                if (
                    a.pk is not None
                    and b.pk is not None
                    and type(instance).objects.filter(**{first: a, second: b}).exists()
                ):
                    self.problems.add(record, second, f"{b} is already linked to {a}")
            else:
                continue
            if key in seen:
                self.problems.add(record, name, f"repeats object {seen[key].number}")
            else:
                seen[key] = record

    def _check_plan_trees(self) -> None:
        roots = defaultdict(list)
        for record in self.records:
            if record.label == "planning.planitem" and _ref(record.instance, "parent") is None:
                roots[id(_ref(record.instance, "plan"))].append(record)
        for record in self.records:
            if record.kept:
                continue  # (update) a row that is here already, as it is
            if record.label in {"partners.organisation", "planning.plan", "planning.planitem"} and _in_loop(record):
                self.problems.add(record, "parent", "is its own ancestor: the parents form a loop")
            if record.label == "planning.plan" and len(roots.get(id(record.instance), [])) > 1:
                self.problems.add(record, None, "has more than one top item; a plan has exactly one vision")
            if record.label == "planning.planitem" and _ref(record.instance, "parent") is None:
                plan = _ref(record.instance, "plan")
                if plan is not None and plan.pk is not None and plan.items.filter(parent__isnull=True).exists():
                    self.problems.add(record, "plan", f"{plan.slug!r} already has a vision")
            # an item under another plan's item is reported by PlanItem.clean (see _provisional_ids)

    # -- writing ------------------------------------------------------------------------

    def write(self, after_plans: Callable[[], None] | None = None) -> LoadResult:
        """Save every record not ``kept``, level by level. ``after_plans`` runs once the new
        plans are saved and before anything that refers to a plan or an item: the browser
        import updates its existing plans there (``planning.importing``)."""
        created: dict[str, int] = defaultdict(int)
        replaced: dict[str, int] = defaultdict(int)
        for label in MODELS:
            if label == "planning.planshare" and after_plans is not None:
                after_plans()
            batch = [r for r in self.records if r.label == label and not r.kept]
            if label == "planning.planitem":
                batch = _level_order(batch)
            elif label in {"partners.organisation", "planning.plan"}:
                batch = _parents_first(batch)
            for record in batch:
                if self.update and self._already_there(record):
                    continue
                was_replaced = self._save(record)
                (replaced if was_replaced else created)[label] += 1
        for tree_id in set(PlanItem.objects.filter(plan__in=self._plans()).values_list("tree_id", flat=True)):
            PlanItem.objects.partial_rebuild(tree_id)
        return LoadResult(created=dict(created), replaced=dict(replaced))

    def _plans(self) -> list[Plan]:
        # (update) a plan updated in place is not rebuilt: the item services keep its tree
        return [r.instance for r in self.records if r.label == "planning.plan" and not r.kept]

    def _already_there(self, record: Record) -> bool:
        """(update) A share or link of an updated plan that is in the database already."""
        if record.label not in {"planning.planshare", "planning.link"}:
            return False
        instance = record.instance
        keys = ["plan", "organisation"] if record.label == "planning.planshare" else ["source", "target"]
        ids = {f"{name}_id": _ref(instance, name).pk for name in keys}
        if record.label == "planning.link":
            ids["relation"] = instance.relation
        return None not in ids.values() and type(instance).objects.filter(**ids).exists()

    def _save(self, record: Record) -> bool:
        instance = record.instance
        for name in record.refs:  # re-assign so saved parents' pks reach the *_id columns
            setattr(instance, name, getattr(instance, name))
        current = self.existing.get(record.number)
        if current is not None:
            instance.pk = current.pk
            if isinstance(instance, Plan):
                instance.version = current.version + 1
                for item in PlanItem.objects.filter(plan=current, parent__isnull=True):
                    item.delete()  # the old content goes, with a history row for every item
                for share in PlanShare.objects.filter(plan=current):
                    share.delete()  # and its shares, which the file lists afresh
            if isinstance(instance, Organisation | Plan):
                instance.parent_id = instance.parent_id  # mptt re-slots on save
                instance._mptt_cached_fields = current._mptt_cached_fields
                instance.lft, instance.rght = current.lft, current.rght
                instance.tree_id, instance.level = current.tree_id, current.level
            if isinstance(instance, User) and not record.values.get("password"):
                instance.password = current.password
        elif isinstance(instance, User) and not record.values.get("password"):
            instance.set_unusable_password()
        instance.save()
        return current is not None


def _is_reference(value) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _is_password_hash(value: str) -> bool:
    if value.startswith(UNUSABLE_PASSWORD_PREFIX):
        return True
    try:
        identify_hasher(value)
    except ValueError:
        return False
    return True


def _ref(instance: models.Model, name: str) -> models.Model | None:
    """The object a reference resolved to, or None (unset, or not found: already reported)."""
    return instance._meta.get_field(name).get_cached_value(instance, default=None)


def _in_loop(record: Record) -> bool:
    """Whether following parents from this unsaved object comes back round to it."""
    seen = set()
    node = record.instance
    while node is not None and node.pk is None and id(node) not in seen:
        seen.add(id(node))
        node = _ref(node, "parent")
    return node is record.instance


def _parents_first(records: list[Record]) -> list[Record]:
    ordered, placed = [], set()
    pending = list(records)
    while pending:
        progress = [
            r
            for r in pending
            if r.instance.parent is None
            or id(r.instance.parent) in placed
            or r.instance.parent.pk is not None
            and all(r.instance.parent is not p.instance for p in pending)
        ]
        if not progress:  # a cycle: let full_clean's parent checks report it on save
            progress = pending[:1]
        for record in progress:
            ordered.append(record)
            placed.add(id(record.instance))
            pending.remove(record)
    return ordered


def _level_order(records: list[Record]) -> list[Record]:
    """Roots first, then each level, siblings by (position in file, file order), with
    positions renumbered 1..n so the tree is contiguous whatever the file said."""
    children = defaultdict(list)
    for record in records:
        children[id(record.instance.parent) if record.instance.parent is not None else None].append(record)
    ordered: list[Record] = []
    level = children[None]
    while level:
        ordered.extend(level)
        next_level = []
        for record in level:
            kids = sorted(children[id(record.instance)], key=lambda r: (r.instance.position, r.number))
            for position, kid in enumerate(kids, start=1):
                kid.instance.position = position
            next_level.extend(kids)
        level = next_level
    for root in children[None]:
        root.instance.position = 1
    return ordered
