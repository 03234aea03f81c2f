"""The risk register: adding, changing and reviewing risks (services and pages), the
score history by quarter, the heat map and its table, and who may do what."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring import risks as register
from monitoring.forms import owner_choices
from monitoring.models import Risk, RiskReview
from planning.conflicts import EditConflict
from planning.models import Plan, PlanShare
from tests.factories import UserFactory, add_item, make_plan, vision_of


def _risk(plan, user, **fields):
    values = {"title": "Maths teachers leave", "likelihood": 3, "impact": 4} | fields
    return register.risk_create(plan=plan, user=user, fields=values)


def _url(name, plan, risk=None):
    return reverse(f"monitoring:{name}", args=[plan.slug] + ([risk.pk] if risk else []))


def _lock(period, user):
    period.locked_at, period.locked_by = timezone.now(), user
    period.save()


# --- services --------------------------------------------------------------------------------


def test_a_new_risk_is_open_scored_and_its_history_says_who_and_why(monitored, alice):
    risk = _risk(monitored, alice, item=monitored.action, cause="Pay", consequence="Fewer lessons")
    assert (risk.status, risk.score, risk.version, risk.item) == ("open", 12, 1, monitored.action)
    row = risk.history.get()
    assert (row.history_user, row.history_change_reason) == (alice, "Risk added")


def test_a_risk_cannot_sit_on_an_item_of_another_plan(monitored, alice):
    other = make_plan(owner=alice, title="Another plan", slug="another")
    stranger = add_item(other, vision_of(other), "priority", title="Elsewhere")
    with pytest.raises(ValidationError) as error:
        _risk(monitored, alice, item=stranger)
    assert "not part of this plan" in error.value.message_dict["item"][0]
    assert not Risk.objects.exists()


@pytest.mark.parametrize("field", ["likelihood", "impact", "target_likelihood", "target_impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_scores_outside_1_to_5_are_refused_by_the_service(monitored, alice, field, value):
    fields = {"target_likelihood": 2, "target_impact": 2, field: value}
    with pytest.raises(ValidationError) as error:
        _risk(monitored, alice, **fields)
    assert error.value.message_dict[field] == [
        f"{field.replace('_', ' ').capitalize()} must be a whole number from 1 to 5."
    ]


def test_a_target_needs_both_scores(monitored, alice):
    with pytest.raises(ValidationError) as error:
        _risk(monitored, alice, target_likelihood=2)
    assert "target_impact" in error.value.message_dict


def test_an_elected_member_cannot_own_a_risk(monitored, alice, mel):
    with pytest.raises(ValidationError) as error:
        _risk(monitored, alice, owner=mel)
    assert "owner" in error.value.message_dict


def test_a_change_bumps_the_version_and_a_stale_version_is_a_conflict(monitored, alice, bob):
    risk = _risk(monitored, alice)
    changed = register.risk_update(
        risk_id=risk.pk, user=bob, fields={"mitigations": "Bursaries"}, expected_version=1, reason="New scheme"
    )
    assert (changed.version, changed.mitigations) == (2, "Bursaries")
    latest = changed.history.first()
    assert (latest.history_user, latest.history_change_reason) == (bob, "New scheme")
    with pytest.raises(EditConflict) as conflict:
        register.risk_update(risk_id=risk.pk, user=alice, fields={"title": "Lost"}, expected_version=1)
    assert conflict.value.stored.version == 2
    assert Risk.objects.get().title == "Maths teachers leave"


def test_reviews_give_the_scores_a_history_by_quarter(monitored, alice, bob, periods):
    q1, q2 = periods[0], periods[1]
    risk = _risk(monitored, alice)
    register.risk_review(risk_id=risk.pk, period=q1, user=bob, likelihood=4, impact=4, note="Two resigned")
    register.risk_review(risk_id=risk.pk, period=q2, user=bob, likelihood=2, impact=4, note="Recruited")
    # reviewing Q2 again corrects that review rather than adding another
    review = register.risk_review(risk_id=risk.pk, period=q2, user=alice, likelihood=2, impact=3, note="Settled")
    assert [(r.period, r.score, r.note) for r in risk.reviews.all()] == [(q1, 16, "Two resigned"), (q2, 6, "Settled")]
    assert (review.reviewed_by, RiskReview.objects.count()) == (alice, 2)
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.version) == (2, 3, 4)
    latest = risk.history.first()
    assert (latest.history_user, latest.history_change_reason) == (alice, f"Reviewed for {q2.label}")
    assert review.history.first().history_change_reason == f"Reviewed for {q2.label}"


def test_a_late_review_of_an_earlier_quarter_leaves_the_current_scores(monitored, alice, periods):
    risk = _risk(monitored, alice)
    register.risk_review(risk_id=risk.pk, period=periods[1], user=alice, likelihood=2, impact=2)
    register.risk_review(risk_id=risk.pk, period=periods[0], user=alice, likelihood=5, impact=5)
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact) == (2, 2)


def test_a_locked_quarter_takes_no_reviews(monitored, alice, ada, q1):
    risk = _risk(monitored, alice)
    _lock(q1, ada)
    with pytest.raises(ValidationError) as error:
        register.risk_review(risk_id=risk.pk, period=q1, user=alice, likelihood=1, impact=1)
    assert error.value.message_dict["period"] == [
        f"{q1.label} is locked: it has been reported to members, so its reviews cannot change."
    ]
    risk.refresh_from_db()
    assert (risk.score, risk.reviews.count()) == (12, 0)


def test_a_review_score_outside_1_to_5_is_refused(monitored, alice, q1):
    risk = _risk(monitored, alice)
    with pytest.raises(ValidationError) as error:
        register.risk_review(risk_id=risk.pk, period=q1, user=alice, likelihood=6, impact=0)
    assert set(error.value.message_dict) == {"likelihood", "impact"}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (20, "very_high"),
        (25, "very_high"),
    ],
)
def test_scores_fall_in_the_public_sector_bands(score, band):
    assert register.band_for(score).key == band


def _contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(one), luminance(two)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("band", register.BANDS, ids=lambda band: band.key)
def test_the_count_in_each_heat_map_square_is_legible(band):
    assert _contrast(band.fill, band.text) >= 4.5


def test_the_heat_map_counts_risks_by_likelihood_and_impact(monitored, alice):
    risks = [_risk(monitored, alice, likelihood=5, impact=1), _risk(monitored, alice), _risk(monitored, alice)]
    grid = register.heat_map(risks)
    assert grid.counts() == [
        [1, 0, 0, 0, 0],  # likelihood 5, impact 1 to 5
        [0, 0, 0, 0, 0],
        [0, 0, 0, 2, 0],  # likelihood 3, impact 4
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]
    assert grid.cell(3, 4).risks == risks[1:]
    assert [(band.key, n) for band, n in grid.band_counts()] == [
        ("low", 0),
        ("medium", 1),
        ("high", 2),
        ("very_high", 0),
    ]
    assert grid.total == 3


# --- pages -----------------------------------------------------------------------------------

SVG_CELL = re.compile(r'aria-label="Likelihood (\d), impact (\d): (\d+) risks?')
TABLE_CELL = re.compile(r'data-likelihood="(\d)" data-impact="(\d)">(?:<a [^>]*>)?(\d+)')


def _numbers(pattern, html: str) -> dict[tuple[int, int], int]:
    return {(int(row), int(col)): int(n) for row, col, n in pattern.findall(html)}


def test_the_register_shows_the_heat_map_and_a_table_that_agrees(client, monitored, alice, carol):
    _risk(monitored, alice, title="Budget cut", likelihood=5, impact=5)
    _risk(monitored, alice, title="Staff leave")
    _risk(monitored, alice, title="Also staff", item=monitored.action)
    _risk(monitored, alice, title="Old worry", likelihood=1, impact=1, status="closed")
    client.force_login(carol)
    html = client.get(_url("risk-register", monitored)).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="group"' in svg and '<title id="heat-map-title">Heat map of open risks: 3 risks</title>' in svg
    assert _numbers(SVG_CELL, svg) == {(5, 5): 1, (3, 4): 2}
    table = _numbers(TABLE_CELL, html)
    assert len(table) == 25
    assert {cell: n for cell, n in table.items() if n} == {(5, 5): 1, (3, 4): 2}
    # highest score first (then by title), closed risks left out
    assert re.findall(r'risks/\d+/">([^<]+)</a>', html) == ["Budget cut", "Also staff", "Staff leave"]
    assert "Action 1.1" in html


def test_a_square_of_the_heat_map_narrows_the_list(client, monitored, alice):
    _risk(monitored, alice, title="Budget cut", likelihood=5, impact=5)
    _risk(monitored, alice, title="Staff leave")
    client.force_login(alice)
    html = client.get(_url("risk-register", monitored), {"likelihood": 3, "impact": 4}).content.decode()
    assert re.findall(r'risks/\d+/">([^<]+)</a>', html) == ["Staff leave"]
    # the heat map still shows every square
    assert _numbers(SVG_CELL, html) == {(5, 5): 1, (3, 4): 1}


def test_the_register_can_show_closed_risks(client, monitored, alice):
    _risk(monitored, alice, title="Open one")
    _risk(monitored, alice, title="Old worry", likelihood=1, impact=2, status="closed")
    client.force_login(alice)
    html = client.get(_url("risk-register", monitored), {"status": "closed"}).content.decode()
    assert re.findall(r'risks/\d+/">([^<]+)</a>', html) == ["Old worry"]
    assert _numbers(SVG_CELL, html) == {(1, 2): 1}


def test_the_register_of_a_draft_plan_works_and_has_no_user_markup(client, plan, alice):
    _risk(plan, alice, title="<script>alert(1)</script>")
    client.force_login(alice)
    response = client.get(_url("risk-register", plan))
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_an_officer_adds_a_risk_through_the_form(client, monitored, bob):
    client.force_login(bob)
    assert client.get(_url("risk-create", monitored)).status_code == 200
    response = client.post(
        _url("risk-create", monitored),
        {
            "title": "Funding ends",
            "item": monitored.action.pk,
            "owner": bob.pk,
            "likelihood": "2",
            "impact": "5",
            "target_likelihood": "1",
            "target_impact": "5",
        },
    )
    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("risk-detail", monitored, risk)
    assert (risk.item, risk.owner, risk.score, risk.target_score) == (monitored.action, bob, 10, 5)
    assert risk.history.get().history_user == bob


@pytest.mark.parametrize("value", ["0", "6"])
def test_a_score_out_of_range_is_shown_next_to_its_field(client, monitored, alice, value):
    client.force_login(alice)
    response = client.post(_url("risk-create", monitored), {"title": "Bad", "likelihood": value, "impact": "3"})
    html = response.content.decode()
    assert response.status_code == 200 and not Risk.objects.exists()
    assert '<p id="id_likelihood-error" class="govuk-error-message">' in html
    assert "Likelihood must be a whole number from 1 to 5." in html
    assert 'href="#id_likelihood"' in html  # the error summary links to the field


def test_an_item_from_another_plan_is_not_on_offer(client, monitored, alice):
    other = make_plan(owner=alice, title="Another plan", slug="another")
    stranger = add_item(other, vision_of(other), "priority", title="Elsewhere")
    client.force_login(alice)
    response = client.post(
        _url("risk-create", monitored), {"title": "Sneaky", "item": stranger.pk, "likelihood": "1", "impact": "1"}
    )
    assert response.status_code == 200 and not Risk.objects.exists()
    assert 'id="id_item-error"' in response.content.decode()


def test_a_change_saved_meanwhile_shows_the_conflict_page(client, monitored, alice, bob):
    risk = _risk(monitored, alice)
    register.risk_update(risk_id=risk.pk, user=bob, fields={"title": "Bob's title"}, expected_version=1)
    client.force_login(alice)
    response = client.post(
        _url("risk-edit", monitored, risk),
        {"title": "Alice's title", "likelihood": "3", "impact": "4", "status": "open", "version": "1"},
    )
    assert response.status_code == 409
    rows = {row["label"]: (row["stored"], row["mine"]) for row in response.context["rows"]}
    assert rows["Risk"] == ("Bob's title", "Alice's title")
    assert Risk.objects.get().title == "Bob's title"


def test_an_edit_saves_with_its_reason(client, monitored, alice, bob):
    risk = _risk(monitored, alice)
    client.force_login(bob)
    form = client.get(_url("risk-edit", monitored, risk)).content.decode()
    assert 'name="version" value="1"' in form
    response = client.post(
        _url("risk-edit", monitored, risk),
        {
            "title": "Teachers leave",
            "likelihood": "3",
            "impact": "4",
            "status": "closed",
            "version": "1",
            "reason": "Passed",
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.title, risk.status, risk.version) == ("Teachers leave", "closed", 2)
    assert (risk.history.first().history_user, risk.history.first().history_change_reason) == (bob, "Passed")


def test_a_review_through_the_form_and_the_score_history(client, monitored, alice, bob, ada, periods):
    q1, q2 = periods[0], periods[1]
    _lock(q1, ada)
    risk = _risk(monitored, alice)
    client.force_login(bob)
    form = client.get(_url("risk-review", monitored, risk))
    offered = list(form.context["form"].fields["period"].queryset)
    assert q1 not in offered and q2 in offered
    response = client.post(
        _url("risk-review", monitored, risk), {"period": q2.pk, "likelihood": "5", "impact": "4", "note": "Worse"}
    )
    assert response.status_code == 302
    html = client.get(_url("risk-detail", monitored, risk)).content.decode()
    history = html[html.index('id="score-history"') :]
    assert q2.label in history and "20 very high" in history and "Worse" in history
    assert f"Reason: Reviewed for {q2.label}" in html  # the change history beneath
    assert "Reason: Risk added" in html


def test_a_locked_quarter_posted_anyway_is_refused_next_to_the_field(client, monitored, alice, ada, q1):
    risk = _risk(monitored, alice)
    _lock(q1, ada)
    client.force_login(alice)
    response = client.post(_url("risk-review", monitored, risk), {"period": q1.pk, "likelihood": "1", "impact": "1"})
    assert response.status_code == 200 and not RiskReview.objects.exists()
    assert 'id="id_period-error"' in response.content.decode()


def test_a_risk_of_another_plan_is_not_found_through_this_one(client, monitored, alice):
    other = make_plan(owner=alice, title="Another plan", slug="another")
    risk = _risk(other, alice)
    client.force_login(alice)
    for name in ("risk-detail", "risk-edit", "risk-review"):
        assert client.get(_url(name, monitored, risk)).status_code == 404


# --- who may do what -------------------------------------------------------------------------

READ = ["risk-register", "risk-detail"]
WRITE = ["risk-create", "risk-edit", "risk-review"]


def _statuses(client, plan, risk, names, method="get"):
    return {
        name: getattr(client, method)(
            _url(name, plan, risk if name not in {"risk-register", "risk-create"} else None)
        ).status_code
        for name in names
    }


@pytest.mark.parametrize("persona", ["alice", "bob", "ada"])
@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.APPROVED])
def test_those_who_may_change_the_plan_write_its_risks(client, request, plan, periods, persona, status):
    plan.status = status
    plan.save()
    risk = _risk(plan, plan.owner)
    client.force_login(request.getfixturevalue(persona))
    assert set(_statuses(client, plan, risk, READ + WRITE).values()) == {200}
    # an empty POST is the form again, with its errors
    assert set(_statuses(client, plan, risk, WRITE, "post").values()) == {200}


def test_another_officer_reads_but_may_not_write(client, monitored, alice, carol):
    risk = _risk(monitored, alice)
    client.force_login(carol)
    assert set(_statuses(client, monitored, risk, READ).values()) == {200}
    assert set(_statuses(client, monitored, risk, WRITE).values()) == {403}
    assert set(_statuses(client, monitored, risk, WRITE, "post").values()) == {403}
    html = client.get(_url("risk-register", monitored)).content.decode()
    assert "Add a risk" not in html


def test_a_partner_reads_the_register_only_of_a_plan_shared_with_them(client, monitored, alice, pat, college):
    risk = _risk(monitored, alice)
    client.force_login(pat)
    assert set(_statuses(client, monitored, risk, READ + WRITE).values()) == {404}
    PlanShare.objects.create(plan=monitored, organisation=college)
    assert set(_statuses(client, monitored, risk, READ).values()) == {200}
    assert set(_statuses(client, monitored, risk, WRITE, "post").values()) == {403}


def test_a_member_reads_an_approved_plans_risks_but_may_not_write(client, monitored, alice, mel):
    risk = _risk(monitored, alice)
    client.force_login(mel)
    assert set(_statuses(client, monitored, risk, READ).values()) == {200}
    assert set(_statuses(client, monitored, risk, WRITE).values()) == {403}


def test_a_member_does_not_see_a_draft_plans_risks(client, plan, alice, mel):
    risk = _risk(plan, alice)
    client.force_login(mel)
    assert set(_statuses(client, plan, risk, READ + WRITE).values()) == {404}


def test_anonymous_visitors_are_sent_to_sign_in(client, monitored, alice):
    risk = _risk(monitored, alice)
    for name in READ + WRITE:
        response = client.get(_url(name, monitored, risk if name not in {"risk-register", "risk-create"} else None))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_owners_on_offer_are_active_and_not_members(monitored, alice, mel, pat, service):
    UserFactory(username="gone", organisation=service, is_active=False)
    names = [user.username for user in owner_choices()]
    assert "alice" in names and "pat" in names
    assert "mel" not in names and "gone" not in names


def test_reviewing_a_closed_risk_is_refused(monitored, alice, q1):
    risk = _risk(monitored, alice, status="closed")
    with pytest.raises(ValidationError):
        register.risk_review(risk_id=risk.pk, period=q1, user=alice, likelihood=1, impact=1)
    assert not RiskReview.objects.exists()


def test_the_register_makes_the_same_queries_for_many_risks_as_for_one(client, monitored, alice, q1):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(_url("risk-register", monitored)).status_code == 200
        return len(context.captured_queries)

    client.force_login(alice)
    first = _risk(monitored, alice, owner=alice, item=monitored.action)
    register.risk_review(risk_id=first.pk, period=q1, user=alice, likelihood=2, impact=2)
    one = queries()
    for n in range(5):
        risk = _risk(monitored, alice, title=f"Risk {n}", owner=alice, item=monitored.target)
        register.risk_review(risk_id=risk.pk, period=q1, user=alice, likelihood=1, impact=n + 1)
    assert queries() == one
