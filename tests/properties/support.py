"""What every property test of a form shares: the Hypothesis profile, the strategies
that make hostile input, the per-example rollback, the fingerprint that proves a
refused POST changed nothing, and the list of rows a successful POST wrote (checked
in ``invariants``).

Profiles (registered here, not in ``tests/conftest.py``): ``forms`` is the one the
suite runs (few examples each, no deadline, no example database in the tree);
``forms-thorough`` runs ten times as many. Choose with ``GT_FORMS_PROFILE``.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.http import QueryDict
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from planning.models import Plan

# --- the profile ---------------------------------------------------------------------------------

settings.register_profile(
    "forms",
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the tree; the failure blob reproduces a failure
    print_blob=True,
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],  # no "explain": slow on failure
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("forms-thorough", parent=settings.get_profile("forms"), max_examples=250)
PROFILE = settings.get_profile(os.environ.get("GT_FORMS_PROFILE", "forms"))


def examples(share: float = 1.0) -> settings:
    """The profile, with ``share`` of its examples (cheap views take fewer)."""
    return settings(PROFILE, max_examples=max(3, round(PROFILE.max_examples * share)))


# --- hostile input -------------------------------------------------------------------------------

# anything a browser can send: every code point but lone surrogates (which cannot be UTF-8)
ANY_CHAR = st.characters(exclude_categories=["Cs"])
# what a person might type: the same without NUL, which no form accepts
TYPED_CHAR = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")

NASTY = [
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\u200b",
    "\ufeff",
    "\u202eevil",
    "ﬁ",
    "İ",
    "²",
    "¹²",
    "١٢",
    "１２",
    "𝟙",
    "-1",
    "0",
    "-0",
    "+1",
    "1e3",
    "1E-7",
    "0.001",
    "12.345",
    "1,5",
    "1_000",
    "0x1F",
    " 7 ",
    "NaN",
    "-nan",
    "sNaN",
    "inf",
    "-Infinity",
    "1e308",
    "9" * 40,
    "9" * 5_000,  # more digits than int() reads
    "-" + "9" * 25,
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/02/2014",
    "29 2 2013",
    "2013-02-29",
    "true",
    "None",
    "null",
    "[]",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7|add:7 }}",
    "%s%n",
    "javascript:alert(1)",
    "http://",
    "https://exa mple.org",
    "ftp://example.org/x",
    "//evil.example/",
]


def long_texts() -> st.SearchStrategy[str]:
    """Strings just over and well over the limits the forms and models set."""
    lengths = st.sampled_from([41, 101, 201, 251, 301, 501, 2_001, 5_001, 10_001, 100_001])
    return st.builds(lambda n, c: c * n, lengths, st.sampled_from(["x", "é", "𝟙", " ", "\n"]))


def date_like() -> st.SearchStrategy[str]:
    """ISO-shaped dates, most of them impossible (month 13, 30 February, year 0)."""
    return st.builds(
        lambda y, m, d, fmt: fmt.format(y=y, m=m, d=d),
        st.integers(0, 10_000),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{d} {m} {y}", "{d:02d}/{m:02d}/{y}", "{y}-{m}-{d}"]),
    )


def nasty() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(ANY_CHAR, max_size=30),
        st.integers(-(2**70), 2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        long_texts(),
        date_like(),
    )


def text(max_size: int, *, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text a person might type, within the field's length."""
    return st.text(TYPED_CHAR, min_size=min_size, max_size=max_size)


def slugs() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")


def dates(min_year: int = 2000, max_year: int = 2030) -> st.SearchStrategy[str]:
    return st.dates(date(min_year, 1, 1), date(max_year, 12, 31)).map(date.isoformat)


def decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[str]:
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False).map(str)


def ids(*known: int) -> st.SearchStrategy[str]:
    """A foreign key: one of ``known``, or one that does not exist, or not a number."""
    return st.one_of(
        st.sampled_from([str(pk) for pk in known]) if known else st.nothing(),
        st.sampled_from(["999999", "0", "-1", "1.0", "²", "99999999999999999999999"]),
    )


MISSING = object()
EXTRA_NAMES = st.sampled_from(["id", "pk", "plan", "status", "version", "action", "csrfmiddlewaretoken", "user"])


@st.composite
def posts(draw, valid: dict[str, st.SearchStrategy], *, bad: dict | None = None, agree=None, max_mutations=3) -> dict:
    """A form's POST data: valid values for every field (made to agree with one another
    by ``agree(data)``, half the time), then, in about half the examples, up to
    ``max_mutations`` of them made hostile (a nasty value, left out, blank, or sent
    twice); and sometimes an extra field the form does not have."""
    bad = bad or {}
    data = {name: draw(strategy) for name, strategy in valid.items()}
    if agree is not None and draw(st.booleans()):
        data = agree(data)
    for _ in range(draw(st.integers(0, max_mutations + 2).map(lambda n: max(0, n - 2)))):  # none half the time
        name = draw(st.sampled_from(sorted(valid)))
        how = draw(st.sampled_from(["nasty", "nasty", "missing", "blank", "twice"]))
        if how == "nasty":
            data[name] = draw(st.one_of(bad[name], nasty()) if name in bad else nasty())
        elif how == "missing":
            data[name] = MISSING
        elif how == "blank":
            data[name] = ""
        else:
            data[name] = [draw(valid[name]), draw(nasty())]
    if draw(st.integers(0, 4)) == 0:
        data.setdefault(draw(EXTRA_NAMES), draw(nasty()))
    return {name: value for name, value in data.items() if value is not MISSING}


