"""Import in the browser: an admin uploads a plan file, sees what it would create, change
and remove (and every problem, by row and field), then applies it all or nothing.

Two kinds of file:

- the loader's JSON (``manage.py load_plans``, fixtures/): every object is checked by the
  loader's own ``check_file``, the very checks the command makes, in its update mode: a
  plan whose slug exists already is *updated* in place, anything else that exists already
  (an organisation, a person, an indicator) is referred to as it is and never written;
- the plan export's spreadsheet (``planning.views.exports``, one row per item): its rows
  are turned into the loader's records (an item per row, a supporter per supporting
  organisation) and checked by the same ``check_records``, so both kinds of file meet the
  same rules. A spreadsheet updates the one plan it was exported from.

An existing plan's items are matched by their **reference** ("2.3.1"), the key the export
writes and every page shows: a reference in the file and in the plan is the same item
(its changed fields are listed, field: old → new); a reference only in the file is a new
item, added at the end of its parent's items; a reference only in the plan is removed,
with everything under it. Writes go through the item services (``item_update``,
``item_add``, ``item_delete``, ``plan_update``) inside one transaction, under
``change_context`` with the admin as the history's user and "Imported from FILE" as its
reason. Applying checks the stored file again and compares each plan's stamp (its
version and every item's version) with the preview's, refusing a stale preview.
docs/decisions/0019-import-in-the-browser.md says why.
"""

import hashlib
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import load_workbook

from config import uploads
from config.history import change_context
from config.spreadsheets import SPREADSHEET_TRIGGERS
from partners.models import Organisation, User
from planning import loader
from planning.formatting import long_date
from planning.models import Indicator, ItemSupporter, Plan, PlanImport, PlanItem
from planning.selectors import items_with_references
from planning.services import ItemChange, _lock_tree_allocation, item_add, item_delete, item_update, plan_update
from planning.views.exports import EVIDENCE_HEADINGS, PLAN_HEADINGS, WELSH_HEADINGS

MAX_BYTES = uploads.WORKBOOK_MAX_BYTES  # 5 MB, for both kinds: the largest real plan's JSON is under 2 MB
MAX_ROWS = uploads.WORKBOOK_MAX_RETURN_ROWS  # 2,500 rows of items; the largest real plan has 2,000
# objects in a JSON file: a 2,000-item plan with its supporters, links, people and
# organisations is about 3,000; each is checked with a few queries, so this bounds the preview
MAX_OBJECTS = 10_000
JSON_EXTENSIONS = {".json"}
SHEET_EXTENSIONS = {".xlsx"}
# the item's own content, as an import may change it (not its place: plan, parent, position,
# kind; nor its version or tree columns)
ITEM_FIELDS = [
    f.name
    for f in PlanItem._meta.concrete_fields
    # a merger is recorded on the item's page by the plan's owner, never by an import (decision 0031)
    if f.name
    not in {
        "id",
        "plan",
        "parent",
        "position",
        "kind",
        "version",
        "merged_into",
        "merged_reason",
        *loader.MPTT_COLUMNS,
    }  # fmt: skip
]
# fields an older file may not carry: compared and written only when the file has them (the
# Welsh too: a spreadsheet without its columns, or from a council that does not write Welsh,
# once blanked every Welsh title it was imported over)
OPTIONAL_ITEM_FIELDS = {*PlanItem.EVIDENCE_FIELDS, *PlanItem.WELSH_FIELDS}
SUPPORTERS = "supporting_organisations"

