"""Build the Northmoor demo fixture from ``demo/content.py``.

    python manage.py build_demo_fixture [--output fixtures/demo_council.json]

The command never touches the database. It reads the plain-Python demo content,
gives every row a primary key (numbered from 1 per model, in the order the content
lists it), works out the mptt columns (``lft``, ``rght``, ``tree_id``, ``level``) the
way ``Model.objects.rebuild()`` would, and writes a fixture that ``manage.py loaddata``
reads. The output is deterministic: running the command twice gives identical bytes.

Order in the file (dependencies first): organisations, users, indicators, plans,
plan shares, plan items, item supporters, links. Historical models are not written.

Links: an item may carry an optional ``"key"`` (a stable name such as
``"bold-steps.good-schools"``, unique across the content and never written as a field),
and the content's optional ``LINKS`` list joins two keys with a relation and a note.
The links get primary keys in the order ``LINKS`` lists them.

Trees:

* organisations: one tree per root; roots numbered in name order, siblings by name
  (``order_insertion_by = ["name"]``);
* plans: the same, by title;
* plan items: one tree per plan, ``tree_id`` = the plan's primary key; the vision is
  the root (position 1) and children take positions 1..n in the order listed.

Checks before writing (any failure raises ``CommandError`` and writes nothing):
every slug, username, indicator code and item key referred to exists and is unique
(an unknown key in ``LINKS`` names the link and the key); no link is listed twice; each item
sits under a kind ``PlanItem.ALLOWED_PARENTS`` allows and carries only the keys its
kind may have; and each would-be row passes ``clean_fields()`` (for everything but
its relations) and ``clean()`` on an unsaved, in-memory instance. Checks that need
the database (foreign keys, uniqueness, constraints) are left to the admin-facing
loader, which validates every row with ``full_clean()`` after loading. Load the
fixture into an empty database: its primary keys start at 1.
"""

import importlib.util
import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from partners.models import Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem, PlanShare

SOURCE = Path(settings.BASE_DIR) / "demo" / "content.py"
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "fixtures" / "demo_council.json"
PASSWORD_SALT = "northmoordemofixedsalt01"  # noqa: S105 - fixed so the fixture is byte-identical (24 characters: Django re-hashes a password whose salt is under 128 bits, and that save would write a history row); not a secret
DATE_JOINED = datetime(2013, 1, 1, 9, 0, tzinfo=UTC)

ITEM_KEYS = {
    "kind",
    "title",
    "description",
    "status",
    "lead_officer",
    "lead_organisation",
    "supporting",
    "start_date",
    "due_date",
    "children",
}
OPTIONAL_ITEM_KEYS = {"key"}  # a name for LINKS to refer to; not a field of the item
LINK_KEYS = {"source", "target", "relation", "note"}
COST_KEYS = set(PlanItem.COST_FIELDS)
MEASURE_KEYS = set(PlanItem.MEASURE_FIELDS)
DECIMAL_KEYS = {"cost_amount", "baseline_value", "target_value", "amber_tolerance"}
DATE_KEYS = {"start_date", "due_date", "baseline_date", "target_date"}
LABEL_KINDS = ["vision", "priority", "action", "target", "milestone"]


