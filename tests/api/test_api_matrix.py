"""The API's permission matrix: every endpoint × every persona of the app's matrix (each
calling with their own API token, or with none) × the plan's state, allowed and refused;
and expired and revoked tokens refused everywhere.

A token's person sees what they read in the app (``OUTCOMES["read"]`` and
``OUTCOMES["monitor_read"]`` of tests/test_permission_matrix.py) plus what is public (the
matrix's plan is published once approved), never more.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api import services as api_services
from api.models import ApiToken
from monitoring import services as monitoring
from monitoring.models import ProgressReturn
from tests.api.conftest import bearer, token_for
from tests.test_permission_matrix import OUTCOMES, PERSONAS, STATES, World

# endpoint -> (args from the world, what decides the outcome)
ENDPOINTS = {
    "api:plan-list": (lambda w: [], "anyone"),
    "api:period-list": (lambda w: [], "anyone"),
    "api:return-list": (lambda w: [], "anyone"),
    "api:scorecard-list": (lambda w: [], "anyone"),
    "api:plan-detail": (lambda w: [w.plan.slug], "plan"),
    "api:item-list": (lambda w: [w.plan.slug], "plan"),
    "api:link-list": (lambda w: [w.plan.slug], "plan"),
    "api:edition-list": (lambda w: [w.plan.slug], "plan"),
    # Q1 is unlocked: the app's monitoring readers only; Q2 locked: the public too
    "api:scorecard-detail": (lambda w: [w.plan.slug, w.periods[0].slug], "scorecard"),
    "api:scorecard-detail (locked)": (lambda w: [w.plan.slug, w.periods[1].slug], "locked scorecard"),
}


def expected(persona: str, state: str, rule: str):
    column = STATES.index(state)
    approved = state == "approved"  # published: the public's
    reads = persona != "anonymous" and OUTCOMES["read"][persona][column] == "ok"
    monitors = persona != "anonymous" and OUTCOMES["monitor_read"][persona][column] == "ok"
    if rule == "anyone":
        return 200
    if rule == "plan":
        return 200 if reads or approved else 404
    if rule == "scorecard":
        return 200 if monitors else 404
    return 200 if approved or monitors else 404


def _world(state: str) -> World:
    world = World(state)
    # Q2 reported to members and locked (no returns: its scorecard says so); World locks it
    # itself once the plan is approved
    if not world.periods[1].is_locked:
        monitoring.period_lock(period_id=world.periods[1].pk, user=None)
    return world


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_for_every_persona_and_token(client, db, persona, state, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = _world(state)
    secret = None if persona == "anonymous" else token_for(world.people[persona])
    failures = []
    for name, (args, rule) in ENDPOINTS.items():
        url = reverse(name.split(" (")[0], args=args(world))
        got = client.get(url, headers=bearer(secret)).status_code
        if got != expected(persona, state, rule):
            failures.append(f"GET {name}: got {got}, expected {expected(persona, state, rule)}")
        posted = client.post(url, headers=bearer(secret)).status_code
        if posted != 405:
            failures.append(f"POST {name}: got {posted}, expected 405")
    plans = {plan["slug"] for plan in client.get(reverse("api:plan-list"), headers=bearer(secret)).json()["results"]}
    if (world.plan.slug in plans) != (expected(persona, state, "plan") == 200):
        failures.append(f"the plan list {'shows' if world.plan.slug in plans else 'hides'} the plan")
    assert failures == [], f"{persona} on a {state} plan:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_accepted_returns_by_persona(client, db, persona, settings, tmp_path):
    """The matrix's submitted return, accepted: the app's monitoring readers see it through
    the API; the public does not (its quarter is not locked), nor does anyone see the draft."""
    settings.MEDIA_ROOT = tmp_path
    world = _world("approved")
    submitted = ProgressReturn.objects.get(state=ProgressReturn.State.SUBMITTED)
    monitoring.return_accept(return_id=submitted.pk, user=world.people["owner"], expected_version=submitted.version)
    secret = None if persona == "anonymous" else token_for(world.people[persona])
    found = client.get(reverse("api:return-list"), headers=bearer(secret)).json()["results"]
    assert [ret["id"] for ret in found] == ([submitted.pk] if expected(persona, "approved", "scorecard") == 200 else [])


@pytest.mark.parametrize("state", STATES)
def test_expired_and_revoked_tokens_are_refused_on_every_endpoint(client, db, state, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = _world(state)
    owner = world.people["owner"]
    revoked = token_for(owner, name="Revoked")
    api_services.token_revoke(token=ApiToken.objects.get(person=owner, name="Revoked"), user=owner)
    expired = token_for(world.people["admin"], name="Expired")
    ApiToken.objects.filter(name="Expired").update(
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(seconds=1)
    )
    failures = []
    for name, (args, _rule) in ENDPOINTS.items():
        url = reverse(name.split(" (")[0], args=args(world))
        for which, secret in (("revoked", revoked), ("expired", expired)):
            got = client.get(url, headers=bearer(secret)).status_code
            if got != 401:
                failures.append(f"GET {name} with the {which} token: got {got}")
    assert failures == []
