"""The cache folder is private: made with mode 0700, and refused when it is not ours alone (issue 21, item 4).

Real folders with real owners and modes; the test that needs another owner runs only as root.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from helpers.paths import CacheDirError, cache_dir


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "ketamine-evidence"


def test_a_new_cache_folder_is_made_private_whatever_the_umask(cache_home):
    old = os.umask(0o000)  # the loosest umask: the mode must still be 0700
    try:
        assert cache_dir() == cache_home
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.lstat(cache_home).st_mode) == 0o700
    assert cache_dir() == cache_home, "a second call uses the folder it made"


@pytest.mark.parametrize(("mode", "who"), [(0o777, "others"), (0o1777, "others"), (0o770, "its group")])
def test_a_folder_others_can_write_is_refused(cache_home, mode, who):
    cache_home.mkdir(parents=True)
    os.chmod(cache_home, mode)
    planted = cache_home / "vega-runtime-planted.js"
    planted.write_text("alert('planted')")
    with pytest.raises(CacheDirError) as info:
        cache_dir()
    assert str(info.value) == (
        f"cache folder {cache_home} can be written by {who} (mode {mode & 0o777:o}); its files could have been "
        f"planted, so it is not used. Remove it (rm -r {cache_home}) to have a private one made, "
        "or set XDG_CACHE_HOME to a folder of your own"
    )
    assert planted.exists(), "nothing is deleted behind the user's back"


def test_a_symlinked_cache_folder_is_refused(cache_home, tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    cache_home.parent.mkdir(parents=True)
    cache_home.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheDirError, match="is a symbolic link; its files could have been planted"):
        cache_dir()


def test_a_folder_of_another_user_is_refused(cache_home):
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    cache_home.mkdir(parents=True, mode=0o700)
    os.chown(cache_home, 65534, 65534)  # nobody
    with pytest.raises(CacheDirError, match=f"belongs to user id 65534, not to you \\({os.getuid()}\\)"):
        cache_dir()


def test_the_spec_cache_does_not_read_a_folder_that_is_not_private(cache_home):
    """A spec planted in a world-writable cache is not served: the view is built."""
    from helpers.views import speccache

    speccache.spec("05_safety", lambda: {"$schema": speccache.SCHEMA_PREFIX + "v6.json", "mark": "bar"})
    os.chmod(cache_home, 0o777)
    (planted,) = cache_home.glob("specs/*/05_safety-*.json")
    planted.write_text(json.dumps({"$schema": speccache.SCHEMA_PREFIX + "v6.json", "mark": "planted"}))
    fresh = {"$schema": speccache.SCHEMA_PREFIX + "v6.json", "mark": "tick"}
    assert speccache.spec("05_safety", lambda: fresh) == fresh


def test_the_cache_keys_version_is_the_installed_one_and_none_for_a_missing_package():
    import pandas

    from helpers.paths import installed_version

    assert installed_version("pandas") == pandas.__version__
    assert installed_version("no-such-package-ketamine-evidence") is None
