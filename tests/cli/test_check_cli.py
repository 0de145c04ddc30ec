import json
import os
import subprocess
import sys


from verify.cli import main

from tests.claim_files import write as write_claim_file

TRUE_FALSE = '''
title = "pair"
[dims]
n = [1, 3]
[vars]
A = { shape = ["n", "n"] }
B = { shape = ["n", "n"] }
[[claim]]
name = "transpose_of_product"
statement = "(A @ B).T == B.T @ A.T"
expect = "holds"
[[claim]]
name = "transpose_of_product_wrong"
statement = "(A @ B).T == A.T @ B.T"
'''


def write(tmp_path, text, name="c.toml"):
    return str(write_claim_file(tmp_path, text, name))


def run_cli(*args):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run(
        [sys.executable, "-m", "verify", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_json_shape_and_exit_1_on_refuted(tmp_path, capsys):
    code = main(
        ["check", write(tmp_path, TRUE_FALSE), "--json", "--quiet", "--instances", "4", "--seed", "3"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    f = out["files"][0]
    assert set(f) == {"file", "title", "claims"} and f["title"] == "pair"
    good, bad = f["claims"]
    assert {
        "name",
        "statement",
        "given",
        "verdict",
        "expect",
        "evidence",
        "counterexample",
        "message",
    } <= set(good)
    assert good["verdict"] == "proved" and good["counterexample"] is None
    assert good["evidence"]["seed"] == 3
    assert bad["verdict"] == "refuted"
    cx = bad["counterexample"]
    assert set(cx["values"]) == {"A", "B"} and "n" in cx["dims"]


def test_exit_0_when_every_claim_matches_expect(tmp_path, capsys):
    text = TRUE_FALSE + 'expect = "fails"\n'
    assert main(["check", write(tmp_path, text), "--quiet", "--instances", "4"]) == 0
    out = capsys.readouterr().out
    assert "2/2 as expected" in out


def test_expect_mismatch_is_exit_1(tmp_path, capsys):
    text = TRUE_FALSE.replace('expect = "holds"', 'expect = "fails"')
    assert main(["check", write(tmp_path, text), "--quiet", "--instances", "4"]) == 1


def test_unusable_file_is_exit_2_one_line_no_traceback(tmp_path):
    p = write(tmp_path, "not = toml = at all")
    r = run_cli("check", p)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and p in lines[0] and "TOML" in lines[0]
    assert "Traceback" not in r.stderr


def test_missing_file_and_bad_options_exit_2(tmp_path):
    r = run_cli("check", str(tmp_path / "missing.toml"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("check", write(tmp_path, TRUE_FALSE), "--dps", "5")
    assert r.returncode == 2 and "--dps" in r.stderr
    r = run_cli("check")
    assert r.returncode == 2 and "Traceback" not in r.stderr


HOSTILE = '''
[vars]
x = {}
[[claim]]
name = "injection_call"
statement = "__import__('os').system('touch PWNED_A') == 0"
[[claim]]
name = "injection_attr"
statement = "x.__class__.__bases__ == 0"
[[claim]]
name = "injection_lambda"
statement = "(lambda: open('PWNED_B', 'w'))() == 0"
[[claim]]
name = "unknown_name"
statement = "y == 0"
[[claim]]
name = "shape_mismatch"
statement = "x @ zeros(2, 2) == x"
[[claim]]
name = "fine"
statement = "x**2 >= 0"
'''


def test_hostile_file_runs_no_code_and_other_claims_still_run(tmp_path):
    p = write(tmp_path, HOSTILE)
    r = subprocess.run([sys.executable, "-m", "verify", "check", p, "--json", "--quiet", "--instances", "3"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert r.returncode == 1
    assert not (tmp_path / "PWNED_A").exists() and not (tmp_path / "PWNED_B").exists()
    claims = {c["name"]: c for c in json.loads(r.stdout)["files"][0]["claims"]}
    for name in ["injection_call", "injection_attr", "injection_lambda", "unknown_name", "shape_mismatch"]:
        assert claims[name]["verdict"] == "error", name
        assert claims[name]["message"]
    assert claims["fine"]["verdict"] == "proved"
    assert "Traceback" not in r.stderr


def test_hostile_variable_names_are_errors(tmp_path, capsys):
    text = '[vars]\n"__builtins__" = {}\n[[claim]]\nname = "a"\nstatement = "1 == 1"\n'
    assert main(["check", write(tmp_path, text), "--json", "--quiet"]) == 2
    assert "invalid variable name" in capsys.readouterr().err
    text2 = '[[claim]]\nname = "a"\nstatement = "1 == 1"\nvars = { "os.system" = {} }\n'
    assert main(["check", write(tmp_path, text2, "b.toml"), "--json", "--quiet"]) == 1
    c = json.loads(capsys.readouterr().out)["files"][0]["claims"][0]
    assert c["verdict"] == "error" and "invalid variable name" in c["message"]


def test_huge_dimensions_are_refused_at_once(tmp_path, capsys):
    text = ('[dims]\nn = 200000\n[vars]\nA = { shape = ["n", "n"] }\n[[claim]]\nname = "big"\n'
            'statement = "kron(A, A) == kron(A, A)"\n')
    assert main(["check", write(tmp_path, text), "--json", "--quiet"]) == 1
    c = json.loads(capsys.readouterr().out)["files"][0]["claims"][0]
    assert c["verdict"] == "error" and "too large" in c["message"]
    text2 = ('[dims]\nn = 60\n[vars]\nA = { shape = ["n", "n"] }\n[[claim]]\nname = "big"\n'
             'statement = "kron(A, A) == kron(A, A)"\n')
    assert main(["check", write(tmp_path, text2, "d.toml"), "--json", "--quiet"]) == 1
    c = json.loads(capsys.readouterr().out)["files"][0]["claims"][0]
    assert c["verdict"] == "error" and "entries" in c["message"]


def test_seed_makes_runs_reproducible(tmp_path, capsys):
    p = write(tmp_path, TRUE_FALSE)
    main(["check", p, "--json", "--quiet", "--instances", "4", "--seed", "11"])
    a = json.loads(capsys.readouterr().out)
    main(["check", p, "--json", "--quiet", "--instances", "4", "--seed", "11"])
    b = json.loads(capsys.readouterr().out)
    strip = lambda d: [(c["verdict"], c["counterexample"]) for c in d["files"][0]["claims"]]  # noqa: E731
    assert strip(a) == strip(b)


def test_example_file_from_readme(capsys):
    assert main(["check", "verify/examples/kronecker.toml", "--quiet", "--instances", "4"]) == 0
    out = capsys.readouterr().out
    assert '"a": 2, "b": 1' in out
