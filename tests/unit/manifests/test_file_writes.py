"""-o and --in-place against the file system: links, devices, FIFOs, modes, owners, kills and roll back."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pyinject.manifests import files

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{containers: [{{name: c, image: i}}]}}\n"


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob(".pyinject-*"))


def test_o_writes_through_a_symlink_at_its_target(run_cli, tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to("real.yaml")
    result = run_cli("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real.yaml"
    assert "istio-proxy" in target.read_text()
    assert _leftovers(tmp_path) == []


def test_o_writes_a_fifo_directly(run_cli, tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert b"istio-proxy" in received[0]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_o_dev_full_is_written_not_replaced(run_cli, tmp_path: Path) -> None:
    full = Path("/dev/full")
    if (not full.exists() or not stat.S_ISCHR(full.stat().st_mode)) and os.environ.get("CI") != "true":
        pytest.skip("no /dev/full device")
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    result = run_cli("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", "/dev/full")
    assert stat.S_ISCHR(full.stat().st_mode)
    assert result.exit_code == 1
    assert result.stderr == "pyinject: error: /dev/full: cannot write: No space left on device\n"


def _with_umask(mask: int):
    def preexec() -> None:
        os.umask(mask)

    return preexec


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, mask: int, mode: int) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    out = tmp_path / "out.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pyinject", "kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", str(out)],
        capture_output=True, text=True, timeout=120, preexec_fn=_with_umask(mask),
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(run_cli, tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    out = tmp_path / "out.yaml"
    out.write_text("old\n")
    out.chmod(0o664)
    assert run_cli("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


def test_read_only_files_are_refused_unless_forced(run_cli, tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(POD.format(i=1))
    app.chmod(0o444)
    for args in (["-o", str(app)], ["--in-place"]):
        result = run_cli("kube-inject", "-f", str(app), "-q", *args)
        assert result.exit_code == 1
        assert result.stderr == f"pyinject: error: {app}: is read-only; pass --force to replace it\n"
        assert app.read_text() == POD.format(i=1)
    result = run_cli("kube-inject", "-f", str(app), "-q", "--in-place", "--force")
    assert result.exit_code == 0, result.stderr
    assert "istio-proxy" in app.read_text()
    assert stat.S_IMODE(app.stat().st_mode) == 0o444


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true", reason="chown to another user needs root")
def test_root_keeps_owner_and_group(run_cli, tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(POD.format(i=1))
    os.chown(app, 1234, 5678)
    assert run_cli("kube-inject", "-f", str(app), "-q", "--in-place").exit_code == 0
    info = app.stat()
    assert (info.st_uid, info.st_gid) == (1234, 5678)
    assert "istio-proxy" in app.read_text()


def test_a_hard_link_keeps_the_old_content(run_cli, tmp_path: Path) -> None:
    # As the README says: the file is replaced by a new one, like sed -i does.
    app = tmp_path / "app.yaml"
    app.write_text(POD.format(i=1))
    other = tmp_path / "other-name"
    os.link(app, other)
    assert run_cli("kube-inject", "-f", str(app), "-q", "--in-place").exit_code == 0
    assert "istio-proxy" in app.read_text()
    assert other.read_text() == POD.format(i=1)


def test_a_rename_error_rolls_back_every_file(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    originals = {}
    for i in range(300):
        path = tmp_path / f"app-{i:03}.yaml"
        path.write_text(POD.format(i=i))
        originals[path] = path.read_bytes()
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        # Renames of staged files over their targets; the 150th fails.
        if str(src).endswith(".new"):
            calls["n"] += 1
            if calls["n"] == 150:
                raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    result = run_cli("kube-inject", "-f", str(tmp_path), "-q", "--in-place")
    assert result.exit_code == 1
    assert result.stderr == (
        f"pyinject: error: {tmp_path / 'app-149.yaml'}: cannot write: Input/output error; nothing was changed\n"
    )
    assert calls["n"] == 150
    for path, content in originals.items():
        assert path.read_bytes() == content, path
    assert _leftovers(tmp_path) == []


def test_a_killed_runs_staging_is_removed_by_the_next_run(run_cli, tmp_path: Path) -> None:
    stale = tmp_path / ".pyinject-999999999-abc.tmp"  # no such process
    stale.mkdir()
    (stale / "0.new").write_text("half")
    busy = tmp_path / f".pyinject-{os.getpid()}-def.tmp"  # a live process: left alone
    busy.mkdir()
    app = tmp_path / "app.yaml"
    app.write_text(POD.format(i=1))
    result = run_cli("kube-inject", "-f", str(tmp_path), "-q", "--in-place")
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and busy.exists()


def _pyinject(*args: str) -> list[str]:
    return [sys.executable, "-m", "pyinject", *args]


def test_sigkill_during_in_place_never_leaves_a_mixed_file_or_lasting_debris(tmp_path: Path) -> None:
    count = 120
    expected = tmp_path / "expected"
    expected.mkdir()
    for i in range(count):
        (expected / f"app-{i:03}.yaml").write_text(POD.format(i=i))
    started = time.monotonic()
    done = subprocess.run(_pyinject("kube-inject", "-f", str(expected), "-q", "--in-place"), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - started  # the kills land anywhere in a run this long
    injected = {p.name: p.read_bytes() for p in expected.iterdir()}
    rng = random.Random(12)
    work = tmp_path / "work"
    work.mkdir()
    for i in range(count):
        (work / f"app-{i:03}.yaml").write_text(POD.format(i=i))
    kills = 0
    for attempt in range(6):
        process = subprocess.Popen(_pyinject("kube-inject", "-f", str(work), "-q", "--in-place"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=300)
        for path in work.glob("*.yaml"):
            content = path.read_bytes()
            # Each file is wholly old or wholly new, never truncated or mixed.
            assert content in (POD.format(i=int(path.stem[4:])).encode(), injected[path.name]), path
        # What a kill leaves is one hidden staging directory, nothing else.
        assert all(files.is_staging_dir(p.name) for p in work.iterdir() if p.name.startswith("."))
        # Start over from the originals so the next kill lands in real work again.
        for i in range(count):
            (work / f"app-{i:03}.yaml").write_text(POD.format(i=i))
    assert kills > 0
    final = subprocess.run(_pyinject("kube-inject", "-f", str(work), "-q", "--in-place"), capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert [p.name for p in work.iterdir() if p.name.startswith(".")] == []
    assert {p.name: p.read_bytes() for p in work.glob("*.yaml")} == injected


def test_o_dev_stdout_into_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    result = subprocess.run(_pyinject("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", "/dev/stdout"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "istio-proxy" in result.stdout


def test_o_a_directory_is_refused(run_cli, tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(POD.format(i=1))
    result = run_cli("kube-inject", "-f", str(tmp_path / "in.yaml"), "-q", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"pyinject: error: {tmp_path}: is a directory\n"


def test_a_staging_directory_is_hidden_from_git_while_it_exists(tmp_path: Path) -> None:
    import io

    target = tmp_path / "app.yaml"
    target.write_text("old\n")
    with files.Staging() as staging:
        staging.add(str(target), io.StringIO("new\n"))
        (staged_dir,) = [p for p in tmp_path.iterdir() if files.is_staging_dir(p.name)]
        # A .gitignore of "*" inside: should a kill leave the directory, `git add -A` adds nothing.
        assert (staged_dir / ".gitignore").read_text() == "*\n"
        assert target.read_text() == "old\n"
        staging.commit()
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["app.yaml"]
