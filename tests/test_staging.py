"""Build folders held by live processes, and sweeping up those of dead ones (index/versioning/staging.py)."""
import signal
import subprocess
import sys
from pathlib import Path

from index.versioning.staging import StagingArea, lock_path

ROOT = Path(__file__).resolve().parent.parent

HOLDER = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from index.versioning.staging import StagingArea
build = StagingArea(Path(sys.argv[1])).begin()
(build / "part.bin").write_bytes(b"x" * 1000)
print(build, flush=True)
time.sleep(120)
"""


def test_a_build_of_a_live_process_survives_a_sweep_and_a_killed_one_does_not(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), str(ROOT)], stdout=subprocess.PIPE,
                             text=True)
    try:
        build = Path(child.stdout.readline().strip())
        assert build.parent == tmp_path and (build / "part.bin").exists()
        assert StagingArea(tmp_path).sweep() == []  # its owner is alive: hands off
        assert build.exists() and lock_path(build).exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    messages = StagingArea(tmp_path).sweep()
    assert len(messages) == 1 and build.name in messages[0]
    assert list(tmp_path.iterdir()) == []


def test_release_abort_and_own_builds(tmp_path):
    area = StagingArea(tmp_path / "staging")
    kept, dropped = area.begin(), area.begin()
    assert kept != dropped and area.holds(kept)
    assert area.sweep() == [] and StagingArea(area.folder).sweep() == []  # held by this process
    area.abort(dropped)
    assert not dropped.exists() and not lock_path(dropped).exists() and not area.holds(dropped)
    kept.rename(tmp_path / "done")  # what a commit does with a finished build
    area.release(kept)
    assert list(area.folder.iterdir()) == []


def test_stray_lock_files_and_folders_without_locks_are_swept(tmp_path):
    area = StagingArea(tmp_path)
    (tmp_path / "build-1-aaaa").mkdir()  # no lock file: its owner died before we could know it
    (tmp_path / "build-2-bbbb.lock").write_text("")  # a lock file whose folder is gone
    messages = area.sweep()
    assert len(messages) == 1 and "build-1-aaaa" in messages[0]
    assert list(tmp_path.iterdir()) == []


def test_trash_removes_a_folder_from_its_place_at_once(tmp_path):
    victim = tmp_path / "versions" / "v1"
    (victim / "sub").mkdir(parents=True)
    (victim / "sub" / "f").write_text("x")
    area = StagingArea(tmp_path / "staging")
    area.trash(victim)
    assert not victim.exists() and list(area.folder.iterdir()) == []
    half = area.folder / "trash-v0-abc123"  # as if killed during an earlier trash()
    (half / "sub").mkdir(parents=True)
    assert area.sweep() == ["finished deleting an old index version whose removal was interrupted"]
    assert not half.exists()
