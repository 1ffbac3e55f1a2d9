"""The learner's workspace: nothing lost (numbered backups), nothing stale (recorded versions)."""

import json
import os
import shutil

from rnnbook import lab

NAMES = ("00_start_here.ipynb", "02_loop.ipynb")


def course(tmp_path):
    src, dst = tmp_path / "notebooks", tmp_path / "workspace"
    src.mkdir()
    for name in NAMES:
        (src / name).write_text(f"{name} v1")
    return src, dst


def test_restore_numbers_its_backups_and_never_replaces_one(tmp_path):
    src, dst = course(tmp_path)
    lab.copy_missing(src, dst)
    (dst / "02_loop.ipynb.bak").write_text("a backup made by an older rnnbook")
    for edit in ("first edits", "second edits"):
        (dst / "02_loop.ipynb").write_text(edit)
        target, backup = lab.restore("02", src, dst)
        assert target == dst / "02_loop.ipynb" and target.read_text() == "02_loop.ipynb v1"
    assert (dst / "02_loop.bak1.ipynb").read_text() == "first edits"
    assert (dst / "02_loop.bak2.ipynb").read_text() == "second edits"
    assert backup == dst / "02_loop.bak2.ipynb"
    assert (dst / "02_loop.ipynb.bak").read_text() == "a backup made by an older rnnbook"
    (dst / "02_loop.ipynb").unlink()
    assert lab.restore("02", src, dst)[1] is None  # nothing to keep: no backup


def test_a_copy_of_an_older_course_is_named_with_the_command_that_updates_it(tmp_path):
    src, dst = course(tmp_path)
    lab.copy_missing(src, dst)
    (dst / "02_loop.ipynb").write_text("my edits")
    assert lab.stale(src, dst) == []  # edits alone do not make a copy stale
    (src / "02_loop.ipynb").write_text("02_loop.ipynb v2")  # what a `git pull` brings
    assert lab.stale(src, dst) == ["02_loop.ipynb"]
    [note] = lab.stale_notes(src, dst)
    assert "workspace/02_loop.ipynb" in note and "older version" in note
    assert "make restore NB=02" in note
    assert (dst / "02_loop.ipynb").read_text() == "my edits"  # telling changes nothing
    lab.restore("02", src, dst)
    assert lab.stale(src, dst) == []
    assert (dst / "02_loop.bak1.ipynb").read_text() == "my edits"


def test_versions_are_hashes_so_a_fresh_clone_or_new_file_times_change_nothing(tmp_path):
    src, dst = course(tmp_path)
    lab.copy_missing(src, dst)
    recorded = json.loads((dst / lab.MANIFEST).read_text())
    assert recorded == {name: lab.digest(src / name) for name in NAMES}
    clone = tmp_path / "clone"
    shutil.copytree(src, clone)  # new files, new times, same contents
    for nb in clone.iterdir():
        os.utime(nb, (2e9, 2e9))
    assert lab.stale(clone, dst) == []


def test_a_copy_made_before_versions_were_recorded(tmp_path):
    src, dst = course(tmp_path)
    dst.mkdir()
    shutil.copy2(src / "00_start_here.ipynb", dst)  # the same as the course's
    (dst / "02_loop.ipynb").write_text("an old copy, or edited: no way to tell")
    assert lab.stale(src, dst) == ["02_loop.ipynb"]
    start = "00_start_here.ipynb"
    assert lab.read_manifest(dst) == {start: lab.digest(src / start)}  # recorded now
    [note] = lab.stale_notes(src, dst)
    assert "not recorded" in note and "make restore NB=02" in note


def test_make_lab_prints_the_stale_copies_before_the_url(monkeypatch, capsys):
    monkeypatch.setattr(lab, "copy_missing", lambda: [])
    monkeypatch.setattr(lab, "stale_notes", lambda: ["workspace/02_x.ipynb ... NB=02"])
    monkeypatch.setattr(lab.os, "execv", lambda exe, argv: None)
    lab.main(["--no-browser", "--port", "8899"])
    printed = capsys.readouterr().out
    assert printed.index("workspace/02_x.ipynb ... NB=02") < printed.index("The course: http")
