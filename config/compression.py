"""Pages over 1 KB go out gzip-compressed when the browser asks for it (issue 14).

The plan page of a 2,000-item plan is some 4.5 MB of HTML; gzip at level 3 brings it to
about 300 KB. It works as Django's ``GZipMiddleware`` does, with its "Heal the Breach"
padding (up to 100 random bytes in each gzip header, Django 4.2+), which blurs the lengths
a BREACH attacker measures. BREACH also needs a secret in the body beside text the attacker
chooses; the one secret in our pages is the CSRF token, and Django masks it afresh in every
response, so there is nothing constant to guess byte by byte. The session cookie is a
header, never compressed.

What is left alone, and why:

- responses under ``MINIMUM_SIZE`` (1 KB): the saving is a few hundred bytes at most, the
  padding eats part of it, and htmx fragments and redirects are mostly this small;
- streaming responses: evidence files, stored PDFs and spreadsheet downloads are
  ``FileResponse``\\s of files that are already compressed (PDF streams, XLSX is a zip) or
  are the uploader's own bytes; compressing them again costs CPU for nothing;
- attachments (``Content-Disposition: attachment``): exports and documents, the same;
- anything not text (``COMPRESSED_TYPES``): PDFs, XLSX, images;
- a response that already has a ``Content-Encoding``.

Static files never reach it: WhiteNoise, earlier in ``MIDDLEWARE``, serves them with its
own precompressed gzip and Brotli copies. The proxy in front must not compress again
(docs/deployment.md, "Compression").
"""

import gzip
import secrets

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

MINIMUM_SIZE = 1024
COMPRESSED_TYPES = ("text/html", "text/plain", "text/csv", "text/css", "application/json", "image/svg+xml")
# zlib's levels 1-3 share its fast matcher, 4-9 its lazy one. On the 4.5 MB plan page level 3
# gives 299 KB in about 0.55x the time of the 500-row baseline view, level 6 (Django's) 216 KB
# in about 1.36x: the extra 83 KB is worth less than doubling the cached page's time.
LEVEL = 3
# Heal the Breach, as Django's GZipMiddleware: up to this many random bytes in the header
MAX_RANDOM_BYTES = 100


class CompressPagesMiddleware:
    """Django's ``GZipMiddleware`` with a floor of 1 KB, a list of types, no streaming, and
    a faster level; the padding, ``Vary`` and ``ETag`` handling are the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not worth_compressing(response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress(response.content)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag  # the bytes changed: RFC 9110 8.8.1
        response.headers["Content-Encoding"] = "gzip"
        return response


def worth_compressing(response: HttpResponse) -> bool:
    if response.streaming or response.has_header("Content-Encoding") or len(response.content) < MINIMUM_SIZE:
        return False
    if response.get("Content-Disposition", "").lower().startswith("attachment"):
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in COMPRESSED_TYPES


def compress(content: bytes) -> bytes:
    """gzip at ``LEVEL`` with a file name of 0 to ``MAX_RANDOM_BYTES`` bytes in its header,
    as ``django.utils.text.compress_string`` does at level 6: equal pages differ in
    length, so a BREACH attacker's length measurements need many more requests."""
    packed = gzip.compress(content, compresslevel=LEVEL, mtime=0)
    header = bytearray(packed[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(MAX_RANDOM_BYTES) + b"\x00" + packed[10:]
