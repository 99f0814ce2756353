"""The `unspin` command. Thin: parse arguments, call the library, render.

Errors a user can cause (`UnspinError`) print one line and exit with code 2.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from unspin.cli.exits import user_errors
from unspin.errors import UnspinError
from unspin.train.config import TrainConfig

# No rich markup in help texts: it would take "[default: ...]" in a help for a tag and drop it ("Output format .").
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Find the spin in news.", rich_markup_mode=None)


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    ptc = "ptc"


ModelOpt = Annotated[Path | None, typer.Option("--model", help="Model directory (default: the shipped model).")]


def version_line() -> str:
    """`unspin X.Y.Z (model NAME VERSION)`: the installed package's version and the shipped model's name and
    version, read from its meta.json (the model is not loaded)."""
    import json
    from importlib.metadata import PackageNotFoundError, version

    from unspin.detect.runtime import DEFAULT_MODEL_DIR

    try:
        package = version("unspin")
    except PackageNotFoundError:  # run from a source tree that was never installed
        package = "unknown"
    try:
        meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
        model = f"{meta.get('name', DEFAULT_MODEL_DIR.name)} {meta.get('version', 'unknown')}"
    except (OSError, ValueError, AttributeError):
        model = f"{DEFAULT_MODEL_DIR.name} (meta.json unreadable)"
    return f"unspin {package} (model {model})"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and the model's, and exit.")] = False,
) -> None:
    """Find the spin in news."""


def _write(out: Path | None, content: str) -> None:
    if out is None:  # nothing to write (PTC lines of an article without spans) is nothing, not a blank line
        sys.stdout.write(content if not content or content.endswith("\n") else content + "\n")
    else:
        try:
            out.write_text(content, encoding="utf-8")
        except OSError as e:
            raise UnspinError(f"{out}: cannot write ({e.strerror})") from None


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A .txt or .html file, an http(s) URL, or - for stdin.")],
    format: Annotated[Format | None, typer.Option(
        "--format", "-f", help="Output format [default: text, or what the -o file's extension names].",
        show_default=False, case_sensitive=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file; .txt, .json, .html, .ptc/.labels choose the format.")] = None,
    min_confidence: Annotated[float | None, typer.Option(
        help="Hide spans below this confidence (0-1) [default: the model's display threshold; 0 shows all]. "
             "Scores do not change.", show_default=False)] = None,
    model: ModelOpt = None,
    allow_private_urls: Annotated[bool, typer.Option(help="Allow fetching private/loopback addresses.")] = False,
) -> None:
    """Analyse one article and show where it uses propaganda techniques."""
    with user_errors():
        from unspin.render.formats import choose_format

        fmt = choose_format(format.value if format else None, output)
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise UnspinError("--min-confidence must be between 0 and 1")
        from unspin.load import load_source
        from unspin.pipeline import Analyzer

        article = load_source(source, allow_private_urls=allow_private_urls)
        analyzer = Analyzer(model)
        threshold = analyzer.display_threshold if min_confidence is None else min_confidence
        result = analyzer.analyze(article, min_confidence=threshold)
        from unspin.language import language_notice

        if fmt not in ("text", "html") and (notice := language_notice(result.article.language)):
            typer.echo(f"note: {notice}", err=True)  # the terminal and HTML views say it in their header
        if fmt == "text":
            from unspin.render.terminal import render_terminal, terminal_text

            if output is None:
                render_terminal(result)
            else:
                _write(output, terminal_text(result))
        elif fmt == "json":
            from unspin.render.json import render_json

            _write(output, render_json(result))
        elif fmt == "html":
            from unspin.render.html import render_html

            _write(output, render_html(result))
        else:
            from unspin.ptc.files import render_ptc

            _write(output, render_ptc(result))


@app.command()
def predict(
    data_dir: Annotated[Path, typer.Argument(help="A folder of article<ID>.txt files (or a PTC split).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PTC label file to write.")],
    model: ModelOpt = None,
) -> None:
    """Write end-to-end technique spans for every article<ID>.txt, in PTC format."""
    with user_errors():
        from unspin.ptc.tasks import predict_dir

        n = predict_dir(data_dir, output, model)
        typer.echo(f"wrote {n} spans to {output}", err=True)


@app.command()
def classify(
    data_dir: Annotated[Path, typer.Argument(help="A folder of article<ID>.txt files (or a PTC split).")],
    template: Annotated[Path, typer.Argument(help="TC template: ID<TAB>?<TAB>START<TAB>END per line.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PTC label file to write.")],
    model: ModelOpt = None,
) -> None:
    """Label each span of a technique-classification template, in order."""
    with user_errors():
        from unspin.ptc.tasks import classify_template

        n = classify_template(data_dir, template, output, model)
        typer.echo(f"labelled {n} spans into {output}", err=True)


@app.command()
def evaluate(
    data_dir: Annotated[Path, typer.Argument(help="A PTC split: articles/ and *-task-flc-tc.labels.")],
    model: ModelOpt = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON.")] = None,
) -> None:
    """Score the model on a labelled PTC split: SI, TC, FLC, per technique, sentences."""
    with user_errors():
        from unspin.ptc.evaluate import evaluate_dir, render_report

        report = evaluate_dir(data_dir, model)
        render_report(report)
        if json_out:
            import json

            _write(json_out, json.dumps(report, indent=2))


_TRAIN = TrainConfig()  # the defaults of `unspin train` are the training settings' own


@app.command()
def train(
    data_dir: Annotated[Path, typer.Argument(help="A PTC split: articles/ and *-task-flc-tc.labels.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for checkpoints and the exported model.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same model.")] = _TRAIN.seed,
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = _TRAIN.epochs,
    batch_size: Annotated[int, typer.Option(help="Windows per step.")] = _TRAIN.batch_size,
    lr: Annotated[float, typer.Option(help="Peak learning rate of the encoder (the heads use 1e-3).")] = _TRAIN.lr,
    average_from: Annotated[float | None, typer.Option(
        help="Ship the average of the weights at every checkpoint from this fraction of training on "
             "(e.g. 0.57), instead of the last weights.")] = None,
    window: Annotated[int, typer.Option(help="Tokens per window, 64 to 510; the model records it.")] = _TRAIN.window,
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps (for smoke runs).")] = None,
    stop_after: Annotated[int | None, typer.Option(
        help="Pause after this many steps, keeping the checkpoint; the same command without it resumes "
             "to the same model.")] = None,
    limit_articles: Annotated[int | None, typer.Option(help="Use only the first N articles.")] = None,
    calibrate_on: Annotated[Path | None, typer.Option(help="Labelled split to tune decoding and calibrate on.")] = None,
    base: Annotated[str, typer.Option(
        help="Encoder to start from: minilm (shipped size), mpnet (a teacher; needs the teacher extra) "
             "or a model folder.")] = "minilm",
    teacher: Annotated[list[Path] | None, typer.Option(
        metavar="<path>", help="Distil: a trained model folder whose soft labels on --unlabeled news the model also learns "
             "from. Repeat for an ensemble.")] = None,
    unlabeled: Annotated[Path | None, typer.Option(
        help="Unlabeled news for the teacher: JSONL(.gz) with a text field, or a folder of .txt files.")] = None,
    teacher_articles: Annotated[int, typer.Option(help="How many unlabeled articles the teacher labels.")] = _TRAIN.teacher_articles,
    teacher_weight: Annotated[float, typer.Option(help="Loss weight of teacher-labelled windows (gold: 1).")] = _TRAIN.teacher_weight,
    device: Annotated[str, typer.Option(help="auto (a GPU when present), cpu, cuda, cuda:1, ...")] = "auto",
) -> None:
    """Train a detector from PTC-layout data (needs the `train` extra), export it to int8 ONNX."""
    with user_errors():
        try:
            from unspin.train.export import export
            from unspin.train.loop import train as run_training
        except ImportError as e:
            raise UnspinError(f"training needs the train extra: pip install 'unspin[train]' ({e.name} missing)") from None
        if average_from is not None and not 0 < average_from <= 1:
            raise UnspinError(f"--average-from must be in (0, 1], got {average_from}")
        if not 64 <= window <= 510:
            raise UnspinError(f"--window must be 64 to 510 tokens (the encoder reads 512 with [CLS] and [SEP]), got {window}")
        if bool(teacher) != (unlabeled is not None):
            raise UnspinError("--teacher and --unlabeled go together: the teacher labels the unlabeled news")
        if teacher_articles < 1 or teacher_weight < 0:
            raise UnspinError("--teacher-articles must be at least 1 and --teacher-weight at least 0")
        cfg = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, max_steps=max_steps,
                          average_from=average_from, window=window,
                          limit_articles=limit_articles, base=base, device=device,
                          teacher_articles=teacher_articles, teacher_weight=teacher_weight, stop_after=stop_after)
        labels = None
        extra_meta: dict = {}
        if teacher and unlabeled is not None:
            from unspin.train.teacher import teacher_labels

            labels = teacher_labels(teacher, unlabeled, out, cfg)
            extra_meta = {"distilled_from": [str(t) for t in teacher], "teacher_articles": teacher_articles,
                          "teacher_weight": teacher_weight}
        net = run_training(data_dir, out, cfg, teacher_labels=labels)
        if net.name == "checkpoint.pt":
            typer.echo(f"paused after step {stop_after}: run the same command without --stop-after to go on", err=True)
            return
        model_dir = export(net, out / "model", version=f"seed{seed}", seed=seed, window=window, base=base,
                           extra_meta=extra_meta)
        if calibrate_on is not None:
            from unspin.ptc.calibrate import calibrate_model

            calibrate_model(model_dir, calibrate_on)
        typer.echo(f"model written to {model_dir}", err=True)


def _register_feature_commands() -> None:
    """Each feature command lives beside its peers in `unspin.cli`; they are registered here, by name."""
    from unspin.cli import batch, migrate, serve, stats

    for module in (batch, serve, stats, migrate):
        module.register(app)


_register_feature_commands()


def main() -> None:
    """Run the CLI. A usage error (an unknown option or command, a bad choice, a missing argument) is one
    line on stderr and exit code 2, like every other error a user can cause."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        sys.exit(1)
    except typer.TyperException as e:  # typer's click exceptions: UsageError and its kin
        show = getattr(e, "show", None)
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and show is not None:
            show()  # `unspin` alone, `unspin corpus`: the help is the answer
            sys.exit(2)
        message = " ".join(str(getattr(e, "format_message", e.__str__)()).split())
        message = message.replace("Value error, ", "")  # how typer words a bad choice of an Enum option
        where = getattr(ctx, "command_path", None) or "unspin"
        print(f"error: {message} (see '{where} --help')", file=sys.stderr)
        sys.exit(int(getattr(e, "exit_code", 2)))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
