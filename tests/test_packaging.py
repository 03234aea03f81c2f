"""pyproject.toml is the one place dependencies are declared (issue 13): the locks that make
and production install from follow it, a production install carries no test, browser or lint
tool, every dependency declared is used and every package imported is declared, and the
package pip builds holds every app with its templates and migrations."""

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

from django.apps import apps
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_security_settings import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
EXTRAS = {extra: [Requirement(line) for line in lines] for extra, lines in PROJECT["optional-dependencies"].items()}
# declared, but reached by no import: each named with where it is used instead
USED_WITHOUT_IMPORT = {
    "gunicorn": "the WSGI server (docs/deployment.md, benchmarks/load_test.py)",
    "setuptools": "builds the wheel (test_pip_builds_a_wheel_holding_every_app_with_its_templates_and_migrations)",
    "pytest-playwright": "the page fixtures of tests/browser",
    "pytest-django": "the db, client and settings fixtures",
    "pytest-xdist": "make test runs the suite on several processes",
    "bandit": "make security",
    "django-stubs": "mypy's Django plugin (make types)",
    "djhtml": "make lint formats the templates",
    "mypy": "make types",
    "pip-tools": "make lock",
    "ruff": "make lint",
    "django-storages": "named in STORAGES when FILE_STORAGE is s3 or azure (config/storage.py)",
    "boto3": "django-storages' S3 backend (FILE_STORAGE=s3)",
    "azure-storage-blob": "django-storages' Azure backend (FILE_STORAGE=azure)",
    "redis": "Django's Redis cache backend (CACHE_URL, config/cache.py)",
    "flask": "moto's server mode, the tests' S3-compatible server (tests/backing.py)",
    "flask-cors": "moto's server mode, the tests' S3-compatible server (tests/backing.py)",
}


def _lock(name: str) -> dict[str, tuple[str, int]]:
    """A lock file's packages: name → (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if "==" in text and not text.startswith("--"):
            requirement, _, version = text.partition(" ")[0].partition("==")
            current = canonicalize_name(requirement)
            pins[current] = (version, 0)
        if "--hash=sha256:" in text and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _out_of_step(declared: list[Requirement], lock: dict[str, tuple[str, int]]) -> list[str]:
    problems = []
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        if name not in lock:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(lock[name][0], prereleases=True):
            problems.append(f"{requirement.name}=={lock[name][0]} is outside {requirement.specifier}")
    return problems


def test_the_runtime_lock_pins_every_runtime_dependency_within_its_declared_range():
    assert _out_of_step(RUNTIME, _lock("requirements.txt")) == [], "run `make lock` after changing pyproject.toml"


def test_the_development_lock_pins_every_runtime_test_and_dev_dependency_within_its_range():
    declared = RUNTIME + EXTRAS["test"] + EXTRAS["dev"]
    assert _out_of_step(declared, _lock("requirements-dev.txt")) == [], "run `make lock` after changing pyproject.toml"


def test_the_tests_run_on_the_versions_production_installs():
    runtime, development = _lock("requirements.txt"), _lock("requirements-dev.txt")
    differ = {name: (version, development.get(name, ("missing",))[0]) for name, (version, _) in runtime.items()}
    assert {name: pair for name, pair in differ.items() if pair[0] != pair[1]} == {}


def test_every_locked_package_carries_its_hashes():
    for name in ("requirements.txt", "requirements-dev.txt"):
        assert [package for package, (_, hashes) in _lock(name).items() if hashes == 0] == [], name


def _pin_with_hashes(name: str, package: str) -> list[str]:
    """The lines that pin one package in a lock: its `name==version` and its hashes."""
    lines = (ROOT / name).read_text().splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith(f"{package}=="))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.strip().startswith("--hash="):
            break
        block.append(line)
    return [line.strip(" \\") for line in block]


def test_pip_is_installed_first_at_the_version_and_with_the_hashes_the_development_lock_names():
    # the venv's own pip (23.2) refuses the lock once fonttools publishes a release newer than
    # the one pinned (weasyprint asks for fonttools[woff]); make installs requirements-pip.txt first
    pip_lock = _pin_with_hashes("requirements-pip.txt", "pip")
    assert len(pip_lock) >= 2
    assert pip_lock == _pin_with_hashes("requirements-dev.txt", "pip"), "run `make lock`"


def test_a_production_install_carries_no_test_browser_or_lint_tool():
    # setuptools, packaging and requests are libraries, not tools (django-csp needs packaging
    # at run time, azure-core's HTTP client is requests)
    libraries = {"setuptools", "packaging", "requests"}
    tools = {canonicalize_name(r.name) for r in EXTRAS["test"] + EXTRAS["dev"]} - libraries
    tools |= {"playwright", "pytest", "hypothesis", "faker", "greenlet"}  # what they bring with them
    assert sorted(tools & _lock("requirements.txt").keys()) == []


def _modules_imported(folders: list[Path]) -> set[str]:
    found = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return found


def _distributions(modules: set[str]) -> set[str]:
    """The installed distributions that provide ``modules``; a module no distribution
    provides (the standard library, the project's own) gives none."""
    provided = packages_distributions()
    found = {canonicalize_name(dist) for module in modules for dist in provided.get(module, [])}
    return found - {canonicalize_name(PROJECT["name"])}  # the project itself, if installed


def _local_apps() -> list[Path]:
    return [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == ROOT]


def _named_in_settings() -> set[str]:
    """Top-level modules the settings name as strings (apps, middleware, storages)."""
    names = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, *settings.AUTHENTICATION_BACKENDS]
    names += [storage["BACKEND"] for storage in settings.STORAGES.values()]
    return {name.split(".")[0] for name in names}


