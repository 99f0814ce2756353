"""Corpora as streams of articles: folders of .txt/.html, JSONL, CSV and WARC files.

Every reader is a generator, so a corpus of any size is read in constant
memory. A record that cannot be turned into an article comes out as a
`Record` with an `error` (the batch logs it and goes on); an input that cannot
be read at all (missing file, CSV without the text column, not a WARC file)
is an `InputError`, raised by `Corpus.check()` before any work starts.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from unspin.article import Article
from unspin.errors import InputError, UnspinError
from unspin.load.html import article_from_html
from unspin.load.text import MAX_BYTES, article_from_text, decode, load_text_file, read_file_bytes

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class Columns:
    """Which JSONL keys / CSV columns hold what; only `text` is required in the data."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    url: str = "url"
    outlet: str = "outlet"
    published: str = "published"


@dataclass
class PendingHtml:
    """An HTML page read but not yet extracted; extraction (trafilatura) is most of the cost of reading HTML."""

    html: str
    url: str | None
    name: str
    article_id: str = ""  # "" gives the content-hash id


@dataclass
class Record:
    """One item of a corpus: an article, the reason it could not be read, or HTML still to extract."""

    origin: str  # where it came from, e.g. "news.jsonl:17", for the errors table
    article: Article | None = None
    error: str | None = None
    id: str = ""  # the article id, or the best id known when reading failed
    html: PendingHtml | None = None


def extract(rec: Record) -> Record:
    """A record holding HTML turned into its article (or its error); other records pass through.

    A top-level function so `unspin batch` can run it on its workers: the
    driver then only reads bytes, and extraction scales with the workers.
    """
    if rec.html is None:
        return rec
    page = rec.html
    try:
        art = article_from_html(page.html, url=page.url, name=page.name)
    except UnspinError as e:
        return Record(rec.origin, error=_short(e), id=rec.id)
    if page.article_id:
        art.id = page.article_id
    return Record(rec.origin, article=art, id=art.id)


