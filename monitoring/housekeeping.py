"""Clearing out what no one will ask for again: superseded live PDFs and abandoned uploads.

A live plan's or quarter's PDF (in each language: decision 0029) is keyed by the moment of its latest change, so every
change that someone follows with "Download as PDF" leaves the previous PDF behind, file
and all; a workbook (or a plan file) that was uploaded and previewed but never applied stays as a
row with its parsed changes. Neither has history (they are products and drafts, not plan
content), and neither is ever shown again, so after a while they are deleted.

Kept whatever their age: an edition's or a locked quarter's PDF (produced once, served
ever after), the newest live PDF of each plan or quarter (it may still be the current
one), anything still queued or being produced, and applied uploads (the record of what
they wrote).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from monitoring.models import Document, WorkbookUpload
from planning.models import PlanImport

DEFAULT_AGE = timedelta(days=30)


@dataclass
class Cleared:
    documents: int = 0
    files: int = 0
    uploads: int = 0
    plan_imports: int = 0  # plan files uploaded in the browser, previewed, never imported


def _superseded_live_documents(before: datetime) -> list[Document]:
    """Live documents older than ``before`` that a newer document of the same thing replaces."""
    live = Document.objects.filter(key__contains=":live@").exclude(
        status__in=[Document.Status.QUEUED, Document.Status.RUNNING]
    )
    newest: dict[tuple, int] = {}
    for doc in Document.objects.filter(key__contains=":live@").order_by("requested_at", "pk"):
        newest[(doc.kind, doc.plan_id, doc.edition_id, doc.period_id, doc.include_children, doc.language)] = doc.pk
    keep = set(newest.values())
    return [doc for doc in live.filter(requested_at__lt=before) if doc.pk not in keep]


def storage_clean(*, older_than: timedelta = DEFAULT_AGE, now: datetime | None = None) -> Cleared:
    """Delete superseded live PDFs (rows and files) and unapplied uploads older than
    ``older_than``. Files are deleted after the rows are, once the deletion has committed,
    so a failure leaves at worst an orphaned file, never a row pointing at nothing."""
    before = (now or timezone.now()) - older_than
    cleared = Cleared()
    with transaction.atomic():
        documents = _superseded_live_documents(before)
        files = [(doc.file.storage, doc.file.name) for doc in documents if doc.file]
        cleared.documents = Document.objects.filter(pk__in=[doc.pk for doc in documents]).delete()[0]
        cleared.uploads = WorkbookUpload.objects.filter(applied_at__isnull=True, uploaded_at__lt=before).delete()[0]
        cleared.plan_imports = PlanImport.objects.filter(applied_at__isnull=True, uploaded_at__lt=before).delete()[0]
    for storage, name in files:
        if storage.exists(name):
            storage.delete(name)
            cleared.files += 1
    return cleared
