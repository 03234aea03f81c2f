"""``make run`` (issue 12 items 20 and 26): ``scripts/run.sh`` starts the server and the PDF
worker with links pointing where the server listens, and Ctrl+C stops both and ends the
script with 0, so make does not report "Error 130" or "Error 143" for a clean stop."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

from tests.test_security_settings import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == pid:
                found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    """Still there and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _environment(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as environ:
        pairs = [item.split(b"=", 1) for item in environ.read().split(b"\0") if b"=" in item]
    return {key.decode(): value.decode() for key, value in pairs}


def test_make_run_loads_the_demo_for_the_address_it_serves():
    dry = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["make", "-n", "run", "HOST=127.0.0.1", "PORT=8765"],  # noqa: S607 - make from PATH, as a person types it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "load_demo --url http://127.0.0.1:8765/" in dry
    told = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=8765", "SITE_URL=http://plans.local:8765"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "load_demo --url http://plans.local:8765/" in told


def test_ctrl_c_stops_the_server_and_the_worker_and_the_script_ends_with_0(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}}
    env["DATABASE_URL"] = database
    subprocess.run(  # noqa: S603 - a fixed interpreter and command
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    port = _free_port()
    script = subprocess.Popen(  # noqa: S603 - the project's own script
        [str(ROOT / "scripts" / "run.sh"), f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # as make in a terminal: Ctrl+C reaches its process group
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert script.poll() is None, "run.sh ended before the server started"
            time.sleep(0.5)
        else:
            raise AssertionError("the server did not start")
        children = _children(script.pid)
        assert len(children) == 2  # the worker and the server
        for child in children:
            assert _environment(child)["SITE_URL"] == f"http://127.0.0.1:{port}"
        os.killpg(script.pid, signal.SIGINT)  # Ctrl+C
        assert script.wait(timeout=60) == 0
        time.sleep(0.5)
        assert not [child for child in children if _running(child)]
    finally:  # whatever happened, nothing is left running
        for group in [script.pid, *children]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        script.wait(timeout=10)
