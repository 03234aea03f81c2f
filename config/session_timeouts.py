"""Sign people out after a spell without activity, and a working day after signing in.

Django's SESSION_COOKIE_AGE gives neither: every saved session pushes its expiry forward,
so a busy session never ends, and a session that is never saved ends at the same time
however idle it is. A browser left signed in on a shared office PC is the case this
covers. Two stamps in the session decide instead:

- ``SIGNED_IN_AT``, set when the person signs in; once ``SESSION_ABSOLUTE_TIMEOUT``
  seconds have passed they sign in again, however active they have been.
- ``LAST_ACTIVITY_AT``, refreshed by their requests; after ``SESSION_IDLE_TIMEOUT``
  seconds without one they are signed out.

Signing out goes through ``django.contrib.auth.logout``, which deletes the session row,
then to the sign-in page with a message saying why. The middleware must come after
AuthenticationMiddleware (it reads ``request.user``) and MessageMiddleware (it leaves a
message).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SIGNED_IN_AT = "_signed_in_at"
LAST_ACTIVITY_AT = "_last_activity_at"

# Refreshing the activity stamp modifies the session, and a modified session is written
# back (an UPDATE of its row and a new cookie) at the end of the request. Doing that at
# most once a minute spares the database a write on every page, live search keystroke and
# PDF status poll. The price: the stamp can be up to a minute old, so someone is signed out
# between 29 and 30 minutes after their last request (never later than the limit).
ACTIVITY_RESOLUTION = 60


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="session_timeouts_sign_in")
def _stamp_sign_in(sender, request, user, **kwargs) -> None:
    """Start both clocks afresh. Signing in again as the same person keeps the session's
    data (Django cycles its key), so without this the old sign-in time would carry over."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_ACTIVITY_AT] = _now()


def _duration(seconds: int) -> str:
    """'8 hours', '30 minutes', '90 minutes': the limit as it was configured."""
    if seconds % 3600 == 0:
        count = seconds // 3600
        return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}
    if seconds % 60 == 0:
        count = seconds // 60
        return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}
    return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}


def _expiry_message(request: HttpRequest) -> str | None:
    """Why this session has ended, or None (refreshing the activity stamp if it is stale)."""
    session, now = request.session, _now()
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        # No stamps: signed in before this middleware was deployed, or by a test's
        # force_login before any request had imported this module (and so connected the
        # receiver). The user's last sign-in stands in, this request counts as activity,
        # and both are stored by the next refresh below: no extra session write.
        last_login = request.user.last_login
        signed_in_at = last_login.timestamp() if last_login else now
        last_activity_at = None
    else:
        last_activity_at = session.get(LAST_ACTIVITY_AT, signed_in_at)
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT
    if now - signed_in_at >= absolute:
        return _("You were signed out after %(duration)s; please sign in again.") % {"duration": _duration(absolute)}
    idle = settings.SESSION_IDLE_TIMEOUT
    if last_activity_at is not None and now - last_activity_at >= idle:
        return _("You were signed out after %(duration)s without activity; please sign in again.") % {
            "duration": _duration(idle)
        }
    if now - (last_activity_at or signed_in_at) >= ACTIVITY_RESOLUTION:
        session[SIGNED_IN_AT], session[LAST_ACTIVITY_AT] = signed_in_at, now
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            message = _expiry_message(request)
            if message:
                return self._sign_out(request, message)
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, message: str) -> HttpResponse:
        logout(request)  # flushes the session: its row is deleted
        messages.info(request, message)  # kept in the messages cookie, so it survives the flush
        login_url = resolve_url(settings.LOGIN_URL)
        # Only a page that was being read is worth returning to: a form's POST address may
        # not answer a GET (signing out, deleting an item), and the sign-in page would loop.
        if request.method in ("GET", "HEAD") and request.path != login_url:
            return redirect_to_login(request.get_full_path(), login_url)
        return HttpResponseRedirect(login_url)
