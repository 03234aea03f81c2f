"""Pages anyone may read without signing in (issue 16). Every view is a ``public_page``
(cacheable for anonymous readers) and gets its plan through ``public.access``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from public import selectors
from public.access import get_public_plan
from public.caching import public_page


@require_safe
@public_page
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/plan_list.html", {"plans": selectors.published_plan_list()})


@require_safe
@public_page
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_public_plan(slug)
    return render(request, "public/plan_detail.html", {"plan": plan})
