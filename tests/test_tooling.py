"""The project's own tooling reads cleanly (issue 12 item 26): a test run names the reason
for every skipped test, and ``make security`` (bandit) reports no finding and no stray
``nosec`` warning. (pytest's own deprecations fail the run: pyproject.toml's filterwarnings.)"""

import os
import subprocess
import sys

from tests.test_security_settings import ROOT


def test_a_test_run_names_the_reason_for_every_skipped_test(tmp_path):
    (tmp_path / "test_skipping.py").write_text(
        "import pytest\n\n\n@pytest.mark.skip(reason='the reason a reader needs')\ndef test_skipped():\n    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(  # noqa: S603 - a fixed interpreter and arguments
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "1 skipped" in result.stdout, result.stdout + result.stderr
    assert "SKIPPED [1]" in result.stdout and "the reason a reader needs" in result.stdout


def test_make_security_finds_nothing_and_warns_of_nothing():
    result = subprocess.run(  # noqa: S603 - a fixed interpreter and arguments, as the Makefile's
        [
            str(ROOT / ".venv" / "bin" / "bandit"),
            "-c",
            "pyproject.toml",
            "-r",
            "config",
            "audit",
            "partners",
            "planning",
            "monitoring",
            "demo",
            "benchmarks",
            "scripts",
            "-ll",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "No issues identified." in result.stdout
    assert "WARNING" not in result.stderr, result.stderr