class Command(BaseCommand):
    help = "Write the Northmoor demo fixture (fixtures/demo_council.json) from demo/content.py."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(DEFAULT_OUTPUT),
            help="Where to write the fixture (default: fixtures/demo_council.json in the project).",
        )

    def handle(self, *args, **options):
        content = load_content(SOURCE)
        builder = FixtureBuilder(content)
        rows = builder.build()
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(rows, indent=1, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
        output.write_text(text, encoding="utf-8")
        counts = ", ".join(f"{len(objs)} {model._meta.label_lower}" for model, objs in builder.objects.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(rows)} rows to {output} ({counts})."))


def load_content(path: Path) -> ModuleType:
    if not path.exists():
        raise CommandError(f"Demo content not found at {path}.")
    spec = importlib.util.spec_from_file_location("golden_thread_demo_content", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("PASSWORD", "ORGANISATIONS", "PEOPLE", "INDICATORS", "PLANS"):
        if not hasattr(module, name):
            raise CommandError(f"{path} does not define {name}.")
    return module


class FixtureBuilder:
    """Turns the demo content into unsaved model instances with primary keys, checks
    them, and serialises them in the shape ``loaddata`` expects."""

    def __init__(self, content: ModuleType):
        self.content = content
        self.problems: list[str] = []
        self.objects: dict[type[models.Model], list[models.Model]] = {
            model: [] for model in (Organisation, User, Indicator, Plan, PlanShare, PlanItem, ItemSupporter, Link)
        }
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.indicators: dict[str, Indicator] = {}
        self.plans: dict[str, Plan] = {}
        self.items: dict[str, PlanItem] = {}  # item key -> item

    # -- the steps ---------------------------------------------------------------

    def build(self) -> list[dict]:
        self.build_organisations()
        self.build_users()
        self.build_indicators()
        self.build_plans()
        self.build_items()
        self.build_links()
        self.fail_if_problems()
        self.validate_instances()
        self.fail_if_problems()
        return [serialise(obj) for objs in self.objects.values() for obj in objs]

    def build_organisations(self) -> None:
        rows = self.content.ORGANISATIONS
        for pk, row in enumerate(rows, start=1):
            self.check_keys(row, {"slug", "name", "kind", "parent"}, f"organisation {row.get('slug')!r}")
            org = Organisation(pk=pk, slug=row["slug"], name=row["name"], kind=row["kind"], is_active=True)
            self.add_unique(self.organisations, row["slug"], org, "organisation slug")
            self.objects[Organisation].append(org)
        for org, row in zip(self.objects[Organisation], rows, strict=True):
            if row["parent"] is not None:
                org.parent = self.organisation(row["parent"], f"organisation {org.slug!r} (parent)")
        self.set_mptt(self.objects[Organisation], key=lambda org: org.name, what="organisation")

    def build_users(self) -> None:
        password = make_password(self.content.PASSWORD, salt=PASSWORD_SALT)
        keys = {
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "organisation",
            "job_title",
            "is_staff",
            "is_superuser",
        }
        for pk, row in enumerate(self.content.PEOPLE, start=1):
            where = f"person {row.get('username')!r}"
            self.check_keys(row, keys, where)
            user = User(
                pk=pk,
                password=password,
                last_login=None,
                is_superuser=row["is_superuser"],
                username=row["username"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                email=row["email"],
                is_staff=row["is_staff"],
                is_active=True,
                date_joined=DATE_JOINED,
                role=row["role"],
                job_title=row["job_title"],
            )
            user.organisation = self.organisation(row["organisation"], where, required=False)
            self.add_unique(self.users, row["username"], user, "username")
            self.objects[User].append(user)

    def build_indicators(self) -> None:
        for pk, row in enumerate(self.content.INDICATORS, start=1):
            self.check_keys(row, {"code", "name", "definition"}, f"indicator {row.get('code')!r}")
            indicator = Indicator(pk=pk, code=row["code"], name=row["name"], definition=row["definition"])
            self.add_unique(self.indicators, row["code"], indicator, "indicator code")
            self.objects[Indicator].append(indicator)

    def build_plans(self) -> None:
        keys = {
            "slug",
            "title",
            "kind",
            "organisation",
            "owner",
            "parent",
            "start_year",
            "end_year",
            "status",
            "summary",
            "shared_with",
            "labels",
            "vision",
        }
        rows = self.content.PLANS
        for pk, row in enumerate(rows, start=1):
            where = f"plan {row.get('slug')!r}"
            self.check_keys(row, keys, where)
            plan = Plan(
                pk=pk,
                title=row["title"],
                slug=row["slug"],
                kind=row["kind"],
                start_year=row["start_year"],
                end_year=row["end_year"],
                status=row["status"],
                summary=row["summary"],
                version=1,
            )
            plan.organisation = self.organisation(row["organisation"], where)
            plan.owner = self.user(row["owner"], where)
            if set(row["labels"]) != set(LABEL_KINDS):
                self.problems.append(f"{where}: labels must give exactly {', '.join(LABEL_KINDS)}.")
            for kind in LABEL_KINDS:
                setattr(plan, f"label_{kind}", row["labels"].get(kind, ""))
            self.add_unique(self.plans, row["slug"], plan, "plan slug")
            self.objects[Plan].append(plan)
        for plan, row in zip(self.objects[Plan], rows, strict=True):
            where = f"plan {plan.slug!r}"
            if row["parent"] is not None:
                plan.parent = self.plan(row["parent"], f"{where} (parent)")
            shared = set()
            for slug in row["shared_with"]:
                org = self.organisation(slug, f"{where} (shared_with)")
                if slug in shared:
                    self.problems.append(f"{where}: shared with {slug!r} twice.")
                shared.add(slug)
                if org is not None:
                    share = PlanShare(pk=len(self.objects[PlanShare]) + 1, plan=plan, organisation=org)
                    self.objects[PlanShare].append(share)
        self.set_mptt(self.objects[Plan], key=lambda plan: plan.title, what="plan")

    def build_items(self) -> None:
        for plan, row in zip(self.objects[Plan], self.content.PLANS, strict=True):
            root = row["vision"]
            if root.get("kind") != PlanItem.Kind.VISION:
                self.problems.append(f"plan {plan.slug!r}: the top item must be a vision, not {root.get('kind')!r}.")
            counter = [0]
            self.build_item(root, plan, parent=None, position=1, level=0, counter=counter, ref="")
            # lft/rght come from the walk; the plan's pk is its item tree's id.

    def build_item(self, row, plan, parent, position, level, counter, ref) -> PlanItem:
        ref = ref or "vision"
        where = f"plan {plan.slug!r}, item {ref} {row.get('title', '')!r}"
        kind = row.get("kind")
        allowed_keys = ITEM_KEYS | OPTIONAL_ITEM_KEYS
        if kind in PlanItem.COSTED_KINDS:
            allowed_keys |= COST_KEYS
        if kind == PlanItem.Kind.TARGET:
            allowed_keys |= MEASURE_KEYS
        self.check_keys(row, allowed_keys, where, required=ITEM_KEYS)
        if kind not in PlanItem.Kind.values:
            self.problems.append(f"{where}: unknown kind {kind!r}.")
        elif parent is not None:
            allowed = PlanItem.ALLOWED_PARENTS[kind]
            if allowed is None or parent.kind not in allowed:
                under = " or ".join(sorted(allowed)) if allowed else "nothing (it is the root)"
                self.problems.append(
                    f"{where}: {with_article(kind)} cannot sit under {with_article(parent.kind)}; it goes under {under}."
                )

        counter[0] += 1
        item = PlanItem(
            pk=len(self.objects[PlanItem]) + 1,
            plan=plan,
            parent=parent,
            position=position,
            kind=kind,
            title=row.get("title", ""),
            description=row.get("description", ""),
            status=row.get("status", PlanItem.Status.NOT_STARTED),
            cost_type=row.get("cost_type") or "",
            funding_source=row.get("funding_source") or "",
            unit=row.get("unit") or "",
            direction=row.get("direction") or "",
            target_type=row.get("target_type") or "",
            version=1,
            tree_id=plan.pk,
            level=level,
            lft=counter[0],
        )
        item.lead_officer = self.user(row.get("lead_officer"), where, required=False)
        item.lead_organisation = self.organisation(row.get("lead_organisation"), where, required=False)
        item.indicator = self.indicator(row.get("indicator"), where, required=False)
        for name in DATE_KEYS:
            setattr(item, name, self.parse_date(row.get(name), f"{where} ({name})"))
        for name in DECIMAL_KEYS:
            setattr(item, name, self.parse_decimal(row.get(name), f"{where} ({name})"))
        self.objects[PlanItem].append(item)
        if "key" in row:
            if not isinstance(row["key"], str) or not row["key"]:
                self.problems.append(f"{where}: key must be a non-empty string, not {row['key']!r}.")
            else:
                self.add_unique(self.items, row["key"], item, "item key")

        supporting = set()
        for slug in row.get("supporting", []):
            org = self.organisation(slug, f"{where} (supporting)")
            if slug in supporting:
                self.problems.append(f"{where}: supported by {slug!r} twice.")
            supporting.add(slug)
            if org is not None:
                supporter = ItemSupporter(pk=len(self.objects[ItemSupporter]) + 1, item=item, organisation=org)
                self.objects[ItemSupporter].append(supporter)

        for index, child in enumerate(row.get("children", []), start=1):
            child_ref = f"{ref}.{index}" if parent is not None else str(index)
            self.build_item(child, plan, item, index, level + 1, counter, child_ref)
        counter[0] += 1
        item.rght = counter[0]
        return item

    def build_links(self) -> None:
        """``LINKS`` rows, keys resolved to items; emitted after the items they join."""
        seen: dict[tuple, int] = {}
        for number, row in enumerate(getattr(self.content, "LINKS", []), start=1):
            where = f"link {number} ({row.get('source')!r} -> {row.get('target')!r})"
            self.check_keys(row, LINK_KEYS, where, required={"source", "target", "relation"})
            source = self.item(row["source"], f"{where} (source)")
            target = self.item(row["target"], f"{where} (target)")
            if source is None or target is None:
                continue
            key = (row["source"], row["target"], row["relation"])
            if key in seen:
                self.problems.append(f"{where}: repeats link {seen[key]} ({row['relation']}).")
                continue
            seen[key] = number
            link = Link(
                pk=len(self.objects[Link]) + 1,
                source=source,
                target=target,
                relation=row["relation"],
                note=row.get("note", ""),
            )
            self.objects[Link].append(link)

    # -- mptt --------------------------------------------------------------------

    def set_mptt(self, nodes, key, what) -> None:
        """Number ``nodes`` as ``rebuild()`` would: roots by ``key`` give tree ids 1..n,
        siblings are visited in ``key`` order."""
        children: dict[int | None, list] = {}
        for node in nodes:
            children.setdefault(node.parent_id, []).append(node)
        for siblings in children.values():
            siblings.sort(key=key)
            names = [key(node) for node in siblings]
            for name in sorted({name for name in names if names.count(name) > 1}):
                self.problems.append(f"two {what}s under the same parent share the name {name!r}.")
        seen = set()

        def walk(node, left, tree_id, level):
            seen.add(node.pk)
            node.tree_id, node.level, node.lft = tree_id, level, left
            right = left + 1
            for child in children.get(node.pk, []):
                right = walk(child, right, tree_id, level + 1) + 1
            node.rght = right
            return right

        for tree_id, root in enumerate(children.get(None, []), start=1):
            walk(root, 1, tree_id, 0)
        for node in nodes:
            if node.pk not in seen:
                self.problems.append(f"{what} {key(node)!r} is not reachable from a root (its parents form a loop).")

    # -- validation --------------------------------------------------------------

    def validate_instances(self) -> None:
        """``clean_fields()`` without the relations (checking those needs the
        database), then ``clean()``; both run on the in-memory instances, marked as
        loaded rows so that mptt's tree methods (which read only the computed
        columns) may be called on them."""
        for model in (Organisation, User, Indicator, Plan, PlanItem, Link):
            relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
            for obj in self.objects[model]:
                obj._state.adding = False
                try:
                    obj.clean_fields(exclude=relations)
                    obj.clean()
                except ValidationError as error:
                    self.problems.append(f"{describe(obj)}: {format_error(error)}")

    def fail_if_problems(self) -> None:
        if self.problems:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            raise CommandError(f"The demo content has {len(self.problems)} problem(s):\n{listed}")

    # -- lookups -----------------------------------------------------------------

    def organisation(self, slug, where, required=True):
        return self.lookup(self.organisations, slug, where, "organisation", required)

    def user(self, username, where, required=True):
        return self.lookup(self.users, username, where, "person", required)

    def indicator(self, code, where, required=True):
        return self.lookup(self.indicators, code, where, "indicator", required)

    def plan(self, slug, where, required=True):
        return self.lookup(self.plans, slug, where, "plan", required)

    def item(self, key, where, required=True):
        return self.lookup(self.items, key, where, "item key", required)

    def lookup(self, table, key, where, what, required):
        if key is None:
            if required:
                self.problems.append(f"{where}: no {what} given.")
            return None
        if key not in table:
            self.problems.append(f"{where}: unknown {what} {key!r}.")
            return None
        return table[key]

    def add_unique(self, table, key, obj, what) -> None:
        if key in table:
            self.problems.append(f"duplicate {what} {key!r}.")
        table[key] = obj

    def check_keys(self, row, allowed, where, required=None) -> None:
        required = allowed if required is None else required
        missing = sorted(set(required) - set(row))
        extra = sorted(set(row) - set(allowed))
        if missing:
            raise CommandError(f"{where}: missing {', '.join(missing)}.")
        if extra:
            self.problems.append(f"{where}: unexpected {', '.join(extra)}.")

    def parse_date(self, value, where):
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problems.append(f"{where}: {value!r} is not a YYYY-MM-DD date.")
            return None

    def parse_decimal(self, value, where):
        if value is None:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.problems.append(f"{where}: {value!r} is not a number.")
            return None
        rounded = number.quantize(Decimal("0.01"))
        if rounded != number:
            self.problems.append(f"{where}: {value!r} has more than two decimal places.")
        return rounded


def serialise(obj: models.Model) -> dict:
    """One fixture row, with the fields in the order Django's serialiser uses."""
    fields = {}
    for field in obj._meta.local_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            fields[field.name] = getattr(obj, field.attname)
        else:
            fields[field.name] = field.value_from_object(obj)
    for field in obj._meta.local_many_to_many:
        if field.remote_field.through._meta.auto_created:
            fields[field.name] = []
    return {"model": obj._meta.label_lower, "pk": obj.pk, "fields": fields}


def with_article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def describe(obj: models.Model) -> str:
    if isinstance(obj, PlanItem):
        return f"plan {obj.plan.slug!r}, {obj.kind} {obj.title!r}"
    if isinstance(obj, Link):
        return f"link {obj.source.title!r} {obj.relation} {obj.target.title!r}"
    return f"{obj._meta.verbose_name} {str(obj)!r}"


def format_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
