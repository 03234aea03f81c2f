"""Suggested changes (issue 15): who may suggest new wording or a new item and when, who
accepts or declines, what accepting writes (one history row, linked from the suggestion),
what declining needs, who is told, stale suggestions, and the summary's counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partners.models import Notification, User
from planning import lifecycle, services, suggestions
from planning.models import Comment, Plan, PlanItem, PlanShare
from tests.factories import OrganisationFactory, UserFactory, add_item, vision_of

ACTION = "Challenge programme"


@pytest.fixture
def priority(plan):
    return add_item(plan, vision_of(plan), "priority", title="Raise standards")


@pytest.fixture
def action(plan, priority):
    return add_item(plan, priority, "action", title=ACTION, description="For primary schools.")


def _consult(plan, alice, organisations, members, *, opens=-1, closes=13):
    today = timezone.localdate()
    return lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
        note="",
        organisations=organisations,
        members=members,
    )


@pytest.fixture
def consultation(plan, alice, college, mel, other_service, action):
    """The college, councillor Mel and the Fair Access service (carol's) are invited."""
    return _consult(plan, alice, [college, other_service], [mel])


@pytest.fixture
def closed(plan, alice, college, mel, other_service, action):
    return _consult(plan, alice, [college, other_service], [mel], opens=-20, closes=-1)


def _wording_url(plan, item):
    return reverse("planning:item-suggest", args=[plan.slug, item.pk])


def _new_url(plan, item):
    return reverse("planning:item-suggest-new", args=[plan.slug, item.pk])


def _accept_url(plan, suggestion):
    return reverse("planning:suggestion-accept", args=[plan.slug, suggestion.pk])


def _decline_url(plan, suggestion):
    return reverse("planning:suggestion-decline", args=[plan.slug, suggestion.pk])


def _suggest(plan, user, item, title="Challenge and support programme", description="For every school.", **more):
    return suggestions.suggestion_add(
        plan=plan,
        user=user,
        item=item,
        body=more.pop("body", "Secondary schools need support too."),
        proposed_title=title,
        proposed_description=description,
        **more,
    )


def _wording(title="Challenge and support programme", description="For every school.", body="Why: all schools."):
    return {"proposed_title": title, "proposed_description": description, "body": body}


# --- suggesting -------------------------------------------------------------------------------


def test_an_invited_partner_suggests_new_wording_prefilled_with_the_current(
    client, pat, alice, plan, action, consultation
):
    client.force_login(pat)
    page = client.get(_wording_url(plan, action)).content.decode()
    assert f'value="{ACTION}"' in page and "For primary schools." in page and "Send suggestion" in page
    response = client.post(_wording_url(plan, action), _wording())
    suggestion = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"comments/#comment-{suggestion.pk}")
    assert (suggestion.kind, suggestion.item, suggestion.proposed_title, suggestion.proposed_kind) == (
        "suggestion",
        action,
        "Challenge and support programme",
        "",
    )
    assert (suggestion.item_version, suggestion.organisation.slug, suggestion.state) == (1, "college", "open")
    assert Notification.objects.filter(recipient=alice, subject=f"Suggested change to {plan.title}").count() == 1
    assert action.history.count() == 1  # suggesting changes nothing in the plan


def test_an_invited_partner_suggests_a_new_item_of_a_kind_allowed_there(client, pat, plan, priority, consultation):
    client.force_login(pat)
    page = client.get(_new_url(plan, priority)).content.decode()
    assert 'value="priority"' in page and 'value="action"' in page and 'value="target"' not in page
    refused = client.post(_new_url(plan, priority), {**_wording(), "proposed_kind": "milestone"})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert (
        client.post(_new_url(plan, priority), {**_wording("Attendance"), "proposed_kind": "action"}).status_code == 302
    )
    suggestion = Comment.objects.get()
    assert (suggestion.item, suggestion.proposed_kind, suggestion.item_version) == (priority, "action", None)


