"""A published plan's results for anyone (issue 16): scorecards of locked quarters exactly
as reported to members, the PDFs of its editions and of those quarters (produced once in
the background, whoever asks and however often), and its accepted returns as CSV and JSON.
Nothing of a plan that is not published; no cookie for an anonymous reader."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import documents
from monitoring import services as monitoring
from monitoring.models import Document, ScorecardSnapshot
from monitoring.tasks import render_document
from partners.models import Organisation
from planning import lifecycle, plan_document
from planning import services as planning
from planning.access import hidden_plans
from planning.models import Plan, PlanShare
from public import results
from tests.factories import OrganisationFactory, add_item, make_plan, make_return, vision_of
from tests.monitoring.conftest import make_monitored

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, never run by itself
INJECTION = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def periods(db):
    return monitoring.financial_year_create(start_year=2013, user=None)


@pytest.fixture
def published(plan, alice, bob, pat, ada, college, periods):
    """The plan, approved and published. Q1 (locked): the action green and the target amber
    at 71, both accepted; a second action submitted only. Q2 (not locked): both accepted."""
    make_monitored(plan, bob, college)
    q1, q2 = periods[0], periods[1]
    plan.second = add_item(plan, plan.priority, "action", title="Open a homework club", lead_officer=bob)
    for item, who, fields in (
        (plan.action, bob, {"rag": "green", "narrative": INJECTION}),
        (plan.target, pat, {"rag": "amber", "narrative": "Nearly", "actual_value": 71}),
    ):
        ret = make_return(item, q1, who, fields, submit=True)
        monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    make_return(plan.second, q1, bob, {"rag": "amber", "narrative": "Submitted only"}, submit=True)
    for item, who, fields in (
        (plan.action, bob, {"rag": "red", "narrative": "Q2 action"}),
        (plan.target, pat, {"rag": "green", "narrative": "Q2 target", "actual_value": 76}),
    ):
        ret = make_return(item, q2, who, fields, submit=True)
        monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    q1 = monitoring.period_lock(period_id=q1.pk, user=ada)
    lifecycle.plan_publish(plan=plan, user=alice)
    plan.refresh_from_db()
    plan.q1, plan.q2 = q1, q2
    return plan


def _urls(plan, edition=None) -> dict[str, str]:
    q1 = plan.q1.slug
    urls = {
        "list": reverse("public:scorecard-list", args=[plan.slug]),
        "scorecard": reverse("public:scorecard", args=[plan.slug, q1]),
        "scorecard-pdf": reverse("public:scorecard-pdf", args=[plan.slug, q1]),
        "csv": reverse("public:results-download", args=[plan.slug, "csv"]),
        "json": reverse("public:results-download", args=[plan.slug, "json"]),
    }
    if edition is not None:
        urls["edition-pdf"] = reverse("public:edition-pdf", args=[plan.slug, edition.pk])
    return urls


@pytest.fixture(autouse=True)
def queued_only(settings, tmp_path):
    settings.TASKS = DUMMY
    settings.MEDIA_ROOT = tmp_path / "media"


# --- who may read ---------------------------------------------------------------------------


@pytest.mark.parametrize("reader", [None, "bob", "pat", "mel"])
def test_anyone_reads_the_results_of_a_published_plan(client, request, published, reader):
    if reader:
        client.force_login(request.getfixturevalue(reader))
    listing = client.get(_urls(published)["list"])
    assert listing.status_code == 200
    page = listing.content.decode()
    assert published.q1.label in page and published.q2.label not in page  # locked quarters only
    card = client.get(_urls(published)["scorecard"])
    assert card.status_code == 200
    text = card.content.decode()
    assert "As reported to members" in text and "Pupils reaching level 4 in maths" in text and "71%" in text
    if reader is None:
        assert not listing.cookies and not card.cookies
        assert "public" in card["Cache-Control"] and card["ETag"]
    else:
        assert "no-store" in card["Cache-Control"]


def test_the_plan_page_links_to_its_results(client, published):
    page = client.get(reverse("public:plan-detail", args=[published.slug])).content.decode()
    assert _urls(published)["list"] in page


@pytest.mark.parametrize("period", ["q2", "unknown", "nonsense"])
def test_a_quarter_not_reported_is_not_found(client, published, period):
    slug = {"q2": published.q2.slug, "unknown": "2099-q1", "nonsense": "soon"}[period]
    for name in ("public:scorecard", "public:scorecard-pdf"):
        assert client.get(reverse(name, args=[published.slug, slug])).status_code == 404
    assert Document.objects.count() == 0


def test_nothing_of_an_unpublished_or_withdrawn_plan_is_found(client, published, alice, bob):
    edition = planning.edition_create(plan=published, name="Approved by Cabinet", user=alice)
    urls = _urls(published, edition)
    assert all(client.get(url).status_code == 200 for url in urls.values())
    lifecycle.plan_withdraw(plan=published, user=alice, reason="Being revised")
    client.force_login(bob)  # signed in or not: a public page is about the plan, not the reader
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
    client.logout()
    draft = make_plan(owner=alice, title="Draft plan", slug="draft-plan")
    assert client.get(reverse("public:scorecard-list", args=[draft.slug])).status_code == 404
    assert client.get(reverse("public:results-download", args=[draft.slug, "csv"])).status_code == 404


def test_an_approved_plan_not_published_has_no_public_results(client, plan, alice, bob, college, periods, ada):
    make_monitored(plan, bob, college)
    monitoring.period_lock(period_id=periods[0].pk, user=ada)
    assert ScorecardSnapshot.objects.filter(plan=plan).exists()
    assert client.get(reverse("public:scorecard-list", args=[plan.slug])).status_code == 404
    assert client.get(reverse("public:scorecard", args=[plan.slug, periods[0].slug])).status_code == 404


def test_the_pages_answer_only_reads_and_unknown_formats_are_not_found(client, published):
    for url in _urls(published).values():
        assert client.post(url).status_code == 405
    assert client.get(reverse("public:results-download", args=[published.slug, "xlsx"])).status_code == 404


# --- as reported to members -----------------------------------------------------------------


def test_the_scorecard_is_what_members_saw_when_the_quarter_was_locked(client, published, alice, mel):
    client.force_login(mel)
    members = client.get(reverse("monitoring:scorecard", args=[published.slug, published.q1.slug])).content.decode()
    planning.item_update(
        item_id=published.target.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed after it was reported"}),
        expected_version=published.target.version,
        reason="Renamed",
    )
    client.logout()
    public = client.get(_urls(published)["scorecard"]).content.decode()
    assert "Renamed after it was reported" not in public and "Pupils reaching level 4 in maths" in public
    stored = ScorecardSnapshot.objects.get(plan=published, period=published.q1, include_children=False).data
    card = results.public_scorecard(published, published.q1)
    assert _without_urls({k: v for k, v in card.items() if k != "words"}) == _without_urls(stored)
    for section in ("summary-heading", "exceptions-heading", "targets-heading", "outstanding-heading"):
        assert _section(public, section) == _section(members, section).replace(' class="govuk-link"', ""), section


def _without_urls(data):
    if isinstance(data, dict):
        return {k: ("" if k == "url" else _without_urls(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_urls(v) for v in data]
    return data


def _section(page: str, heading: str) -> str:
    """The section's text with the links into the app taken out (the public page links none)."""
    import re

    start = page.index(f'id="{heading}"')
    body = page[start : page.index("</section>", start)]
    # a member's rows link to asking about them (decision 0022): not part of what was reported
    body = re.sub(r'<br><a class="govuk-link govuk-body-s" href="[^"]*">Ask a question.*?</span></a>', "", body)
    return re.sub(r'<a class="govuk-link" href="[^"]*">|<a href="[^"]*">|</a>', "", body)


