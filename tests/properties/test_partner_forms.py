"""Property tests of the people and organisation forms (``OrganisationForm``,
``InviteForm``, ``PersonEditForm``, ``PersonFilterForm``) through their views, as ada
the administrator: hostile input never gives a server error, a refusal changes
nothing, and what is saved keeps the rules (where each kind of organisation may sit,
which organisation each role belongs to, usernames unique whatever their case, an
administrator never deactivates or demotes herself, nobody's password set by anyone else)."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import event, given
from hypothesis import strategies as st

from partners.models import Invitation, Notification, Organisation, User
from tests.properties.invariants import submit
from tests.properties.support import (
    assert_unchanged,
    bad_choices,
    choices,
    examples,
    fingerprint,
    ids,
    nasty,
    nul_refused,
    optional,
    post,
    posts,
    rolled_back,
    slugs,
    text,
)

Kind = Organisation.Kind


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing is not under test here; PBKDF2's million rounds would be most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisations(outline, council, directorate, service, other_service):
    return [council, directorate, service, other_service, outline.college, outline.police, outline.closed_school]


def organisation_fields(organisations) -> tuple[dict, dict]:
    valid = {
        "name": text(200),
        "slug": st.one_of(slugs(), st.sampled_from(["college", "council"])),
        "kind": choices(Kind.values),
        "parent": optional(st.sampled_from([str(org.pk) for org in organisations])),
        "is_active": st.sampled_from(["on", "", "true", "false"]),
    }
    bad = {"kind": bad_choices(Kind.values), "parent": ids(), "slug": st.sampled_from(["Upper", "a b", "ü", "x" * 101])}
    return valid, bad


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_adding_an_organisation_never_fails_and_places_it_by_its_kind(client, outline, organisations, data):
    with rolled_back(client, outline.people.ada):
        valid, bad = organisation_fields(organisations)
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("partners:organisation-create"), payload)
        if saved is not None:
            assert sum(isinstance(obj, Organisation) for obj in saved) >= 1


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_editing_an_organisation_never_fails_and_keeps_the_tree_valid(client, outline, organisations, data):
    with rolled_back(client, outline.people.ada):
        org = data.draw(st.sampled_from(organisations), label="organisation")
        valid, bad = organisation_fields(organisations)
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("partners:organisation-edit", args=[org.pk]), payload, org)
        if saved is not None:
            edited = Organisation.objects.get(pk=org.pk)
            assert edited.parent_id is None or not edited.parent.is_descendant_of(edited, include_self=True)


def person_agreeing(world):
    """Make the role's organisation and the confirmation agree (the form's own rules)."""
    home = {"officer": world.people.bob.organisation_id, "partner": world.college.pk, "member": "", "admin": ""}

    def agree(data: dict) -> dict:
        return data | {"organisation": str(home[data["role"]]), "password2": data["password1"]}

    return agree


def person_fields(world, organisations) -> tuple[dict, dict]:
    password = st.sampled_from(["", "correct-horse-battery-staple", "Tr0ub4dor&3-zebra"])
    valid = {
        "username": st.one_of(st.from_regex(r"\A[\w.@+-]{1,30}\Z"), st.sampled_from(["alice", "ALICE", "Bob"])),
        "first_name": text(150),
        "last_name": text(150),
        "email": st.emails().filter(lambda e: len(e) <= 254),
        "role": choices(User.Role.values),
        "organisation": optional(st.sampled_from([str(org.pk) for org in organisations])),
        "job_title": optional(text(200)),
        "password1": password,
        "password2": password,
    }
    bad = {
        "username": st.sampled_from(["a b", "ü" * 151, "x/y", "   "]),
        "email": st.sampled_from(["not-an-email", "a@", "@b.org", "a@b"]),
        "role": bad_choices(User.Role.values),
        "organisation": ids(),
        "password1": st.sampled_from(["123", "password", "alice", "12345678901"]),
    }
    return valid, bad


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_inviting_a_person_never_fails_and_keeps_roles_and_organisations_together(client, outline, organisations, data):
    with rolled_back(client, outline.people.ada):
        valid, bad = person_fields(outline, organisations)
        payload = data.draw(posts(valid, bad=bad, agree=person_agreeing(outline)), label="payload")
        response, saved = submit(client, reverse("partners:person-create"), payload)
        if saved is not None:
            assert not any(isinstance(obj, User) for obj in saved)  # nobody exists until they accept
            (invitation,) = (obj for obj in saved if isinstance(obj, Invitation))
            assert invitation.email == invitation.email.lower() and invitation.used_at is None
            organisation = invitation.organisation
            if invitation.role == User.Role.OFFICER:
                assert organisation is not None and organisation.is_council
            if invitation.role == User.Role.PARTNER:
                assert organisation is not None and not organisation.is_council


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_editing_a_person_never_fails_and_an_admin_keeps_her_own_access(client, outline, organisations, data):
    people = outline.people
    with rolled_back(client, people.ada):
        person = data.draw(st.sampled_from([people.bob, people.pat, people.mel, people.ada, people.gone]), label="who")
        valid, bad = person_fields(outline, organisations)
        valid["is_active"] = st.sampled_from(["on", ""])
        payload = data.draw(posts(valid, bad=bad, agree=person_agreeing(outline)), label="payload")
        url = reverse("partners:person-edit", args=[person.pk])
        old_password = User.objects.get(pk=person.pk).password
        response, saved = submit(client, url, payload, person)
        if saved is not None:
            edited = User.objects.get(pk=person.pk)
            if person == people.ada:
                assert edited.is_active and edited.role == User.Role.ADMIN
            assert edited.password == old_password  # a posted password is ignored


# --- GET and bare POST forms -------------------------------------------------------------------


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_filtering_people_never_fails_and_changes_nothing(client, outline, organisations, data):
    with rolled_back(client, outline.people.ada):
        valid = {
            "role": choices(User.Role.values, blank=True),
            "organisation": optional(st.sampled_from([str(org.pk) for org in organisations])),
            "active": st.sampled_from(["", "yes", "no"]),
            "page": st.one_of(st.integers(-1, 3).map(str), nasty()),
        }
        query = data.draw(posts(valid, bad={"organisation": ids()}), label="query")
        before = fingerprint()
        response = client.get(reverse("partners:person-list"), query)
        assert response.status_code == 200 or nul_refused(response, query)
        assert fingerprint() == before


@pytest.mark.django_db
@examples(0.3)
@given(data=st.data())
def test_marking_notifications_read_never_fails_and_touches_only_ones_own(client, outline, data):
    people = outline.people
    with rolled_back(client, people.bob):
        for person in (people.bob, people.alice):
            Notification.objects.create(recipient=person, subject="Hello", body="")
        payload = data.draw(posts({"id": st.just(str(people.alice.pk))}), label="payload")
        response = client.post(reverse("partners:notification-read-all"), payload)
        if nul_refused(response, payload):
            assert Notification.objects.filter(read_at__isnull=True).count() == 2
            return
        assert response.status_code == 302
        assert not Notification.objects.filter(recipient=people.bob, read_at__isnull=True).exists()
        assert Notification.objects.get(recipient=people.alice).read_at is None


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_signing_in_never_fails_and_never_sends_anyone_off_the_site(client, outline, data):
    """Django's sign-in form, with a person whose password is known."""
    client.logout()
    with transaction.atomic():
        User.objects.create_user(username="sam", password="a-long-passphrase", organisation=outline.college)
        valid = {
            "username": st.sampled_from(["sam", "SAM", "alice", "nobody"]),
            "password": st.sampled_from(["a-long-passphrase", "wrong", ""]),
            "next": st.sampled_from(["/plans/sip/", "//evil.example/", "https://evil.example/", "javascript:x", ""]),
        }
        payload = data.draw(posts(valid), label="payload")
        before = fingerprint()
        response = post(client, reverse("login"), payload)
        event(f"answered {response.status_code}")
        if response.status_code == 302:
            assert url_has_allowed_host_and_scheme(response["Location"], allowed_hosts={"testserver"})
        else:
            assert response.status_code == 200 or nul_refused(response, payload)
            assert_unchanged(before)
        client.logout()
        transaction.set_rollback(True)
