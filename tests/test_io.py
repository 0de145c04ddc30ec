import os

import pytest

from verify.io import atomic_write_bytes, atomic_write_text, write_all


def test_atomic_write_creates_folders_and_usual_permissions(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "b.txt", "hello")
    assert p.read_text() == "hello"
    mask = os.umask(0)
    os.umask(mask)
    assert (p.stat().st_mode & 0o777) == (0o666 & ~mask)


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        atomic_write_bytes(tmp_path / "x.bin", 12345)   # not bytes: fails inside the write
    assert list(tmp_path.iterdir()) == []


def test_write_all(tmp_path):
    paths = write_all({tmp_path / "a.txt": "x", tmp_path / "b.bin": b"y"})
    assert [p.name for p in paths] == ["a.txt", "b.bin"]
