"""Public pages are read by many and changed rarely: each answer to an anonymous reader
carries ``Cache-Control: public``, an ``ETag`` and a ``Last-Modified`` made from the
newest history rows of the tables public pages draw on, and a conditional request for an
unchanged page is answered ``304 Not Modified`` after one query.

The stamp is council-wide (one query, the same one the plan outline's cache uses): any
change anywhere makes every public page fresh again. That is cheap to ask and never stale;
a page changed by nothing still answers 304.

Signed-in readers get the same page without these headers: ``config.no_store`` marks
theirs not to be kept, as it does every page a signed-in person sees.

No cookie is set for an anonymous reader: public templates hold no form with a CSRF token
and nothing writes to a session (tests/public/test_caching.py holds them to it).
"""

import functools

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from config.history import Stamp, history_stamp
from planning.models import Plan

# the tracked models whose history a public page can show (plans, items, links, editions,
# consultations and their comments, periods, returns, people and organisations named)
STAMP_MODELS = (
    "planning.Plan",
    "planning.PlanItem",
    "planning.Link",
    "planning.ItemSupporter",
    "planning.Indicator",
    "planning.Edition",
    "planning.Consultation",
    "planning.Comment",
    "partners.User",
    "partners.Organisation",
    "monitoring.ReportingPeriod",
    "monitoring.ProgressReturn",
)


@functools.cache
def _models() -> tuple:
    return tuple(apps.get_model(label) for label in STAMP_MODELS)


def public_stamp() -> Stamp:
    return history_stamp(_models(), Plan.objects.all())


def public_page(view):
    """Decorate a public view: conditional GET and shared caching for anonymous readers."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        stamp = public_stamp()
        conditional = condition(
            etag_func=lambda *_a, **_k: f"{stamp.key}-{settings.PUBLIC_RELEASE}-{translation.get_language()}",
            last_modified_func=lambda *_a, **_k: stamp.when,
        )(view)
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
            # the language comes from the browser or the language cookie (0029)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapped
