"""Pages anyone may read without signing in (issue 16). Every view is a ``public_page``
(cacheable for anonymous readers) and gets its plan through ``public.access``; what it
shows comes from ``public.selectors``, the app's own reads in their public variant."""

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.forms import parse_id
from planning import outline_cache, selectors, snapshots
from planning.access import linked_plans_unpublished
from planning.views.authoring import LEVELS
from planning.views.timetravel import PRIORITIES_FIRST_ABOVE, _folds, _with
from planning.wording import in_sentence
from public import downloads
from public import selectors as public_selectors
from public.access import get_public_item, get_public_plan, public_item_slug
from public.caching import public_page
from public.sitemaps import SITEMAPS


@require_safe
@public_page
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/plan_list.html", {"plans": public_selectors.published_plan_list()})


@require_safe
@public_page
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's outline, one cached copy for every public reader (its key names the
    public variant and the unpublished plans its links reach)."""
    plan = get_public_plan(slug)
    chosen = request.GET.get("show") if request.GET.get("show") in LEVELS else None
    outline = outline_cache.plan_outline(
        plan,
        level=chosen or "default",
        kinds=LEVELS[chosen or "all"],
        can_change=False,
        hidden=linked_plans_unpublished(plan),
        closable=chosen is None,
        opened=parse_id(request.GET.get("open")),
        public=True,
    )
    return outline_cache.render_with_outline(
        request,
        "public/plan_detail.html",
        {
            "plan": plan,
            "thread": public_selectors.plan_thread(plan),
            "level": None if outline.closed else chosen or "all",
            "closed": outline.closed,
            "item_count": f"{outline.items:,}",
            "levels": [
                ("priorities", _("%(priorities)s only") % {"priorities": plan.label_for("priority")}),
                (
                    "actions",
                    _("%(priorities)s and %(actions)s")
                    % {"priorities": plan.label_for("priority"), "actions": in_sentence(plan.label_for("action"))},
                ),
                ("all", _("Everything")),
            ],
        },
        outline.html,
    )


@require_safe
@public_page
def plan_summary(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_public_plan(slug)
    return render(
        request,
        "public/plan_summary.html",
        {"plan": plan, "summary": public_selectors.plan_summary(plan), "thread": public_selectors.plan_thread(plan)},
    )


@require_safe
@public_page
def item_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_public_item(slug, pk)
    row, ancestors, children = public_selectors.item_rows(item.plan, item)
    return render(
        request,
        "public/item_detail.html",
        {"plan": item.plan, "row": row, "item": row.item, "ancestors": ancestors, "children": children},
    )


@require_safe
@public_page
def item_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """/public/items/<id>/: the public address of an item by its id alone (a past view's
    links use it), while its plan is published."""
    return redirect("public:item-detail", slug=public_item_slug(pk), pk=pk)


@require_safe
@public_page
def plan_editions(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_public_plan(slug)
    return render(
        request, "public/plan_editions.html", {"plan": plan, "editions": public_selectors.public_editions(plan)}
    )


@require_safe
@public_page
def edition_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The plan as it stood at one of its public editions: the app's past view
    (``snapshots.plan_at``, as ``planning.views.timetravel.plan_as_of`` reads it) with the
    public variant's links, redaction and no lead officer."""
    plan = get_public_plan(slug)
    edition = public_selectors.get_public_edition(plan, pk)
    if edition is None:
        raise Http404(_("No such published edition"))
    show_all = request.GET.get("show") == "all"
    opened = [pk for pk in map(parse_id, request.GET.getlist("open")) if pk is not None]
    snapshot = snapshots.plan_at(
        plan, edition.moment, fold_above=None if show_all else PRIORITIES_FIRST_ABOVE, opened=opened, public=True
    )
    if snapshot is None:  # an edition of a published plan is named after the plan was made
        raise Http404(_("No such published edition"))
    selectors.hide_link_ends(snapshot.rows, linked_plans_unpublished(plan), public=True)
    selectors.without_lead_officers(snapshot.rows)
    return render(
        request,
        "public/edition_detail.html",
        {
            "plan": plan,
            "edition": edition,
            "snapshot": snapshot,
            "rows": snapshot.rows,
            "folds": _folds(request, snapshot) if snapshot.priorities_first else [],
            "show_all_url": _with(request, show="all", open=[]),
            "priorities_first_url": _with(request, show=None, open=[]),
            "large": snapshot.size > PRIORITIES_FIRST_ABOVE,
            "size": f"{snapshot.size:,}",
        },
    )


@require_safe
@public_page
def plan_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in downloads.FORMATS:
        raise Http404(_("No such format"))
    plan = get_public_plan(slug)
    rows = public_selectors.download_rows(plan)
    return downloads.plan_csv(plan, rows) if fmt == "csv" else downloads.plan_json(plan, rows)


# --- for search engines ------------------------------------------------------------------


@require_safe
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Search engines may read the public pages and nothing else (the rest is behind sign-in
    anyway: this spares them the sign-in page)."""
    lines = [
        "User-agent: *",
        "Allow: /public/",
        "Disallow: /",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemap_view(request, sitemaps=SITEMAPS)
    response.render()  # rendered here so the conditional answer and headers apply to it
    return response
