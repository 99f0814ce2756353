"""Every input kind of `unspin analyze`, through the real CLI, and every bad input."""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from invariants import check_result
from unspin.errors import FetchError, InputError
from unspin.load import load_source

ARTICLE = (
    "Shameful Plan Exposed\n\n"
    "The council’s disastrous plan will ruin the city.\n"
    "“We will never accept this betrayal,” said Anna Berg, a local shop owner.\n"
)
PAGE = """<!doctype html><html><head><title>Shameful Plan Exposed</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article><h1>Shameful Plan Exposed</h1>
<p>The council’s disastrous plan will ruin the city, critics said on Monday after a long and heated meeting.</p>
<p>“We will never accept this betrayal,” said Anna Berg, a local shop owner who has run her bakery for thirty years.</p>
<p>The mayor said the plan would bring jobs and that the critics were spreading fear about a modest project.</p>
</article><footer>Copyright 2026 Example News. All rights reserved. Privacy policy. Cookie settings.</footer>
</body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}

    def do_GET(self) -> None:
        code, ctype, body, headers = self.routes.get(self.path, (404, "text/plain", b"not found", {}))
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    _Handler.routes = {
        "/article.html": (200, "text/html; charset=utf-8", PAGE.encode(), {}),
        "/plain.txt": (200, "text/plain; charset=utf-8", ARTICLE.encode(), {}),
        "/redirect": (302, "text/plain", b"", {"Location": "/article.html"}),
        "/loop": (302, "text/plain", b"", {"Location": "/loop"}),
        "/image.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, {}),
        "/empty.html": (200, "text/html", b"<html><body><nav>Home</nav></body></html>", {}),
    }
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _json(proc) -> dict:
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_text_file_keeps_offsets_of_the_file_as_read(tmp_path: Path, cli):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    doc = _json(cli("analyze", str(p), "--format", "json"))
    assert doc["article"]["text"] == ARTICLE
    assert doc["article"]["title"] == "Shameful Plan Exposed"
    assert doc["sentences"][0]["is_title"] and doc["sentences"][0]["end"] == len("Shameful Plan Exposed")
    check_result(doc)


def test_crlf_file_is_not_translated(tmp_path: Path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(ARTICLE.replace("\n", "\r\n").encode())
    art = load_source(str(p))
    assert art.text == ARTICLE.replace("\n", "\r\n")


def test_html_file_extracts_main_text(tmp_path: Path, cli):
    p = tmp_path / "page.html"
    p.write_text(PAGE, encoding="utf-8")
    doc = _json(cli("analyze", str(p), "--format", "json"))
    text = doc["article"]["text"]
    assert doc["article"]["title"] == "Shameful Plan Exposed"
    assert "Anna Berg" in text and "Cookie settings" not in text and "Sport" not in text
    check_result(doc)


def test_stdin(cli):
    doc = _json(cli("analyze", "-", "--format", "json", input=ARTICLE.encode()))
    assert doc["article"]["text"] == ARTICLE


def test_non_utf8_file_is_decoded_by_detection(tmp_path: Path, cli):
    p = tmp_path / "latin.txt"
    text = "Café Crème Scandal\n\nThe mayor’s “plan” is a disgrace, señor García said — again and again.\n" * 3
    p.write_bytes(text.encode("cp1252"))
    doc = _json(cli("analyze", str(p), "--format", "json"))
    assert "García" in doc["article"]["text"] and "Crème" in doc["article"]["text"]


def test_url_html_and_redirect(server: str, cli):
    doc = _json(cli("analyze", f"{server}/redirect", "--format", "json", "--allow-private-urls"))
    assert doc["article"]["url"].endswith("/article.html")
    assert "Anna Berg" in doc["article"]["text"]
    check_result(doc)


def test_url_plain_text(server: str):
    art = load_source(f"{server}/plain.txt", allow_private_urls=True)
    assert art.text == ARTICLE and art.title == "Shameful Plan Exposed"


def test_url_refusals(server: str):
    with pytest.raises(FetchError, match="private"):
        load_source(f"{server}/article.html")  # loopback without the flag
    with pytest.raises(FetchError, match="content type"):
        load_source(f"{server}/image.png", allow_private_urls=True)
    with pytest.raises(FetchError, match="redirects"):
        load_source(f"{server}/loop", allow_private_urls=True)
    with pytest.raises(FetchError, match="HTTP 404"):
        load_source(f"{server}/missing", allow_private_urls=True)
    with pytest.raises(FetchError, match="only http"):
        load_source("file:///etc/passwd")


BAD_INPUTS = {
    "empty": lambda d: _write(d / "empty.txt", b""),
    "blank": lambda d: _write(d / "blank.txt", b"  \n\n \t\n"),
    "binary": lambda d: _write(d / "blob.txt", bytes(range(256)) * 40),
    "directory": lambda d: str(d),
    "missing": lambda d: str(d / "nope.txt"),
    "huge": lambda d: _write(d / "huge.txt", b"word " * (4 * 1024 * 1024 + 10)),
    "over_token_limit": lambda d: _write(d / "tokens.txt", b"x\n" * 121_000),  # 242 KB, 121,000 tokens
    "html_without_text": lambda d: _write(d / "nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
}


def _write(p: Path, data: bytes) -> str:
    p.write_bytes(data)
    return str(p)


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2(kind: str, tmp_path: Path, cli):
    proc = cli("analyze", BAD_INPUTS[kind](tmp_path))
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2, err
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err


def test_unreachable_url_is_one_line_exit_2(cli):
    # port 9 (discard) on loopback: nothing listens there
    proc = cli("analyze", "http://127.0.0.1:9/x.html", "--allow-private-urls")
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2 and err.startswith("error: ") and "\n" not in err


def test_library_errors_are_typed(tmp_path: Path):
    with pytest.raises(InputError):
        load_source(str(tmp_path))


def test_every_command_is_registered_and_the_module_runs():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "unspin.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for command in ("analyze", "predict", "classify", "evaluate", "train", "batch", "stats", "serve", "migrate"):
        assert command in proc.stdout


@pytest.mark.parametrize("args", [
    ("analyze", "x.txt", "--format", "bogus"),  # a bad choice
    ("analyze", "x.txt", "--min-confidence", "high"),  # a bad number
    ("analyze",),  # a missing argument
    ("analyse", "x.txt"),  # an unknown command
    ("batch", "x.jsonl", "--no-such-option"),  # an unknown option
])
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...], cli):
    proc = cli(*args)
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2, err
    assert err.startswith("error: ") and "\n" not in err and "--help" in err and "Traceback" not in err


def _help_of(command: str) -> str:
    """`unspin COMMAND --help` as a user sees it, wrapping and any box drawing undone."""
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "unspin", *command.split(), "--help"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return " ".join(proc.stdout.replace("│", " ").split())


def test_every_help_reads_cleanly_and_shows_the_defaults_its_options_describe():
    import re

    import typer

    from unspin.cli import app

    group = typer.main.get_command(app)
    commands = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"analyze", "batch", "serve", "stats"} <= set(commands)
    for name in ["", *commands]:
        out = _help_of(name)
        stray = re.findall(r"\S* [.,;:](?=\s|$)", out)
        assert not stray, f"`unspin {name} --help`: a stray space before punctuation: {stray}"
        assert "[]" not in out and "()" not in out, f"`unspin {name} --help`: an emptied bracket"
        for param in group.commands[name].params if name else []:  # type: ignore[attr-defined]
            for said in re.findall(r"\[default: [^\]]*\]", getattr(param, "help", None) or ""):
                assert " ".join(said.split()) in out, f"`unspin {name} --help` does not show {said}"
    analyze = _help_of("analyze")
    assert "Output format [default: text, or what the -o file's extension names]." in analyze
    assert "(0-1) [default: the model's display threshold; 0 shows all]. Scores do not change." in analyze


def test_version_names_the_package_and_the_shipped_model(cli):
    from importlib.metadata import version

    from unspin.detect.runtime import DEFAULT_MODEL_DIR

    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    assert proc.stdout.decode() == f"unspin {version('unspin')} (model {meta['name']} {meta['version']})\n"
    assert "--version" in _help_of("")


def test_format_names_are_case_blind_and_a_wrong_one_is_a_plain_line(cli) -> None:
    demo = str(Path(__file__).resolve().parent.parent / "examples" / "demo-article.txt")
    upper = cli("analyze", demo, "--format", "JSON")
    assert upper.returncode == 0 and json.loads(upper.stdout)["article"]["text"]
    bad = cli("analyze", demo, "--format", "xml")
    assert bad.returncode == 2
    assert bad.stderr.decode().startswith("error: Invalid value for '--format' / '-f': 'xml' is not one of 'text', "
                                          "'json', 'html', 'ptc'. (see ") and bad.stderr.count(b"\n") == 1