# spreadsheet heading -> item field it holds ("" for a column only shown)
COLUMN_FIELDS = {
    "Reference": "position",
    "Level": "",
    "Kind": "kind",
    "Title": "title",
    "Description": "description",
    "Status": "status",
    "Lead officer": "lead_officer",
    "Lead organisation": "lead_organisation",
    "Supporting organisations": SUPPORTERS,
    "Start date": "start_date",
    "Due date": "due_date",
    "Cost (£)": "cost_amount",
    "Cost type": "cost_type",
    "Funding source": "funding_source",
    "Indicator": "indicator",
    "Unit": "unit",
    "Baseline value": "baseline_value",
    "Baseline date": "baseline_date",
    "Target value": "target_value",
    "Target date": "target_date",
    "Direction": "direction",
    "Target type": "target_type",
    "Amber tolerance": "amber_tolerance",
    # optional columns (exports.EVIDENCE_HEADINGS): read when the spreadsheet has them
    "Success criteria": "success_criteria",
    "Outcome or output": "result_kind",
    # and the Welsh (exports.WELSH_HEADINGS), likewise
    "Title in Welsh": "title_cy",
    "Description in Welsh": "description_cy",
}
FIELD_COLUMNS = {name: heading for heading, name in COLUMN_FIELDS.items() if name}
FIELD_COLUMNS.update(
    {"parent": "Reference", "plan": "Reference", "item": "Reference", "organisation": "Supporting organisations"}
)
_REFERENCE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,9}$")


class StalePreview(Exception):
    """A plan the preview read has changed since: the message names it."""


# --- the upload ------------------------------------------------------------------------------


# the loader's names of the rows a spreadsheet's lines become (its model labels)
PLAN_RECORD, ITEM_RECORD, SUPPORTER_RECORD = "planning.plan", "planning.planitem", "planning.itemsupporter"


def check_upload(uploaded_file) -> str:
    """The kind of an uploaded plan file (``PlanImport.Kind``), from its content and its
    name, or ValidationError saying what is wrong with it, before anything parses it. A
    spreadsheet meets every bound of the return workbook (``config.uploads``)."""
    name = uploads._name(uploaded_file)
    extension = os.path.splitext(name)[1].lower()
    size = uploads._size(uploaded_file)
    if size == 0:
        raise ValidationError(_("%(file)s is empty.") % {"file": name}, code="empty")
    if size > MAX_BYTES:
        raise ValidationError(
            _("%(file)s is too big: a plan file must be 5 MB or smaller.") % {"file": name}, code="too_big"
        )
    if uploads._head(uploaded_file, 4) == b"PK\x03\x04" or extension in SHEET_EXTENSIONS:
        if extension not in SHEET_EXTENSIONS:
            raise ValidationError(
                _(
                    "%(file)s is a spreadsheet or other zip, but its name ends “%(extension)s”. "
                    "Upload the plan's spreadsheet (.xlsx) or a plan file (.json)."
                )
                % {"file": name, "extension": extension or _("(nothing)")},
                code="file_type",
            )
        try:
            uploads.check_workbook(uploaded_file)
        except ValidationError as error:
            # the bounds are the return workbook's; its messages say so, ours name the plan's
            raise ValidationError(
                [m.replace("return workbook", "plan spreadsheet") for m in error.messages], code=error.code
            ) from None
        return PlanImport.Kind.SHEET
    if extension not in JSON_EXTENSIONS or not uploads._is_text(uploaded_file):
        raise ValidationError(
            _(
                "%(file)s is not a plan file we can read. Upload a plan file (.json, as manage.py load_plans "
                "reads) or the plan's spreadsheet (.xlsx, as downloaded from the plan's page)."
            )
            % {"file": name},
            code="file_type",
        )
    return PlanImport.Kind.JSON


def upload_create(uploaded_file, *, user: User, plan_slug: str = "") -> PlanImport:
    """Check an uploaded plan file and keep it with its preview. Raises ValidationError
    for a file that cannot be read at all (wrong type, too big, wrong columns)."""
    kind = check_upload(uploaded_file)
    name = (uploads._name(uploaded_file) or "plan")[-200:]
    uploaded_file.seek(0)
    content = uploaded_file.read()
    if kind == PlanImport.Kind.SHEET and not plan_slug:
        plan_slug = os.path.splitext(name)[0]  # the export names its file after the plan
    checked = check(kind, name, content, plan_slug=plan_slug)
    return PlanImport.objects.create(
        uploaded_by=user,
        filename=name,
        kind=kind,
        plan_slug=plan_slug if kind == PlanImport.Kind.SHEET else "",
        content=content,
        preview=checked.preview,
    )


# --- checking: what a file would do ---------------------------------------------------------