def test_every_runtime_dependency_declared_is_used():
    code = [*_local_apps(), ROOT / "config", ROOT / "scripts", ROOT / "benchmarks"]
    used = _distributions(_modules_imported(code) | _named_in_settings())
    declared = {canonicalize_name(r.name) for r in RUNTIME}
    assert sorted(declared - used - USED_WITHOUT_IMPORT.keys()) == []


def test_every_package_the_app_imports_is_a_declared_runtime_dependency():
    code = [*_local_apps(), ROOT / "config", ROOT / "scripts"]
    declared = {canonicalize_name(r.name) for r in RUNTIME}
    imported = _distributions(_modules_imported(code) | _named_in_settings())
    assert sorted(imported - declared - {"django-stubs-ext"}) == []  # django-tasks' own typing helper


def test_every_package_the_tests_import_is_declared_for_them():
    declared = {canonicalize_name(r.name) for r in RUNTIME + EXTRAS["test"]}
    imported = _distributions(_modules_imported([ROOT / "tests"]))
    assert sorted(imported - declared) == []


def test_the_declared_tools_are_all_used():
    declared = {canonicalize_name(r.name) for r in EXTRAS["test"] + EXTRAS["dev"]}
    imported = _distributions(_modules_imported([ROOT / "tests"]))
    assert sorted(declared - imported - USED_WITHOUT_IMPORT.keys()) == []


def test_pip_builds_a_wheel_holding_every_app_with_its_templates_and_migrations(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    app_folders = sorted({path.name for path in _local_apps()} | {"config"})
    for name in app_folders:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("tests", "benchmarks", "scripts", "fixtures"):  # in the checkout, not in the package
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    result = subprocess.run(  # noqa: S603 - this interpreter's pip, fixed arguments, no network
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").glob("golden_thread-*.whl")
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name}
    expected = {
        path.relative_to(source).as_posix()
        for name in app_folders
        for path in (source / name).rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    assert sorted(expected - packaged) == [], "files of the apps missing from the wheel"
    assert sorted(packaged - expected) == [], "files in the wheel that are not the apps'"
    assert {
        "planning/migrations/0001_initial.py",
        "planning/templates/planning/print/plan_document.html",
    } < packaged