def test_the_public_scorecard_links_nowhere_inside_the_app(client, published):
    page = client.get(_urls(published)["scorecard"]).content.decode()
    app = reverse("monitoring:return-detail", args=[published.slug, published.action.pk, published.q1.slug])
    assert app not in page and f'href="{published.get_absolute_url()}' not in page


def test_an_unchanged_page_is_not_modified(client, published):
    for name in ("list", "scorecard", "csv"):
        first = client.get(_urls(published)[name])
        again = client.get(_urls(published)[name], headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, name


# --- PDFs -----------------------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """Counts the render tasks queued."""
    calls = []
    monkeypatch.setattr(documents, "render_document", type("Task", (), {"enqueue": staticmethod(calls.append)}))
    return calls


def test_a_pdf_not_produced_is_queued_once_and_then_served(
    client, published, enqueued, django_capture_on_commit_callbacks
):
    url = _urls(published)["scorecard-pdf"]
    for _ in range(3):  # many readers asking
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url)
        assert waiting.status_code == 200 and "being prepared" in waiting.content.decode()
        assert waiting["Cache-Control"] == "no-store" and not waiting.cookies
    document = Document.objects.get()
    assert enqueued == [document.pk] and document.key.endswith(":locked") and document.requested_by is None
    status = client.get(url + "?format=json")
    assert status.json() == {"status": "queued", "label": "Waiting to start"}

    assert render_document.call(document.pk) == "ready"
    ready = client.get(url)
    assert ready["Content-Type"] == "application/pdf" and "public" in ready["Cache-Control"]
    assert b"".join(ready.streaming_content).startswith(b"%PDF")
    assert not ready.cookies and enqueued == [document.pk] and Document.objects.count() == 1


def test_the_public_pack_is_the_stored_scorecard_without_the_members_questions(
    client, published, mel, enqueued, django_capture_on_commit_callbacks
):
    """A locked quarter's public pack shows the stored scorecard and nothing else; the
    members' pack adds their questions, which are live (decision 0022): two documents."""
    client.get(_urls(published)["scorecard-pdf"])
    client.force_login(mel)
    client.get(reverse("monitoring:scorecard-pdf", args=[published.slug, published.q1.slug]))
    keys = sorted(Document.objects.values_list("key", flat=True))
    assert len(keys) == 2 and keys[0].endswith(":locked") and keys[1].startswith(keys[0] + ":questions@")