@dataclass
class _Update:
    """An existing plan the file updates, and how."""

    record: loader.Record
    current: Plan
    fields: dict = field(default_factory=dict)  # plan field -> new value
    changes: list = field(default_factory=list)  # (record, existing item, {field: value}, supporters or None)
    creates: list = field(default_factory=list)  # records, parents first
    removes: list = field(default_factory=list)  # existing items (topmost of each removed branch)
    items: list = field(default_factory=list)  # every item record of the plan: (record, reference)
    matched: dict = field(default_factory=dict)  # id(record) -> existing item
    supporters: dict = field(default_factory=dict)  # id(item instance) -> organisations the file names


@dataclass
class Checked:
    preview: dict
    loader: object = None
    updates: list = field(default_factory=list)

    @property
    def problems(self) -> list[dict]:
        return self.preview["problems"]


def check(kind: str, name: str, content: bytes, *, plan_slug: str = "") -> Checked:
    """What the file would do, writing nothing: ``preview`` (JSON-safe) lists each plan
    created or changed with its changes, and every problem by place and field."""
    if kind == PlanImport.Kind.SHEET:
        problems, records, rows = _sheet_records(name, content, plan_slug)
        place = _sheet_place(rows)
    else:
        problems, records = loader.Problems(name), None
        place = _json_place
    if kind == PlanImport.Kind.SHEET and not records:
        return Checked(preview=_preview([], [], problems.problems, place))
    try:
        if records is None:
            checked = loader.check_file(name, content, update=True, max_objects=MAX_OBJECTS)
        else:
            checked = loader.check_records(records, problems, update=True)
    except loader.LoadError as error:
        return Checked(preview=_preview([], [], error.problems, place))
    updates = [_diff(checked, record, current) for record, current in _existing_plans(checked)]
    more = [p for update in updates for p in _update_problems(update)]
    return Checked(preview=_preview(checked.records, updates, more, place), loader=checked, updates=updates)


def _existing_plans(checked) -> list[tuple[loader.Record, Plan]]:
    return [(r, checked.existing[r.number]) for r in checked.records if r.number in checked.existing]


def _file_references(records: list[loader.Record]) -> list[tuple[loader.Record, str]]:
    """The file's items of one plan in reading order, each with the reference it would
    have: siblings ordered by (position, place in file), as the loader orders them."""
    children = defaultdict(list)
    for record in records:
        parent = loader._ref(record.instance, "parent")
        children[id(parent) if parent is not None else None].append(record)
    ordered: list[tuple[loader.Record, str]] = []

    def walk(parent_id, prefix: str | None) -> None:
        kids = sorted(children[parent_id], key=lambda r: (r.instance.position or 0, r.number))
        for rank, kid in enumerate(kids, start=1):
            ref = "" if prefix is None else (f"{prefix}.{rank}" if prefix else str(rank))
            ordered.append((kid, ref))
            walk(id(kid.instance), ref)

    walk(None, None)
    return ordered


def _key(value, aliases: dict[int, int] | None = None):
    """A comparable form of a field's value: a row by its id (or the object, if new; an
    in-file plan that updates an existing one by that plan's id, through ``aliases``)."""
    if isinstance(value, models.Model):
        pk = value.pk if value.pk is not None else (aliases or {}).get(id(value))
        return (type(value).__name__, pk) if pk is not None else id(value)
    if value == "":
        return None
    return value


