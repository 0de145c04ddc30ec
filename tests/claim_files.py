"""Test helper shared by the claim-file tests: write a claim file's text into a temporary folder."""
from pathlib import Path


def write(tmp_path: Path, text: str, name: str = "c.toml") -> Path:
    """Write ``text`` to ``tmp_path / name`` and return that path."""
    path = tmp_path / name
    path.write_text(text)
    return path
