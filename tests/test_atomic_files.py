"""Reports and a sweep's summary are written whole or not at all: each file or folder is staged beside
its target under a hidden name and moved into place in one step, so a full disk, a crash or Ctrl-C
midway leaves the earlier output as it was and nothing half-written behind."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import scenario_tables, solve_tables
from planner import report
from planner.files import locked, replace_atomically, replace_together, set_aside_name
from planner.sweep import solved_row, write_sweep


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """One tiny solved scenario, shared: these tests are about where its files go, not what they say."""
    return solve_tables(scenario_tables(), tmp_path_factory.mktemp("scenario")).results


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def earlier_report(results, out: Path) -> dict[str, bytes]:
    report.write_outputs(results, out)
    return contents(out)


def fails_midway(error: BaseException):
    """A writer that leaves half a file, then stops with ``error``."""

    def write(results, path: Path) -> None:
        path.write_text("half a file")
        raise error

    return write


def test_a_file_is_staged_beside_its_target_under_a_hidden_name(tmp_path):
    """A move is one step only within one file system, so the staging file goes in the target's own
    folder (not the system's temporary folder), hidden so a file browser does not show it meanwhile."""
    target = tmp_path / "reports" / "sweep.json"
    staged = []

    def write(path: Path) -> None:
        staged.append(path)
        path.write_text("new")

    replace_atomically(target, write)
    assert staged[0].parent == target.parent
    assert staged[0].name.startswith(".sweep.json.")
    assert target.read_text() == "new" and not staged[0].exists()


def test_ctrl_c_while_writing_a_file_leaves_the_earlier_one(tmp_path):
    """Ctrl-C is not an Exception; it must still take the staging file away and leave the file as it was."""
    target = tmp_path / "sweep.json"
    target.write_text("earlier")
    with pytest.raises(KeyboardInterrupt):
        replace_atomically(target, lambda path: fails_midway(KeyboardInterrupt())(None, path))
    assert contents(tmp_path) == {"sweep.json": b"earlier"}


def test_a_second_ctrl_c_while_staging_files_go_still_takes_them_all_away(tmp_path, monkeypatch, ctrl_c_raises):
    """Ctrl-C while the second of two files is written, and again as the first's staging file is removed: both go,
    then the key is acted on."""
    targets = [tmp_path / "sweep.json", tmp_path / "sweep.html"]
    unlink = Path.unlink

    def key_again(path, missing_ok=False):
        signal.raise_signal(signal.SIGINT)
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", key_again)
    half = fails_midway(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        replace_together({targets[0]: lambda path: path.write_text("new"), targets[1]: lambda path: half(None, path)})
    assert contents(tmp_path) == {}


def test_ctrl_c_between_moving_files_that_belong_together_moves_them_all(tmp_path, monkeypatch, ctrl_c_raises):
    """Ctrl-C after the first of two files is moved into place must not leave it beside the earlier
    other one (a sweep.json of this sweep beside the sweep.html of the last): the moves finish, then
    the interrupt is raised."""
    targets = [tmp_path / "sweep.json", tmp_path / "sweep.html"]
    for target in targets:
        target.write_text("earlier")
    replace = os.replace

    def key_after_the_first(source, target):
        replace(source, target)
        if Path(target) == targets[0]:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "replace", key_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        replace_together({target: lambda path: path.write_text("new") for target in targets})
    assert contents(tmp_path) == {"sweep.html": b"new", "sweep.json": b"new"}


@pytest.fixture
def umask():
    """Sets the process's umask for a test, and puts the one before back."""
    before = os.umask(0o022)
    yield os.umask
    os.umask(before)


def test_a_report_folder_is_readable_by_others(results, tmp_path, umask):
    """The folder is staged private (mkdtemp makes it 0700); a report is meant to be shared or served,
    so it ends up 0755 like a folder made by hand."""
    out = tmp_path / "out"
    report.write_outputs(results, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert sorted(p.name for p in out.iterdir()) == sorted(report.REPORT_FILES)


def test_a_report_and_a_sweep_summary_follow_the_umask_and_an_earlier_folders_mode(results, tmp_path, umask):
    """Under umask 077 the report's folder was made 0755 and the sweep's files 0644, so that scores and input
    paths were readable by every user; a folder a user had set to 0750 was made 0755 again."""
    umask(0o077)
    out = tmp_path / "out"
    report.write_outputs(results, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    write_sweep(sweep_rows(results, tmp_path), tmp_path)
    assert {stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("sweep.json", "sweep.html")} == {0o600}
    umask(0o022)
    out.chmod(0o750)
    report.write_outputs(results, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_a_folder_name_as_long_as_a_name_may_be_takes_a_report(results, tmp_path):
    """The hidden names a report is staged and set aside under add to its folder's name: a folder named in 250
    bytes failed after the solve ("File name too long"), and one of 255 as an internal error."""
    for length in (250, 255):
        out = tmp_path / ("é" * (length // 2) + "x" * (length % 2))
        assert len(os.fsencode(out.name)) == length
        report.write_outputs(results, out)
        report.write_outputs(results, out)  # again, over the first: the earlier one set aside under a short name
        assert sorted(p.name for p in out.iterdir()) == sorted(report.REPORT_FILES)
    assert sorted(len(os.fsencode(p.name)) for p in tmp_path.iterdir()) == [250, 255]


def test_an_earlier_report_set_aside_that_cannot_be_removed_is_named(results, tmp_path, monkeypatch):
    """In a folder shared by a team, '.out.old' left by another user's run cannot be removed: every later run
    failed after solving with "Directory not empty", naming neither it nor why."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    (tmp_path / ".out.old").mkdir()
    (tmp_path / ".out.old" / "index.html").write_text("theirs")
    real = report.remove
    monkeypatch.setattr(report, "remove", lambda path: None if path.name == ".out.old" else real(path))  # another's
    with pytest.raises(report.ReportFolderError) as info:
        report.write_outputs(results, out)
    assert str(info.value) == (
        f"{out}: cannot write the report: {tmp_path / '.out.old'}, where the earlier report waits while the new one "
        "takes its place, is left from an earlier run and cannot be removed (another user's files?); remove it")
    assert contents(out) == before and sorted(p.name for p in tmp_path.iterdir()) == [".out.old", "out"]


def test_a_mount_point_is_refused_before_solving(tmp_path, monkeypatch):
    """A report replaces its folder whole, which a mount point (a container's volume) cannot be: it failed after
    the solve with "Device or resource busy"."""
    out = tmp_path / "out"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == out or real(path))
    assert report.report_folder_problem(out) == (
        f"{out}: cannot write the report there: it is a mount point, which the report cannot replace (it replaces "
        f"its folder whole); give --out a folder inside it, such as {out / 'report'}")


def test_a_link_to_a_mount_point_is_refused_as_the_mount_point(tmp_path, monkeypatch):
    """os.path.ismount is false for a link: --out a link to a mount point solved, then failed."""
    out = tmp_path / "volume"
    out.mkdir()
    (tmp_path / "link").symlink_to(out)
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == out or real(path))
    assert "it is a mount point" in report.report_folder_problem(tmp_path / "link")


def test_a_read_only_earlier_report_is_replaced_by_one_as_read_only(results, tmp_path):
    """A report folder a user made read-only (0555): its mode was given to the staging folder before the report
    was written into it, and the write failed after the solve ("Permission denied"); the earlier one set aside
    could not be removed either."""
    out = tmp_path / "out"
    report.write_outputs(results, out)
    out.chmod(0o555)
    try:
        if os.access(out, os.W_OK):
            pytest.skip("the folder's mode does not keep this user out (root)")
        report.write_outputs(results, out)
        report.write_outputs(results, out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o555 and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    finally:
        out.chmod(0o755)


def without_root_powers(code: str) -> subprocess.CompletedProcess:
    """Run Python ``code`` as this user but without root's power over files' modes (by setpriv), so that a mode
    binds as it does for any user."""
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root passes every mode, and setpriv is not here to take that power away")
        powers = "-dac_override,-dac_read_search,-fowner"
        prefix = ["setpriv", f"--bounding-set={powers}", f"--inh-caps={powers}", "--"]
    return subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_a_read_only_folder_left_staged_or_set_aside_is_removed_whole(tmp_path):
    """A killed run's staging, or an earlier report set aside, that lets no one write in it (the mode of a read-only
    report folder) was left for good; a folder in it that lets no one look in failed the removal with an internal
    error. Their folders are made their owner's to change, and nothing outside them is."""
    left = tmp_path / "left"
    (left / "deep").mkdir(parents=True)
    (left / "deep" / "part").write_text("half")
    (left / "index.html").write_text("half a report")
    (left / "deep").chmod(0)
    left.chmod(0o555)
    tmp_path.chmod(0o555)  # the folder it is in: not the removal's to change
    try:
        done = without_root_powers(f"from pathlib import Path; from planner.files import remove; "
                                   f"remove(Path({str(left)!r}))")
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o555
    finally:
        tmp_path.chmod(0o755)
    assert left.exists() and sorted(p.name for p in left.iterdir()) == []  # emptied: its own folder may not go


def test_an_earlier_report_set_aside_that_cannot_be_looked_in_is_named(tmp_path):
    """Another user's private '.out.old' (mode 0700) failed the check of the report folder as an internal error."""
    (tmp_path / ".out.old").mkdir()
    (tmp_path / ".out.old").chmod(0)
    try:
        done = without_root_powers("from pathlib import Path; from planner.report import report_folder_problem; "
                                   f"print(report_folder_problem(Path({str(tmp_path / 'out')!r})))")
    finally:
        (tmp_path / ".out.old").chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"{tmp_path / 'out'}: cannot write the report there: {tmp_path / '.out.old'} cannot be "
                           "looked in (Permission denied), which the report would delete (it moves the earlier report "
                           "to that name while it writes the new one); move it away\n")


def test_a_pipe_named_as_staging_does_not_stop_the_next_write(results, tmp_path):
    """Whether what is staged under a report's hidden name is another run's live work is found by taking its lock:
    opening a pipe under such a name waited for a writer, for ever."""
    pipe = tmp_path / f".out.{_ended_pid()}-abc123"
    os.mkfifo(pipe)
    report.write_outputs(results, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_long_names_hidden_names_keep_whole_characters():
    """A name cut to fit the hidden names beside it was cut between the bytes of a character ('é'), giving a name
    that is not valid UTF-8."""
    for name in ("é" * 125, "x" + "é" * 125, "한" * 85):
        assert set_aside_name(name).encode("utf-8")
        assert len(os.fsencode(set_aside_name(name))) <= 255


def test_a_full_disk_while_the_workbook_is_saved_is_told_as_such(results, tmp_path, monkeypatch):
    """XlsxWriter raises its own FileCreateError for the OSError it meets saving: the run ended as an internal
    error (exit 1), and the zip file it left open printed an "Exception ignored" traceback as it was closed."""
    import zipfile

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def no_room(*args, **kwargs):
        raise full

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    # a full disk fails the data's writes and, as the zip file left open is closed, its end record's; the file
    # itself still closes, as on a real disk
    monkeypatch.setattr(zipfile._ZipWriteFile, "write", no_room)
    monkeypatch.setattr(zipfile.ZipFile, "_write_end_record", no_room)
    out = tmp_path / "out"
    with pytest.raises(report.ReportFolderError) as info:
        report.write_outputs(results, out, ["xlsx"])
    monkeypatch.undo()
    assert str(info.value) == f"{out}: cannot write the report (No space left on device)"
    assert unraisable == [] and list(tmp_path.iterdir()) == []


def test_a_report_is_staged_beside_its_folder_under_a_hidden_name(results, tmp_path, monkeypatch):
    """The whole folder is renamed into place, which is one step only on one file system."""
    folders = []
    real = report.write_data

    def spy(results, folder, outputs):
        folders.append(folder)
        real(results, folder, outputs)

    monkeypatch.setattr(report, "write_data", spy)
    report.write_outputs(results, tmp_path / "out")
    assert folders[0].parent == tmp_path and folders[0].name.startswith(".out.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_stale_old_folder_left_by_a_crash_does_not_block_the_next_report(results, tmp_path):
    """A crash during the swap can leave ``.out.old`` holding the report before; the next report
    clears it, takes its place and leaves no ``.old`` behind."""
    out = tmp_path / "out"
    earlier_report(results, out)
    stale = tmp_path / ".out.old"
    stale.mkdir()
    (stale / "index.html").write_text("a report from before the crash")
    (out / "summary.json").write_text("{}")  # to tell the new report from the one it replaces

    assert report.write_outputs(results, out) == out / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "summary.json").read_text() != "{}"


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_users_folder_or_file_under_the_swap_name_is_kept_and_the_report_refused(results, tmp_path, kind):
    """A folder `.out.old` holding a user's notes (or a file of that name) is not a report a crash left: it was
    deleted without a word. The report is refused before it is written, naming it."""
    out, previous = tmp_path / "out", tmp_path / ".out.old"
    if kind == "folder":
        previous.mkdir()
        (previous / "notes.txt").write_text("keep")
    else:
        previous.write_text("keep")
    with pytest.raises(report.ReportFolderError) as refused:
        report.write_outputs(results, out)
    what = "holds notes.txt" if kind == "folder" else "is a file"
    assert str(refused.value) == (f"{out}: cannot write the report there: {previous} {what}, which the report would "
                                  "delete (it moves the earlier report to that name while it writes the new one); "
                                  "move it away")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.old"]
    assert (previous / "notes.txt" if kind == "folder" else previous).read_text() == "keep"


def _ended_pid() -> int:
    """The id of a process that ran and has ended."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    return int(child.stdout)


def test_what_a_process_killed_outright_left_staged_is_cleared_by_the_next_write(results, tmp_path):
    """A process killed while writing (SIGKILL, out of memory) cannot take its staging away: the next report,
    or the next sweep summary, does; what a process still running is staging is left to it."""
    out, summary = tmp_path / "out", tmp_path / "sweep.json"
    ended, running = _ended_pid(), os.getpid()
    left = [tmp_path / f".out.{ended}-abc123", tmp_path / f".sweep.json.{ended}-abc123.json"]
    live = [tmp_path / f".out.{running}-def456", tmp_path / f".sweep.json.{running}-def456.json"]
    for folder in (left[0], live[0]):
        folder.mkdir()
        (folder / "index.html").write_text("half a report")
    for file in (left[1], live[1]):
        file.write_text("half a summary")
    other = tmp_path / f".outer.{ended}-abc123"  # another report's name that starts the same
    other.mkdir()

    report.write_outputs(results, out)
    replace_atomically(summary, lambda path: path.write_text("{}"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", "sweep.json", other.name,
                                                                 *(p.name for p in live)])


def test_what_is_staged_under_a_number_no_process_can_have_is_cleared_too(results, tmp_path):
    """A staging name's number past what a process number can be (as a copy from another system might carry) was
    taken for a live process's, so its staging stayed for good. A process in another container is told by its
    lock (below), not by its number."""
    left = tmp_path / f".out.{2 ** 64}-abc123"
    left.mkdir()
    (left / "index.html").write_text("half a report")
    report.write_outputs(results, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_what_a_live_process_in_another_container_is_staging_is_left_to_it(results, tmp_path):
    """A process in another container sharing the folder has a number this one cannot see: its staging was taken
    for abandoned and removed as it wrote, failing its run. A writer holds a lock on what it stages."""
    unseen = _ended_pid()
    staged = [tmp_path / f".out.{unseen}-def456", tmp_path / f".sweep.json.{unseen}-def456.json"]
    staged[0].mkdir()
    staged[1].write_text("half a summary")
    with locked(staged[0], shared=True), locked(staged[1], shared=True):
        report.write_outputs(results, tmp_path / "out")
        replace_atomically(tmp_path / "sweep.json", lambda path: path.write_text("{}"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", "sweep.json", *(p.name for p in staged)])


def _write_reports(results, out: Path, count: int) -> list[str]:
    failures = []
    for _ in range(count):
        try:
            report.write_outputs(results, out, ["json"])
        except Exception as error:  # every failure is one the test counts
            failures.append(f"{type(error).__name__}: {error}")
    return failures


def test_runs_writing_one_report_folder_at_once_take_turns(results, tmp_path):
    """Runs writing the same folder at the same moment tripped over each other's swap: about one write in thirty
    failed ("No such file or directory", an internal error, or '.out.old' said to be left by an earlier run).
    One run swaps its report in at a time, and looks at the folder again before it does."""
    import multiprocessing

    out = tmp_path / "out"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        failures = pool.starmap(_write_reports, [(results, out, 60)] * 3)
    assert failures == [[], [], []]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and os.listdir(out) == ["summary.json"]


def test_a_report_folder_given_by_a_link_is_written_into_the_folder_it_links_to(results, tmp_path):
    """--out a link to a folder (reports/latest, say) replaced the link by a folder and left the link
    as .latest.old, which the next report could not move aside ('cannot write the report (Not a
    directory)'). The report replaces the folder linked to, and the link stays, report after report."""
    linked = tmp_path / "2026-11-27"
    linked.mkdir()
    (tmp_path / "latest").symlink_to(linked.name)
    for _ in range(2):
        assert report.write_outputs(results, tmp_path / "latest") == tmp_path / "latest" / "index.html"
    assert (tmp_path / "latest").readlink() == Path(linked.name)
    assert sorted(p.name for p in linked.iterdir()) == sorted(report.REPORT_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-27", "latest"]


def test_a_report_folder_given_by_a_link_in_a_loop_is_refused_by_folder(results, tmp_path):
    """--out a link that leads back to itself (a -> b -> a) stopped the planner with an internal error
    (RuntimeError, exit 1) once the plan was solved: it is refused in one line naming the folder, and the links
    stay as they were."""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(report.ReportFolderError) as refused:
        report.write_outputs(results, tmp_path / "a")
    # told before solving, as report_folder_problem is asked first, and said as it is (it was "Not a directory")
    assert str(refused.value) == (f"{tmp_path / 'a'}: cannot write the report there: it is a link that leads back "
                                  "to itself")
    assert report.report_folder_problem(tmp_path / "a") == str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
    assert (tmp_path / "a").readlink() == Path("b")


def test_a_link_left_where_the_earlier_report_is_moved_aside_does_not_block_the_next_one(results, tmp_path):
    """An earlier version left a link to a folder as ``.out.old``; a folder cannot be moved onto it,
    so every report into ``out`` failed. The link goes (not the folder it links to)."""
    out = tmp_path / "out"
    earlier_report(results, out)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / ".out.old").symlink_to("elsewhere")
    assert report.write_outputs(results, out) == out / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "out"]


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(errno.EXDEV, os.strerror(errno.EXDEV))],
                         ids=["ctrl-c", "oserror"])
def test_a_swap_stopped_half_way_puts_the_earlier_report_back(results, tmp_path, monkeypatch, error):
    """The earlier report is moved aside before the new one takes its name; stopped between the two
    moves, the earlier one goes back under its own name, not left hidden as ``.out.old``. A folder
    left as only ``.out.old`` by a harder crash is cleared by the next report (test above)."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    rename = Path.rename

    def stopped_before_the_new_one_lands(self, target):
        if Path(target) == out and self.name != ".out.old":
            raise error
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", stopped_before_the_new_one_lands)
    with pytest.raises((KeyboardInterrupt, report.ReportFolderError)):
        report.write_outputs(results, out)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert contents(out) == before


@pytest.mark.parametrize("output", ["json", "xlsx"])
def test_ctrl_c_while_writing_a_report_leaves_the_earlier_one(results, tmp_path, monkeypatch, output):
    """Ctrl-C with some of the files written: the staging folder goes and the earlier report stays,
    every file of it, byte for byte."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    monkeypatch.setitem(report._WRITERS, output, fails_midway(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        report.write_outputs(results, out)
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_ctrl_c_while_the_staging_goes_still_takes_it_away(results, tmp_path, monkeypatch, ctrl_c_raises):
    """A sweep's worker is sent Ctrl-C twice, by the terminal and by the sweep: the second, arriving as the first's
    staging folder was being removed, left it behind (4 of 15 sweeps stopped with --jobs 2). The removal finishes,
    then the key is acted on."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    monkeypatch.setitem(report._WRITERS, "json", fails_midway(KeyboardInterrupt()))
    remove = report.remove

    def key_again(path):
        signal.raise_signal(signal.SIGINT)
        remove(path)

    monkeypatch.setattr(report, "remove", key_again)
    with pytest.raises(KeyboardInterrupt):
        report.write_outputs(results, out)
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_figure_that_is_not_json_fails_the_report_and_keeps_the_earlier_one(results, tmp_path, monkeypatch):
    """A NaN that reached summary.json unmasked (its figures are written as null before it) fails the report
    rather than write ``NaN``, which strict JSON readers refuse; the earlier report stays whole."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    monkeypatch.setattr(report, "summary", lambda results: {"objective": float("nan")})
    with pytest.raises(ValueError, match="JSON compliant"):
        report.write_outputs(results, out)
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))],
                         ids=["ctrl-c", "full disk"])