def as_query(payload: dict) -> QueryDict:
    """``payload`` as a form receives it (a field sent twice has two values)."""
    query = QueryDict(mutable=True)
    for name, value in payload.items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [value])
    return query


def sent(payload: dict, name: str) -> str:
    """The value a form reads for ``name`` (the last one, if it was sent twice)."""
    value = payload.get(name, "")
    return str(value[-1]) if isinstance(value, list) and value else value if isinstance(value, str) else ""


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """An optional field: empty or a value."""
    return st.one_of(st.just(""), strategy)


def choices(values, *, blank: bool = False) -> st.SearchStrategy[str]:
    options = [str(v) for v in values]
    return st.sampled_from([""] + options if blank else options)


def bad_choices(values) -> st.SearchStrategy[str]:
    options = [str(v) for v in values]
    return st.one_of(
        st.sampled_from([o.upper() for o in options] + [o + " " for o in options] + ["other", "0"]), nasty()
    )


# --- one example, rolled back ----------------------------------------------------------------------


@contextmanager
def rolled_back(client, user) -> Iterator[None]:
    """One example, signed in as ``user``, starting from the fixtures' database:
    everything it writes (the sign-in's session too) is undone when it ends."""
    client.cookies.pop("messages", None)
    with transaction.atomic():
        client.force_login(user)
        yield
        transaction.set_rollback(True)


def post(client, url: str, data: dict, **extra):
    """POST, and fail on any server error (the test client raises the view's exception)."""
    response = client.post(url, data, **extra)
    assert response.status_code < 500, response.status_code
    return response


def holds_nul(*sent) -> bool:
    """Whether any text in ``sent`` (payloads, queries, addresses; keys too) holds a NUL."""
    for value in sent:
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict) and holds_nul(*value.keys(), *value.values()):
            return True
        if isinstance(value, list | tuple) and holds_nul(*value):
            return True
    return False


def nul_refused(response, *sent) -> bool:
    """A NUL anywhere in a request is refused with 400 before any view runs
    (config/nul_bytes.py; issue 12, item 9), whatever the view would have answered."""
    return response.status_code == 400 and holds_nul(*sent)


def redirected(response) -> bool:
    return response.status_code in (301, 302, 303) and "/accounts/login/" not in response.get("Location", "")


# --- nothing changed -------------------------------------------------------------------------------

APP_LABELS = {"planning", "partners", "monitoring"}


def _models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APP_LABELS and not model._meta.proxy
    ]


def _tracked() -> list[tuple[type[Model], type[Model]]]:
    pairs = []
    for model in _models():
        try:
            pairs.append((model, get_history_model_for_model(model)))
        except NotHistoricalModelError:
            continue
    return pairs


# rows written without history (delivery records, uploads, frozen scorecards): checked by pk
UNTRACKED = [
    "partners.Notification",
    "monitoring.ReminderSent",
    "monitoring.WorkbookUpload",
    "monitoring.ScorecardSnapshot",
]


@dataclass(frozen=True)
class Fingerprint:
    """How many rows each table of the three apps holds and its highest key (history
    tables included, so any tracked save shows), plus the full rows of ``objects``."""

    tables: tuple
    rows: tuple

    def high(self, model: type[Model]) -> int:
        return dict(self.tables)[model._meta.db_table][1] or 0


def fingerprint(*objects: Model) -> Fingerprint:
    quote = connection.ops.quote_name
    tables = [(m._meta.db_table, m._meta.pk.column) for m in _models()]
    # one query; the names come from the models, never from input
    pair = "(SELECT COUNT(*) FROM {0}), (SELECT MAX({1}) FROM {0})"
    columns = ", ".join(pair.format(quote(table), quote(pk)) for table, pk in tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + columns)
        values = cursor.fetchone()
    counts = tuple((table, (values[2 * i], values[2 * i + 1])) for i, (table, _) in enumerate(tables))
    rows = tuple(
        (obj._meta.label, obj.pk, tuple(sorted((type(obj).objects.filter(pk=obj.pk).values().first() or {}).items())))
        for obj in objects
    )
    return Fingerprint(counts, rows)


def assert_unchanged(before: Fingerprint, *objects: Model) -> None:
    after = fingerprint(*objects)
    changed = [table for (table, a), (_, b) in zip(before.tables, after.tables, strict=True) if a != b]
    assert not changed, f"a refused request wrote to {changed}"
    assert before.rows == after.rows, "a refused request changed the object"


def written(before: Fingerprint) -> list[Model]:
    """Every object a request wrote (and did not delete): from the history rows it added,
    and for the untracked models from their new keys."""
    objects: list[Model] = []
    for model, history in _tracked():
        new = history.objects.filter(history_id__gt=before.high(history)).values_list("id", flat=True)
        objects += model.objects.filter(pk__in=set(new))
    for label in UNTRACKED:
        model = apps.get_model(label)
        objects += model.objects.filter(pk__gt=before.high(model))
    return objects


def set_status(plan, status: str) -> None:
    """Put ``plan`` in ``status`` for one example (an approved plan names its approval)."""
    approval = {"approved_by": "Cabinet", "approved_on": date(2013, 3, 18)}
    Plan.objects.filter(pk=plan.pk).update(status=status, **(approval if status in Plan.PUBLISHED_STATUSES else {}))
