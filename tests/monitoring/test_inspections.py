"""Inspections and their recommendations (issue 18, decision 0030): recorded by council
officers, changed by their owner and admins; actions of any plan linked to the
recommendations they address, shown both ways; each quarter's judgement recorded by the
lead, the owner or an admin, with its history; the progress-against-recommendations
report on screen and as a PDF, unchanged by anything after its quarter is locked."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from config.history import change_context
from monitoring import inspection_report
from monitoring import inspections as service
from monitoring import services as monitoring
from monitoring.models import Document, Inspection, Recommendation, RecommendationProgress, ReportingPeriod
from planning.models import Plan
from tests.factories import add_item, make_plan, make_return, vision_of

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _inspection(owner, organisation, **fields) -> Inspection:
    return service.inspection_save(
        inspection=Inspection(),
        user=owner,
        fields={
            "inspectorate": "estyn",
            "title": "Education services for children and young people",
            "inspected_on": date(2013, 1, 20),
            "organisation": organisation,
            "report_url": "https://www.estyn.gov.wales/report",
        }
        | fields,
    )


def _recommendation(inspection, owner, number, lead, text=None) -> Recommendation:
    return service.recommendation_save(
        recommendation=Recommendation(inspection=inspection),
        user=owner,
        fields={"number": number, "text": text or f"Recommendation text {number}", "lead": lead},
    )


@pytest.fixture
def estyn(alice, bob, council, monitored, periods):
    """alice's Estyn inspection with recommendation 1 led by bob, which the monitored
    plan's action addresses."""
    inspection = _inspection(alice, council)
    inspection.first = _recommendation(inspection, alice, 1, bob, "Improve strategic planning")
    service.recommendation_action_add(recommendation=inspection.first, user=alice, item_id=monitored.action.pk)
    return inspection


def _progress_url(inspection, recommendation, period):
    return reverse("monitoring:recommendation-progress", args=[inspection.pk, recommendation.pk, period.slug])


def _judge(recommendation, period, user, judgement="partly_met", **fields):
    stored = recommendation.progress.filter(period=period).first()
    return service.progress_record(
        recommendation=recommendation,
        period=period,
        user=user,
        fields={"judgement": judgement, "narrative": "", "evidence": "", "evidence_links": ""} | fields,
        expected_version=stored.version if stored else 0,
    )


# --- recording an inspection ---------------------------------------------------------------------


def test_an_officer_records_an_inspection_and_owns_it(client, bob, council):
    client.force_login(bob)
    response = client.post(
        reverse("monitoring:inspection-create"),
        {
            "inspectorate": "estyn",
            "title": "Local authority education services",
            "inspected_on": "2013-01-20",
            "organisation": council.pk,
            "owner": bob.pk,
            "report_url": "https://www.estyn.gov.wales/report",
            "summary": "Adequate",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.owner == bob
    recorded = inspection.history.get()
    assert (recorded.history_user, recorded.history_change_reason) == (bob, "Inspection recorded")


@pytest.mark.parametrize("persona", ["pat", "mel"])
def test_partners_and_members_may_not_record_an_inspection(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("monitoring:inspection-create")).status_code == 403
    assert client.post(reverse("monitoring:inspection-create"), {"title": "X"}).status_code == 403
    assert not Inspection.objects.exists()


def test_bad_details_are_shown_beside_their_fields_and_nothing_is_recorded(client, bob, council):
    client.force_login(bob)
    response = client.post(
        reverse("monitoring:inspection-create"),
        {"inspectorate": "estyn", "title": "", "inspected_on": "not a date", "organisation": council.pk,
         "owner": bob.pk, "report_url": "not an address"},
    )  # fmt: skip
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "inspected_on", "report_url"}
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("ada", 200), ("bob", 403), ("carol", 403), ("mel", 403), ("pat", 404)],
)
def test_the_owner_and_admins_change_an_inspection(client, request, estyn, persona, status):
    client.force_login(request.getfixturevalue(persona))
    for name in ("inspection-edit", "inspection-judgements", "recommendation-create"):
        assert client.get(reverse(f"monitoring:{name}", args=[estyn.pk])).status_code == status
    edit = reverse("monitoring:recommendation-edit", args=[estyn.pk, estyn.first.pk])
    assert client.get(edit).status_code == status
    response = client.post(edit, {"number": 1, "text": "Reworded", "lead": "", "version": 1})
    assert response.status_code == (302 if status == 200 else status)
    estyn.first.refresh_from_db()
    assert (estyn.first.text == "Reworded") is (status == 200)


