"""Property tests of the consultation comment forms (``CommentForm``, ``RespondForm``)
through their views, as the people invited (pat, mel) and the plan's officers (alice,
bob): hostile input never gives a server error, a refusal changes nothing, and a saved
comment has a body, sits in the plan (a reply on the same item as what it answers),
and a response names its outcome and who gave it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from planning import lifecycle
from planning.models import Comment
from tests.properties.invariants import submit
from tests.properties.support import bad_choices, choices, examples, ids, nasty, nul_refused, posts, rolled_back, text


@pytest.fixture
def consulting(outline):
    """``sip`` out to consultation with the college and mel, with a thread on the plan,
    a comment on the action, and a note on carol's plan."""
    people, plan = outline.people, outline.plan
    today = timezone.localdate()
    lifecycle.plan_consultation_open(
        plan=plan,
        user=people.alice,
        opens_on=today,
        closes_on=today + timedelta(days=30),
        note="",
        organisations=[outline.college],
        members=[people.mel],
    )
    outline.on_plan = lifecycle.comment_add(plan=plan, user=people.pat, body="Too vague")
    outline.reply = lifecycle.comment_add(plan=plan, user=people.alice, body="Why?", parent=outline.on_plan)
    outline.on_action = lifecycle.comment_add(plan=plan, user=people.mel, body="Costly", item=outline.action)
    outline.elsewhere_note = lifecycle.comment_add(plan=outline.elsewhere, user=people.carol, body="Note")
    return outline


def _parents(world) -> st.SearchStrategy[str]:
    known = [world.on_plan, world.reply, world.on_action, world.elsewhere_note]
    return st.one_of(st.sampled_from([str(c.pk) for c in known]), ids(), nasty())


def _commenters(world):
    return st.sampled_from([world.people.pat, world.people.mel, world.people.alice, world.people.bob])


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_commenting_on_the_plan_never_fails_and_saves_only_valid_comments(client, consulting, data):
    plan = consulting.plan
    with rolled_back(client, data.draw(_commenters(consulting), label="who")):
        payload = data.draw(posts({"body": text(2000)}, bad={"body": st.just("x" * 10_001)}), label="payload")
        if data.draw(st.booleans(), label="a reply"):
            payload["parent"] = data.draw(_parents(consulting), label="parent")
        response, saved = submit(client, reverse("planning:plan-comments", args=[plan.slug]), payload)
        if saved is not None:
            (comment,) = (obj for obj in saved if isinstance(obj, Comment))
            assert comment.item_id is None and comment.plan_id == plan.pk


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_commenting_on_an_item_never_fails_and_saves_only_valid_comments(client, consulting, data):
    plan = consulting.plan
    with rolled_back(client, data.draw(_commenters(consulting), label="who")):
        item = data.draw(st.sampled_from([*consulting.items, consulting.far_action]), label="item")
        payload = data.draw(posts({"body": text(2000)}), label="payload")
        if data.draw(st.booleans(), label="a reply"):
            payload["parent"] = data.draw(_parents(consulting), label="parent")
        response, saved = submit(client, reverse("planning:item-comment", args=[plan.slug, item.pk]), payload)
        if saved is not None:
            (comment,) = (obj for obj in saved if isinstance(obj, Comment))
            assert comment.item_id == item.pk


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_responding_never_fails_and_saves_only_valid_responses(client, consulting, data):
    plan = consulting.plan
    with rolled_back(client, consulting.people.alice):
        comment = data.draw(
            st.sampled_from([consulting.on_plan, consulting.reply, consulting.on_action, consulting.elsewhere_note]),
            label="comment",
        )
        states = [s for s in Comment.State.values if s != Comment.State.OPEN]
        valid = {"response": text(2000), "state": choices(states), "version": st.just("1")}
        bad = {
            "state": st.one_of(st.just(Comment.State.OPEN), bad_choices(states)),
            "version": st.sampled_from(["0", "2", "99999999999999999999"]),
        }
        payload = data.draw(posts(valid, bad=bad), label="payload")
        url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
        response, saved = submit(client, url, payload, comment)
        if comment in (consulting.reply, consulting.elsewhere_note):
            assert response.status_code == 404 or nul_refused(response, payload)
        if saved is not None:
            answered = Comment.objects.get(pk=comment.pk)
            assert answered.state in states and answered.version == 2
