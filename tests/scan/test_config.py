"""Settings from [tool.licheck] / .licheck.toml / LICHECK_* / defaults: validated whole, every problem listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.config import Settings, find_config, load_settings
from licheck.errors import ConfigError

BAD_CONFIG = """\
[tool.licheck]
index = 42
deny = ["strong_copyleft", "GPL-9.9-only", "NOASSERTION"]
warn = "permissive"
unknown = "block"
frist-party = ["mine"]
striking-only = "yes"

[tool.licheck.thresholds]
min-tokens = 0
min-similarity = 1.5
max-lines = 3
"""


def test_defaults_apply_without_any_config(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings == Settings()
    assert "strong_copyleft" in settings.deny and settings.unknown == "warn"


def test_invalid_config_lists_every_problem_in_one_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(BAD_CONFIG, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, environ={})
    message = str(caught.value)
    assert "(10 problem(s))" in message
    for fragment in ("index: expected a path", "'GPL-9.9-only' is neither", "NOASSERTION/unknown licenses have their own",
                     "warn: expected a list", "unknown: expected one of deny, warn, allow",
                     "unknown key 'frist-party' (did you mean 'first-party'?)", "striking-only: expected true or false",
                     "thresholds.min-tokens: expected a whole number", "thresholds.min-similarity: expected a number",
                     "unknown key 'thresholds.max-lines'"):
        assert fragment in message, fragment


def test_invalid_config_exits_2_through_the_cli(run_cli, tmp_path: Path, index_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('deny = ["nope"]\nunknown = 3\n', encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    result = run_cli(["scan", "a.py", "--index", str(index_path)], cwd=tmp_path)
    assert result.exit_code == 2
    assert "2 problem(s)" in result.stderr and "'nope'" in result.stderr and "unknown: expected" in result.stderr


def test_licheck_toml_is_preferred_and_its_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('index = "idx/main.db"\nallow = ["MIT"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.licheck]\nindex = "other.db"\n', encoding="utf-8")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    settings = load_settings(cwd=sub, environ={})
    assert settings.index == str(tmp_path / "idx" / "main.db")
    assert settings.allow == {"MIT"} and settings.source == str(tmp_path / ".licheck.toml")


def test_pyproject_without_a_licheck_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / ".git").mkdir()
    assert find_config(tmp_path) is None


def test_search_stops_at_the_top_of_the_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('unknown = "deny"\n', encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo) is None


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('unknown = "warn"\nindex = "a.db"\n', encoding="utf-8")
    settings = load_settings(cwd=tmp_path, environ={"LICHECK_UNKNOWN": "deny", "LICHECK_MIN_TOKENS": "40",
                                                     "LICHECK_FIRST_PARTY": "acme-*, acme/**"})
    assert settings.unknown == "deny" and settings.min_tokens == 40
    assert settings.first_party == ("acme-*", "acme/**")


def test_bad_environment_values_are_listed_with_their_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, environ={"LICHECK_MIN_LINES": "many", "LICHECK_DENY": "strong_copyleft,bogus"})
    assert "environment variable LICHECK_MIN_LINES" in str(caught.value)
    assert "environment variable LICHECK_DENY: 'bogus'" in str(caught.value)


def test_same_license_in_deny_and_allow_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('deny = ["MIT"]\nallow = ["MIT"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="MIT listed in both 'deny' and 'allow'"):
        load_settings(cwd=tmp_path, environ={})


def test_spdx_ids_are_canonicalised(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text('deny = ["gpl-2.0+", "strong_copyleft"]\n', encoding="utf-8")
    assert load_settings(cwd=tmp_path, environ={}).deny == {"GPL-2.0-or-later", "strong_copyleft"}


def test_explicit_config_path_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(config_path=tmp_path / "missing.toml", cwd=tmp_path, environ={})


def test_toml_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".licheck.toml").write_text("deny = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cwd=tmp_path, environ={})
