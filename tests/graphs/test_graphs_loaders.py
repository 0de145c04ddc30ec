"""Graph data loaders: GIN text format, TU Dortmund folders, packaged MUTAG, errors with file and line."""
from pathlib import Path

import numpy as np
import pytest

from verify.errors import InputError
from verify.graphs import (
    Graph,
    graphs_from_json,
    load_dataset,
    load_gin_text,
    load_tu_folder,
)

PROTEINS = next((p for p in (Path(__file__).resolve().parents[2].parent / "shared" / "data" / "PROTEINS.txt",
                              Path("/work/shared/data/PROTEINS.txt")) if p.exists()),
                Path("shared/data/PROTEINS.txt"))

SMALL = """2
3 1
0 1 1
1 2 0 2
0 1 1
2 0
2 1 1
2 1 0
"""


def test_packaged_mutag():
    gs = load_dataset("mutag")
    assert len(gs) == 188
    labels = np.array([g.label for g in gs])
    assert sorted(np.unique(labels, return_counts=True)[1].tolist()) == [63, 125]
    assert abs(np.mean([g.n for g in gs]) - 17.93) < 0.01
    assert all(g.features.shape[1] == 7 for g in gs)
    assert all(np.array_equal(g.features.sum(axis=1), np.ones(g.n)) for g in gs)
    for g in gs:
        g.validate()
    assert load_dataset("MUTAG")[5].n == gs[5].n


@pytest.mark.skipif(not PROTEINS.exists(), reason="shared PROTEINS data not present")
def test_proteins_from_path():
    gs = load_dataset(str(PROTEINS))
    assert len(gs) == 1113 and gs[0].features.shape[1] == 3
    assert abs(np.mean([g.n for g in gs]) - 39.06) < 0.01


SHARED = PROTEINS.parent


