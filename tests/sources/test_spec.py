"""Source specs name what to index: registry packages pinned to a version, git commits, local paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.errors import UsageError
from licheck.sources.spec import SourceRef, parse_source_spec


@pytest.mark.parametrize(("text", "expected"), [
    ("pypi:requests==2.32.3", SourceRef("pypi", "requests", "2.32.3", "pypi:requests==2.32.3")),
    ("pypi:PyYAML==6.0.2", SourceRef("pypi", "PyYAML", "6.0.2", "pypi:PyYAML==6.0.2")),
    ("npm:lodash@4.17.21", SourceRef("npm", "lodash", "4.17.21", "npm:lodash@4.17.21")),
    ("npm:@babel/core@7.26.0", SourceRef("npm", "@babel/core", "7.26.0", "npm:@babel/core@7.26.0")),
    ("deb:zlib", SourceRef("deb", "zlib", "", "deb:zlib")),
    ("deb:zlib=1:1.2.13.dfsg-1", SourceRef("deb", "zlib", "1:1.2.13.dfsg-1", "deb:zlib=1:1.2.13.dfsg-1")),
    ("git:../repo@v1.0", SourceRef("git", "../repo", "v1.0", "git:../repo@v1.0")),
    ("git:git@host.example:team/repo.git@main", SourceRef("git", "git@host.example:team/repo.git", "main",
                                                          "git:git@host.example:team/repo.git@main")),
    ("git:https://host.example/repo.git@abc123", SourceRef("git", "https://host.example/repo.git", "abc123",
                                                           "git:https://host.example/repo.git@abc123")),
    ("src/project", SourceRef("local", "src/project", "", "src/project")),
    ("archive-1.0.tar.gz", SourceRef("local", "archive-1.0.tar.gz", "", "archive-1.0.tar.gz")),
])
def test_specs_are_parsed_into_kind_name_and_version(text: str, expected: SourceRef) -> None:
    assert parse_source_spec(text) == expected


@pytest.mark.parametrize("text", ["pypi:requests", "pypi:requests>=2", "npm:lodash", "npm:lodash@^4",
                                  "git:../repo", "git:@main", "deb:Bad Name"])
def test_unpinned_or_malformed_specs_are_usage_errors_with_a_hint(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_source_spec(text)
    assert caught.value.hint


def test_a_local_folder_whose_name_looks_like_a_prefix_is_still_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_source_spec("notakind:thing").kind == "local"
