"""Consultation comments: who may comment and when, threads, the officer's response (with
its conflict page and the change made in reply), sanitised Markdown and the summary."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Notification, Organisation, User
from planning import lifecycle
from planning.models import Comment, PlanItem, PlanShare
from tests.factories import OrganisationFactory, UserFactory, add_item, vision_of

CLOSED = "The consultation on this plan is closed."


@pytest.fixture
def action(plan):
    priority = add_item(plan, vision_of(plan), "priority", title="Raise standards")
    return add_item(plan, priority, "action", title="Challenge programme")


def _consult(plan, alice, college, mel, *, opens: int, closes: int):
    today = timezone.localdate()
    return lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
        note="Tell us what you think.",
        organisations=[college],
        members=[mel],
    )


@pytest.fixture
def consultation(plan, alice, college, mel, action):
    return _consult(plan, alice, college, mel, opens=-1, closes=13)


@pytest.fixture
def closed(plan, alice, college, mel, action):
    return _consult(plan, alice, college, mel, opens=-20, closes=-1)


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)


@pytest.fixture
def constable(police):
    return UserFactory(username="pc", first_name="Priya", last_name="Constable", organisation=police, role="partner")


def _urls(plan, action):
    return (
        reverse("planning:plan-comments", args=[plan.slug]),
        reverse("planning:item-comment", args=[plan.slug, action.pk]),
    )


def _comment(plan, user, body="A comment", **where):
    return lifecycle.comment_add(plan=plan, user=user, body=body, **where)


# --- commenting while open ------------------------------------------------------------------


def test_an_invited_partner_comments_on_an_item_and_on_the_plan(client, pat, alice, plan, action, consultation):
    plan_url, item_url = _urls(plan, action)
    client.force_login(pat)
    assert "Add comment" in client.get(item_url).content.decode()
    response = client.post(item_url, {"body": "Include the sixth forms."})
    on_item = Comment.objects.get(item=action)
    assert response.status_code == 302 and response["Location"] == f"{plan_url}#comment-{on_item.pk}"
    assert (on_item.author, on_item.organisation.slug, on_item.consultation) == (pat, "college", consultation)
    assert client.post(plan_url, {"body": "The plan reads well."}).status_code == 302
    on_plan = Comment.objects.get(item__isnull=True)
    assert on_plan.plan == plan and on_plan.parent is None
    assert Notification.objects.filter(recipient=alice, subject=f"New comment on {plan.title}").count() == 2

    page = client.get(plan_url).content.decode()
    # the plan as a whole first, then the items in reading order
    assert page.index("The plan as a whole") < page.index("Include the sixth forms.")
    assert "Northmoor College" in page and "Pat Partner" in page
    assert "<dt>Unanswered</dt><dd>2</dd>" in page


def test_partners_see_their_organisations_earlier_comments(client, pat, college, plan, action, consultation):
    _comment(plan, pat, "Earlier comment from the college", item=action)
    colleague = UserFactory(username="sam", organisation=college, role=User.Role.PARTNER)
    client.force_login(colleague)
    assert "Earlier comment from the college" in client.get(_urls(plan, action)[0]).content.decode()


def test_a_partner_the_plan_is_not_shared_with_gets_404(client, constable, plan, action, consultation):
    plan_url, item_url = _urls(plan, action)
    client.force_login(constable)
    assert client.get(plan_url).status_code == 404
    assert client.post(plan_url, {"body": "Hello"}).status_code == 404
    assert client.post(item_url, {"body": "Hello"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_partner_shared_with_but_not_invited_reads_but_may_not_comment(
    client, constable, police, plan, action, consultation
):
    PlanShare.objects.create(plan=plan, organisation=police)
    plan_url, item_url = _urls(plan, action)
    client.force_login(constable)
    page = client.get(plan_url)
    assert page.status_code == 200 and "Add comment" not in page.content.decode()
    assert "Comment on this" not in client.get(action.get_absolute_url()).content.decode()
    assert client.post(plan_url, {"body": "Hello"}).status_code == 403
    assert client.get(item_url).status_code == 403
    assert client.post(item_url, {"body": "Hello"}).status_code == 403
    assert not Comment.objects.exists()


def test_an_invited_member_reads_the_draft_and_comments(client, mel, plan, action, consultation):
    client.force_login(mel)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert "Comment on this" in client.get(action.get_absolute_url()).content.decode()
    assert client.post(_urls(plan, action)[1], {"body": "Scrutiny asks about costs."}).status_code == 302
    assert Comment.objects.get().author == mel


def test_a_member_not_invited_gets_404(client, council, plan, action, consultation):
    other = UserFactory(username="max", organisation=council, role=User.Role.MEMBER)
    plan_url, item_url = _urls(plan, action)
    client.force_login(other)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(plan_url).status_code == 404
    assert client.post(item_url, {"body": "Hello"}).status_code == 404
    assert not Comment.objects.exists()


def test_after_the_closing_date_no_form_is_shown_and_a_post_saves_nothing(client, pat, plan, action, closed):
    plan_url, item_url = _urls(plan, action)
    client.force_login(pat)
    for url in (plan_url, item_url):
        page = client.get(url).content.decode()
        assert "Comments can no longer be added." in page and "Add comment" not in page
        response = client.post(url, {"body": "Too late"})
        assert response.status_code == 200 and CLOSED in response.content.decode()
    assert "Comment on this" not in client.get(action.get_absolute_url()).content.decode()
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_next_to_the_field(client, pat, plan, action, consultation):
    client.force_login(pat)
    response = client.post(_urls(plan, action)[1], {"body": ""})
    assert response.status_code == 200 and 'id="id_body-error"' in response.content.decode()
    assert not Comment.objects.exists()


# --- threads ----------------------------------------------------------------------------------


def test_replies_thread_under_the_comment_they_answer(client, pat, alice, plan, action, consultation):
    plan_url, item_url = _urls(plan, action)
    question = _comment(plan, pat, "Why only primary schools?", item=action)
    client.force_login(alice)
    assert "Why only primary schools?" in client.get(item_url, {"parent": question.pk}).content.decode()
    assert client.post(f"{item_url}?parent={question.pk}", {"body": "Secondaries are next year."}).status_code == 302
    answer = Comment.objects.get(parent=question)
    assert answer.item == action and answer.author == alice
    client.force_login(pat)
    assert client.post(item_url, {"body": "Thanks.", "parent": answer.pk}).status_code == 302
    thanks = Comment.objects.get(parent=answer)
    assert Notification.objects.filter(recipient=alice, body__contains="Thanks.").exists()

    page = client.get(plan_url).content.decode()
    root, reply, nested = (page.index(f'id="comment-{c.pk}"') for c in (question, answer, thanks))
    assert root < reply < nested
    assert page.count('aria-label="Replies to') == 2
    assert lifecycle.unanswered_count(plan) == 1  # replies are conversation, not new comments


def test_a_reply_to_a_comment_on_the_plan_as_a_whole(client, pat, alice, plan, action, consultation):
    plan_url, _ = _urls(plan, action)
    general = _comment(plan, pat, "General point")
    client.force_login(alice)
    assert "Reply to Pat Partner" in client.get(plan_url, {"parent": general.pk}).content.decode()
    assert client.post(plan_url, {"body": "Noted.", "parent": general.pk}).status_code == 302
    assert Comment.objects.get(parent=general).item is None


def test_a_reply_must_be_to_a_comment_on_the_same_item(client, pat, plan, action, consultation):
    other = add_item(plan, vision_of(plan), "priority", title="Another")
    elsewhere = _comment(plan, pat, "On another item", item=other)
    client.force_login(pat)
    response = client.post(_urls(plan, action)[1], {"body": "Reply", "parent": elsewhere.pk})
    assert response.status_code == 404
    assert Comment.objects.count() == 1


# --- the list's filters ----------------------------------------------------------------------


def test_filters_by_item_organisation_and_outcome(client, pat, mel, alice, plan, action, consultation):
    by_pat = _comment(plan, pat, "College view", item=action)
    _comment(plan, mel, "Member view")
    lifecycle.comment_respond(comment_id=by_pat.pk, user=alice, response="Agreed", state="accepted", expected_version=1)
    client.force_login(alice)
    url = _urls(plan, action)[0]
    page = client.get(url, {"item": action.pk}).content.decode()
    assert "College view" in page and "Member view" not in page
    page = client.get(url, {"organisation": pat.organisation_id}).content.decode()
    assert "College view" in page and "Member view" not in page
    page = client.get(url, {"state": "open"}).content.decode()
    assert "College view" not in page and "Member view" in page
    page = client.get(url, {"state": "declined"}).content.decode()
    assert "No comments match these filters." in page
    page = client.get(url, {"state": "nonsense"}).content.decode()
    assert "College view" in page and "Member view" in page  # an unknown value is ignored


@pytest.mark.parametrize("comments", [1, 10])
def test_the_comments_page_query_count_is_fixed(
    client, pat, alice, plan, action, consultation, comments, django_assert_num_queries
):
    change_id = PlanItem.history.filter(id=action.pk).latest("history_id").history_id
    for n in range(comments):
        comment = _comment(plan, pat, f"Comment {n}", item=action)
        _comment(plan, alice, f"Reply {n}", parent=comment)
        lifecycle.comment_respond(
            comment_id=comment.pk,
            user=alice,
            response="Done",
            state="accepted",
            expected_version=1,
            change_history_id=change_id,
        )
    client.force_login(alice)
    with django_assert_num_queries(COMMENTS_PAGE_QUERIES):
        assert client.get(_urls(plan, action)[0]).status_code == 200


COMMENTS_PAGE_QUERIES = 8  # session, user, plan, open consultation, latest, comments, history, items, unanswered


# --- responding ---------------------------------------------------------------------------------


def test_the_officer_responds_and_the_author_is_told(client, pat, alice, plan, action, consultation):
    comment = _comment(plan, pat, "Add a target for attendance.", item=action)
    url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    response = client.post(url, {"response": "Added as target 1.1.2.", "state": "accepted", "version": 1})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.state, comment.response, comment.responded_by, comment.version) == (
        "accepted",
        "Added as target 1.1.2.",
        alice,
        2,
    )
    row = Comment.history.filter(id=comment.pk).latest("history_date", "history_id")
    assert row.state == "accepted" and row.history_change_reason == "Comment answered"
    told = Notification.objects.filter(recipient=pat).exclude(subject__startswith="Consultation")
    assert [n.subject for n in told] == [f"Your comment on {plan.title} was accepted"]
    page = client.get(_urls(plan, action)[0]).content.decode()
    assert "Added as target 1.1.2." in page and "Response from Alice Owner" in page


def test_only_those_who_may_change_the_plan_respond(client, pat, bob, carol, plan, action, consultation):
    comment = _comment(plan, pat, "A comment", item=action)
    url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
    for user, status in ((pat, 403), (carol, 403), (bob, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(pat)
    assert client.post(url, {"response": "Mine", "state": "accepted", "version": 1}).status_code == 403
    comment.refresh_from_db()
    assert comment.state == "open" and comment.response == ""


def test_a_stale_response_gets_409_and_overwrites_nothing(client, pat, alice, bob, plan, action, consultation):
    comment = _comment(plan, pat, "A comment", item=action)
    url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
    client.force_login(alice)
    assert client.post(url, {"response": "Alice's answer", "state": "answered", "version": 1}).status_code == 302
    client.force_login(bob)
    response = client.post(url, {"response": "Bob's answer", "state": "declined", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Alice&#x27;s answer" in page and "Bob&#x27;s answer" in page and "Declined" in page
    comment.refresh_from_db()
    assert (comment.response, comment.state, comment.version) == ("Alice's answer", "answered", 2)


def test_a_response_needs_an_outcome(client, pat, alice, plan, action, consultation):
    comment = _comment(plan, pat, "A comment", item=action)
    client.force_login(alice)
    url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
    response = client.post(url, {"response": "Hmm", "state": "open", "version": 1})
    assert response.status_code == 200 and 'id="id_state-error"' in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).state == "open"


def test_changing_the_item_in_reply_accepts_the_comment_and_links_to_the_change(
    client, pat, alice, plan, action, consultation
):
    comment = _comment(plan, pat, "Call it the challenge and support programme.", item=action)
    client.force_login(alice)
    respond = client.get(reverse("planning:comment-respond", args=[plan.slug, comment.pk])).content.decode()
    edit_url = f"{reverse('planning:item-edit', args=[plan.slug, action.pk])}?comment={comment.pk}"
    assert f'href="{edit_url}"' in respond and "Change the item in reply" in respond
    form = client.get(edit_url).content.decode()
    assert f'<input type="hidden" name="comment" value="{comment.pk}">' in form
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, action.pk]),
        {"title": "Challenge and support programme", "status": "not_started", "version": 1, "comment": comment.pk},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"comments/#comment-{comment.pk}")
    change = PlanItem.history.filter(id=action.pk).latest("history_date", "history_id")
    assert change.title == "Challenge and support programme"
    comment.refresh_from_db()
    assert (comment.state, comment.response, comment.change_history_id) == (
        "accepted",
        "Changed in reply.",
        change.history_id,
    )
    page = client.get(_urls(plan, action)[0]).content.decode()
    assert f'href="{reverse("planning:item-history", args=[plan.slug, action.pk])}"' in page
    assert "See the change made in reply" in page


# --- what is shown ------------------------------------------------------------------------------


def test_markdown_in_comments_is_sanitised(client, pat, alice, plan, action, consultation):
    body = "**Bold** <script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)>"
    _comment(plan, pat, body, item=action)
    client.force_login(alice)
    for url in (_urls(plan, action)[0], reverse("planning:consultation-summary", args=[plan.slug])):
        page = client.get(url).content.decode()
        assert "<strong>Bold</strong>" in page
        assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


def test_the_plan_and_item_pages_link_to_the_comments(client, pat, plan, action, consultation):
    client.force_login(pat)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("planning:plan-comments", args=[plan.slug]) in page
    assert reverse("planning:consultation-summary", args=[plan.slug]) in page
    item_page = client.get(action.get_absolute_url()).content.decode()
    assert f'href="{reverse("planning:item-comment", args=[plan.slug, action.pk])}"' in item_page


def test_no_comment_link_on_an_item_of_a_draft(client, alice, plan, action):
    client.force_login(alice)
    assert "Comment on this" not in client.get(action.get_absolute_url()).content.decode()


# --- the summary ----------------------------------------------------------------------------------


def test_the_summary_lists_who_was_invited_and_who_responded(
    client, pat, mel, alice, carol, plan, action, consultation
):
    question = _comment(plan, pat, "From the college", item=action)
    _comment(plan, alice, "The owner's reply", parent=question)
    client.force_login(carol)  # anyone who may read the plan
    response = client.get(reverse("planning:consultation-summary", args=[plan.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    invited = page[page.index("Who was invited") : page.index("Who responded")]
    assert "Northmoor College" in invited and "Mel Member" in invited and "Elected member" in invited
    responded = page[page.index("Who responded") : page.index("Comments, responses and outcomes")]
    assert "Northmoor College" in responded and "Pat Partner" in responded
    assert "Mel Member" not in responded and "Alice Owner" not in responded  # officers answer, not respond
    assert "From the college" in page and "<form" not in page[page.index("<main") : page.index("</main>")]


def test_the_summary_csv_escapes_cells_that_look_like_formulas(client, pat, alice, plan, action, consultation):
    comment = _comment(plan, pat, "=cmd|' /C calc'!A0", item=action)
    lifecycle.comment_respond(
        comment_id=comment.pk, user=alice, response="@SUM(A1)", state="declined", expected_version=1
    )
    client.force_login(alice)
    response = client.get(reverse("planning:consultation-summary", args=[plan.slug]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "Reference"
    row = rows[2]
    assert row[8] == "'=cmd|' /C calc'!A0" and row[9] == "Declined" and row[10] == "'@SUM(A1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in rows for cell in line)


def test_the_summary_is_not_for_those_who_cannot_read_the_plan(client, constable, plan, consultation):
    client.force_login(constable)
    assert client.get(reverse("planning:consultation-summary", args=[plan.slug])).status_code == 404


def test_comments_and_responses_appear_on_the_plan_history(client, alice, pat, mel, college, plan):
    from datetime import timedelta

    from django.utils import timezone

    from planning import lifecycle

    today = timezone.localdate()
    lifecycle.plan_consultation_open(
        plan=plan, user=alice, opens_on=today, closes_on=today + timedelta(days=7), note="", organisations=[college],
        members=[mel],
    )  # fmt: skip
    plan.refresh_from_db()
    comment = lifecycle.comment_add(plan=plan, user=pat, body="Please add post-16 transport.")
    lifecycle.comment_respond(
        comment_id=comment.pk, user=alice, response="Added.", state="accepted", expected_version=comment.version
    )
    client.force_login(alice)
    page = client.get(reverse("planning:plan-history", args=[plan.slug])).content.decode()
    assert "Comment added on" in page and "Comment updated on" in page and "Accepted" in page
    assert str(pat) in page
