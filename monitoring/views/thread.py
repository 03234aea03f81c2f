"""What contributes to an item, or to a cross-cutting theme, across every plan, and how it
is doing (issue 17)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from monitoring import thread_rollup
from monitoring.access import get_item_for_rollup
from planning.access import get_theme_for_user, may_define_themes
from planning.wording import in_sentence


@login_required
@require_safe
def item_contributions(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_rollup(request.user, slug, pk)
    rollup = thread_rollup.contributions(
        item, request.user, request.GET.get("period") or None, open_plan=request.GET.get("plan") or None
    )
    label = item.plan.label_for(item.kind)
    return render(
        request,
        "monitoring/contributions.html",
        {
            "plan": item.plan,
            "item": item,
            "rollup": rollup,
            "reference": rollup.reference,
            "label": label,
            "subject": _("this %(item)s") % {"item": in_sentence(label)},
            "empty": _(
                "Nothing contributes to this %(item)s yet: nothing is beneath it and no approved plan links to it."
            )
            % {"item": in_sentence(label)},
        },
    )


@login_required
@require_safe
def theme_contributions(request: HttpRequest, slug: str) -> HttpResponse:
    """A theme's page and scorecard (decision 0025): anyone signed in reads it; what it
    counts and shows is what the reader may read, as on an item's roll-up."""
    theme = get_theme_for_user(request.user, slug)
    rollup = thread_rollup.theme_contributions(
        theme, request.user, request.GET.get("period") or None, open_plan=request.GET.get("plan") or None
    )
    return render(
        request,
        "monitoring/theme_detail.html",
        {
            "theme": theme,
            "rollup": rollup,
            "may_define": may_define_themes(request.user),
            "subject": _("this theme"),
            "empty": _("Nothing in an approved plan you can read is tagged with this theme yet."),
        },
    )