def test_a_partner_reads_only_the_inspections_in_which_they_lead(client, estyn, alice, pat):
    client.force_login(pat)
    assert client.get(estyn.get_absolute_url()).status_code == 404
    assert estyn.title not in client.get(reverse("monitoring:inspection-list")).content.decode()
    _recommendation(estyn, alice, 2, pat)
    assert client.get(estyn.get_absolute_url()).status_code == 200
    assert estyn.title in client.get(reverse("monitoring:inspection-list")).content.decode()


def test_key_question_judgements_are_added_in_order_and_removed(client, estyn, alice):
    client.force_login(alice)
    url = reverse("monitoring:inspection-judgements", args=[estyn.pk])
    for question, judgement in (("Standards", "Adequate"), ("Leadership and management", "Adequate")):
        assert client.post(url, {"key_question": question, "judgement": judgement}).status_code == 302
    assert [str(row) for row in estyn.judgements.all()] == [
        "Standards: Adequate",
        "Leadership and management: Adequate",
    ]
    first = estyn.judgements.first()
    client.post(reverse("monitoring:inspection-judgement-remove", args=[estyn.pk, first.pk]))
    assert [row.key_question for row in estyn.judgements.all()] == ["Leadership and management"]
    assert "Leadership and management" in client.get(estyn.get_absolute_url()).content.decode()


def test_a_recommendation_s_number_is_used_once(client, estyn, alice):
    client.force_login(alice)
    response = client.post(
        reverse("monitoring:recommendation-create", args=[estyn.pk]), {"number": 1, "text": "Another"}
    )
    assert response.status_code == 200
    assert "already has a recommendation with that number" in str(response.context["form"].errors["number"])
    assert estyn.recommendations.count() == 1


# --- linking actions -------------------------------------------------------------------------------


def test_an_action_in_any_plan_is_linked_and_each_page_names_the_other(client, estyn, alice, bob, director):
    other = make_plan(owner=director, title="Directorate plan", slug="directorate")
    action = add_item(other, add_item(other, vision_of(other), "priority"), "action", title="Hold schools to account")
    client.force_login(bob)  # the recommendation's lead
    url = reverse("monitoring:recommendation-actions", args=[estyn.pk, estyn.first.pk])
    assert "Hold schools to account" in client.get(url, {"plan": other.slug}).content.decode()
    assert client.post(url, {"plan": other.slug, "item": action.pk}).status_code == 302
    assert set(estyn.first.actions.values_list("title", flat=True)) == {"Train every maths teacher", action.title}
    link = estyn.first.action_links.get(item=action)
    assert link.history.get().history_user == bob
    page = client.get(estyn.first.get_absolute_url()).content.decode()
    assert action.get_absolute_url() in page
    item_page = client.get(action.get_absolute_url()).content.decode()
    assert estyn.first.get_absolute_url() in item_page and "Recommendation 1" in item_page
    # and unlinked again, with its history
    client.post(reverse("monitoring:recommendation-action-remove", args=[estyn.pk, estyn.first.pk, link.pk]))
    assert not estyn.first.action_links.filter(item=action).exists()
    assert estyn.first.get_absolute_url() not in client.get(action.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("persona", "status"), [("carol", 403), ("mel", 403), ("pat", 404)])
def test_others_may_not_link_actions(client, request, estyn, monitored, persona, status):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("monitoring:recommendation-actions", args=[estyn.pk, estyn.first.pk])
    assert client.post(url, {"plan": monitored.slug, "item": monitored.priority.pk}).status_code == status