def _diff(checked, record: loader.Record, current: Plan) -> _Update:
    update = _Update(record=record, current=current)
    file_plan = record.instance
    aliases = {id(r.instance): plan.pk for r, plan in _existing_plans(checked)}
    for name in Plan.EDITABLE_FIELDS:
        new, old = getattr(file_plan, name), getattr(current, name)
        if _key(new, aliases) != _key(old):
            update.fields[name] = new
    item_records = [
        r for r in checked.records if r.label == "planning.planitem" and loader._ref(r.instance, "plan") is file_plan
    ]
    supporters = defaultdict(list)
    file_items = {id(r.instance) for r in item_records}
    for r in checked.records:
        item = loader._ref(r.instance, "item") if r.label == "planning.itemsupporter" else None
        if item is not None and id(item) in file_items:
            supporters[id(item)].append(loader._ref(r.instance, "organisation"))
            r.kept = True  # written through the item's services, not by the loader
    update.supporters = supporters
    record.kept = True
    for r in item_records:
        r.kept = True
    existing, refs = items_with_references(current)
    by_ref = {refs[item.pk]: item for item in existing}
    current_supporters = defaultdict(set)
    for row in ItemSupporter.objects.filter(item__plan=current).select_related("organisation"):
        current_supporters[row.item_id].add(row.organisation_id)
    update.items = _file_references(item_records)
    for item_record, ref in update.items:
        item = by_ref.get(ref)
        if item is None:
            update.creates.append(item_record)
            continue
        update.matched[id(item_record)] = item
        instance = item_record.instance
        fields = {
            n: getattr(instance, n)
            for n in ITEM_FIELDS
            if (n not in OPTIONAL_ITEM_FIELDS or n in item_record.values)
            and _key(getattr(instance, n)) != _key(getattr(item, n))
        }
        wanted = [org for org in supporters.get(id(instance), []) if org is not None]
        new_supporters = None
        if {_key(org) for org in wanted} != {("Organisation", pk) for pk in current_supporters[item.pk]}:
            new_supporters = wanted
        if fields or new_supporters is not None:
            update.changes.append((item_record, item, fields, new_supporters))
    matched_pks = {item.pk for item in update.matched.values()}
    removed = {item.pk for item in existing if item.pk not in matched_pks}
    update.removes = [item for item in existing if item.pk in removed and item.parent_id not in removed]
    return update


def _update_problems(update: _Update) -> list[loader.Problem]:
    """What the loader's checks cannot see: the file against the plan as it is now."""
    problems = []
    for record, _ref in update.items:
        item = update.matched.get(id(record))
        if item is not None and item.kind != record.instance.kind:
            problems.append(
                loader.Problem(
                    record.number,
                    record.label,
                    "kind",
                    _(
                        "the item at reference %(reference)s is %(kind)s “%(item)s”; an import cannot change "
                        "an item's kind (change it on the plan's pages)"
                    )
                    % {
                        "reference": _ref or _("(the vision)"),
                        "kind": item.get_kind_display().lower(),
                        "item": item.title,
                    },
                )
            )
    if any(item.parent_id is None for item in update.removes):
        problems.append(
            loader.Problem(
                update.record.number,
                update.record.label,
                "",
                _("the file has no vision for %(plan)s; a plan's vision cannot be removed")
                % {"plan": repr(update.current.slug)},
            )
        )
    return problems


def stamp(plan: Plan) -> str:
    """What changes whenever the plan or any of its items is saved, moved, added or removed."""
    versions = PlanItem.objects.filter(plan=plan).order_by("pk").values_list("pk", "version")
    text = f"{plan.pk}:{plan.version}|" + ",".join(f"{pk}:{v}" for pk, v in versions)
    return hashlib.sha256(text.encode()).hexdigest()


def _show(instance: models.Model, name: str, value) -> str:
    if value is None or value == "":
        return _("(blank)")
    model_field = instance._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _orgs(organisations) -> str:
    return "; ".join(sorted(str(o) for o in organisations)) or _("(none)")