def test_gzip_file_equals_plain(tmp_path):
    import gzip

    (tmp_path / "SMALL.txt").write_text(SMALL)
    with gzip.open(tmp_path / "SMALL.txt.gz", "wt") as fh:
        fh.write(SMALL)
    a, b = load_gin_text(tmp_path / "SMALL.txt"), load_dataset(str(tmp_path / "SMALL.txt.gz"))
    for g, h in zip(a, b):
        assert np.array_equal(g.adjacency.toarray(), h.adjacency.toarray()) and np.array_equal(
            g.features, h.features
        )
    (tmp_path / "BROKEN.txt.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match="BROKEN.txt.gz"):
        load_gin_text(tmp_path / "BROKEN.txt.gz")


def test_self_loops_dropped_from_a_and_counted_twice_in_degree_tags(tmp_path):
    p = tmp_path / "LOOP.txt"
    p.write_text("1\n3 0\n0 2 0 1\n0 2 0 2\n0 1 1\n")
    with pytest.raises(InputError, match="LOOP.txt:3: graph 0 node 0: self-loop"):
        load_gin_text(p)
    (g,) = load_gin_text(p, degree_as_tag=True, self_loops="drop")
    assert np.array_equal(g.adjacency.toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert np.array_equal(g.tags, [3, 2, 1])          # networkx degree: the loop at node 0 adds 2
    g.validate()
    assert g.loop_weight is None
    with pytest.raises(InputError, match="self_loops"):
        load_gin_text(p, self_loops="keep")


def test_official_self_loops_keep_weight_two_on_the_diagonal(tmp_path):
    """The official code's networkx graph keeps the loop (0, 0) as an edge, its A + Aᵀ + I has 3 there."""
    p = tmp_path / "LOOP.txt"
    p.write_text("2\n3 0\n0 3 0 1 0\n0 2 0 2\n0 1 1\n2 1\n0 1 1\n0 1 0\n")   # loop listed twice
    g, h = load_gin_text(p, degree_as_tag=True, self_loops="official")
    assert np.array_equal(g.adjacency.toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert np.array_equal(g.loop_weight, [2, 0, 0]) and h.loop_weight is None
    assert np.array_equal(g.tags, [3, 2, 1])
    g.validate()
    g.loop_weight = np.array([2, -1, 0])
    with pytest.raises(InputError, match="loop_weight"):
        g.validate()


@pytest.mark.skipif(not (SHARED / "IMDBBINARY.txt").exists(), reason="shared IMDBBINARY data not present")
def test_imdb_binary_with_degree_tags():
    from verify.graphs import load_table_dataset

    gs = load_table_dataset("IMDBBINARY", SHARED)
    assert len(gs) == 1000 and abs(np.mean([g.n for g in gs]) - 19.773) < 1e-9
    assert sorted(np.unique([g.label for g in gs], return_counts=True)[1].tolist()) == [500, 500]
    assert all(np.array_equal(g.tags, g.degrees()) for g in gs)      # no self-loops in IMDB-B
    assert gs[0].features.shape[1] == len(np.unique(np.concatenate([g.tags for g in gs])))


def test_table_dataset_lookup(tmp_path):
    from verify.graphs import load_table_dataset

    assert len(load_table_dataset("MUTAG", None)) == 188          # packaged copy
    with pytest.raises(InputError, match="PTC.txt not found"):
        load_table_dataset("PTC", tmp_path)
    with pytest.raises(InputError, match="unknown table data set"):
        load_table_dataset("REDDIT", tmp_path)


def test_small_gin_file(tmp_path):
    p = tmp_path / "SMALL.txt"
    p.write_text(SMALL)
    gs = load_gin_text(p)
    assert [g.n for g in gs] == [3, 2] and [g.label for g in gs] == [1, 0]
    assert np.array_equal(gs[0].adjacency.toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    # tags {0, 1, 2} -> one-hot over the whole data set
    assert np.array_equal(gs[0].features, [[1, 0, 0], [0, 1, 0], [1, 0, 0]])
    assert np.array_equal(gs[1].features, [[0, 0, 1], [0, 0, 1]])
    deg = load_gin_text(p, degree_as_tag=True)
    assert np.array_equal(deg[0].tags, [1, 2, 1]) and deg[0].features.shape[1] == 2


@pytest.mark.parametrize("text,line,msg", [
    ("2\n3 1\n0 1 1\n1 2 0 2\n0 1 1\n", 6, "ends early"),
    ("1\n2 0\n0 1 5\n1 1 0\n", 3, "outside"),
    ("1\n2 0\n0 3 1\n1 1 0\n", 3, "announces 3"),
    ("1\n2 x\n", 2, "integers"),
    ("1\n1 0\n0 1 0\n", 3, "self-loop"),
    ("1\n1 0\n0 0\nextra\n", 4, "after the last graph"),
    ("zero\n", 1, "integers"),
])
def test_bad_gin_files_name_file_and_line(tmp_path, text, line, msg):
    p = tmp_path / "BAD.txt"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        load_gin_text(p)
    assert f"BAD.txt:{line}" in str(exc.value) and msg in str(exc.value)


def _write_tu(folder: Path, with_node_labels=True):
    folder.mkdir()
    # the SMALL data set in TU form: nodes 1..3 graph 1, 4..5 graph 2
    (folder / "DS_A.txt").write_text("1, 2\n2, 1\n2, 3\n3, 2\n4, 5\n5, 4\n")
    (folder / "DS_graph_indicator.txt").write_text("1\n1\n1\n2\n2\n")
    (folder / "DS_graph_labels.txt").write_text("1\n0\n")
    if with_node_labels:
        (folder / "DS_node_labels.txt").write_text("0\n1\n0\n2\n2\n")


def test_tu_folder_equals_gin_text(tmp_path):
    _write_tu(tmp_path / "DS")
    (tmp_path / "SMALL.txt").write_text(SMALL)
    tu = load_dataset(str(tmp_path / "DS"))
    gin = load_dataset(str(tmp_path / "SMALL.txt"))
    for a, b in zip(tu, gin):
        assert np.array_equal(a.adjacency.toarray(), b.adjacency.toarray())
        assert np.array_equal(a.features, b.features) and a.label == b.label


def test_tu_folder_without_node_labels_uses_degrees(tmp_path):
    _write_tu(tmp_path / "DS", with_node_labels=False)
    gs = load_tu_folder(tmp_path / "DS")
    assert np.array_equal(gs[0].tags, [1, 2, 1])


def test_bad_tu_folder(tmp_path):
    _write_tu(tmp_path / "DS")
    (tmp_path / "DS" / "DS_A.txt").write_text("1, 2\n2, 1\n1, 4\n")
    with pytest.raises(InputError, match=r"DS_A.txt:3: edge joins two different graphs"):
        load_tu_folder(tmp_path / "DS")
    (tmp_path / "DS" / "DS_A.txt").write_text("1, 2\n2, x\n")
    with pytest.raises(InputError, match=r"DS_A.txt:2"):
        load_tu_folder(tmp_path / "DS")


def test_unknown_dataset():
    with pytest.raises(InputError, match="unknown data set"):
        load_dataset("no-such-dataset")


def test_graph_validation_and_json():
    ok = graphs_from_json(
        {"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1.0], [2.0]], "label": 1}]}
    )
    assert ok[0].n == 2 and ok[0].label == 1
    for bad, msg in [
        ({"graphs": [{"adjacency": [[0, 1], [0, 0]], "features": [[1.0], [1.0]]}]}, "symmetric"),
        ({"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1.0]]}]}, "rows"),
        ({"graphs": [{"adjacency": [[0, 2], [2, 0]], "features": [[1.0], [1.0]]}]}, "0 or 1"),
        ({"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1.0], [1.0, 2.0]]}]}, "different lengths"),
        ({"graphs": []}, "empty"),
        ({"x": 1}, "graphs"),
        ({"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1.0], ["a"]]}]}, "non-number"),
    ]:
        with pytest.raises(InputError, match=msg):
            graphs_from_json(bad)
    with pytest.raises(InputError, match="NaN"):
        Graph(np.zeros((1, 1)), np.array([[np.nan]])).validate()