@pytest.fixture
def thread(published, alice, college):
    """The published plan delivers a council plan that is not published, and links to an
    item of a plan shared with nobody; one published plan and one not deliver it."""
    council = OrganisationFactory(name="Council", slug="the-council", kind=Organisation.Kind.COUNCIL)
    parent = make_plan(owner=alice, organisation=council, title="Unpublished Parent Plan", slug="parent")
    parent.status = Plan.Status.APPROVED
    parent.save()
    published.parent = parent
    published.save()
    hidden_child = make_plan(owner=alice, title="Unpublished Child Plan", slug="child-hidden", parent=published)
    shown_child = make_plan(owner=alice, title="Published Child Plan", slug="child-shown", parent=published)
    for child in (hidden_child, shown_child):
        child.status = Plan.Status.APPROVED
        child.save()
    shown_child.published_at = timezone.now()
    shown_child.save()
    secret = make_plan(owner=alice, title="Secret Linked Plan", slug="secret")
    target = add_item(secret, vision_of(secret), "priority", title="Secret priority")
    planning.link_add(source_id=published.action.pk, target_id=target.pk, relation="contributes_to", user=alice)
    edition = planning.edition_create(plan=published, name="Approved by Cabinet", user=alice)
    return published, edition, parent, hidden_child, shown_child, secret


def test_the_public_plan_pdf_names_no_plan_that_is_not_published(client, thread, enqueued):
    plan, edition, parent, hidden_child, shown_child, secret = thread
    client.get(_urls(plan, edition)["edition-pdf"])
    document = Document.objects.get()
    assert hidden_plans(document.key) == {parent.pk, hidden_child.pk, secret.pk}
    html = plan_document.plan_document_html(plan, edition, hidden=hidden_plans(document.key))
    for title in (parent.title, hidden_child.title, secret.title, "Secret priority"):
        assert title not in html
    assert shown_child.title in html and "delivers another plan, which is not shared with you" in html
    assert "1 other plan that is not shared with you also delivers it" in html


def test_a_partners_plan_pdf_names_no_parent_plan_they_may_not_read(thread, pat, college):
    """Decision 0009 left the plan it delivers named to every reader of the plan PDF."""
    plan, _, parent, _, _, _ = thread
    PlanShare.objects.create(plan=plan, organisation=college)
    document = documents.request_plan_pdf(pat, plan)
    html = plan_document.plan_document_html(plan, hidden=hidden_plans(document.key))
    assert parent.title not in html and "delivers another plan" in html


def test_an_officer_s_plan_pdf_still_names_the_whole_thread(thread, bob):
    plan, _, parent, hidden_child, _, _ = thread
    document = documents.request_plan_pdf(bob, plan)
    html = plan_document.plan_document_html(plan, hidden=hidden_plans(document.key))
    assert parent.title in html and hidden_child.title in html


def test_an_edition_pdf_is_produced_for_the_public(client, thread, enqueued, django_capture_on_commit_callbacks):
    plan, edition, *_ = thread
    url = _urls(plan, edition)["edition-pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    document = Document.objects.get()
    assert render_document.call(document.pk) == "ready"
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert "approved-by-cabinet" in response["Content-Disposition"]
    other = planning.edition_create(plan=make_plan(owner=plan.owner, slug="another"), name="Other", user=None)
    assert client.get(reverse("public:edition-pdf", args=[plan.slug, other.pk])).status_code == 404


# --- downloads ------------------------------------------------------------------------------


def test_the_results_as_csv_are_accepted_returns_of_locked_quarters(client, published):
    response = client.get(_urls(published)["csv"])
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{published.slug}-results.csv"'
    assert "public" in response["Cache-Control"] and not response.cookies
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [label for _, label in results.RESULT_FIELDS]
    assert len(rows) == 3  # Q1's accepted returns: not the one only submitted, nothing of Q2 (not locked)
    assert "Open a homework club" not in response.content.decode()
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Item"] == "Train every maths teacher" and row["Quarter"] == published.q1.label
    assert row["RAG"] == "Green" and row["Narrative"] == "'" + INJECTION  # escaped against formulas


def test_the_results_as_json_keep_numbers_as_numbers(client, published):
    response = client.get(_urls(published)["json"])
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["plan"]["slug"] == published.slug
    target = next(row for row in body["results"] if row["item"] == published.target.title)
    assert target["actual_value"] == 71 and target["target_value"] == 80 and target["unit"] == "Percentage (%)"
    assert target["quarter_starts"] == "2013-04-01" and target["rag"] == "Amber"
    assert [row["quarter"] for row in body["results"]] == [published.q1.label] * 2


def test_the_pages_read_in_a_few_queries(client, published, django_assert_max_num_queries):
    """The stamp, the plan, the quarter and its stored scorecard: no query per row."""
    for name, most in (("list", 6), ("scorecard", 8), ("csv", 8)):
        with django_assert_max_num_queries(most):
            assert client.get(_urls(published)[name]).status_code == 200, name
