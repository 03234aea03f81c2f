"""The equality impact assessment of a plan (issue 18, decision 0032): whoever may change
the plan screens it (each protected characteristic, the Welsh language and socio-economic
disadvantage, with mitigation, a conclusion, who and when); a council that requires it
refuses approval until it is complete, with the message beside the field; an edition shows
it as it stood, and the plan PDF prints it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from planning import evaluation, lifecycle
from planning.models import EqualityImpact, EqualityImpactAssessment, Plan
from planning.plan_document import plan_document_html
from tests.factories import add_item, vision_of

KEYS = [key for key, _label in EqualityImpact.Characteristic.choices]


def screen_data(version=None, **overrides) -> dict:
    data = {f"impact_{key}": "neutral" for key in KEYS}
    data |= {f"mitigation_{key}": "" for key in KEYS}
    data |= {
        "impact_welsh_language": "positive",
        "mitigation_welsh_language": "Every letter to parents goes out in Welsh and English.",
        "conclusion": "No unlawful discrimination; a positive effect on Welsh speakers.",
        "screened_on": "2013-03-01",
        "reason": "",
    }
    if version is not None:
        data["version"] = str(version)
    data.update(overrides)
    return data


def complete(plan, user, **changes):
    impacts = dict.fromkeys(KEYS, ("neutral", "")) | changes.pop("impacts", {})
    fields = {"conclusion": "No unlawful discrimination.", "screened_on": "2013-03-01"} | changes
    return evaluation.equality_assessment_save(plan=plan, user=user, impacts=impacts, **fields)


def url(plan, name="plan-equality"):
    return reverse(f"planning:{name}", args=[plan.slug])


@pytest.fixture
def requiring(council):
    council.requires_equality_impact = True
    council.save()
    return council


def approve(client, plan, **overrides):
    data = {"approved_by": "Cabinet", "approved_on": "2013-03-18", "reason": "", **overrides}
    return client.post(url(plan, "plan-approve"), data)


# --- screening ----------------------------------------------------------------------------------


def test_an_officer_screens_the_plan_and_is_recorded_as_who_screened_it(client, bob, plan):
    client.force_login(bob)
    form_page = client.get(url(plan, "plan-equality-edit")).content.decode()
    for label in ["Age", "Gender reassignment", "Marriage and civil partnership", "Welsh language", "Socio-economic"]:
        assert label in form_page
    response = client.post(url(plan, "plan-equality-edit"), screen_data())
    assert response.status_code == 302 and response["Location"] == url(plan)
    assessment = EqualityImpactAssessment.objects.get(plan=plan)
    assert (assessment.screened_by, str(assessment.screened_on)) == (bob, "2013-03-01")
    assert assessment.impacts.count() == 11
    assert assessment.impacts.get(characteristic="welsh_language").impact == "positive"
    assert assessment.history.get().history_change_reason == "Equality impact assessment saved"
    page = client.get(url(plan)).content.decode()
    assert "Complete" in page and "Every letter to parents goes out in Welsh and English." in page
    assert "Screened by Bob Officer on 1 March 2013." in page


def test_a_change_is_kept_in_history_with_its_reason(client, bob, alice, plan):
    first = complete(plan, alice)
    client.force_login(bob)
    data = screen_data(version=first.version, impact_age="negative", mitigation_age="Evening sessions.")
    assert client.post(url(plan, "plan-equality-edit"), data | {"reason": "Consultation response"}).status_code == 302
    age = EqualityImpact.objects.get(assessment=first, characteristic="age")
    assert [row.impact for row in age.history.order_by("history_date")] == ["neutral", "negative"]
    assert age.history.latest("history_date").history_change_reason == "Consultation response"


def test_a_negative_impact_without_mitigation_is_refused_beside_its_field(client, bob, plan):
    client.force_login(bob)
    response = client.post(url(plan, "plan-equality-edit"), screen_data(impact_disability="negative"))
    assert response.status_code == 200
    assert response.context["form"].errors["mitigation_disability"] == ["Say how a negative impact is mitigated."]
    assert not EqualityImpactAssessment.objects.exists()


def test_a_stale_edit_gets_the_conflict_page(client, alice, bob, plan):
    first = complete(plan, alice)
    complete(plan, alice, conclusion="Changed meanwhile.", expected_version=first.version)
    client.force_login(bob)
    response = client.post(url(plan, "plan-equality-edit"), screen_data(version=first.version))
    assert response.status_code == 409
    assert EqualityImpactAssessment.objects.get().conclusion == "Changed meanwhile."


@pytest.mark.parametrize(("persona", "status"), [("carol", 403), ("pat", 404), ("mel", 404)])
def test_those_who_may_not_change_the_plan_cannot_screen_it(client, request, plan, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(plan, "plan-equality-edit")).status_code == status
    assert client.post(url(plan, "plan-equality-edit"), screen_data()).status_code == status
    assert not EqualityImpactAssessment.objects.exists()


def test_a_reader_reads_the_screening_without_the_button(client, carol, alice, plan):
    complete(plan, alice)
    client.force_login(carol)
    page = client.get(url(plan)).content.decode()
    assert "No unlawful discrimination." in page and url(plan, "plan-equality-edit") not in page


def test_the_service_refuses_those_who_may_not_change_the_plan(carol, plan):
    with pytest.raises(PermissionDenied):
        complete(plan, carol)
    assert not EqualityImpactAssessment.objects.exists()


def test_what_a_screening_lacks_is_said(alice, plan):
    assert evaluation.screening(plan).problems == ["No equality impact assessment has been recorded."]
    complete(
        plan,
        alice,
        impacts={"race": ("", ""), "sex": ("negative", "")},
        conclusion="",
        screened_on=None,
    )
    assert evaluation.screening(plan).problems == [
        "No impact recorded for: Race.",
        "A negative impact needs its mitigation: Sex.",
        "Give the overall conclusion.",
        "Give the date it was screened.",
    ]


# --- required before approval -------------------------------------------------------------------


def test_a_requiring_council_refuses_approval_until_the_screening_is_complete(client, alice, plan, requiring):
    client.force_login(alice)
    status_page = client.get(url(plan, "plan-status")).content.decode()
    assert "The approving body had the equality impact assessment before it" in status_page
    assert "not complete yet" in status_page
    response = approve(client, plan, equality_impact="on")
    assert response.status_code == 200
    [message] = response.context["approve_form"].errors["equality_impact"]
    assert message.startswith("This council requires a complete equality impact assessment")
    assert "No equality impact assessment has been recorded." in message
    assert 'id="approve-equality_impact-error"' in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT
    complete(plan, alice)
    assert approve(client, plan, equality_impact="on").status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.APPROVED


def test_the_approver_confirms_the_body_had_the_assessment(client, alice, plan, requiring):
    complete(plan, alice)
    client.force_login(alice)
    response = approve(client, plan)
    assert response.context["approve_form"].errors["equality_impact"] == [
        "Confirm that the approving body had the equality impact assessment before it."
    ]
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_the_service_refuses_an_incomplete_screening_whoever_calls_it(alice, plan, requiring):
    complete(plan, alice, conclusion="")
    with pytest.raises(ValidationError) as refused:
        lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    assert "Give the overall conclusion." in refused.value.message_dict["equality_impact"][0]


def test_a_council_that_does_not_require_it_approves_without(client, alice, plan, council):
    client.force_login(alice)
    assert "equality_impact" not in client.get(url(plan, "plan-status")).context["approve_form"].fields
    assert approve(client, plan).status_code == 302


def test_an_admin_sets_the_requirement_on_the_council(client, ada, council):
    client.force_login(ada)
    data = {"name": council.name, "slug": council.slug, "kind": "council", "parent": "", "is_active": "on"}
    edit = reverse("partners:organisation-edit", args=[council.pk])
    assert client.post(edit, data | {"requires_equality_impact": "on"}).status_code == 302
    council.refresh_from_db()
    assert council.requires_equality_impact and council.history.first().history_user == ada


# --- kept with the edition, printed in the PDF --------------------------------------------------


def test_an_edition_shows_the_screening_as_it_stood(client, alice, plan, requiring):
    first = complete(plan, alice, conclusion="As approved by Cabinet.")
    edition = lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    complete(
        plan,
        alice,
        conclusion="Revised after the budget.",
        impacts={"age": ("negative", "Free transport.")},
        expected_version=first.version,
    )
    client.force_login(alice)
    then = client.get(url(plan) + f"?edition={edition.pk}")
    assert then.status_code == 200
    assert "As approved by Cabinet." in then.content.decode() and "Free transport." not in then.content.decode()
    assert "Change the assessment" not in then.content.decode()
    now = client.get(url(plan)).content.decode()
    assert "Revised after the budget." in now and "Free transport." in now
    assert (
        f"?at=edition-{edition.pk}"
        in client.get(reverse("planning:plan-as-of", args=[plan.slug]) + f"?edition={edition.pk}").content.decode()
    )
    printed = plan_document_html(plan, edition)
    assert "As approved by Cabinet." in printed and "Free transport." not in printed
    assert "Revised after the budget." in plan_document_html(plan)


def test_an_edition_before_any_screening_says_none_was_recorded(client, alice, plan):
    edition = lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    complete(plan, alice)
    client.force_login(alice)
    page = client.get(url(plan) + f"?edition={edition.pk}").content.decode()
    assert "No equality impact assessment has been recorded for this plan." in page


def test_the_plan_pdf_prints_the_screening(alice, plan):
    complete(plan, alice, impacts={"welsh_language": ("positive", "Bilingual letters.")})
    html = plan_document_html(plan)
    assert 'id="equality"' in html and "Bilingual letters." in html and "Welsh language" in html
    assert html.index("Equality impact assessment") < html.index('id="costs"')


# session, user, plan, assessment, its lines, the council's setting
EDIT_QUERIES = 6


@pytest.mark.parametrize("priorities", [1, 8])
def test_the_form_reads_in_fixed_queries(client, alice, plan, priorities, django_assert_num_queries):
    for n in range(priorities):
        add_item(plan, vision_of(plan), "priority", title=f"Priority {n}")
    complete(plan, alice)
    client.force_login(alice)
    with django_assert_num_queries(EDIT_QUERIES):
        assert client.get(url(plan, "plan-equality-edit")).status_code == 200
