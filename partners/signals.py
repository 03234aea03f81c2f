"""Signing in records the time without writing a history row.

Django's ``update_last_login`` saves the whole person, and django-simple-history writes a
history row for every save, so every sign-in added a row to the person's history with
nothing in it that history keeps (``last_login`` is excluded from it). Those rows buried
real changes to people and, through the plan page's cache key (planning/outline_cache.py),
made every sign-in look like a change to every plan. ``last_login`` is not a tracked field,
so an ``update()`` of that column alone skips no history (the project's rule).
"""

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone


def record_sign_in(sender, user, **kwargs) -> None:
    when = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=when)
    user.last_login = when


def connect() -> None:
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(record_sign_in, dispatch_uid="record_sign_in")
