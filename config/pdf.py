"""Turning a print page's HTML into a PDF with WeasyPrint: the machinery every PDF of the
app shares. The plan document (``planning.plan_document``) and the quarterly scorecard
pack (``monitoring.scorecard_pack``) both go through it, so it lives in ``config``, below
both: it knows no app and no model, only HTML, the static files and ``SITE_URL``.

Every PDF is tagged (PDF/UA-1), has bookmarks that follow its headings (h1 > h2 > h3…),
a contents list whose page numbers and links are the PDF's own (``Entry`` and the shared
``templates/print/contents.html``), and "Page N of M" with what it shows and the day it
was produced on every page (``produced_on``).

Nothing is fetched over the network: the print stylesheet is parsed once per process
and handed to WeasyPrint, and the URL fetcher serves ``/static/`` from the app's own
static files and refuses everything else. Relative links in the pages (``/plans/…``)
resolve against ``SITE_URL``, so a link in the PDF opens the app.
"""

import mimetypes
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone

PRINT_CSS = "app/print.css"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}  # tagged, with the document's language and title
# the trend chart's colours: WeasyPrint draws inline SVG with the SVG's own styles only
SVG_STYLE = (
    "<style>.app-rag-fill--red{fill:#d4351c}.app-rag-fill--amber{fill:#f47738}"
    ".app-rag-fill--green{fill:#00703c}.app-rag-fill--complete{fill:#1d70b8}"
    ".app-rag-fill--not_started{fill:#505a5f}</style>"
)
_SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")


class RenderError(Exception):
    """A PDF that cannot be produced for a reason the reader can be told."""


@dataclass
class Entry:
    """A line of a contents list: its text, the heading it links to, how far it is indented."""

    text: str
    anchor: str
    indent: int = 0


class LocalFetcher(weasyprint.URLFetcher):
    """Serves ``<SITE_URL>/static/…`` (what ``/static/…`` in a print page resolves to) from
    the static files on disk; refuses every other address, so rendering never reaches the
    network, the media files or anything outside the static files."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        site = urlsplit(settings.SITE_URL)
        local = parts.scheme in {"http", "https"} and parts.netloc == site.netloc
        if local and parts.path.startswith(settings.STATIC_URL):
            path = _static_path(unquote(parts.path[len(settings.STATIC_URL) :]))
            if path:
                with open(path, "rb") as file:
                    body = file.read()
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise ValueError(f"Not fetched while rendering a PDF: {url}")


def _static_path(name: str) -> str | None:
    """The file behind a static name: collected (production) or in the app (development);
    None for a name outside the static files ("../settings.py")."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None


def _print_stylesheet() -> weasyprint.CSS:
    """The print stylesheet, parsed once (it is the same for every PDF) and again only
    when the file changes."""
    path = _static_path(PRINT_CSS)
    return _parsed_stylesheet(path, os.stat(path).st_mtime_ns)


@lru_cache(maxsize=2)
def _parsed_stylesheet(path: str, modified: int) -> weasyprint.CSS:
    return weasyprint.CSS(filename=path, url_fetcher=LocalFetcher())


def html_to_pdf(html: str) -> bytes:
    """The PDF of a print page's HTML. Callers reach it as ``pdf.html_to_pdf`` (``from
    config import pdf``), so a test can stand in for it once for every kind of PDF."""
    return _document(html).write_pdf(stylesheets=[_print_stylesheet()], **PDF_OPTIONS)


def layout(html: str) -> weasyprint.Document:
    """A print page's HTML laid out in pages, as ``html_to_pdf`` lays it out before writing
    it: what tests count the boxes of (a PDF's time and memory grow with its boxes)."""
    return _document(html).render(stylesheets=[_print_stylesheet()], **PDF_OPTIONS)


def _document(html: str) -> weasyprint.HTML:
    html = _SVG_OPEN.sub(lambda match: match.group(1) + SVG_STYLE, html)
    return weasyprint.HTML(string=html, base_url=settings.SITE_URL, url_fetcher=LocalFetcher())


def produced_on() -> str:
    """The day a PDF is produced, as its pages print it: "5 December 2026"."""
    return f"{timezone.localdate():%-d %B %Y}"