def test_only_actions_may_be_linked(client, estyn, monitored, bob):
    client.force_login(bob)
    url = reverse("monitoring:recommendation-actions", args=[estyn.pk, estyn.first.pk])
    response = client.post(url, {"plan": monitored.slug, "item": monitored.target.pk})
    assert response.status_code == 200 and response.context["form"].errors["item"]
    assert estyn.first.action_links.count() == 1


def test_actions_in_plans_the_reader_may_not_read_are_counted_not_shown(client, estyn, alice, pat, monitored):
    """pat leads recommendation 2, which the monitored plan's action addresses: the plan is
    not shared with the college, so pat sees that one action addresses it, not which."""
    second = _recommendation(estyn, alice, 2, pat)
    service.recommendation_action_add(recommendation=second, user=alice, item_id=monitored.action.pk)
    client.force_login(pat)
    page = client.get(second.get_absolute_url()).content.decode()
    assert monitored.action.title not in page and "1 more action, in a plan you may not read" in page
    report = client.get(reverse("monitoring:inspection-report", args=[estyn.pk, "2013-q1"])).content.decode()
    assert monitored.action.title not in report and "in a plan you may not read" in report


# --- progress each quarter -------------------------------------------------------------------------


def test_the_lead_records_progress_once_a_quarter_and_corrections_keep_every_judgement(client, estyn, bob, q1):
    client.force_login(bob)
    url = _progress_url(estyn, estyn.first, q1)
    form = {"judgement": "not_met", "narrative": "Plans drafted", "evidence": "Cabinet minutes",
            "evidence_links": "https://example.org/minutes\nhttps://example.org/data", "version": 0}  # fmt: skip
    assert client.post(url, form).status_code == 302
    corrected = form | {"judgement": "partly_met", "version": 1, "reason": "Scrutiny agreed"}
    assert client.post(url, corrected).status_code == 302
    row = RecommendationProgress.objects.get()
    assert (row.judgement, row.version, row.links) == (
        "partly_met",
        2,
        ["https://example.org/minutes", "https://example.org/data"],
    )
    history = list(row.history.order_by("history_id").values_list("judgement", "history_change_reason"))
    assert history == [("not_met", "Progress recorded"), ("partly_met", "Scrutiny agreed")]
    page = client.get(estyn.first.get_absolute_url()).content.decode()
    assert "Scrutiny agreed" in page and "Not met" in page and "https://example.org/data" in page


def test_a_stale_correction_is_a_conflict(client, estyn, bob, alice, q1):
    _judge(estyn.first, q1, alice, "not_met")
    client.force_login(bob)
    response = client.post(_progress_url(estyn, estyn.first, q1), {"judgement": "met", "version": 0})
    assert response.status_code == 409
    assert RecommendationProgress.objects.get().judgement == "not_met"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 302), ("alice", 302), ("ada", 302), ("carol", 403), ("mel", 403), ("pat", 404)],
)
def test_the_lead_the_owner_and_admins_record_progress(client, request, estyn, q1, persona, status):
    client.force_login(request.getfixturevalue(persona))
    url = _progress_url(estyn, estyn.first, q1)
    assert client.get(url).status_code == (200 if status == 302 else status)
    assert client.post(url, {"judgement": "met", "version": 0}).status_code == status
    assert RecommendationProgress.objects.exists() is (status == 302)


def test_a_locked_quarter_takes_no_judgement(client, estyn, bob, ada, q1):
    monitoring.period_lock(period_id=q1.pk, user=ada)
    client.force_login(bob)
    response = client.post(_progress_url(estyn, estyn.first, q1), {"judgement": "met", "version": 0})
    assert response.status_code == 200 and "is locked" in response.content.decode()
    assert not RecommendationProgress.objects.exists()


def test_evidence_links_must_be_web_addresses(client, estyn, bob, q1):
    client.force_login(bob)
    response = client.post(
        _progress_url(estyn, estyn.first, q1), {"judgement": "met", "evidence_links": "minutes.doc", "version": 0}
    )
    assert response.status_code == 200 and response.context["form"].errors["evidence_links"]
    assert not RecommendationProgress.objects.exists()