def test_nothing_can_be_suggested_under_a_milestone(client, pat, plan, action, consultation):
    milestone = add_item(plan, action, "milestone", title="Launch")
    client.force_login(pat)
    assert client.get(_new_url(plan, milestone)).status_code == 404


def test_an_invited_member_and_an_officer_of_an_invited_service_suggest(client, mel, carol, plan, action, consultation):
    for user in (mel, carol):
        client.force_login(user)
        assert client.post(_wording_url(plan, action), _wording(f"By {user.username}")).status_code == 302, user
    assert sorted(Comment.objects.values_list("author__username", flat=True)) == ["carol", "mel"]
    assert Notification.objects.filter(recipient=carol, subject=f"Consultation: {plan.title}").count() == 1
    assert not PlanShare.objects.filter(plan=plan, organisation=carol.organisation).exists()  # officers read anyway


def test_an_officer_of_a_unit_beneath_an_invited_directorate_is_invited(
    client, alice, plan, action, directorate, service
):
    """Inviting a directorate invites the officers of its services (decision 0015)."""
    _consult(plan, alice, [directorate], [])
    elsewhere = UserFactory(username="eve", organisation=service)  # would change the plan anyway
    client.force_login(elsewhere)
    assert client.post(_wording_url(plan, action), _wording()).status_code == 302


def test_an_officer_not_invited_is_refused(client, carol, alice, college, plan, action):
    _consult(plan, alice, [college], [])
    client.force_login(carol)
    assert client.get(_wording_url(plan, action)).status_code == 403
    assert client.post(_wording_url(plan, action), _wording()).status_code == 403
    assert not Comment.objects.exists()


def test_a_partner_not_shared_with_gets_404_and_one_shared_with_but_not_invited_403(client, plan, action, consultation):

    police = OrganisationFactory(name="Police", slug="police", kind="police")
    constable = UserFactory(username="pc", organisation=police, role=User.Role.PARTNER)
    client.force_login(constable)
    assert client.post(_wording_url(plan, action), _wording()).status_code == 404
    PlanShare.objects.create(plan=plan, organisation=police)
    assert client.post(_wording_url(plan, action), _wording()).status_code == 403
    assert client.get(_new_url(plan, action)).status_code == 403
    assert not Comment.objects.exists()


def test_after_the_consultation_closes_no_form_is_shown_and_nothing_is_saved(client, pat, carol, plan, action, closed):
    for user in (pat, carol):
        client.force_login(user)
        page = client.get(_wording_url(plan, action)).content.decode()
        assert "closed on" in page and "Send suggestion" not in page
        response = client.post(_wording_url(plan, action), _wording())
        assert response.status_code == 200 and suggestions.CLOSED in response.content.decode()
    assert not Comment.objects.exists()
    with pytest.raises(ValidationError):
        _suggest(plan, carol, action)


def test_a_suggestion_identical_to_the_current_wording_is_refused_beside_the_field(
    client, pat, plan, action, consultation
):
    client.force_login(pat)
    response = client.post(_wording_url(plan, action), _wording(ACTION, "For primary schools."))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_proposed_title-error"' in page
    assert "wording already" in page
    assert not Comment.objects.exists()


def test_line_endings_alone_are_not_new_wording(client, pat, plan, priority, consultation):
    item = add_item(plan, priority, "action", title="Two paragraphs", description="Line one.\n\nLine two.")
    client.force_login(pat)
    response = client.post(_wording_url(plan, item), _wording("Two paragraphs", "Line one.\r\n\r\nLine two."))
    assert response.status_code == 200 and "wording already" in response.content.decode()
    assert client.post(_wording_url(plan, item), _wording("Two paragraphs", "Line one.")).status_code == 302
    page = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    assert '<td class="govuk-table__cell">Two paragraphs</td>' in page  # the title: unchanged, not struck


