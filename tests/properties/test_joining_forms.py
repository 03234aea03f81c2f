"""Property tests of the joining forms (``DomainForm``, the invitation's password form,
the password reset request and the password change) through their views: hostile input
never gives a server error, a refusal changes nothing, and what is saved keeps the rules
(a domain is a lower-case domain and never makes administrators; an accepted invitation
makes one person with the invited role and organisation; a password is changed only with
the current one)."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from partners.models import Invitation, OrganisationDomain, User, token_hash
from tests.factories import PASSWORD
from tests.properties.invariants import submit
from tests.properties.support import bad_choices, choices, examples, posts, rolled_back, sent, text

TOKEN = "a-token-for-the-property-tests"
PASSWORDS = ["correct-horse-battery-staple", "Tr0ub4dor&3-zebra", "password", "12345678", "nia", ""]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing is not under test here; PBKDF2's million rounds would be most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def invitation(college, ada):
    now = timezone.now()
    return Invitation.objects.create(
        email="nia@college.example",
        first_name="Nia",
        last_name="Newcomer",  # as the invite form asks (invariants: everyone has both names)
        role="partner",
        organisation=college,
        invited_by=ada,
        token_hash=token_hash(TOKEN),
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=1),
    )


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_mapping_a_domain_never_fails_and_never_makes_administrators(client, outline, data):
    college = outline.college
    with rolled_back(client, outline.people.ada):
        valid = {
            "domain": st.one_of(st.from_regex(r"\A[a-z0-9]{1,10}\.(example|ac\.uk)\Z"), text(40)),
            "role": choices(["officer", "partner", "member"]),
        }
        payload = data.draw(posts(valid, bad={"role": bad_choices(["partner"])}), label="payload")
        response, saved = submit(client, reverse("partners:organisation-domains", args=[college.pk]), payload)
        if saved is not None:
            (mapping,) = (obj for obj in saved if isinstance(obj, OrganisationDomain))
            assert mapping.domain == mapping.domain.lower() and mapping.organisation == college
            assert mapping.role == "partner"  # the only role a partner body's people have


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_accepting_an_invitation_never_fails_and_makes_the_invited_person(client, outline, invitation, data):
    with rolled_back(client, outline.people.ada):
        password = st.sampled_from(PASSWORDS)
        payload = data.draw(
            posts(
                {"new_password1": password, "new_password2": password},
                agree=lambda d: d | {"new_password2": d["new_password1"]},
            ),
            label="payload",
        )
        response, saved = submit(client, reverse("invitation-accept", args=[TOKEN]), payload)
        if saved is not None:
            (person,) = (obj for obj in saved if isinstance(obj, User))
            assert (person.email, person.role, person.organisation) == (
                "nia@college.example",
                "partner",
                outline.college,
            )
            assert person.check_password(sent(payload, "new_password1"))
            assert Invitation.objects.get(pk=invitation.pk).user == person


@pytest.mark.django_db
@examples(0.4)
@given(data=st.data())
def test_asking_for_a_reset_never_fails_and_writes_nothing(client, outline, data):
    with rolled_back(client, outline.people.ada):
        client.logout()
        valid = {"email": st.one_of(st.sampled_from(["bob@example.org", "BOB@example.org"]), st.emails())}
        payload = data.draw(posts(valid), label="payload")
        response, saved = submit(client, reverse("password_reset"), payload)
        if saved is not None:
            assert saved == []  # the same page whatever the address; nothing stored


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_changing_a_password_never_fails_and_needs_the_current_one(client, outline, data):
    bob = outline.people.bob
    # hashed with the test's fast hasher (the factories' hash is PBKDF2, not listed here);
    # the password is not a tracked field, so update() skips no history
    User.objects.filter(pk=bob.pk).update(password=make_password(PASSWORD))
    bob.refresh_from_db()  # signed in with the hash as stored, or the session would not hold
    with rolled_back(client, bob):
        new = st.sampled_from(PASSWORDS[:3])
        valid = {
            "old_password": st.sampled_from([PASSWORD, PASSWORD, PASSWORD, PASSWORD.upper(), ""]),
            "new_password1": new,
            "new_password2": new,
        }
        payload = data.draw(posts(valid, agree=lambda d: d | {"new_password2": d["new_password1"]}), label="payload")
        response, saved = submit(client, reverse("password_change"), payload)
        if saved is not None:
            assert sent(payload, "old_password") == PASSWORD
            assert User.objects.get(pk=bob.pk).check_password(sent(payload, "new_password1"))
