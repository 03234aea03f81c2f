"""Where files and the cache live is chosen by environment variables (config/storage.py,
config/cache.py, read by config/settings.py): the local disk and each process's memory by
default; object storage (S3 API or Azure Blob) and Redis when asked for. A missing or
malformed variable stops start-up with a message naming it, and never repeats a secret."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from config import cache, storage
from tests.test_security_settings import _production

VARIABLES = [
    "FILE_STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX", "S3_ADDRESSING_STYLE",
    "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "AZURE_CONTAINER", "AZURE_PREFIX", "AZURE_CONNECTION_STRING",
    "AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_KEY", "CACHE_URL", "REDIS_URL",
]  # fmt: skip
SECRET = "s3cr3t-Do-Not-Print-Me"
AZURITE = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
    + "a2V5" * 22
    + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
)


@pytest.fixture
def env(monkeypatch):
    """Nothing set but what the test sets."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


def _built(entry: dict):
    """The storage Django would build from a ``STORAGES`` entry (django-storages refuses an
    option it does not know, so this also checks every option's name)."""
    return import_string(entry["BACKEND"])(**entry.get("OPTIONS", {}))


def test_out_of_the_box_files_go_to_the_local_disk_and_the_cache_is_each_processs_memory(env):
    assert storage.default_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert cache.caches() == {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_s3_storage_is_built_from_the_variables_and_never_overwrites_a_file(env):
    env(
        FILE_STORAGE="S3",
        S3_BUCKET="northmoor-plans",
        S3_ENDPOINT_URL="https://s3.northmoor.gov.uk/",
        S3_REGION="eu-west-2",
        S3_PREFIX="/golden-thread/",
        S3_ADDRESSING_STYLE="path",
        S3_ACCESS_KEY_ID="AKIA-TEST",
        S3_SECRET_ACCESS_KEY=SECRET,
    )
    built = _built(storage.default_storage())
    assert type(built).__name__ == "S3Storage"
    assert (built.bucket_name, built.endpoint_url, built.region_name, built.location) == (
        "northmoor-plans", "https://s3.northmoor.gov.uk", "eu-west-2", "golden-thread",
    )  # fmt: skip
    assert (built.access_key, built.secret_key) == ("AKIA-TEST", SECRET)
    assert built.file_overwrite is False and built.client_config.s3 == {"addressing_style": "path"}
    assert built.client_config.connect_timeout == 5


def test_s3_without_keys_leaves_the_credentials_to_boto3(env):
    """The server's own role, a profile, or boto3's AWS_* variables."""
    env(FILE_STORAGE="s3", S3_BUCKET="northmoor-plans")
    options = storage.default_storage()["OPTIONS"]
    assert "access_key" not in options and "secret_key" not in options and "endpoint_url" not in options


def test_azure_storage_is_built_from_a_connection_string_or_an_account_and_key(env):
    env(FILE_STORAGE="azure", AZURE_CONTAINER="golden-thread", AZURE_CONNECTION_STRING=AZURITE, AZURE_PREFIX="media")
    built = _built(storage.default_storage())
    assert type(built).__name__ == "AzureStorage"
    assert (built.azure_container, built.connection_string, built.location) == ("golden-thread", AZURITE, "media")
    assert built.overwrite_files is False
    env(AZURE_CONNECTION_STRING="", AZURE_ACCOUNT_NAME="northmoorplans", AZURE_ACCOUNT_KEY=SECRET)
    built = _built(storage.default_storage())
    assert (built.account_name, built.account_key, built.connection_string) == ("northmoorplans", SECRET, None)


def test_redis_is_the_cache_when_cache_url_or_redis_url_names_it(env):
    env(REDIS_URL="redis://cache.internal:6379/2")
    entry = cache.caches()["default"]
    assert entry["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert entry["LOCATION"] == "redis://cache.internal:6379/2"
    assert entry["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 2}
    env(CACHE_URL="rediss://:password@cache.internal:6380/0")  # CACHE_URL first
    assert cache.caches()["default"]["LOCATION"] == "rediss://:password@cache.internal:6380/0"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"FILE_STORAGE": "ftp"}, "FILE_STORAGE must be one of local, s3, azure, not 'ftp'."),
        ({"FILE_STORAGE": "s3"}, "Set S3_BUCKET: FILE_STORAGE=s3 needs it."),
        ({"FILE_STORAGE": "s3", "S3_BUCKET": "Northmoor_Plans"}, "S3_BUCKET must be a bucket name"),
        (
            {"FILE_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ACCESS_KEY_ID": "AKIA-TEST"},
            "Set S3_SECRET_ACCESS_KEY too: S3_ACCESS_KEY_ID is set",
        ),
        (
            {"FILE_STORAGE": "s3", "S3_BUCKET": "plans", "S3_SECRET_ACCESS_KEY": SECRET},
            "Set S3_ACCESS_KEY_ID too: S3_SECRET_ACCESS_KEY is set",
        ),
        (
            {"FILE_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ENDPOINT_URL": "s3.northmoor.gov.uk"},
            "S3_ENDPOINT_URL must be an address such as https://s3.example.org.",
        ),
        (
            {"FILE_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ADDRESSING_STYLE": "sideways"},
            "S3_ADDRESSING_STYLE must be auto, path or virtual",
        ),
        ({"FILE_STORAGE": "azure"}, "Set AZURE_CONTAINER: FILE_STORAGE=azure needs it."),
        ({"FILE_STORAGE": "azure", "AZURE_CONTAINER": "Golden_Thread"}, "AZURE_CONTAINER must be a container name"),
        (
            {"FILE_STORAGE": "azure", "AZURE_CONTAINER": "plans"},
            "Set AZURE_CONNECTION_STRING, or AZURE_ACCOUNT_NAME and AZURE_ACCOUNT_KEY",
        ),
        (
            {"FILE_STORAGE": "azure", "AZURE_CONTAINER": "plans", "AZURE_ACCOUNT_NAME": "northmoor"},
            "Set AZURE_ACCOUNT_KEY too: AZURE_ACCOUNT_NAME is set",
        ),
        (
            {
                "FILE_STORAGE": "azure",
                "AZURE_CONTAINER": "plans",
                "AZURE_CONNECTION_STRING": f"AccountKey={SECRET}",
                "AZURE_ACCOUNT_NAME": "northmoor",
                "AZURE_ACCOUNT_KEY": SECRET,
            },
            "not both",
        ),
        ({"CACHE_URL": f"memcached://admin:{SECRET}@cache:11211"}, "CACHE_URL must be a Redis address"),
        ({"REDIS_URL": "redis://"}, "REDIS_URL names no Redis server"),
        ({"CACHE_URL": f"redis://:{SECRET}@cache:sixty/0"}, "CACHE_URL has a port that is not a number."),
    ],
    ids=lambda value: ",".join(f"{k}={v}" for k, v in value.items())[:60] if isinstance(value, dict) else "refused",
)
def test_a_missing_or_malformed_variable_is_refused_by_name_without_repeating_a_secret(env, variables, message):
    env(**variables)
    with pytest.raises(ImproperlyConfigured) as refused:
        storage.default_storage()
        cache.caches()
    assert message in str(refused.value)
    assert SECRET not in str(refused.value)


def test_production_with_object_storage_and_redis_starts_and_passes_the_deployment_checks():
    result = _production(
        "import os\n"
        "os.environ.update(FILE_STORAGE='s3', S3_BUCKET='northmoor-plans', CACHE_URL='redis://cache.internal:6379/0')\n"
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print(s.STORAGES['default']['BACKEND'], s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == [
        "storages.backends.s3.S3Storage",
        "django.core.cache.backends.redis.RedisCache",
        "config.sessions",  # database sessions
    ]


def test_a_half_configured_store_stops_start_up_naming_the_variable():
    result = _production(
        "import os; os.environ.update(FILE_STORAGE='s3', S3_BUCKET='northmoor-plans', S3_ACCESS_KEY_ID='AKIA')\n"
        "import django; django.setup()\n"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set S3_SECRET_ACCESS_KEY too" in result.stderr