def _preview(records, updates: list[_Update], extra: list[loader.Problem], place) -> dict:
    problems = [place(p) for p in extra]
    updated_numbers = {u.record.number for u in updates}
    plans = []
    for update in updates:
        plan, current = update.record.instance, update.current
        _items, refs = items_with_references(current)
        entry = {
            "slug": current.slug,
            "title": plan.title,
            "action": "change",
            "status": current.get_status_display(),
            "approved": current.status == Plan.Status.APPROVED,
            "fields": [
                {
                    "field": str(plan._meta.get_field(n).verbose_name),
                    "old": _show(current, n, getattr(current, n)),
                    "new": _show(plan, n, v),
                }
                for n, v in update.fields.items()
            ],  # fmt: skip
            "created": [],
            "changed": [],
            "removed": [],
        }
        file_refs = {id(r): ref for r, ref in update.items}
        for record in update.creates:
            item = record.instance
            entry["created"].append({"reference": file_refs[id(record)], "kind": item.get_kind_display(),
                                     "title": item.title})  # fmt: skip
        for _record, item, fields, supporters in update.changes:
            rows = [
                {"field": str(item._meta.get_field(n).verbose_name).capitalize(), "old": _show(item, n, getattr(item, n)),
                 "new": _show(item, n, v)}
                for n, v in fields.items()
            ]  # fmt: skip
            if supporters is not None:
                rows.append({"field": _("Supporting organisations"), "old": _orgs(item.supporting_organisations.all()),
                             "new": _orgs(supporters)})  # fmt: skip
            entry["changed"].append({"reference": refs[item.pk], "title": item.title, "changes": rows})
        for item in update.removes:
            count = item.get_descendant_count()
            entry["removed"].append({"reference": refs[item.pk], "kind": item.get_kind_display(), "title": item.title,
                                     "below": count})  # fmt: skip
        entry["empty"] = not (entry["fields"] or entry["created"] or entry["changed"] or entry["removed"])
        plans.append(entry)
    others: dict[str, int] = defaultdict(int)
    kept: list[str] = []
    for record in records:
        if record.label == "planning.plan" and record.number not in updated_numbers:
            item_count = sum(
                1
                for r in records
                if r.label == "planning.planitem" and loader._ref(r.instance, "plan") is record.instance
            )
            plans.append({"slug": record.instance.slug, "title": record.instance.title, "action": "create",
                          "items": item_count, "approved": False})  # fmt: skip
        elif record.kept and record.label in {"partners.organisation", "partners.user", "planning.indicator"}:
            kept.append(
                _("%(kind)s “%(name)s”") % {"kind": record.instance._meta.verbose_name, "name": record.instance}
            )
        elif record.label in {"partners.organisation", "partners.user", "planning.indicator"}:
            others[str(record.instance._meta.verbose_name_plural)] += 1
    return {
        "plans": plans,
        "others": [_("%(count)s new %(kind)s") % {"count": count, "kind": label} for label, count in others.items()],
        "kept": kept,
        "problems": problems,
        "stamps": {u.current.slug: stamp(u.current) for u in updates},
        "new_slugs": [p["slug"] for p in plans if p["action"] == "create"],
    }


def _json_place(problem: loader.Problem) -> dict:
    """A problem in a JSON file at its path: ``[3].fields.due_date`` is the fourth object's
    due date (the loader's "object 4")."""
    if problem.number is None:
        where = _("the file")
    else:
        where = f"[{problem.number - 1}]" + (f".fields.{problem.field}" if problem.field else "")
    return {"where": where, "field": problem.field, "message": problem.message, "object": problem.number,
            "label": problem.label}  # fmt: skip


def _sheet_place(rows: dict[int, int]):
    def place(problem: loader.Problem) -> dict:
        row = rows.get(problem.number) if problem.number is not None else None
        heading = FIELD_COLUMNS.get(problem.field, problem.field) if problem.field else ""
        where = _("row %(row)s") % {"row": row} if row else _("the spreadsheet")
        if problem.label == "planning.plan":
            where, heading = _("the plan"), problem.field
        return {"where": where, "field": heading, "message": problem.message, "row": row}

    return place


# --- the spreadsheet as the loader's records -----------------------------------------------


class _Bad(Exception):
    pass


