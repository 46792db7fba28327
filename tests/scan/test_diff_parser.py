"""Unified diffs → changed files and added lines: git's extended headers, odd patches, malformed input."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licheck.errors import InputError
from licheck.inputs.diff import (
    ADDED,
    BINARY,
    DELETED,
    MODE_ONLY,
    MODIFIED,
    RENAMED,
    FileChange,
    parse_unified_diff,
    rebuild_from_hunks,
    targets_from_changes,
    worktree_reader,
)

from .conftest import git

GIT_DIFF = b"""\
diff --git a/b.bin b/b.bin
index 88768ef..f68ed80 100644
Binary files a/b.bin and b/b.bin differ
diff --git a/del.py b/del.py
deleted file mode 100644
index 286c5f5..0000000
--- a/del.py
+++ /dev/null
@@ -1 +0,0 @@
-gone
diff --git a/f.py b/f.py
index de98044..a7bc997 100644
--- a/f.py
+++ b/f.py
@@ -2 +2 @@ a
-b
+B
@@ -3,0 +4 @@ c
+d
diff --git a/latin.py b/latin.py
new file mode 100644
index 0000000..6f83395
--- /dev/null
+++ b/latin.py
@@ -0,0 +1 @@
+caf\xe9 = 1
diff --git a/m.sh b/m.sh
old mode 100644
new mode 100755
diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
"""


def by_path(changes: list[FileChange]) -> dict[str, FileChange]:
    return {c.path: c for c in changes}


def test_git_extended_headers_give_one_change_per_file_with_its_status() -> None:
    changes = by_path(parse_unified_diff(GIT_DIFF))
    assert {p: c.status for p, c in changes.items()} == {
        "b.bin": BINARY, "del.py": DELETED, "f.py": MODIFIED, "latin.py": ADDED, "m.sh": MODE_ONLY, "new.py": RENAMED,
    }


def test_only_added_lines_are_recorded_on_the_new_side() -> None:
    changes = by_path(parse_unified_diff(GIT_DIFF))
    assert changes["f.py"].added_lines == {2, 4}
    assert changes["latin.py"].added_lines == {1}


def test_binary_deleted_renamed_and_mode_only_changes_are_not_scannable() -> None:
    changes = by_path(parse_unified_diff(GIT_DIFF))
    assert {p for p, c in changes.items() if c.scannable} == {"f.py", "latin.py"}
    assert changes["new.py"].old_path == "old.py"


def test_git_binary_patch_literal_is_recognised_as_binary() -> None:
    patch = (b"diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..f68ed80\n"
             b"GIT binary patch\nliteral 6\nNcmZQzO3KVL0ssTy0d4>Q\n\nliteral 0\nHcmV?d00001\n\n")
    [change] = parse_unified_diff(patch)
    assert change.status == BINARY and not change.scannable


def test_non_utf8_patch_keeps_line_numbers() -> None:
    patch = b"--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,3 @@\n a = 1\n+s = '\xff\xfe'\n b = 2\n"
    [change] = parse_unified_diff(patch)
    assert change.added_lines == {2}
    assert rebuild_from_hunks(change) == b"a = 1\ns = '\xff\xfe'\nb = 2\n"


def test_plain_diff_u_output_without_git_headers_is_parsed() -> None:
    patch = "--- old/x.py\t2024-01-01\n+++ new/x.py\t2024-01-02\n@@ -1 +1,2 @@\n a = 1\n+b = 2\n"
    [change] = parse_unified_diff(patch)
    assert change.added_lines == {2}


def test_hunk_shorter_than_its_header_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a valid unified diff"):
        parse_unified_diff("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n+b\n")


def test_text_that_is_not_a_diff_is_an_input_error() -> None:
    with pytest.raises(InputError, match="holds no unified diff"):
        parse_unified_diff("hello\nthis is not a patch\n")


def test_empty_diff_is_no_change() -> None:
    assert parse_unified_diff(b"") == []
    assert parse_unified_diff("\n\n") == []


def test_file_missing_from_the_worktree_is_scanned_from_its_hunks(tmp_path: Path) -> None:
    patch = "--- a/gone.py\n+++ b/gone.py\n@@ -0,0 +3,2 @@\n+x = 1\n+y = 2\n"
    targets, skipped = targets_from_changes(parse_unified_diff(patch), worktree_reader(tmp_path))
    assert [t.display for t in targets] == ["gone.py"] and not skipped
    assert targets[0].data == b"\n\nx = 1\ny = 2\n"
    assert targets[0].added_lines == {3, 4}


def test_non_code_files_in_a_diff_are_not_scan_targets(tmp_path: Path) -> None:
    patch = "--- a/NOTES.txt\n+++ b/NOTES.txt\n@@ -0,0 +1 @@\n+hello\n"
    targets, skipped = targets_from_changes(parse_unified_diff(patch), worktree_reader(tmp_path))
    assert targets == [] and skipped == []


def test_real_git_diff_with_rename_and_edit_and_space_in_name_is_parsed(repo: Path) -> None:
    (repo / "my module.py").write_text("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "two")
    git(repo, "mv", "my module.py", "renamed módulo.py")
    (repo / "renamed módulo.py").write_text("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n", encoding="utf-8")
    git(repo, "add", ".")
    out = git(repo, "-c", "core.quotepath=off", "diff", "--cached", "-M", "-U0").stdout
    [change] = parse_unified_diff(out.encode())
    assert change.path == "renamed módulo.py" and change.old_path == "my module.py"
    assert change.status == RENAMED and change.added_lines == {6}


LINES = st.lists(st.sampled_from(["a = 1", "b = 2", "return x", "", "    pass", "# note", "x += 1"]), max_size=25)


@settings(max_examples=60, deadline=None)
@given(old=LINES, new=LINES, context=st.integers(min_value=0, max_value=3))
def test_added_lines_are_exactly_the_inserted_and_replaced_lines_of_the_new_file(old, new, context) -> None:
    """Whatever the edit, the parser's added lines are the new-side lines that difflib inserted or replaced."""
    patch = "".join(difflib.unified_diff([f"{line}\n" for line in old], [f"{line}\n" for line in new],
                                         "a/f.py", "b/f.py", n=context))
    expected = {j + 1 for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
                if tag in ("insert", "replace") for j in range(j1, j2)}
    changes = parse_unified_diff(patch)
    assert (changes[0].added_lines if changes else frozenset()) == expected


def test_diff_made_with_no_prefix_keeps_its_first_folder() -> None:
    [change] = parse_unified_diff("--- lib/x.c\n+++ src/x.c\n@@ -1 +1,2 @@\n int a;\n+int b;\n")
    assert change.path == "src/x.c" and change.old_path == "lib/x.c"


def test_mnemonic_prefixes_are_stripped() -> None:
    [change] = parse_unified_diff("--- i/pkg/x.py\n+++ w/pkg/x.py\n@@ -1 +1,2 @@\n a = 1\n+b = 2\n")
    assert change.path == "pkg/x.py"
