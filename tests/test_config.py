"""The user's config file: where it is, reading what is valid, warning about the rest, atomic writes."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.config import check_offset, config_path, read_config, save_offset
from livemidi.errors import ConfigError


def test_the_path_comes_from_livemidi_config_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("LIVEMIDI_CONFIG", str(tmp_path / "mine.json"))
    assert config_path() == tmp_path / "mine.json"
    monkeypatch.delenv("LIVEMIDI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "livemidi" / "config.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if os.name != "nt":
        assert config_path() == tmp_path / "home" / ".config" / "livemidi" / "config.json"


def test_the_tests_never_touch_the_users_config(user_config):
    assert config_path() == user_config
    assert not user_config.exists()


def test_a_missing_file_or_folder_is_an_empty_config(user_config):
    config = read_config()
    assert config == (user_config, {}, [])
    assert not user_config.parent.exists()  # reading creates nothing


def test_offsets_are_read(user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text('{"offsets": {"livemidi": -12.5, "IAC Driver Bus 1": 20}, "later": {"link": true}}')
    config = read_config()
    assert config.offsets == {"livemidi": -12.5, "IAC Driver Bus 1": 20.0}
    assert config.problems == []


def test_an_empty_file_is_an_empty_config(user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text("\n")
    assert read_config().offsets == {} and read_config().problems == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"offsets": {"a": -1,}}', "is not valid JSON (line 1 column"),
        ("[1, 2]", "should hold a JSON object"),
        ('{"offsets": [1]}', '"offsets" should be an object'),
        (b"\xff\xfe{", "is not UTF-8 text"),
    ],
)
def test_a_corrupt_file_is_a_warning_naming_it_and_nothing_else(user_config, text, expected):
    user_config.parent.mkdir(parents=True)
    if isinstance(text, bytes):
        user_config.write_bytes(text)
    else:
        user_config.write_text(text)
    config = read_config()
    assert config.offsets == {}
    (problem,) = config.problems
    assert str(user_config) in problem and expected in problem and "going on without it" in problem


def test_bad_entries_are_warned_about_and_the_good_ones_kept(user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text('{"offsets": {"good": -3, "text": "-12", "far": 5000, "nan": NaN, "yes": true}}')
    config = read_config()
    assert config.offsets == {"good": -3.0}
    assert len(config.problems) == 4
    assert all(str(user_config) in text and "from -1000 to 1000" in text for text in config.problems)
    assert any("'text'" in text and "'-12'" in text for text in config.problems)


def test_an_unreadable_file_is_a_warning(user_config):
    user_config.mkdir(parents=True)  # a folder where the file should be
    (problem,) = read_config().problems
    assert "cannot read the config file" in problem and str(user_config) in problem


def test_save_creates_the_folder_and_keeps_everything_else(user_config):
    save_offset("livemidi", -12.5)
    assert json.loads(user_config.read_text()) == {"offsets": {"livemidi": -12.5}}
    data = {"offsets": {"livemidi": -12.5, "odd": "kept as it was"}, "someone else's": [1, 2]}
    user_config.write_text(json.dumps(data))
    save_offset("IAC Driver Bus 1", 20)
    data["offsets"]["IAC Driver Bus 1"] = 20.0
    assert json.loads(user_config.read_text()) == data
    save_offset("livemidi", None)  # removes it
    del data["offsets"]["livemidi"]
    assert json.loads(user_config.read_text()) == data


def test_save_is_atomic_and_leaves_no_temporary_file(user_config, monkeypatch):
    save_offset("a", 1)
    before = user_config.read_bytes()

    def fail(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ConfigError, match="No space left on device") as caught:
        save_offset("a", 2)
    assert caught.value.path == user_config
    assert user_config.read_bytes() == before  # the old file, whole
    assert sorted(p.name for p in user_config.parent.iterdir()) == ["config.json"]


@pytest.mark.parametrize("text", ['{"offsets": {"a": -1,}}', "[]", '{"offsets": 3}'])
def test_save_refuses_to_overwrite_a_file_it_cannot_parse(user_config, text):
    user_config.parent.mkdir(parents=True)
    user_config.write_text(text)
    with pytest.raises(ConfigError, match="Nothing was written") as caught:
        save_offset("livemidi", -3)
    assert str(user_config) in str(caught.value)
    assert user_config.read_text() == text


def test_save_checks_its_arguments(user_config):
    with pytest.raises(ValueError, match="a port name"):
        save_offset("", 1)
    with pytest.raises(ValueError, match="from -1000 to 1000"):
        save_offset("a", 1001)
    assert not user_config.exists()


def test_save_keeps_the_files_permissions_and_a_symlink(tmp_path, monkeypatch):
    real = tmp_path / "dotfiles" / "livemidi.json"
    real.parent.mkdir()
    real.write_text("{}")
    real.chmod(0o600)
    link = tmp_path / "config.json"
    link.symlink_to(real)
    save_offset("a", -1, link)
    assert link.is_symlink()
    assert json.loads(real.read_text()) == {"offsets": {"a": -1.0}}
    assert real.stat().st_mode & 0o777 == 0o600


def test_check_offset():
    assert check_offset(-12) == -12.0
    for bad in ("-12", None, True, float("nan"), float("inf"), -1000.5, [1]):
        with pytest.raises(ValueError, match="milliseconds from -1000 to 1000 .negative: earlier."):
            check_offset(bad)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.floats(-1000, 1000, allow_nan=False), max_size=5))
def test_what_is_saved_is_read_back(tmp_path_factory, offsets):
    path = tmp_path_factory.mktemp("roundtrip") / "config.json"
    for name, ms in offsets.items():
        save_offset(name, ms, path)
    assert read_config(path) == (path, offsets, [])