def _sheet_records(name: str, content: bytes, plan_slug: str):
    """(problems, records, record number -> row) for a plan spreadsheet. The plan is an
    in-file record holding the plan's fields as they are, so that the items, which refer
    to it, are checked exactly as a JSON file's would be."""
    problems = loader.Problems(name)
    rows_of: dict[int, int] = {}
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # any failure to parse an untrusted file is the file's fault
        raise uploads.unreadable(name) from error
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=len(PLAN_HEADINGS) + 20)
        header = [c.value.strip() if isinstance(c.value, str) else c.value for c in next(lines, ())]
        missing = [h for h in PLAN_HEADINGS if h not in header]
        if missing:
            raise ValidationError(
                ngettext(
                    "%(file)s is missing the column %(columns)s. Upload the plan's spreadsheet as downloaded "
                    "from the plan's page, with its headings in row 1.",
                    "%(file)s is missing the columns %(columns)s. Upload the plan's spreadsheet as downloaded "
                    "from the plan's page, with its headings in row 1.",
                    len(missing),
                )
                % {"file": name, "columns": ", ".join(f"“{h}”" for h in missing)},
                code="columns",
            )
        optional = [*EVIDENCE_HEADINGS, *WELSH_HEADINGS]
        columns = {h: header.index(h) for h in [*PLAN_HEADINGS, *optional] if h in header}
        raw_rows = []
        for number, cells in enumerate(lines, start=2):
            values = {h: cells[i] if i < len(cells) else None for h, i in columns.items()}
            if all(c is None or c.value is None or str(c.value).strip() == "" for c in values.values()):
                continue
            if number > MAX_ROWS + 1:
                problems.add(
                    None,
                    None,
                    _("A plan spreadsheet may have at most %(count)s rows of items.") % {"count": f"{MAX_ROWS:,}"},
                )
                break
            raw_rows.append((number, values))
    except ValidationError:
        raise
    except Exception as error:
        raise uploads.unreadable(name) from error
    finally:
        workbook.close()
    plan = Plan.objects.filter(slug=plan_slug).select_related("organisation", "owner", "partnership", "parent").first()
    if plan is None:
        problems.add(
            None,
            None,
            _(
                "There is no plan “%(plan)s”. A spreadsheet updates the plan it was downloaded from: choose "
                "the plan when you upload it. To create a plan, upload a plan file (.json)."
            )
            % {"plan": plan_slug},
        )
        return problems, [], rows_of
    records = [_plan_record(plan)]
    rows_of[0] = 0
    lookups = _Lookups()
    for number, values in raw_rows:
        item, supporters = _row_records(number, values, problems, lookups, plan)
        if item is None:
            continue
        rows_of[number] = number
        records.append(item)
        records.extend(supporters)
    return problems, records, rows_of


def _plan_record(plan: Plan) -> loader.Record:
    record = loader.Record(number=0, label=PLAN_RECORD, pk="plan")
    for f in Plan._meta.concrete_fields:
        if f.name in {"id", "version", *loader.MPTT_COLUMNS}:
            continue
        if f.is_relation:
            target = getattr(plan, f.name)
            record.refs[f.name] = None if target is None else getattr(target, loader.MODELS[
                f.related_model._meta.label_lower][1])  # fmt: skip
        else:
            record.values[f.name] = getattr(plan, f.attname)
    return record


class _Lookups:
    """People, organisations and indicators by what the export writes for them (a name),
    read once."""

    def __init__(self):
        self.people = defaultdict(set)
        for user in User.objects.all():
            for key in {str(user), user.username, user.email}:
                if key:
                    self.people[key.casefold()].add(user.username)
        self.organisations = defaultdict(set)
        for org in Organisation.objects.all():
            for key in {org.name, org.slug}:
                self.organisations[key.casefold()].add(org.slug)
        self.indicators = defaultdict(set)
        for indicator in Indicator.objects.all():
            for key in {indicator.name, indicator.code}:
                self.indicators[key.casefold()].add(indicator.code)

    @staticmethod
    def one(table: dict, text: str, what: str) -> str:
        found = table.get(text.strip().casefold(), set())
        if not found:
            raise _Bad(NOT_FOUND[what] % {"text": text})
        if len(found) > 1:
            raise _Bad(AMBIGUOUS[what] % {"text": text})
        return next(iter(found))


# what a name in a cell that finds nothing, or more than one, says: by what it names
NOT_FOUND = {
    "person": gettext_lazy("there is no person “%(text)s”"),
    "organisation": gettext_lazy("there is no organisation “%(text)s”"),
    "indicator": gettext_lazy("there is no indicator “%(text)s”"),
}
AMBIGUOUS = {
    "person": gettext_lazy("more than one person is called “%(text)s”: use their username"),
    "organisation": gettext_lazy("more than one organisation is called “%(text)s”: use their code"),
    "indicator": gettext_lazy("more than one indicator is called “%(text)s”: use their code"),
}


