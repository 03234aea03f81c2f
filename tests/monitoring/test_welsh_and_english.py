"""Welsh and English in monitoring (decision 0029): the PDFs are written in the language of
the reader who asked for them (a Welsh and an English pack are two documents), reminders
and notifications in their recipient's, a locked quarter's stored scorecard reads in the
reader's language whichever language locked it, and a workbook downloaded in Welsh is
read back as one downloaded in English is."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring import scorecards, workbook
from monitoring import services as monitoring
from monitoring.models import Document, ScorecardSnapshot
from partners.models import Notification

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def tasks_now(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    translation.deactivate()  # a request in Welsh leaves Welsh active in this thread: not for the next test


def _text(document: Document) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages)


def _ask(client, capture, url, language):
    with capture(execute=True):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_a_welsh_and_an_english_pack_are_two_documents_each_in_its_language(
    client, reported, periods, mel, django_capture_on_commit_callbacks
):
    url = reverse("monitoring:scorecard-pdf", args=[reported.slug, periods[1].slug])
    client.force_login(mel)
    _ask(client, django_capture_on_commit_callbacks, url, "cy")
    _ask(client, django_capture_on_commit_callbacks, url, "en-gb")
    _ask(client, django_capture_on_commit_callbacks, url, "cy")  # the Welsh one again: reused
    welsh, english = Document.objects.get(language="cy"), Document.objects.get(language="en-gb")
    assert Document.objects.count() == 2 and welsh.key != english.key
    assert welsh.key == "cy/" + english.key and english.key.startswith("scorecard:")
    assert welsh.status == english.status == Document.Status.READY
    welsh_text, english_text = _text(welsh), _text(english)
    # the contents and the period's name, each in its reader's language
    assert "1. Purpose of the report" in english_text and "Q2 2013/14" in english_text
    assert "1. Diben yr adroddiad" in welsh_text and "Ch2 2013/14" in welsh_text
    assert "Diben yr adroddiad" not in english_text and "Ch2 2013/14" not in english_text


def test_a_plan_document_asked_for_in_welsh_is_made_in_welsh(
    client, monitored, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    _ask(client, django_capture_on_commit_callbacks, reverse("monitoring:plan-pdf", args=[monitored.slug]), "cy")
    document = Document.objects.get()
    assert document.language == "cy" and document.key.startswith("cy/plan:")


def test_a_reminder_to_a_welsh_speaker_is_in_welsh_and_to_an_english_speaker_in_english(monitored, q1, bob, pat):
    bob.language = "cy"
    bob.save(update_fields=["language"])
    call_command("send_return_reminders", date=(q1.due_on - timedelta(days=3)).isoformat(), stdout=StringIO())
    welsh = Notification.objects.get(recipient=bob)
    english = Notification.objects.get(recipient=pat)
    assert welsh.subject == "Nodyn atgoffa: 1 ffurflen ar gyfer Ch1 2013/14 i’w cyflwyno 15 Gorffenaf 2013"
    assert welsh.body.startswith("Mae ffurflenni ar gyfer Ch1 2013/14 i’w cyflwyno ar 15 Gorffenaf 2013.")
    assert english.subject == "Reminder: 1 return(s) for Q1 2013/14 due 15 July 2013"


def test_the_owners_chase_and_a_review_reach_each_person_in_their_language(monitored, q1, bob, alice):
    bob.language = "cy"
    bob.save(update_fields=["language"])
    monitoring.reminders_send(period=q1, plan=monitored, user=alice)
    assert Notification.objects.get(recipient=bob).subject.startswith("Nodyn atgoffa:")
    from tests.factories import make_return

    ret = make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "Going well"}, submit=True)
    monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    accepted = Notification.objects.filter(recipient=bob).latest("pk")
    assert accepted.subject == f"Mae eich ffurflen Ch1 2013/14 wedi’i derbyn: {monitored.action.title}"


def test_a_reminder_names_the_action_and_plan_in_welsh_where_they_have_it(monitored, q1, bob, alice):
    action = monitored.action
    action.title_cy = "Hyfforddi pob athro mathemateg"
    action.save()
    bob.language = "cy"
    bob.save(update_fields=["language"])
    monitoring.reminders_send(period=q1, plan=monitored, user=alice)
    body = Notification.objects.get(recipient=bob).body
    # the action in Welsh; the plan, with no Welsh title, in English
    assert f"- Hyfforddi pob athro mathemateg ({monitored.title})" in body


def test_a_locked_quarters_scorecard_locked_in_welsh_reads_in_english_and_in_welsh(reported, periods, ada):
    q2 = periods[1]
    with translation.override("cy"):  # an admin reading in Welsh locks the quarter
        monitoring.period_lock(period_id=q2.pk, user=ada)
    q2.refresh_from_db()
    stored = ScorecardSnapshot.objects.get(plan=reported, include_children=False).data
    assert stored["schema"] == scorecards.SCHEMA and stored["period"]["label"] == "Q2 2013/14"
    english = scorecards.scorecard_data(reported, q2)
    with translation.override("cy"):
        welsh = scorecards.scorecard_data(reported, q2)
    assert [row["label"] for row in english["rag_counts"]][:3] == ["Red", "Amber", "Green"]
    assert [row["label"] for row in welsh["rag_counts"]][:3] == ["Coch", "Ambr", "Gwyrdd"]
    assert welsh["period"]["label"] == "Ch2 2013/14" and welsh["exceptions"][0]["why"] == "Coch"
    assert [q["period"] for q in welsh["trend"]] == ["Ch1 2013/14", "Ch2 2013/14"]


def test_a_locked_scorecard_names_the_plan_and_priority_in_welsh_where_they_have_it(reported, periods, ada):
    """The Welsh titles are stored with the card when the quarter is locked, so its reader in
    Welsh gets them; an English reader gets the English."""
    for thing, welsh_title in ((reported, "Cynllun Gwella Ysgolion"), (reported.priority, "Codi cyrhaeddiad")):
        thing.title_cy = welsh_title
        thing.save()
    q2 = periods[1]
    monitoring.period_lock(period_id=q2.pk, user=ada)
    q2.refresh_from_db()
    stored = ScorecardSnapshot.objects.get(plan=reported, include_children=False).data
    assert stored["plan"]["title_cy"] == "Cynllun Gwella Ysgolion"
    with translation.override("cy"):
        welsh = scorecards.scorecard_data(reported, q2)
    english = scorecards.scorecard_data(reported, q2)
    assert welsh["plan"]["title"] == "Cynllun Gwella Ysgolion" and english["plan"]["title"] == reported.title
    assert welsh["priorities"][0]["title"] == "Codi cyrhaeddiad"
    assert english["priorities"][0]["title"] == reported.priority.title
    assert {row["plan"] for row in welsh["rows"]} == {"Cynllun Gwella Ysgolion"}


def test_a_scorecard_stored_before_issue_18_reads_in_welsh(reported, periods, ada):
    q2 = periods[1]
    monitoring.period_lock(period_id=q2.pk, user=ada)
    q2.refresh_from_db()
    snapshot = ScorecardSnapshot.objects.get(plan=reported, include_children=False)
    old = dict(snapshot.data)  # as stored before issue 18: English words, no codes for them
    for key in ("generated_at",):
        old.pop(key)
    old["trend"] = [{"period": q["period"], "counts": q["counts"]} for q in old["trend"]]
    old["outstanding"] = [{k: v for k, v in row.items() if k != "state_code"} for row in old["outstanding"]]
    ScorecardSnapshot.objects.filter(pk=snapshot.pk).update(data=old)
    with translation.override("cy"):
        card = scorecards.scorecard_data(reported, q2)
    assert card["rows"][0]["rag_label"] in {"Coch", "Gwyrdd", "Ambr"}
    assert card["period"]["label"] == "Ch2 2013/14"
    assert [q["period"] for q in card["trend"]] == ["Q1 2013/14", "Q2 2013/14"]  # kept as stored
    with translation.override("en-gb"):
        assert scorecards.scorecard_data(reported, q2)["rows"][0]["rag_label"] in {"Red", "Green", "Amber"}


def test_a_workbook_downloaded_in_welsh_is_read_back(monitored, q1, bob, tmp_path):
    scope = workbook.Scope(period=q1, plan=monitored)
    with translation.override("cy"):
        book = workbook.build_workbook(bob, scope)
    assert book.sheetnames == ["Ffurflenni", "Darllenwch fi"]
    sheet = book["Ffurflenni"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[0] == "ID yr eitem" and "Naratif" in headings
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == monitored.action.pk)
    sheet.cell(row, headings.index("RAG") + 1).value = "Gwyrdd"
    sheet.cell(row, headings.index("Naratif") + 1).value = "Mae’n mynd yn dda"
    sheet.cell(row, headings.index("Cyflwyno?") + 1).value = "Ie"
    path = tmp_path / "llyfr.xlsx"
    book.save(path)
    with open(path, "rb") as handle:  # read back by someone reading in English
        parsed = workbook.parse_workbook(handle, user=bob, period=q1)
    assert parsed.problems == []
    [change] = parsed.changes
    assert change["fields"]["rag"] == "green" and change["submit"] is True
    assert load_workbook(path).sheetnames == ["Ffurflenni", "Darllenwch fi"]


def test_a_welsh_reader_of_a_scorecard_reads_the_items_and_returns_own_welsh(monitored, periods, bob):
    """Plan content in Welsh (decision 0033): the action's Welsh title and the return's Welsh
    narrative where written, the English where not; an English reader the English."""
    from planning import services as planning
    from tests.factories import make_return

    q1 = periods[0]
    action = monitored.action
    planning.item_update(
        item_id=action.pk,
        user=bob,
        change=planning.ItemChange({"title_cy": "Hyfforddi pob athro mathemateg"}),
        expected_version=action.version,
        reason="Welsh",
    )
    make_return(action, q1, bob, {"rag": "red", "narrative": "Booked.", "narrative_cy": "Wedi archebu."}, submit=True)
    make_return(monitored.target, q1, bob, {"rag": "green", "actual_value": 71, "narrative": "Up."}, submit=True)
    english = scorecards.scorecard_data(monitored, q1)
    with translation.override("cy"):
        welsh = scorecards.scorecard_data(monitored, q1)
    by_id = {row["id"]: row for row in welsh["rows"]}
    assert (by_id[action.pk]["title"], by_id[action.pk]["narrative"]) == (
        "Hyfforddi pob athro mathemateg",
        "Wedi archebu.",
    )
    assert by_id[monitored.target.pk]["narrative"] == "Up."  # no Welsh: the English
    assert {row["id"]: row["narrative"] for row in english["rows"]}[action.pk] == "Booked."