def test_an_empty_suggestion_is_refused_beside_its_fields(client, pat, plan, action, consultation):
    client.force_login(pat)
    response = client.post(_wording_url(plan, action), {"proposed_title": "", "body": ""})
    page = response.content.decode()
    assert 'id="id_proposed_title-error"' in page and 'id="id_body-error"' in page
    assert not Comment.objects.exists()


def test_the_item_and_comments_pages_offer_suggesting_only_to_those_who_may_comment_now(
    client, pat, carol, plan, action, consultation
):

    client.force_login(pat)
    item_page = client.get(action.get_absolute_url()).content.decode()
    assert _wording_url(plan, action) in item_page and _new_url(plan, action) in item_page
    _suggest(plan, pat, action)
    comments = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    assert _wording_url(plan, action) in comments
    libraries = OrganisationFactory(name="Libraries", slug="libraries", parent=carol.organisation.parent)
    client.force_login(UserFactory(username="olga", organisation=libraries))  # an officer not invited
    assert "Suggest new wording" not in client.get(action.get_absolute_url()).content.decode()
    assert (
        _wording_url(plan, action)
        not in client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    )


def test_no_suggest_links_on_a_draft(client, alice, plan, action):
    client.force_login(alice)
    assert "Suggest new wording" not in client.get(action.get_absolute_url()).content.decode()


# --- accepting ----------------------------------------------------------------------------------


def test_the_owner_accepts_new_wording_writing_one_history_row_linked_from_the_suggestion(
    client, pat, alice, plan, action, consultation
):
    suggestion = _suggest(plan, pat, action)
    client.force_login(alice)
    page = client.get(_accept_url(plan, suggestion)).content.decode()
    assert 'value="Challenge and support programme"' in page and "Now" in page and "Suggested" in page
    before = PlanItem.history.filter(id=action.pk).count()
    response = client.post(
        _accept_url(plan, suggestion),
        {"title": "Challenge and support programme", "description": "For every school.", "version": 1},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{suggestion.pk}")
    action.refresh_from_db()
    assert (action.title, action.description, action.version) == (
        "Challenge and support programme",
        "For every school.",
        2,
    )
    rows = PlanItem.history.filter(id=action.pk)
    assert rows.count() == before + 1
    change = rows.latest("history_date", "history_id")
    assert change.history_change_reason == "Suggestion from Pat Partner (Northmoor College) accepted"
    assert change.history_user == alice
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.change_history_id, suggestion.accepted_with_changes) == (
        "accepted",
        change.history_id,
        False,
    )
    assert suggestion.response == "Accepted as suggested." and suggestion.responded_by == alice
    told = Notification.objects.get(recipient=pat, subject__startswith="Your suggestion")
    assert told.subject == f"Your suggestion on {plan.title} was accepted"
    thread = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    assert f'href="{reverse("planning:item-history", args=[plan.slug, action.pk])}"' in thread
    assert "See the change in the item’s history" in thread


