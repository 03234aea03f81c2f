"""Django's ``ModelBackend``, reading the signed-in person for each request in one plain
statement (issue 14).

``get_user`` runs on every signed-in request (``AuthenticationMiddleware``). Through the
ORM, building and compiling ``User.objects.get(pk=...)`` cost several times the query
itself on the 2-core VM. Here the statement is written once per process from the model's
columns, and each value goes through the converters the ORM would apply (SQLite returns
times as text), so the person is the same object the ORM would build. Signing in,
permissions and ``user_can_authenticate`` (inactive people are refused) are Django's.

Sessions name the backend that signed them in, and Django accepts only backends in
``AUTHENTICATION_BACKENDS``: ``ModelBackend`` stays listed after this one, so sessions
signed in through it before this one came stay valid (read the slower way until the
person next signs in), and it signs no one in itself since this backend answers first.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router


class PeopleBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            # ModelBackend, listed next only for sessions from before, would look the person
            # up and hash the password again; refusing here ends the attempt, and Django
            # reports the failure once (user_login_failed, which django-axes counts)
            raise PermissionDenied
        if user.organisation_id is not None:
            # An organisation that signs in through single sign-on only: the right password is
            # refused too, as a failure django-axes counts like any other (so a password that
            # opens nothing cannot be tried without limit), and the form says where to go.
            # Checked after the password, so that nobody learns who has an account here.
            organisations = get_user_model()._meta.get_field("organisation").related_model
            organisation = organisations.objects.filter(pk=user.organisation_id, password_sign_in=False).first()
            if organisation is not None:
                if request is not None:
                    request.password_sign_in_refused = organisation
                raise PermissionDenied
        return user

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if pk is None:
            return None
        alias = router.db_for_read(model)
        sql, attnames, converters = _statement(alias)
        connection = connections[alias]
        low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
        if (low is not None and pk < low) or (high is not None and pk > high):
            return None  # as the ORM answers: no row, rather than the database's overflow error
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for value, (column, field_converters) in zip(row, converters, strict=True):
            for convert in field_converters:
                value = convert(value, column, connection)
            values.append(value)
        user = model.from_db(alias, attnames, values)
        return user if self.user_can_authenticate(user) else None


@cache
def _statement(alias: str) -> tuple[str, list[str], list[tuple]]:
    model = get_user_model()
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(quote(field.column) for field in fields)
    # Names quoted from the model's own columns; the id is a parameter (docs/security.md; a
    # bare nosec, as bandit 1.9 reports a "nosec B608" anyway).
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608  # nosec
    converters = []
    for field in fields:
        column = field.get_col(table)
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return sql, [field.attname for field in fields], converters
