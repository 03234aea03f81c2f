"""Editions, the plan as it stood at a moment, and comparisons of two moments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import parse_id
from config.spreadsheets import csv_response
from planning import selectors, services, snapshots
from planning.access import can_change, get_plan_for_user, linked_plans_hidden_from
from planning.formatting import date_and_time
from planning.forms import CompareForm, EditionForm, parse_when
from planning.models import Edition, Plan

# A past view of a plan with more items than this opens at its vision and priorities, each
# priority's items a link away (working without JavaScript): 2,000 items are 1.5 MB of HTML
# that take longer to write than the whole page may (decision 0012). ``?show=all`` shows all.
PRIORITIES_FIRST_ABOVE = 500


class Moment:
    """A point in a plan's life chosen by the reader: an edition, a date, or now."""

    def __init__(self, plan: Plan, raw: str | None, editions: list[Edition] | None = None):
        self.raw = (raw or "now").strip()
        self.edition: Edition | None = None
        if self.raw == "now":
            self.when, self.label = timezone.now(), "Now"
        elif self.raw.startswith("edition-") and parse_id(self.raw[8:]) is not None:
            pk = parse_id(self.raw[8:])
            if editions is not None:  # the plan's editions, already read by the page
                self.edition = next((edition for edition in editions if edition.pk == pk), None)
            else:
                self.edition = plan.editions.filter(pk=pk).first()
            if self.edition is None:
                raise Http404(_("No such edition"))
            self.when, self.label = self.edition.moment, self.edition.name
        else:
            self.when = parse_when(self.raw)
            self.label = _("As at %(moment)s") % {"moment": date_and_time(self.when)}


def _moment(request: HttpRequest, plan: Plan, key: str, default: str = "now", editions=None) -> Moment:
    raw = request.GET.get(key) or default
    if key == "at" and request.GET.get("edition"):
        raw = f"edition-{request.GET['edition']}"
    return Moment(plan, raw, editions)


@login_required
@require_http_methods(["GET", "POST"])
def plan_editions(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    may_change = can_change(request.user, plan)
    form = EditionForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                edition = services.edition_create(plan=plan, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("name", error.message_dict.get("__all__") or error.messages)
            else:
                messages.success(request, _("Edition “%(edition)s” named.") % {"edition": edition.name})
                return redirect("planning:plan-editions", slug=plan.slug)
    return render(
        request,
        "planning/plan_editions.html",
        {"plan": plan, "editions": plan.editions.select_related("created_by"), "form": form, "can_change": may_change},
    )


@login_required
@require_safe
def plan_as_of(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    try:
        moment = _moment(request, plan, "at")
    except ValidationError as error:
        return render(
            request,
            "planning/plan_past.html",
            {"plan": plan, "error": error.messages[0], "editions": plan.editions.all()},
            status=400,
        )
    show_all = request.GET.get("show") == "all"
    opened = [pk for pk in map(parse_id, request.GET.getlist("open")) if pk is not None]
    snapshot = snapshots.plan_at(
        plan, moment.when, fold_above=None if show_all else PRIORITIES_FIRST_ABOVE, opened=opened
    )
    if snapshot:  # links into plans the reader may not read show without their other end
        selectors.hide_link_ends(snapshot.rows, linked_plans_hidden_from(request.user, plan))
    return render(
        request,
        "planning/plan_past.html",
        {
            "plan": plan,
            "moment": moment,
            "snapshot": snapshot,
            "rows": snapshot.rows if snapshot else [],
            "folds": _folds(request, snapshot) if snapshot and snapshot.priorities_first else [],
            "show_all_url": _with(request, show="all", open=[]),
            "priorities_first_url": _with(request, show=None, open=[]),
            "large": bool(snapshot) and snapshot.size > PRIORITIES_FIRST_ABOVE,
            "size": f"{snapshot.size:,}" if snapshot else "",
            "editions": plan.editions.all(),
        },
    )


class Fold:
    """A priority whose items a priorities-first past view shows on demand: the link that
    shows them (or hides them again)."""

    def __init__(self, row: selectors.OutlineRow, count: int, is_open: bool, url: str):
        self.row, self.count, self.is_open, self.url = row, count, is_open, url


def _folds(request: HttpRequest, snapshot: snapshots.Snapshot) -> list[Fold]:
    opened = set(snapshot.opened)
    folds = []
    for row in snapshot.rows:
        pk = row.item.pk
        if pk in snapshot.opened:
            folds.append(Fold(row, snapshot.opened[pk], True, _with(request, open=sorted(opened - {pk}))))
        elif snapshot.folded.get(pk):
            url = _with(request, open=sorted(opened | {pk})) + f"#item-{pk}"
            folds.append(Fold(row, snapshot.folded[pk], False, url))
    return folds


def _with(request: HttpRequest, **changes) -> str:
    """This page's address with some of its query's values changed (None or [] drops one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.setlist(key, [str(v) for v in value] if isinstance(value, list) else [] if value is None else [value])
    return f"?{query.urlencode()}"


@login_required
@require_safe
def plan_compare(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    editions = list(plan.editions.all())
    default_from = f"edition-{editions[-1].pk}" if editions else "now"
    form = CompareForm(request.GET, editions=editions, default_from=default_from)
    if not form.is_valid():
        return render(request, "planning/plan_compare.html", {"plan": plan, "form": form}, status=400)
    before = Moment(plan, form.moment("from"), editions)
    after = Moment(plan, form.moment("to"), editions)
    found = snapshots.compare(plan, before.when, after.when)
    differences = found or []
    if request.GET.get("format") == "csv":
        return _comparison_csv(plan, before, after, differences)
    return render(
        request,
        "planning/plan_compare.html",
        {
            "plan": plan,
            "form": form,
            "before": before,
            "after": after,
            "missing": found is None,
            "differences": differences,
            "query": request.GET.urlencode(),
        },
    )


def _comparison_csv(plan: Plan, before: Moment, after: Moment, differences) -> HttpResponse:
    """Every cell goes through ``config.spreadsheets`` (the title row too), which escapes
    text a spreadsheet would run as a formula."""
    rows = [
        [f"{plan.title}: {before.label} compared with {after.label}"],
        ["Change", "Reference before", "Reference after", "Level", "Title", "Field", "Before", "After"],
    ]
    for difference in differences:
        base = [
            difference.kind,
            difference.before_reference,
            difference.after_reference,
            difference.label,
            difference.title,
        ]
        if not difference.changes:
            rows.append([*base, "", "", ""])
        rows.extend([*base, change.label, change.old, change.new] for change in difference.changes)
    return csv_response(f"{plan.slug}-comparison.csv", rows)
