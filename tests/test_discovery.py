"""Proof discovery: the shipped proofs by path (never replaced by a local proofs/), user files and
folders, the ``verify.proofs`` entry-point group, and one-line errors for broken sources."""
import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from verify.discovery import discover_proofs, load_proof, proofs_from_path
from verify.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {"gntk-2309-07452", "gntk-du2019", "linear-gnn-2501-14440", "linear-gnn-xu2021", "ntk-jacot2018"}

PROOF_SRC = """
from verify import Claim, Proof, Step
PROOF = Proof({pid!r}, "user proof", "notes", [
    Step("t", "transpose", "eq 1", "(A @ B).T == B.T @ A.T", "", claim=Claim("t", "(A @ B).T == B.T @ A.T",
         dims={{"n": 2}}, vars={{"A": {{"shape": ["n", "n"]}}, "B": {{"shape": ["n", "n"]}}}})),
])
"""


def _write(folder: Path, name: str, pid: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(PROOF_SRC.format(pid=pid))
    return p


def test_shipped_proofs_found():
    assert SHIPPED <= set(discover_proofs())
    assert load_proof("linear-gnn-xu2021").id == "linear-gnn-xu2021"
    with pytest.raises(InputError, match="unknown proof id 'nope'.*linear-gnn-xu2021"):
        load_proof("nope")


def test_local_proofs_folder_does_not_replace_shipped(tmp_path):
    _write(tmp_path / "proofs", "impostor.py", "impostor")
    (tmp_path / "proofs" / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "verify", "list", "--json"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    ids = {p["id"] for p in json.loads(r.stdout)["proofs"]}
    assert SHIPPED <= ids and "impostor" not in ids


def test_file_and_folder_paths(tmp_path):
    one = _write(tmp_path / "mine", "first.py", "mine-first")
    _write(tmp_path / "mine", "second.py", "mine-second")
    _write(tmp_path / "mine", "_helper.py", "ignored-private")
    assert [p.id for p in proofs_from_path(one)] == ["mine-first"]
    assert [p.id for p in proofs_from_path(tmp_path / "mine")] == ["mine-first", "mine-second"]
    found = discover_proofs(paths=[tmp_path / "mine"])
    assert SHIPPED | {"mine-first", "mine-second"} == set(found)


def test_package_folder_with_relative_imports(tmp_path):
    pkg = tmp_path / "pkgproofs"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "_model.py").write_text("PID = 'pkg-proof'\n")
    src = PROOF_SRC.format(pid="x").replace("'x'", "PID")
    (pkg / "main.py").write_text("from ._model import PID\n" + src)
    assert [p.id for p in proofs_from_path(pkg)] == ["pkg-proof"]


def test_bad_paths_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        proofs_from_path(tmp_path / "missing.py")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="must be a Python module"):
        proofs_from_path(tmp_path / "notes.txt")
    (tmp_path / "empty.py").write_text("X = 1\n")
    with pytest.raises(InputError, match="defines no PROOF"):
        proofs_from_path(tmp_path / "empty.py")
    (tmp_path / "broken.py").write_text("raise RuntimeError('half-written')\n")
    errors: list[str] = []
    assert proofs_from_path(tmp_path / "broken.py", errors) == []
    assert len(errors) == 1 and "RuntimeError: half-written" in errors[0] and "\n" not in errors[0]


def test_cli_run_path_and_errors(tmp_path, capsys):
    from verify.cli import main

    p = _write(tmp_path, "mine.py", "mine")
    assert main(["run", str(p), "--quiet", "--instances", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["verdict"] for s in data["proofs"][0]["steps"]] == ["proved"]
    assert main(["run", "no-such-proof", "--quiet"]) == 2
    assert "unknown proof id 'no-such-proof'" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "nope.py"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file or folder" in err


def test_entry_point_group(tmp_path, monkeypatch):
    _write(tmp_path, "plugin_proofs_mod.py", "from-plugin")
    monkeypatch.syspath_prepend(str(tmp_path))
    eps = [EntryPoint("mine", "plugin_proofs_mod", "verify.proofs"),
           EntryPoint("broken", "no_such_module_xyz", "verify.proofs")]
    monkeypatch.setattr("verify.discovery.entry_points", lambda group: [e for e in eps if e.group == group])
    errors: list[str] = []
    found = discover_proofs(errors)
    assert "from-plugin" in found and SHIPPED <= set(found)
    assert len(errors) == 1 and errors[0].startswith("entry point broken = no_such_module_xyz failed to load")
    with pytest.raises(InputError, match="no_such_module_xyz"):
        discover_proofs()


def test_duplicate_ids_are_an_error(tmp_path):
    _write(tmp_path / "dup", "a.py", "linear-gnn-xu2021")
    with pytest.raises(InputError, match="two proofs have the id 'linear-gnn-xu2021'"):
        discover_proofs(paths=[tmp_path / "dup"])
