"""Property tests of the risk forms (``RiskForm``, ``RiskEditForm`` and the risk
``ReviewForm``) through their views, as alice who owns the monitored plan: hostile
input never gives a server error, a refusal changes nothing, and a saved risk keeps
its rules (scores 1–5, a target likelihood and impact together or not at all, an item
of the risk's own plan, an active owner who is not an elected member, reviews only in
unlocked quarters the plan runs through)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from monitoring import risks
from monitoring.models import ReportingPeriod, Risk, RiskReview
from tests.factories import add_item, make_plan, vision_of
from tests.properties.invariants import submit
from tests.properties.support import (
    bad_choices,
    choices,
    examples,
    ids,
    optional,
    posts,
    rolled_back,
    text,
)

SCORES = st.integers(1, 5).map(str)
BAD_SCORES = st.sampled_from(["0", "6", "-1", "3.0", "2.5", "٣", "99999999999999999999"])


@pytest.fixture
def register(monitored, periods, alice, bob, carol, pat, mel, gone, other_service):
    """Two risks on the monitored plan (one closed); a 2016 quarter it does not run
    through; Q4 locked; carol's plan with an item of its own."""
    elsewhere = make_plan(owner=carol, organisation=other_service, slug="fair")
    monitored.far_item = add_item(elsewhere, vision_of(elsewhere), "priority")
    fields = {"title": "Teachers leave", "likelihood": 3, "impact": 4, "owner": bob}
    monitored.open_risk = risks.risk_create(plan=monitored, user=alice, fields=fields)
    monitored.closed_risk = risks.risk_create(plan=monitored, user=alice, fields={**fields, "status": "closed"})
    ReportingPeriod.objects.filter(pk=periods[3].pk).update(locked_at=timezone.now())
    monitored.later = ReportingPeriod.objects.create(
        start_year=2016, quarter=1, starts_on="2016-04-01", ends_on="2016-06-30", due_on="2016-07-15"
    )
    monitored.people = {"bob": bob, "pat": pat, "mel": mel, "gone": gone}
    return monitored


def risk_fields(world) -> tuple[dict, dict]:
    people = world.people
    valid = {
        "title": text(300),
        "item": optional(st.sampled_from([str(i.pk) for i in (world.priority, world.action, world.target)])),
        "cause": optional(text(300)),
        "consequence": optional(text(300)),
        "owner": optional(st.sampled_from([str(people["bob"].pk), str(people["pat"].pk)])),
        "likelihood": SCORES,
        "impact": SCORES,
        "mitigations": optional(text(300)),
        "target_likelihood": optional(SCORES),
        "target_impact": optional(SCORES),
    }
    bad = {
        "item": ids(world.far_item.pk, vision_of(world).pk),
        "owner": ids(people["mel"].pk, people["gone"].pk),
        "likelihood": BAD_SCORES,
        "impact": BAD_SCORES,
        "target_likelihood": BAD_SCORES,
        "target_impact": BAD_SCORES,
        "title": st.sampled_from(["", " ", "x" * 301]),
    }
    return valid, bad


def _targets_together(data: dict) -> dict:
    return data | {"target_impact": data["target_impact"] or "2"} if data["target_likelihood"] else data


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_adding_a_risk_never_fails_and_saves_only_valid_risks(client, register, alice, data):
    with rolled_back(client, alice):
        valid, bad = risk_fields(register)
        payload = data.draw(posts(valid, bad=bad, agree=_targets_together), label="payload")
        response, saved = submit(client, reverse("monitoring:risk-create", args=[register.slug]), payload)
        if saved is not None:
            (risk,) = (obj for obj in saved if isinstance(obj, Risk))
            assert risk.plan_id == register.pk and risk.status == Risk.Status.OPEN


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_editing_a_risk_never_fails_and_saves_only_valid_risks(client, register, alice, data):
    with rolled_back(client, alice):
        risk = data.draw(st.sampled_from([register.open_risk, register.closed_risk]), label="risk")
        valid, bad = risk_fields(register)
        valid |= {"status": choices(Risk.Status.values), "reason": optional(text(500)), "version": st.just("1")}
        bad |= {"status": bad_choices(Risk.Status.values), "version": st.sampled_from(["0", "2", "-1"])}
        payload = data.draw(posts(valid, bad=bad, agree=_targets_together), label="payload")
        url = reverse("monitoring:risk-edit", args=[register.slug, risk.pk])
        response, saved = submit(client, url, payload, risk)
        if saved is not None:
            assert Risk.objects.get(pk=risk.pk).version == 2


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_reviewing_a_risk_never_fails_and_only_in_open_quarters(client, register, periods, alice, data):
    with rolled_back(client, alice):
        risk = data.draw(st.sampled_from([register.open_risk, register.closed_risk]), label="risk")
        valid = {
            "period": st.sampled_from([str(p.pk) for p in periods[:3]]),
            "likelihood": SCORES,
            "impact": SCORES,
            "note": optional(text(500)),
        }
        bad = {
            "period": ids(periods[3].pk, register.later.pk),
            "likelihood": BAD_SCORES,
            "impact": BAD_SCORES,
        }
        payload = data.draw(posts(valid, bad=bad), label="payload")
        url = reverse("monitoring:risk-review", args=[register.slug, risk.pk])
        response, saved = submit(client, url, payload, risk)
        if saved is not None:
            assert risk == register.open_risk
            (review,) = (obj for obj in saved if isinstance(obj, RiskReview))
            assert review.risk_id == risk.pk
