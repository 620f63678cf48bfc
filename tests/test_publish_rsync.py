"""`castnotes publish` with rsync: to a folder on this machine, and over SSH to a real sshd on
127.0.0.1 (started by the fixture with its own host key, user key and port); and the plain
folder target castnotes copies itself.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from audio_samples import in_ci, require_tool
from conftest import run_cli, write_episode

MANIFEST = ".castnotes/manifest.json"


def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".castnotes-site"}


def published(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in site_files(folder).items() if k != MANIFEST}


def add_episode(show: Path) -> None:
    folder = show / "episodes" / "003-third"
    write_episode(folder, {"title": "Third time lucky", "date": "2026-01-19 06:00",
                           "guid": "0b6e7c52-0003-4a0e-9e0e-000000000003"}, "A third.\n")
    (folder / "audio.mp3").write_bytes((show / "episodes" / "001-first" / "audio.mp3").read_bytes() + b"\0")


@pytest.mark.parametrize("scheme", ["rsync", "folder"])
def test_publish_to_a_local_folder(make_show, tmp_path: Path, scheme: str) -> None:
    if scheme == "rsync":
        require_tool("rsync")
    dest = tmp_path / "www"
    show = make_show(settings={"publish": {"target": f"rsync://{dest}" if scheme == "rsync" else str(dest)}})
    (show / "static").mkdir()
    (show / "static" / "old.txt").write_text("old\n")
    first = run_cli("publish", show=show)
    assert first.exit_code == 0, first.output
    assert published(dest) == site_files(show / "site")
    assert (dest / MANIFEST).is_file()
    assert oct((dest / "feed.xml").stat().st_mode & 0o777) == "0o644"  # readable by the web server

    again = run_cli("publish", show=show)
    assert "0 uploaded" in again.output, again.output
    add_episode(show)
    (show / "static" / "old.txt").unlink()
    third = run_cli("publish", show=show)
    assert third.exit_code == 0, third.output
    assert (dest / "media/third/audio.mp3").is_file() and (dest / "old.txt").is_file()
    assert re.search(r"\b\d+ kept", third.output)  # old.txt, and files the new build renamed
    mp3 = next(p for p in published(dest) if p.endswith("first/audio.mp3"))
    (show / "site" / mp3).unlink()  # by hand: the ledger still lists the episode as published
    fourth = run_cli("publish", "--no-build", "--delete", show=show)
    assert fourth.exit_code == 0, fourth.output
    assert not (dest / "old.txt").exists() and (dest / mp3).is_file()
    assert re.search(r"\b[1-9]\d* deleted", fourth.output)
    assert set(published(dest)) == set(site_files(show / "site")) | {mp3}  # only the ledger's audio stays


def test_rsync_failures_are_one_line_and_touch_nothing(make_show, tmp_path: Path) -> None:
    require_tool("rsync")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    show = make_show()
    assert run_cli("build", show=show).exit_code == 0
    result = run_cli("publish", "--no-build", "--target", f"rsync://{blocker}/www/", show=show)
    assert result.exit_code == 1
    assert result.output.count("error:") == 1 and f"rsync://{blocker}/www/" in result.output
    assert blocker.read_text() == "not a folder\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A real sshd on 127.0.0.1 that lets this user in with a fresh key; RSYNC_RSH points ssh at it."""
    program = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
    if program is None:
        if in_ci():
            pytest.fail("sshd is not installed, and CI=true: .ci/run installs openssh-server")
        pytest.skip("sshd is not installed")
    keygen = require_tool("ssh-keygen")
    require_tool("ssh")
    folder = tmp_path / "sshd"
    folder.mkdir()
    for name in ("host", "user"):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    shutil.copyfile(folder / "user.pub", folder / "authorized_keys")
    port = free_port()
    (folder / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host
PidFile {folder}/sshd.pid
AuthorizedKeysFile {folder}/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
""")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder
    server = subprocess.Popen([program, "-D", "-e", "-f", str(folder / "sshd_config")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("sshd did not start: " + server.stderr.read().decode(errors="replace"))
                time.sleep(0.1)
        monkeypatch.setenv("RSYNC_RSH", f"ssh -p {port} -i {folder}/user -o BatchMode=yes "
                                        "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                        "-o LogLevel=ERROR")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_publish_over_ssh_to_127_0_0_1(make_show, tmp_path: Path, sshd: int) -> None:
    require_tool("rsync")
    dest = tmp_path / "remote" / "podcast"
    (tmp_path / "remote").mkdir()
    target = f"{getpass.getuser()}@127.0.0.1:{dest}/"
    show = make_show(settings={"publish": {"target": target}})
    first = run_cli("publish", show=show)
    assert first.exit_code == 0, first.output
    assert published(dest) == site_files(show / "site")
    again = run_cli("publish", show=show)
    assert "0 uploaded" in again.output, again.output
    add_episode(show)
    third = run_cli("publish", show=show)
    assert third.exit_code == 0, third.output
    remote = published(dest)  # the new site, plus any file it dropped (kept: no --delete)
    assert all(remote.get(path) == data for path, data in site_files(show / "site").items())


def test_an_unreachable_ssh_server_is_one_line(make_show, tmp_path: Path, sshd: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("rsync")
    show = make_show()
    assert run_cli("build", show=show).exit_code == 0
    closed = free_port()
    monkeypatch.setenv("RSYNC_RSH", os.environ["RSYNC_RSH"].replace(f"-p {sshd}", f"-p {closed}"))
    result = run_cli("publish", "--no-build", "--target", f"{getpass.getuser()}@127.0.0.1:{tmp_path}/x/",
                     show=show)
    assert result.exit_code == 1
    assert "cannot reach" in result.output and "Connection refused" in result.output
    assert result.output.count("error:") == 1
    assert not (tmp_path / "x").exists()