def _short(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _open_binary(path: Path, gunzip: bool = True) -> IO[bytes]:
    try:
        raw: IO[bytes] = path.open("rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    if gunzip and path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


def _value(rec: dict[str, Any], key: str) -> str | None:
    v = rec.get(key)
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def article_from_record(rec: dict[str, Any], cols: Columns, origin: str) -> Article:
    """An Article from a JSONL object or CSV row; a separate title becomes line 1 (PTC layout)."""
    text = rec.get(cols.text)
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{origin}: no text in '{cols.text}'")
    if len(text) > MAX_BYTES:
        raise InputError(f"{origin}: text of {len(text):,} characters is over the limit")
    meta = {
        "id": _value(rec, cols.id) or "",
        "outlet": _value(rec, cols.outlet),
        "url": _value(rec, cols.url),
        "published": _value(rec, cols.published),
    }
    title = " ".join((_value(rec, cols.title) or "").split())
    if not title:
        return article_from_text(text, **meta)
    if not text.startswith(title):
        text = f"{title}\n\n{text.lstrip()}"
    return Article(text=text, title=title, title_end=len(title), **meta)  # type: ignore[arg-type]


class CorpusInput:
    """One INPUT argument. Subclasses read one kind of file."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.path = path
        self.columns = columns

    def check(self) -> None:
        """Fail now, with one line, if this input cannot be read at all."""

    def records(self) -> Iterator[Record]:
        raise NotImplementedError

    def count(self) -> int:
        """How many records `records()` yields, cheaply (used for the progress total)."""
        raise NotImplementedError


class SingleFile(CorpusInput):
    def records(self) -> Iterator[Record]:
        yield _file_record(self.path, self.path.stem)

    def count(self) -> int:
        return 1


def _file_record(path: Path, article_id: str) -> Record:
    try:
        if path.suffix.lower() in HTML_SUFFIXES:
            html = decode(read_file_bytes(path), str(path))
            return Record(str(path), id=article_id, html=PendingHtml(html, None, str(path), article_id))
        return Record(str(path), article=load_text_file(path, article_id=article_id), id=article_id)
    except UnspinError as e:
        return Record(str(path), error=_short(e), id=article_id)


class Directory(CorpusInput):
    """Every .txt and .html file below a folder, in a stable (sorted) order; the id is the relative path."""

    def _files(self) -> Iterator[Path]:
        for root, dirs, files in os.walk(self.path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                p = Path(root, name)
                if p.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
                    yield p

    def records(self) -> Iterator[Record]:
        for p in self._files():
            yield _file_record(p, p.relative_to(self.path).with_suffix("").as_posix())

    def count(self) -> int:
        return sum(1 for _ in self._files())


class JsonLines(CorpusInput):
    """One JSON object per line; blank lines are skipped, a broken line is a bad record."""

    def check(self) -> None:
        with _open_binary(self.path) as f:
            for line in f:
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except (ValueError, UnicodeDecodeError):
                        raise InputError(f"{self.path}: not JSON Lines (line 1 is not JSON)") from None
                    if not isinstance(obj, dict):
                        raise InputError(f"{self.path}: not JSON Lines of objects (line 1 is a {type(obj).__name__})")
                    return

    def records(self) -> Iterator[Record]:
        with _open_binary(self.path) as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                origin = f"{self.path}:{n}"
                try:
                    obj = json.loads(line)
                except (ValueError, UnicodeDecodeError) as e:
                    yield Record(origin, error=f"{origin}: not a JSON object ({_short(e)})", id=origin)
                    continue
                if not isinstance(obj, dict):
                    yield Record(origin, error=f"{origin}: not a JSON object", id=origin)
                    continue
                yield _row_record(obj, self.columns, origin)

    def count(self) -> int:
        with _open_binary(self.path) as f:
            return sum(1 for line in f if line.strip())


def _row_record(row: dict[str, Any], cols: Columns, origin: str) -> Record:
    rid = _value(row, cols.id) or ""
    try:
        return Record(origin, article=article_from_record(row, cols, origin), id=rid)
    except UnspinError as e:
        return Record(origin, error=_short(e), id=rid or origin)


class CsvFile(CorpusInput):
    """A CSV (or TSV) file with a header row; fields may span lines."""

    def _reader(self, f: IO[bytes]) -> csv.DictReader[str]:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
        delimiter = "\t" if ".tsv" in self.path.name.lower() else ","
        return csv.DictReader(text, delimiter=delimiter)

    def check(self) -> None:
        csv.field_size_limit(MAX_BYTES)
        with _open_binary(self.path) as f:
            try:
                head = f.read(8192)
            except (OSError, EOFError) as e:
                raise InputError(f"{self.path}: cannot read ({_short(e)})") from None
            if b"\x00" in head:
                raise InputError(f"{self.path}: not a CSV text file (binary data)")
        with _open_binary(self.path) as f:
            try:
                fields = self._reader(f).fieldnames
            except (UnicodeDecodeError, csv.Error) as e:
                raise InputError(f"{self.path}: not a readable CSV file ({_short(e)})") from None
        if not fields:
            raise InputError(f"{self.path}: empty CSV file (no header row)")
        if self.columns.text not in fields:
            shown = ", ".join(fields[:12])
            raise InputError(f"{self.path}: no '{self.columns.text}' column (has: {shown}); use --text-column")

    def records(self) -> Iterator[Record]:
        csv.field_size_limit(MAX_BYTES)
        with _open_binary(self.path) as f:
            reader = self._reader(f)
            try:
                for row in reader:
                    yield _row_record(row, self.columns, f"{self.path}:{reader.line_num}")
            except (UnicodeDecodeError, csv.Error) as e:
                raise InputError(f"{self.path}: unreadable CSV near line {reader.line_num} ({_short(e)})") from None

    def count(self) -> int:
        csv.field_size_limit(MAX_BYTES)
        with _open_binary(self.path) as f:
            try:
                return sum(1 for _ in self._reader(f))
            except (UnicodeDecodeError, csv.Error):
                return 0


class WarcFile(CorpusInput):
    """HTML responses from a web archive (WARC, optionally gzipped); each is extracted like an .html file."""

    def _responses(self) -> Iterator[tuple[Any, Any, str]]:
        from warcio.archiveiterator import ArchiveIterator

        with _open_binary(self.path, gunzip=False) as f:  # warcio reads per-record gzip itself
            it = ArchiveIterator(f)
            for rec in it:
                if rec.rec_type != "response" or rec.http_headers is None:
                    continue
                ctype = (rec.http_headers.get_header("Content-Type") or "").lower()
                if "html" not in ctype:
                    continue
                yield rec, it, ctype

    def check(self) -> None:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        with _open_binary(self.path, gunzip=False) as f:
            try:
                for rec in ArchiveIterator(f):
                    if not str(rec.format).startswith("warc"):  # warcio reads any text as an old ARC file
                        raise InputError(f"{self.path}: not a WARC file (no WARC header)")
                    return
            except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
                raise InputError(f"{self.path}: not a WARC file ({_short(e)})") from None

    def records(self) -> Iterator[Record]:
        from warcio.exceptions import ArchiveLoadFailed

        try:
            for rec, it, ctype in self._responses():
                url = rec.rec_headers.get_header("WARC-Target-URI")
                body = rec.content_stream().read(MAX_BYTES + 1)  # before the offset: asking for it skips the body
                origin = f"{self.path}@{it.get_record_offset()}"
                yield self._record(rec, body, ctype, url, origin)
        except (ArchiveLoadFailed, OSError, EOFError) as e:
            raise InputError(f"{self.path}: broken WARC file ({_short(e)})") from None

    @staticmethod
    def _record(rec: Any, body: bytes, ctype: str, url: str | None, origin: str) -> Record:
        try:
            status = int(rec.http_headers.get_statuscode() or 0)
            if not 200 <= status < 300:
                return Record(origin, error=f"{origin}: HTTP status {status} for {url}", id=url or origin)
            if len(body) > MAX_BYTES:
                return Record(origin, error=f"{origin}: page over the size limit ({url})", id=url or origin)
            html = _decode_html(body, ctype, origin)
            return Record(origin, id=url or origin, html=PendingHtml(html, url, url or origin))
        except UnspinError as e:
            return Record(origin, error=_short(e), id=url or origin)

    def count(self) -> int:
        return sum(1 for _ in self._responses())


def _decode_html(body: bytes, ctype: str, name: str) -> str:
    """The page as text: the charset the server declared, else UTF-8 or detection."""
    if "charset=" in ctype:
        charset = ctype.split("charset=", 1)[1].split(";")[0].strip().strip("\"'")
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(body, name)


def open_input(path: Path, columns: Columns) -> CorpusInput:
    """The reader for one INPUT argument, chosen by what it is (folder) or its file name."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return Directory(path, columns)
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return JsonLines(path, columns)
    if name.endswith(CSV_SUFFIXES):
        return CsvFile(path, columns)
    if name.endswith(WARC_SUFFIXES):
        return WarcFile(path, columns)
    if path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
        return SingleFile(path, columns)
    raise InputError(f"{path}: unknown input kind; expected a folder, .txt, .html, .jsonl, .csv or .warc(.gz)")


class Corpus:
    """Several inputs read one after another as one stream of records.

    HTML is extracted as it is read unless `defer_html` is set; then records
    keep `html` for the caller to `extract()` elsewhere (batch: on its workers).
    """

    def __init__(self, paths: list[Path], columns: Columns | None = None, defer_html: bool = False) -> None:
        if not paths:
            raise InputError("no input given")
        self.columns = columns or Columns()
        self.defer_html = defer_html
        self.inputs = [open_input(Path(p), self.columns) for p in paths]

    def check(self) -> None:
        for inp in self.inputs:
            inp.check()

    def __iter__(self) -> Iterator[Record]:
        for inp in self.inputs:
            for rec in inp.records():
                yield rec if self.defer_html else extract(rec)

    def count(self) -> int:
        return sum(inp.count() for inp in self.inputs)
