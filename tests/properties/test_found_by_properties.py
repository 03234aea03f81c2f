"""The server errors the property tests found, each kept as one fixed example so that it
stays fixed whatever examples a run happens to draw."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring import workbook
from monitoring.models import ProgressReturn, WorkbookUpload
from planning.models import Consultation, PlanItem


def test_a_superscript_digit_as_a_comment_id_is_no_comment(client, outline):
    client.force_login(outline.people.alice)
    url = reverse("planning:item-edit", args=[outline.plan.slug, outline.action.pk])
    response = client.post(url, {"title": "Renamed", "status": "not_started", "version": "1", "comment": "²"})
    assert response.status_code == 302 and PlanItem.objects.get(pk=outline.action.pk).title == "Renamed"


@pytest.mark.parametrize("raw", ["²", "9" * 5_000])
def test_odd_digits_as_a_parent_comment_or_a_link_target_are_404_or_refused(client, outline, raw):
    client.force_login(outline.people.alice)
    comments = reverse("planning:plan-comments", args=[outline.plan.slug])
    assert client.post(comments, {"body": "Hello", "parent": raw}).status_code == 404
    link = reverse("planning:link-add", args=[outline.plan.slug, outline.action.pk])
    assert client.post(link, {"target": raw, "relation": "contributes_to"}).status_code == 200


@pytest.mark.parametrize("period", ["²-q1", "2013-q¹", "9" * 5_000 + "-q1"])
def test_odd_digits_in_a_quarter_address_are_404(client, periods, ada, period):
    client.force_login(ada)
    assert client.get(reverse("monitoring:period-edit", args=[period])).status_code == 404


def test_reviewing_a_return_that_is_not_submitted_is_refused_not_a_server_error(client, quarters, periods, alice):
    client.force_login(alice)
    draft = ProgressReturn.objects.get(item=quarters.action, period=periods[2])
    url = reverse("monitoring:return-review", args=[quarters.slug, quarters.action.pk, periods[2].slug])
    response = client.post(url, {"decision": "accept", "reason": "", "version": str(draft.version)})
    assert response.status_code == 400 and "Only a submitted return can be reviewed" in response.content.decode()
    assert ProgressReturn.objects.get(pk=draft.pk).state == ProgressReturn.State.DRAFT


def test_an_evidence_file_whose_name_is_over_255_bytes_is_stored(client, quarters, periods, bob, media):
    client.force_login(bob)
    draft = ProgressReturn.objects.get(item=quarters.action, period=periods[2])
    url = reverse("monitoring:return-edit", args=[quarters.slug, quarters.action.pk, periods[2].slug])
    upload = SimpleUploadedFile("é" * 200 + ".pdf", b"%PDF-1.4 minimal")
    response = client.post(url, {"rag": "green", "narrative": "Begun", "version": "1", "evidence_file": upload})
    assert response.status_code == 302
    stored = ProgressReturn.objects.get(pk=draft.pk)
    assert stored.evidence_name == upload.name[-200:] and stored.evidence_file.storage.exists(stored.evidence_file.name)


def test_an_invitee_id_too_large_for_the_database_is_not_a_choice(client, outline):
    client.force_login(outline.people.alice)
    url = reverse("planning:consultation-open", args=[outline.plan.slug])
    payload = {"opens_on": "2099-01-01", "closes_on": "2099-02-01", "organisations": ["99999999999999999999999"]}
    response = client.post(url, payload)
    assert response.status_code == 200 and "not one of the available choices" in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("item_id", ["²", 10**20, "9" * 5_000])
def test_a_workbook_row_with_an_impossible_item_id_is_a_problem_named_on_the_row(
    client, quarters, periods, pat, item_id
):
    client.force_login(pat)
    book = workbook.build_workbook(pat, workbook.Scope(periods[2], pat.organisation))
    book[workbook.SHEET].cell(row=2, column=workbook.POSITION["Item ID"]).value = item_id
    book[workbook.SHEET].cell(row=2, column=workbook.POSITION["RAG"]).value = "Green"
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("returns.xlsx", content.getvalue())
    response = client.post(reverse("monitoring:workbook-upload"), {"workbook": upload, "period": periods[2].slug})
    assert response.status_code == 302
    (problem,) = WorkbookUpload.objects.get().problems
    assert (problem["row"], problem["column"]) == (2, "Item ID")
