"""Ending a person's sessions, so that deactivating them signs them out everywhere at once.

Django's ModelBackend already refuses an inactive user on their next request, but the
session rows would linger until they expire; deleting them means a stolen or shared
browser holds nothing that a later reactivation would bring back to life.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from partners.models import User


def sessions_end(*, user: User) -> int:
    """Delete every stored session signed in as ``user``; returns how many.

    Session data is encoded, so the rows are decoded one by one: this runs when an
    administrator deactivates someone, not on any page a user waits for. Engines that
    keep no server-side rows (signed cookies) have nothing to delete."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    wanted = str(user.pk)
    keys = [
        row.session_key
        for row in model.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data").iterator()
        if str(store().decode(row.session_data).get(SESSION_KEY)) == wanted
    ]
    for key in keys:
        store(session_key=key).delete()  # cached engines forget the cached copy too
    return len(keys)