def test_a_report_that_fails_takes_away_the_folders_it_made(results, tmp_path, monkeypatch, error):
    """--out new/deeper/out that fails while being written left new/deeper behind, empty."""
    monkeypatch.setitem(report._WRITERS, "xlsx", fails_midway(error))
    with pytest.raises((KeyboardInterrupt, report.ReportFolderError)):
        report.write_outputs(results, tmp_path / "new" / "deeper" / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_report_that_cannot_be_staged_takes_away_the_folders_it_made(results, tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report.tempfile, "mkdtemp", full_disk)
    with pytest.raises(report.ReportFolderError, match="cannot write the report there"):
        report.write_outputs(results, tmp_path / "new" / "out")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_a_report_is_refused_by_folder_and_keeps_the_earlier_one(results, tmp_path,
                                                                                            monkeypatch):
    """The operating system's error is reported as the folder and its reason, in one line; the earlier
    report is left whole."""
    out = tmp_path / "out"
    before = earlier_report(results, out)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setitem(report._WRITERS, "xlsx", fails_midway(full))
    with pytest.raises(report.ReportFolderError) as info:
        report.write_outputs(results, out)
    assert str(info.value) == f"{out}: cannot write the report (No space left on device)"
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def sweep_rows(results, folder: Path) -> list[dict]:
    return [solved_row(Path("a.xlsx"), results, folder / "a" / "index.html")]


def test_a_sweep_summary_is_readable_by_others(results, tmp_path, umask):
    """Staged private like any temporary file, a sweep's summary ends up readable like a file made by hand."""
    folder = tmp_path / "reports"
    write_sweep(sweep_rows(results, folder), folder)
    assert {name: stat.S_IMODE((folder / name).stat().st_mode) for name in ("sweep.json", "sweep.html")} == {
        "sweep.json": 0o644, "sweep.html": 0o644}


@pytest.mark.parametrize("suffix", [".json", ".html"])
def test_a_sweep_summary_that_fails_midway_leaves_the_earlier_one(results, tmp_path, monkeypatch, suffix):
    """A full disk while writing sweep.json or sweep.html must not leave half a file where the last
    sweep's was, nor a new sweep.json beside the last sweep's sweep.html: both stay as they were and
    no staging file is left beside them."""
    folder = tmp_path / "reports"
    write_sweep(sweep_rows(results, folder), folder)
    earlier = contents(folder)
    real = Path.write_text

    def full_disk(path: Path, text: str, *args, **kwargs):
        if path.suffix != suffix:
            return real(path, text, *args, **kwargs)
        real(path, text[: len(text) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(report.ReportFolderError, match="cannot write the sweep.s summary \\(No space left on device\\)"):
        write_sweep(sweep_rows(results, folder) * 2, folder)
    monkeypatch.undo()
    assert contents(folder) == earlier