def test_the_owner_accepts_with_changes_and_the_history_says_so(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    client.force_login(alice)
    client.post(
        _accept_url(plan, suggestion),
        {"title": "Challenge and support", "description": "", "version": 1, "response": "Shorter title."},
    )
    suggestion.refresh_from_db()
    action.refresh_from_db()
    assert action.title == "Challenge and support" and action.description == ""
    assert (suggestion.state, suggestion.accepted_with_changes, suggestion.response) == (
        "accepted",
        True,
        "Shorter title.",
    )
    assert Notification.objects.filter(
        recipient=pat, subject=f"Your suggestion on {plan.title} was accepted with changes"
    ).exists()
    assert "Accepted with changes" in client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()


def test_accepting_a_new_item_adds_it_under_the_parent(client, pat, alice, plan, priority, consultation):
    suggestion = _suggest(plan, pat, priority, "Attendance", "Every day counts.", proposed_kind="action")
    client.force_login(alice)
    response = client.post(_accept_url(plan, suggestion), {"title": "Attendance", "description": "Every day counts."})
    assert response.status_code == 302
    added = PlanItem.objects.get(title="Attendance")
    assert (added.parent, added.kind, added.description) == (priority, "action", "Every day counts.")
    change = PlanItem.history.get(id=added.pk)
    suggestion.refresh_from_db()
    assert suggestion.change_history_id == change.history_id and suggestion.state == "accepted"
    assert change.history_change_reason == "Suggestion from Pat Partner (Northmoor College) accepted"


def test_only_those_who_may_change_the_item_accept_or_decline(client, pat, carol, bob, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    for user, status in ((pat, 403), (carol, 403), (bob, 200)):
        client.force_login(user)
        assert client.get(_accept_url(plan, suggestion)).status_code == status, user
        assert client.get(_decline_url(plan, suggestion)).status_code == status, user
    client.force_login(pat)
    assert client.post(_accept_url(plan, suggestion), {"title": "Mine", "version": 1}).status_code == 403
    assert client.post(_decline_url(plan, suggestion), {"reason": "No"}).status_code == 403
    suggestion.refresh_from_db()
    action.refresh_from_db()
    assert suggestion.state == "open" and action.title == ACTION


def test_a_stranger_gets_404(client, plan, action, pat, consultation):
    suggestion = _suggest(plan, pat, action)

    police = OrganisationFactory(name="Police", slug="police", kind="police")
    client.force_login(UserFactory(username="pc", organisation=police, role=User.Role.PARTNER))
    assert client.get(_accept_url(plan, suggestion)).status_code == 404
    assert client.post(_decline_url(plan, suggestion), {"reason": "No"}).status_code == 404
    assert client.get(reverse("planning:suggestion-accept", args=[plan.slug, 999999])).status_code == 404


def test_a_stale_accept_shows_the_difference_and_the_conflict_and_overwrites_nothing(
    client, pat, alice, bob, plan, action, consultation
):
    suggestion = _suggest(plan, pat, action)
    services.item_update(  # someone else changes the item meanwhile
        item_id=action.pk,
        user=User.objects.get(pk=bob.pk),  # as a request loads him (the fixture's organisation is stale)
        change=services.ItemChange({"title": "Bob's programme", "description": "Bob's words."}),
        expected_version=1,
    )
    client.force_login(alice)
    page = client.get(_accept_url(plan, suggestion)).content.decode()
    assert "The item has changed since the suggestion was made" in page
    assert "Bob&#x27;s programme" in page and ACTION in page  # now, and when suggested
    response = client.post(_accept_url(plan, suggestion), {"title": "Challenge and support programme", "version": 1})
    assert response.status_code == 409
    conflict = response.content.decode()
    assert "Bob&#x27;s programme" in conflict and "Challenge and support programme" in conflict
    action.refresh_from_db()
    suggestion.refresh_from_db()
    assert action.title == "Bob's programme" and suggestion.state == "open"
    # having seen it, the owner accepts over the current wording
    assert (
        client.post(_accept_url(plan, suggestion), {"title": "Challenge and support", "version": 2}).status_code == 302
    )
    action.refresh_from_db()
    assert action.title == "Challenge and support"
    with pytest.raises(ValidationError):  # decided: not twice
        suggestions.suggestion_accept(suggestion_id=suggestion.pk, user=alice, expected_version=3)


def test_a_suggestion_on_an_item_deleted_since_cannot_be_accepted(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    services.item_delete(item_id=action.pk, user=alice, reason="Merged")
    client.force_login(alice)
    page = client.get(_accept_url(plan, suggestion)).content.decode()
    assert "has been deleted since the suggestion was made" in page and "Accept and" not in page
    response = client.post(_accept_url(plan, suggestion), {"title": "Anything", "version": 1})
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.state == "open"
    with pytest.raises(ValidationError, match="deleted since"):
        suggestions.suggestion_accept(suggestion_id=suggestion.pk, user=alice)
    # it can still be declined, by those who may change the plan
    assert client.post(_decline_url(plan, suggestion), {"reason": "The action was merged."}).status_code == 302


def test_a_suggestion_on_an_approved_plan_cannot_be_accepted(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    client.force_login(alice)
    page = client.get(_accept_url(plan, suggestion)).content.decode()
    assert "This plan is approved: suggestions can be accepted only while it is a draft or in consultation." in page
    client.post(_accept_url(plan, suggestion), {"title": "Anything", "version": 1})
    action.refresh_from_db()
    assert action.title == ACTION and Plan.objects.get(pk=plan.pk).status == "approved"


def test_the_generic_response_page_sends_a_suggestion_to_its_own_page(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    client.force_login(alice)
    response = client.get(reverse("planning:comment-respond", args=[plan.slug, suggestion.pk]))
    assert response.status_code == 302 and response["Location"] == _accept_url(plan, suggestion)
    with pytest.raises(ValidationError):
        lifecycle.comment_respond(
            comment_id=suggestion.pk, user=alice, response="x", state="accepted", expected_version=1
        )


# --- declining ----------------------------------------------------------------------------------


def test_declining_needs_a_reason_and_changes_nothing(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    client.force_login(alice)
    response = client.post(_decline_url(plan, suggestion), {"reason": ""})
    assert response.status_code == 200 and 'id="id_reason-error"' in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == "open"
    history = PlanItem.history.filter(plan_id=plan.pk).count()
    response = client.post(_decline_url(plan, suggestion), {"reason": "We keep the focus on primary schools."})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    action.refresh_from_db()
    assert (suggestion.state, suggestion.response, suggestion.change_history_id) == (
        "declined",
        "We keep the focus on primary schools.",
        None,
    )
    assert action.title == ACTION and PlanItem.history.filter(plan_id=plan.pk).count() == history
    told = Notification.objects.get(recipient=pat, subject__startswith="Your suggestion")
    assert told.subject == f"Your suggestion on {plan.title} was declined"
    assert "We keep the focus on primary schools." in told.body
    with pytest.raises(ValidationError):
        suggestions.suggestion_decline(suggestion_id=suggestion.pk, user=alice, reason="Again")
    with pytest.raises(ValidationError):
        suggestions.suggestion_decline(suggestion_id=_suggest(plan, pat, action, "X").pk, user=alice, reason=" ")


# --- what is shown ------------------------------------------------------------------------------


def test_the_thread_shows_the_suggestion_beside_the_current_wording(client, pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action, body="<script>alert(1)</script>Please")
    client.force_login(alice)
    page = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    thread = page[page.index(f'id="comment-{suggestion.pk}"') :]
    assert "Suggestion from Pat Partner" in thread
    assert f'<del class="app-diff-old">{ACTION}</del>' in thread
    assert '<ins class="app-diff-new">Challenge and support programme</ins>' in thread
    assert _accept_url(plan, suggestion) in thread and _decline_url(plan, suggestion) in thread
    assert "<script>alert(1)" not in page
    client.force_login(pat)
    page = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    assert _accept_url(plan, suggestion) not in page


def test_the_summary_counts_suggestions_and_outcomes_per_organisation(
    client, pat, carol, mel, alice, plan, priority, action, consultation
):
    accepted = _suggest(plan, pat, action)
    declined = _suggest(plan, pat, priority, "New action", proposed_kind="action")
    _suggest(plan, carol, action, "From Fair Access")
    lifecycle.comment_add(plan=plan, user=pat, body="A plain comment", item=action)
    suggestions.suggestion_accept(suggestion_id=accepted.pk, user=alice)
    suggestions.suggestion_decline(suggestion_id=declined.pk, user=alice, reason="Not now")
    client.force_login(alice)
    url = reverse("planning:consultation-summary", args=[plan.slug])
    page = client.get(url).content.decode()
    invited = page[page.index("Who was invited") : page.index("Who responded")]
    college_row = invited[invited.index("Northmoor College") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in college_row.split("</td>")[:-1]] == ["Organisation", "1", "2", "1", "1"]
    fair_row = invited[invited.index("Fair Access") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in fair_row.split("</td>")[:-1]] == ["Council service", "None", "1", "0", "0"]
    responded = page[page.index("Who responded") : page.index("Comments, responses and outcomes")]
    assert "2 (0, 1, 1)" in responded and "1 (1, 0, 0)" in responded and "Carol Elsewhere" in responded
    assert "<dt>Suggested changes</dt><dd>3</dd>" in page and "<dt>Comments</dt><dd>1</dd>" in page

    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    kinds = [row[13] for row in rows[2:6]]
    assert sorted(kinds) == ["Comment", "Suggested change", "Suggested change", "Suggested change"]
    start = rows.index(["Suggested changes by organisation"])
    assert rows[start + 1] == ["Organisation", "Suggestions", "Open", "Accepted", "Declined"]
    assert rows[start + 2 :] == [
        ["Fair Access", "1", "1", "0", "0"],
        ["Northmoor College", "2", "0", "1", "1"],
        ["All organisations", "3", "1", "1", "1"],
    ]


def test_an_invited_directorate_answers_for_its_services_in_the_summary(
    client, alice, carol, plan, action, directorate
):
    """Carol's Fair Access is beneath the invited directorate: her suggestion counts for it.
    Alice's reply does not: the plan's own officers answer the consultation."""
    _consult(plan, alice, [directorate], [])
    suggestion = _suggest(plan, carol, action)
    lifecycle.comment_add(plan=plan, user=alice, body="Thank you", parent=suggestion)
    client.force_login(alice)
    page = client.get(reverse("planning:consultation-summary", args=[plan.slug])).content.decode()
    invited = page[page.index("Who was invited") : page.index("Who responded")]
    row = invited[invited.index("Education") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:-1]] == [
        "Council directorate",
        "None",
        "1",
        "0",
        "0",
    ]
    responded = page[page.index("Who responded") : page.index("Comments, responses and outcomes")]
    assert "Carol Elsewhere" in responded and "Alice Owner" not in responded


def test_the_suggestion_and_its_outcome_are_in_the_history(pat, alice, plan, action, consultation):
    suggestion = _suggest(plan, pat, action)
    suggestions.suggestion_decline(suggestion_id=suggestion.pk, user=alice, reason="No")
    rows = list(Comment.history.filter(id=suggestion.pk).order_by("history_id"))
    assert [(r.history_change_reason, r.state, r.proposed_title) for r in rows] == [
        ("Change suggested", "open", "Challenge and support programme"),
        ("Suggestion declined", "declined", "Challenge and support programme"),
    ]


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 8])
def test_the_suggestion_pages_read_in_a_fixed_number_of_queries(
    client, pat, alice, plan, action, consultation, count, django_assert_num_queries
):
    for n in range(count):
        add_item(plan, action, "milestone", title=f"Milestone {n}")
        last = _suggest(plan, pat, action, f"Wording {n}")
    pages = [
        (pat, _wording_url(plan, action), SUGGEST_PAGE_QUERIES),
        (pat, _new_url(plan, action), SUGGEST_PAGE_QUERIES),
        (alice, _accept_url(plan, last), DECIDE_PAGE_QUERIES),
        (alice, _decline_url(plan, last), DECIDE_PAGE_QUERIES),
        (alice, reverse("planning:plan-comments", args=[plan.slug]), COMMENTS_PAGE_QUERIES),
        (alice, reverse("planning:consultation-summary", args=[plan.slug]), SUMMARY_QUERIES),
    ]
    for user, url, queries in pages:
        client.force_login(user)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# session, user, plan (with the reader's facts), item, comment rule, open consultation, references
SUGGEST_PAGE_QUERIES = 8
DECIDE_PAGE_QUERIES = 5  # session, user, suggestion, plan, item
COMMENTS_PAGE_QUERIES = 7  # as for comments alone (tests/planning/test_comments.py, less the history link)
SUMMARY_QUERIES = 9