def test_a_term_is_not_a_quarter_to_judge(client, estyn, bob):
    monitoring.financial_year_create(start_year=2013, user=None, cadence=Plan.Cadence.TERMLY)
    client.force_login(bob)
    assert client.get(_progress_url(estyn, estyn.first, type("P", (), {"slug": "2013-t1"}))).status_code == 404


# --- the report ------------------------------------------------------------------------------------


def test_the_report_gives_each_recommendation_its_actions_returns_evidence_and_judgements(
    client, estyn, alice, bob, monitored, periods
):
    q1, q2 = periods[0], periods[1]
    make_return(monitored.action, q2, bob, {"rag": "amber", "narrative": "Half the teachers trained"}, submit=True)
    _judge(estyn.first, q1, bob, "not_met")
    _judge(estyn.first, q2, bob, "partly_met", evidence="Scrutiny report", evidence_links="https://example.org/s")
    _recommendation(estyn, alice, 2, None, "Improve self-evaluation")
    data = inspection_report.build(estyn, q2)
    first, second = data["recommendations"]
    assert first["actions"] == [
        {
            "title": "Train every maths teacher",
            "title_cy": "",
            "plan_id": monitored.pk,
            "plan": monitored.title,
            "plan_cy": "",
            "url": monitored.action.get_absolute_url(),
            "lead": str(bob),
            "rag": "amber",
            "rag_label": "Amber",
            "narrative": "Half the teachers trained",
            "returned": True,
        }
    ]
    assert (first["progress"]["label"], first["progress"]["evidence"], first["progress"]["links"]) == (
        "Partly met",
        "Scrutiny report",
        ["https://example.org/s"],
    )
    assert (first["previous"]["label"], first["previous"]["period"]) == ("Not met", q1.label)
    assert (second["actions"], second["progress"], second["previous"]) == ([], None, None)
    assert {row["judgement"]: row["count"] for row in data["counts"]}["partly_met"] == 1 and data["unjudged"] == 1
    client.force_login(alice)
    page = client.get(reverse("monitoring:inspection-report", args=[estyn.pk, q2.slug])).content.decode()
    for words in ("Improve strategic planning", "Half the teachers trained", "Scrutiny report", "Partly met",
                  "Not met", "Improve self-evaluation"):  # fmt: skip
        assert words in page


def test_a_locked_quarter_s_report_is_what_stood_at_the_lock(estyn, alice, bob, ada, monitored, periods, director):
    q1 = periods[0]
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "Started"}, submit=True)
    _judge(estyn.first, q1, bob, "partly_met", narrative="As locked")
    monitoring.period_lock(period_id=q1.pk, user=ada)
    q1.refresh_from_db()
    locked = inspection_report.build(estyn, q1)
    # after the lock: the recommendation reworded, its action unlinked, another linked, the
    # inspection retitled, a judgement of the next quarter recorded
    service.recommendation_save(recommendation=estyn.first, user=alice, fields={"text": "Reworded"})
    other = make_plan(owner=director, title="Directorate plan", slug="directorate")
    late = add_item(other, add_item(other, vision_of(other), "priority"), "action", title="Linked later")
    service.recommendation_action_add(recommendation=estyn.first, user=alice, item_id=late.pk)
    link = estyn.first.action_links.get(item=monitored.action)
    service.recommendation_action_remove(recommendation=estyn.first, user=alice, link_id=link.pk)
    service.inspection_save(inspection=estyn, user=alice, fields={"title": "Retitled"})
    _judge(estyn.first, periods[1], bob, "met")
    again = inspection_report.build(estyn, q1)
    assert again == locked
    assert locked["recommendations"][0]["text"] == "Improve strategic planning"
    assert [a["title"] for a in locked["recommendations"][0]["actions"]] == ["Train every maths teacher"]
    # the live quarter reads what is there now
    live = inspection_report.build(Inspection.objects.get(pk=estyn.pk), periods[1])
    assert [a["title"] for a in live["recommendations"][0]["actions"]] == ["Linked later"]
    assert live["recommendations"][0]["text"] == "Reworded" and live["inspection"]["title"] == "Retitled"


