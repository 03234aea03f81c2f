"""Nothing shown to a signed-in person is kept in a cache (issue 12, item 11).

Every answer to a signed-in request (pages, htmx fragments, exports, evidence files,
PDFs, error pages and redirects) gets ``Cache-Control: max-age=0, no-cache, no-store,
must-revalidate, private`` and an ``Expires`` in the past, unless the view set a
Cache-Control of its own (the PDF status check does): a browser's back button or history
on a shared office PC, or a caching proxy between the council and the internet, must not
show one person's plans, returns or evidence to the next.

Answers to anonymous requests are left to their views: the sign-in page sets its own
(Django's ``never_cache``), and the public pages planned for readers who do not sign in
(issue 16) should be cacheable. Static files never reach this middleware: WhiteNoise,
earlier in the list, serves them with its own long-lived headers.

Place it after AuthenticationMiddleware (it reads ``request.user``).
"""

from django.http import HttpRequest, HttpResponse

# What django.utils.cache.add_never_cache_headers writes, as constants: on every signed-in
# request it costs as much as reading the signed-in person, working out a date each time
# (issue 14). Any date in the past expires the answer; Django's is "a second ago".
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response and _signed_in(request):
            response.headers["Cache-Control"] = NEVER_CACHE
            response.headers.setdefault("Expires", EXPIRED)
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
