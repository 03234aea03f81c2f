"""Search across every plan the reader may see."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from planning.search import MAX_QUERY_LENGTH, search_items


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = search_items(request.user, query)
    return render(
        request,
        "planning/search.html",
        {"query": query, "results": results, "max_length": MAX_QUERY_LENGTH},
    )