def _cell_value(cell):
    if cell is None or cell.value is None:
        return None
    if cell.data_type == "f":
        raise _Bad(_("formulas are not accepted: type the value itself"))
    if cell.data_type == "e":
        raise _Bad(_("the cell shows an error (%(error)s): type the value") % {"error": cell.value})
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:].startswith(SPREADSHEET_TRIGGERS):
            value = value[1:]
        return value or None
    return value


def _choice(field_name: str, text) -> str:
    model_field = PlanItem._meta.get_field(field_name)
    wanted = str(text).strip().casefold()
    for value, label in model_field.flatchoices:
        if wanted in {str(value).casefold(), str(label).casefold()}:
            return value
    labels = ", ".join(str(label) for _, label in model_field.flatchoices)
    raise _Bad(_("“%(text)s” is not one of %(choices)s") % {"text": text, "choices": labels})


def _date_text(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise _Bad(_("“%(text)s” is not a date: enter a date, for example 31/03/2014") % {"text": text})


def _number_text(value) -> str:
    if isinstance(value, bool):
        raise _Bad(_("“%(text)s” is not a number") % {"text": value})
    if isinstance(value, int | float | Decimal):
        return str(Decimal(str(value)))
    text = str(value).strip().replace(",", "").removeprefix("£")
    try:
        Decimal(text)
    except InvalidOperation:
        raise _Bad(_("“%(text)s” is not a number") % {"text": value}) from None
    return text


def _row_records(number: int, cells: dict, problems: loader.Problems, lookups: _Lookups, plan: Plan):
    """One spreadsheet row as an item record and its supporter records; (None, []) if a
    cell cannot be read (each such cell is reported, by row and column)."""
    item = loader.Record(number=number, label=ITEM_RECORD, pk=None)
    supporters: list[loader.Record] = []
    bad = False

    def report(heading: str, message: str) -> None:
        nonlocal bad
        name = COLUMN_FIELDS[heading]
        bad = bad or name == "position"  # without its reference the row has no place: left out
        item.unreadable.add(name)  # so the loader's checks do not repeat "cannot be blank"
        problems.add(item, name, message)

    for heading, name in COLUMN_FIELDS.items():
        if not name or heading not in cells:  # an optional column the spreadsheet does not have
            continue
        try:
            value = _cell_value(cells[heading])
            if name == "position":
                ref = "" if value is None else str(value).strip()
                if isinstance(value, float) and value.is_integer():
                    ref = str(int(value))
                if ref and not _REFERENCE.match(ref):
                    raise _Bad(
                        _("“%(text)s” is not a reference: references are numbers with dots, like 2.3.1") % {"text": ref}
                    )
                item.pk = f"item:{ref}"
                item.refs["plan"] = "plan"
                if ref:
                    parent, _dot, rank = ref.rpartition(".")
                    item.refs["parent"] = f"item:{parent}"
                    item.values["position"] = int(rank)
                else:
                    item.refs["parent"] = None
                    item.values["position"] = 1
            elif name in {"kind", "status", "cost_type", "unit", "direction", "target_type", "result_kind"}:
                item.values[name] = "" if value is None else _choice(name, value)
            elif name == "lead_officer":
                item.refs[name] = None if value is None else lookups.one(lookups.people, str(value), "person")
            elif name == "lead_organisation":
                item.refs[name] = (
                    None if value is None else lookups.one(lookups.organisations, str(value), "organisation")
                )
            elif name == "indicator":
                item.refs[name] = None if value is None else lookups.one(lookups.indicators, str(value), "indicator")
            elif name == SUPPORTERS:
                for part in [] if value is None else str(value).split(";"):
                    if part.strip():
                        slug = lookups.one(lookups.organisations, part, "organisation")
                        supporter = loader.Record(number=number, label=SUPPORTER_RECORD, pk=None)
                        supporter.refs = {"item": None, "organisation": slug}
                        supporters.append(supporter)
            elif name.endswith("_date"):
                item.values[name] = None if value is None else _date_text(value)
            elif name in {"cost_amount", "baseline_value", "target_value", "amber_tolerance"}:
                item.values[name] = None if value is None else _number_text(value)
            else:
                item.values[name] = "" if value is None else str(value)
        except _Bad as error:
            report(heading, str(error))
    if bad:
        return None, []
    for supporter in supporters:
        supporter.refs["item"] = item.pk
    return item, supporters


# --- applying ---------------------------------------------------------------------------------


def _write_update(update: _Update, user: User, reason: str) -> None:
    current = update.current
    if update.fields:
        plan_update(plan_id=current.pk, user=user, fields=update.fields, expected_version=current.version,
                    reason=reason)  # fmt: skip
    for _record, item, fields, supporters in update.changes:
        fresh = PlanItem.objects.only("version").get(pk=item.pk)
        item_update(item_id=item.pk, user=user, change=ItemChange(fields=fields, supporting_organisations=supporters),
                    expected_version=fresh.version, reason=reason)  # fmt: skip
    for record, item in [(r, update.matched[id(r)]) for r, _item in update.items if id(r) in update.matched]:
        record.instance.pk = item.pk  # links and supporters in the file now name the real row
    for record in update.creates:  # parents first (reading order)
        instance = record.instance
        parent = loader._ref(instance, "parent")
        change = ItemChange(
            fields={n: getattr(instance, n) for n in ITEM_FIELDS},
            supporting_organisations=update.supporters.get(id(instance), []),
        )
        created = item_add(plan=current, parent_id=parent.pk, kind=instance.kind, user=user, change=change,
                           reason=reason)  # fmt: skip
        instance.pk = created.pk
    for item in update.removes:
        item_delete(item_id=item.pk, user=user, reason=reason)
    update.record.instance.pk = current.pk


def _write_updates(updates: list[_Update], user: User, reason: str) -> None:
    for update in updates:  # first, so that a plan naming another updated plan names its row
        update.record.instance.pk = update.current.pk
    for update in updates:
        _write_update(update, user, reason)


def apply(*, import_id: int, user: User, reason: str = "") -> PlanImport:
    """Write what the upload's preview showed, in one transaction, or nothing.

    Raises ValidationError (already applied, problems found now, an approved plan without
    a reason) or StalePreview (a plan changed since the preview); nothing is written then."""
    with transaction.atomic():
        upload = PlanImport.objects.select_for_update().get(pk=import_id, uploaded_by=user)
        if upload.applied_at is not None:
            raise ValidationError(_("This file has already been imported."))
        stamps = upload.preview.get("stamps", {})
        list(Plan.objects.select_for_update().filter(slug__in=list(stamps)).values_list("pk"))
        checked = check(upload.kind, upload.filename, bytes(upload.content), plan_slug=upload.plan_slug)
        now = checked.preview
        changed = [slug for slug in stamps if now["stamps"].get(slug) != stamps[slug]]
        changed += [slug for slug in upload.preview.get("new_slugs", []) if slug not in now["new_slugs"]]
        if changed:
            raise StalePreview(
                ngettext(
                    "Since the preview, %(plans)s has changed, so nothing was imported. "
                    "Upload the file again to see what it would do now.",
                    "Since the preview, %(plans)s have changed, so nothing was imported. "
                    "Upload the file again to see what it would do now.",
                    len(changed),
                )
                % {"plans": ", ".join(_("the plan “%(plan)s”") % {"plan": slug} for slug in changed)}
            )
        if checked.problems:
            raise ValidationError(_("This file has problems: put them right and upload it again."))
        approved = [p for p in now["plans"] if p["approved"] and not p.get("empty")]
        if approved and not reason.strip():
            raise ValidationError(
                {"reason": _("“%(plan)s” is approved: give a reason for changing it.") % {"plan": approved[0]["title"]}}
            )
        why = f"Imported from {upload.filename}" + (f": {reason.strip()}" if reason.strip() else "")
        with change_context(reason=why, user=user):
            _lock_tree_allocation()
            checked.loader.write(after_plans=lambda: _write_updates(checked.updates, user, why))
        upload.applied_at = timezone.now()
        upload.result = {
            "plans": [{"slug": p["slug"], "title": p["title"], "action": p["action"]} for p in now["plans"]]
        }
        upload.save(update_fields=["applied_at", "result"])
    return upload
