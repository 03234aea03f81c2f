"""Personas shared by every test: alice owns the plan, bob is an officer in the same
service, carol is an officer elsewhere, pat is a partner, mel is an elected member,
ada is an administrator."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from partners.models import Organisation, User
from tests.factories import OrganisationFactory, UserFactory, make_plan


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. The outline cache knows a run of rows by its
    items' ids and versions, which a database never gives twice; but each test's rows are
    rolled back, SQLite then hands the same ids out again, and a run cached by an earlier
    test in the same process would be served for a different item (seen once in CI:
    tests/planning/test_plan_views.py showed another test's description)."""
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Each test starts in the default language. The test client runs a request in the test's
    own thread, and a request in Welsh leaves Welsh active there: a later test's fixtures
    then wrote Welsh period names into English returns (seen on PostgreSQL, where a module
    of Welsh requests ran before tests/monitoring/test_welsh_and_english.py)."""
    yield
    translation.deactivate()


@pytest.fixture
def council(db):
    return OrganisationFactory(name="Northmoor County Council", slug="council", kind=Organisation.Kind.COUNCIL)


@pytest.fixture
def directorate(council):
    return OrganisationFactory(name="Education", slug="education", kind=Organisation.Kind.DIRECTORATE, parent=council)


@pytest.fixture
def service(directorate):
    return OrganisationFactory(name="School Improvement", slug="school-improvement", parent=directorate)


@pytest.fixture
def other_service(directorate):
    return OrganisationFactory(name="Fair Access", slug="fair-access", parent=directorate)


@pytest.fixture
def college(db):
    return OrganisationFactory(name="Northmoor College", slug="college", kind=Organisation.Kind.COLLEGE)


@pytest.fixture
def alice(service):
    return UserFactory(username="alice", first_name="Alice", last_name="Owner", organisation=service)


@pytest.fixture
def bob(service):
    return UserFactory(username="bob", first_name="Bob", last_name="Officer", organisation=service)


@pytest.fixture
def carol(other_service):
    return UserFactory(username="carol", first_name="Carol", last_name="Elsewhere", organisation=other_service)


@pytest.fixture
def director(directorate):
    return UserFactory(username="dan", first_name="Dan", last_name="Director", organisation=directorate)


@pytest.fixture
def pat(college):
    return UserFactory(
        username="pat", first_name="Pat", last_name="Partner", organisation=college, role=User.Role.PARTNER
    )


@pytest.fixture
def mel(council):
    return UserFactory(
        username="mel", first_name="Mel", last_name="Member", organisation=council, role=User.Role.MEMBER
    )


@pytest.fixture
def ada(council):
    return UserFactory(
        username="ada", first_name="Ada", last_name="Admin", organisation=council, role=User.Role.ADMIN, is_staff=True
    )


@pytest.fixture
def plan(alice):
    return make_plan(owner=alice, title="School Improvement Business Plan 2013-14", slug="sip")


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker) -> str:
    """The demo council loaded once for a module (``load_demo``'s printed output); every
    test reads it in its own savepoint, and it is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def pytest_configure(config):
    """Build the Welsh catalogues Django reads from the .po files in git, before any test
    runs (a process that finds them current leaves them alone; config/catalogues.py)."""
    from config.catalogues import compile_all

    compile_all()
