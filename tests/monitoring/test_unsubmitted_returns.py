"""Drafts stay with their authors and reviewers (issue 12, item 13).

Members (and everyone else who may read a plan without writing or reviewing its returns)
read what has been submitted: submitted and accepted returns. A draft, or a return sent
back for changes, is read only by whoever may fill it in (its lead, the lead organisation,
officers who may change the plan) and whoever reviews it (the owner, admins). Others see
that it exists and its state, as the scorecard shows, but nothing it says: not on the
return page, its evidence, the item's progress, the quarter page or the export."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from monitoring import services as monitoring
from tests.factories import make_return

DRAFT_TEXT, RETURNED_TEXT, SUBMITTED_TEXT = (
    "Draft narrative in progress",
    "Narrative sent back",
    "Narrative as reported",
)


@pytest.fixture
def returns(monitored, periods, bob, pat, alice, settings, tmp_path):
    """Q1: the action's return a draft with evidence (bob); the target's returned for
    changes (pat wrote it, alice sent it back). Q2: the action's submitted."""
    settings.MEDIA_ROOT = tmp_path
    q1, q2 = periods[0], periods[1]
    draft = make_return(monitored.action, q1, bob, {"rag": "red", "narrative": DRAFT_TEXT})
    draft.evidence_file.save("draft-minutes.txt", ContentFile(b"Minutes not yet agreed"))
    sent = make_return(
        monitored.target, q1, pat, {"rag": "amber", "narrative": RETURNED_TEXT, "actual_value": 61}, submit=True
    )
    monitoring.return_send_back(return_id=sent.pk, user=alice, expected_version=sent.version, reason="Check the value")
    make_return(monitored.action, q2, bob, {"rag": "green", "narrative": SUBMITTED_TEXT}, submit=True)
    return q1, q2


def _get(client, name, *args):
    return client.get(reverse(name, args=args))


def _what_they_read(client, plan, q1) -> dict[str, object]:
    action, target = plan.action, plan.target
    export = _get(client, "monitoring:returns-export", plan.slug, q1.slug, "csv").content.decode()
    return {
        "draft's page": _get(client, "monitoring:return-detail", plan.slug, action.pk, q1.slug),
        "returned one's page": _get(client, "monitoring:return-detail", plan.slug, target.pk, q1.slug),
        "action's progress": _get(client, "monitoring:item-progress", plan.slug, action.pk),
        "target's progress": _get(client, "monitoring:item-progress", plan.slug, target.pk),
        "quarter page": _get(client, "monitoring:plan-period", plan.slug, q1.slug),
        "export": export,
    }


def _text(answer) -> str:
    return answer if isinstance(answer, str) else answer.content.decode()


@pytest.mark.parametrize("reader", ["mel", "carol"])  # a member; an officer of another service
def test_a_reader_who_neither_writes_nor_reviews_sees_no_draft_or_returned_content(
    client, request, monitored, returns, reader
):
    q1, _ = returns
    client.force_login(request.getfixturevalue(reader))
    for name, answer in _what_they_read(client, monitored, q1).items():
        text = _text(answer)
        if not isinstance(answer, str):
            assert answer.status_code == 200, name
        assert DRAFT_TEXT not in text and RETURNED_TEXT not in text, name
        assert "Check the value" not in text and "draft-minutes.txt" not in text, name
    page = _text(_get(client, "monitoring:return-detail", monitored.slug, monitored.action.pk, q1.slug))
    assert "Draft" in page and "has not been submitted" in page  # that it exists, and its state
    for name in ("monitoring:plan-period", "monitoring:item-progress"):  # the draft's RAG is red
        args = (monitored.slug, q1.slug) if name == "monitoring:plan-period" else (monitored.slug, monitored.action.pk)
        assert "govuk-tag--red" not in _text(_get(client, name, *args)), name


@pytest.mark.parametrize("reader", ["mel", "carol"])
def test_a_reader_who_neither_writes_nor_reviews_cannot_download_a_drafts_evidence(
    client, request, monitored, returns, reader
):
    q1, _ = returns
    client.force_login(request.getfixturevalue(reader))
    assert _get(client, "monitoring:return-evidence", monitored.slug, monitored.action.pk, q1.slug).status_code == 404


@pytest.mark.parametrize("reader", ["mel", "carol"])
def test_what_has_been_submitted_is_read_by_everyone_who_reads_the_plan(client, request, monitored, returns, reader):
    _, q2 = returns
    client.force_login(request.getfixturevalue(reader))
    page = _text(_get(client, "monitoring:return-detail", monitored.slug, monitored.action.pk, q2.slug))
    assert SUBMITTED_TEXT in page
    assert SUBMITTED_TEXT in _text(_get(client, "monitoring:returns-export", monitored.slug, q2.slug, "csv"))
    assert "govuk-tag--green" in _text(_get(client, "monitoring:item-progress", monitored.slug, monitored.action.pk))


@pytest.mark.parametrize(
    ("reader", "reads_draft", "reads_returned"),
    [
        ("bob", True, True),  # leads the action; an officer of the owning service, who may fill in any
        ("alice", True, True),  # the owner, who reviews
        ("ada", True, True),  # an admin, who reviews
        ("pat", False, True),  # the college leads the target only
    ],
)
def test_authors_and_reviewers_read_drafts_and_returned_returns(
    client, request, monitored, returns, reader, reads_draft, reads_returned
):
    q1, _ = returns
    client.force_login(request.getfixturevalue(reader))
    draft = _get(client, "monitoring:return-detail", monitored.slug, monitored.action.pk, q1.slug)
    returned = _get(client, "monitoring:return-detail", monitored.slug, monitored.target.pk, q1.slug)
    assert (draft.status_code == 200 and DRAFT_TEXT in _text(draft)) == reads_draft
    assert (returned.status_code == 200 and RETURNED_TEXT in _text(returned)) == reads_returned
    evidence = _get(client, "monitoring:return-evidence", monitored.slug, monitored.action.pk, q1.slug)
    assert (evidence.status_code == 200) == reads_draft


def test_the_export_keeps_every_row_and_the_state_of_what_it_withholds(client, mel, monitored, returns):
    q1, _ = returns
    client.force_login(mel)
    rows = list(
        csv.reader(io.StringIO(_text(_get(client, "monitoring:returns-export", monitored.slug, q1.slug, "csv"))))
    )
    states = {row[2]: row[7] for row in rows[1:]}
    assert states == {monitored.action.title: "Draft", monitored.target.title: "Returned for changes"}
    assert all(cell == "" for row in rows[1:] for cell in row[8:])
