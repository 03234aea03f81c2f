"""Where evidence files and PDFs are kept, and how they are stored and read back.

The local disk (``MEDIA_ROOT``) unless ``FILE_STORAGE`` says otherwise: ``s3`` for object
storage that speaks the S3 API (AWS S3, MinIO, Ceph and most councils' private clouds),
``azure`` for Azure Blob storage. With several app servers and a worker, object storage is
what they share: an evidence file uploaded through one server downloads through another, and
a PDF the worker renders is served by any of them (docs/deployment.md, "Files").

``default_storage()`` is read by config/settings.py: a missing or malformed variable stops
start-up with a message naming it. Secrets (keys, connection strings) are never repeated in
a message.

The rest is used when a file is written or read:

- ``stored_unless_failed()`` stores an upload *before* its row is written, so that a store
  that refuses the file (bucket missing, disk full, credentials revoked) refuses the whole
  save with a message beside the field and writes no row; and deletes what it stored if the
  row then fails to be written, so that no file is left behind for a row that never was.
- ``open_stored()`` fetches a stored file before a response starts, so that a file missing
  from storage is a clean 404 (or a fresh render) whatever the backend, not a download cut
  off half-way.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy

from config.env import env_str

if TYPE_CHECKING:  # config/settings.py imports this module: nothing here may need settings
    from django.core.files import File
    from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)

MB = 1024 * 1024
KINDS = ("local", "s3", "azure")
# a file fetched for a download is held in memory up to this size, then in a temporary file
FETCH_MEMORY = 5 * MB
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONTAINER = re.compile(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")

STORE_FAILED = gettext_lazy(
    "{name} could not be stored, so nothing has been saved. Try again in a few minutes; "
    "if it fails again, tell the system administrator."
)


# --- settings ---------------------------------------------------------------------------------


def default_storage() -> dict:
    """The ``STORAGES["default"]`` entry the environment asks for."""
    kind = env_str("FILE_STORAGE", "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options()}
    if kind == "azure":
        return {"BACKEND": "storages.backends.azure_storage.AzureStorage", "OPTIONS": _azure_options()}
    raise ImproperlyConfigured(f"FILE_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}.")


def _required(name: str, kind: str) -> str:
    value = env_str(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name}: FILE_STORAGE={kind} needs it.")
    return value


def _pair(first: str, second: str) -> tuple[str, str]:
    """Two variables that make sense only together (a key's id and its secret)."""
    one, two = env_str(first, "").strip(), env_str(second, "").strip()
    if bool(one) != bool(two):
        missing, given = (second, first) if one else (first, second)
        raise ImproperlyConfigured(f"Set {missing} too: {given} is set, and one is no use without the other.")
    return one, two


def _needs(module: str, kind: str, package: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ImproperlyConfigured(f"FILE_STORAGE={kind} needs the {package} package: pip install {package}") from None


def _s3_options() -> dict:
    _needs("boto3", "s3", "boto3")
    from botocore.config import Config

    bucket = _required("S3_BUCKET", "s3")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ImproperlyConfigured(
            f"S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, dots and hyphens), not {bucket!r}."
        )
    style = env_str("S3_ADDRESSING_STYLE", "auto").strip().lower() or "auto"
    if style not in {"auto", "path", "virtual"}:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}.")
    options = {
        "bucket_name": bucket,
        # Two officers' report.pdf uploaded in one month are two objects, and a new live PDF
        # never replaces one being downloaded: names are made unique, as on the local disk.
        "file_overwrite": False,
        "location": env_str("S3_PREFIX", "").strip().strip("/"),
        "max_memory_size": FETCH_MEMORY,
        # a store that does not answer fails the request in seconds, not minutes
        "client_config": Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": style},
        ),
    }
    if endpoint := env_str("S3_ENDPOINT_URL", "").strip():
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
            raise ImproperlyConfigured("S3_ENDPOINT_URL must be an address such as https://s3.example.org.")
        options["endpoint_url"] = endpoint.rstrip("/")
    if region := env_str("S3_REGION", "").strip():
        options["region_name"] = region
    key_id, secret = _pair("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
    if key_id:  # otherwise boto3's own chain: AWS_* variables, a profile, the server's role
        options["access_key"], options["secret_key"] = key_id, secret
    return options


def _azure_options() -> dict:
    _needs("azure.storage.blob", "azure", "azure-storage-blob")
    container = _required("AZURE_CONTAINER", "azure")
    if not _CONTAINER.fullmatch(container):
        raise ImproperlyConfigured(
            f"AZURE_CONTAINER must be a container name (3 to 63 lower-case letters, digits and single hyphens), "
            f"not {container!r}."
        )
    options = {
        "azure_container": container,
        "overwrite_files": False,
        "location": env_str("AZURE_PREFIX", "").strip().strip("/"),
        "max_memory_size": FETCH_MEMORY,
    }
    connection_string = env_str("AZURE_CONNECTION_STRING", "").strip()
    account, key = _pair("AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_KEY")
    if connection_string and account:
        raise ImproperlyConfigured(
            "Set AZURE_CONNECTION_STRING or AZURE_ACCOUNT_NAME with AZURE_ACCOUNT_KEY, not both."
        )
    if connection_string:
        options["connection_string"] = connection_string
    elif account:
        options["account_name"], options["account_key"] = account, key
    else:
        raise ImproperlyConfigured(
            "Set AZURE_CONNECTION_STRING, or AZURE_ACCOUNT_NAME and AZURE_ACCOUNT_KEY: FILE_STORAGE=azure needs one."
        )
    return options


# --- storing and reading ----------------------------------------------------------------------


class StoredFiles:
    """The files stored for rows being written, so that they can be deleted again if the
    rows are not."""

    def __init__(self) -> None:
        self._stored: list[tuple[object, str]] = []

    def store(self, field_file: "FieldFile", name: str, content: "File", *, field: str) -> None:
        """Store ``content`` as ``field_file``'s file now, under a name made from ``name``
        (the row, saved later, then only records the name). A store that refuses it raises
        ValidationError on ``field``, naming the file; the cause goes to the log."""
        shown = getattr(content, "name", None) or name
        try:
            field_file.save(name, content, save=False)
        except Exception as error:  # any backend's failure (OSError, botocore's, azure's) is the store's
            logger.exception("Could not store %s in %s", name, type(field_file.storage).__name__)
            raise ValidationError({field: STORE_FAILED.format(name=shown)}, code="not_stored") from error
        self._stored.append((field_file.storage, field_file.name))

    def discard(self) -> None:
        """Delete what was stored (the rows were not written). Best effort: a file that
        cannot be deleted is an orphan (logged), never a row pointing at nothing."""
        for storage, name in self._stored:
            try:
                storage.delete(name)
            except Exception:
                logger.exception("Could not delete %s, stored for a row that was not saved", name)
        self._stored.clear()


@contextmanager
def stored_unless_failed() -> Iterator[StoredFiles]:
    """Files stored inside the block stay only if the block ends without an exception.
    Open it outside the transaction that writes the rows, so that the files are deleted
    after the rollback."""
    stored = StoredFiles()
    try:
        yield stored
    except BaseException:
        stored.discard()
        raise


def open_stored(field_file: "FieldFile") -> "File":
    """``field_file``'s file opened for reading with its content already fetched (into
    memory, or a temporary file past ``FETCH_MEMORY``). Raises FileNotFoundError, whatever
    the backend, when the file is missing from storage."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
        handle.file  # noqa: B018  object storage fetches here, before any response starts
    except Exception as error:
        if isinstance(error, FileNotFoundError) or _not_found(error):
            raise FileNotFoundError(field_file.name) from error
        raise
    return handle


def _not_found(error: Exception) -> bool:
    """A backend's own 'no such file': Azure's ResourceNotFoundError, or S3's 404 for an
    object deleted between the backend's check and its fetch."""
    s3_status = (getattr(error, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return 404 in (getattr(error, "status_code", None), s3_status)