def test_the_report_pdf_is_produced_in_the_background_and_reused(
    client, estyn, alice, bob, periods, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path
    q1 = periods[0]
    _judge(estyn.first, q1, bob, "largely_met", evidence="Cabinet report, July")
    client.force_login(alice)
    url = reverse("monitoring:inspection-report-pdf", args=[estyn.pk, q1.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    document = Document.objects.get()
    assert (document.kind, document.inspection, document.period, document.plan) == ("inspection", estyn, q1, None)
    document.refresh_from_db()
    assert document.status == "ready", document.error
    reader = PdfReader(BytesIO(document.file.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for words in ("Progress against the recommendations", "Improve strategic planning", "Largely met",
                  "Cabinet report, July", "Train every maths teacher"):  # fmt: skip
        assert words in text
    assert reader.outline, "the PDF has bookmarks"
    assert client.get(url)["Location"] == reverse("monitoring:document-download", args=[document.pk])
    status = client.get(reverse("monitoring:document-status", args=[document.pk]))
    assert status.status_code == 200 and estyn.title in status.content.decode()
    assert client.get(reverse("monitoring:document-download", args=[document.pk])).status_code == 200
    assert response.status_code == 302 and Document.objects.count() == 1


def test_the_report_pdf_is_read_as_the_inspection_is(client, estyn, alice, pat, periods, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(kind="inspection", inspection=estyn, period=periods[0], key="inspection:x")
    client.force_login(pat)
    assert client.get(reverse("monitoring:document-status", args=[document.pk])).status_code == 404
    assert client.get(reverse("monitoring:inspection-report-pdf", args=[estyn.pk, "2013-q1"])).status_code == 404
    _recommendation(estyn, alice, 2, pat)
    assert client.get(reverse("monitoring:document-status", args=[document.pk])).status_code == 200


# --- queries do not grow with the inspection -------------------------------------------------------


def _grow(inspection, owner, lead, plan, periods, size):
    """``size`` more recommendations, each with two linked actions with returns and a
    judgement in each of the first two quarters."""
    start = inspection.recommendations.count()
    priority = add_item(plan, vision_of(plan), "priority", title="More") if size else None
    plan.status = Plan.Status.DRAFT
    plan.save()
    actions = [add_item(plan, priority, "action", title=f"Action {n}", lead_officer=lead) for n in range(2 * size)]
    plan.status = Plan.Status.APPROVED
    plan.save()
    for n in range(size):
        rec = _recommendation(inspection, owner, start + n + 1, lead)
        for action in actions[2 * n : 2 * n + 2]:
            service.recommendation_action_add(recommendation=rec, user=owner, item_id=action.pk)
            make_return(action, periods[1], lead, {"rag": "green", "narrative": "Fine"}, submit=True)
        for period in ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods[:2]], locked_at__isnull=True):
            _judge(rec, period, lead, "partly_met", evidence="Minutes")


@pytest.mark.parametrize("persona", ["alice", "mel"])
def test_the_report_and_recommendation_pages_read_in_a_fixed_number_of_queries(
    client, request, estyn, alice, bob, monitored, periods, persona
):
    client.force_login(request.getfixturevalue(persona))
    counts = []
    for size in (4, 10):  # five recommendations, as the demo's inspection has; then fifteen
        with change_context(reason="Grow", user=alice):
            _grow(estyn, alice, bob, monitored, periods, size)
        if size == 4:  # Q1 reported: its report reads the five recommendations as they stood
            monitoring.period_lock(period_id=periods[0].pk, user=alice)
        urls = [
            reverse("monitoring:inspection-report", args=[estyn.pk, periods[1].slug]),
            reverse("monitoring:inspection-report", args=[estyn.pk, periods[0].slug]),  # locked: as of the lock
            estyn.first.get_absolute_url(),
            estyn.get_absolute_url(),
        ]
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured.captured_queries))
        counts.append(found)
    assert estyn.recommendations.count() == 15
    # the report: session, reader, inspection, its eleven reads (monitoring.inspection_report.build),
    # a locked quarter's one more its inspection as locked; a member's one more is which linked
    # plans they may not read (officers read every plan)
    expected = {"alice": [14, 15, 8, 7], "mel": [15, 16, 9, 7]}[persona]
    assert counts == [expected, expected]
