"""Corpora as streams of articles: folders of .txt/.html, JSONL, CSV, WARC, feeds and URL lists.

Every reader is a generator, so a corpus of any size is read in constant
memory. An input that cannot be read at all (missing file, not a regular file,
CSV without a text column, not a WARC file) is an `InputError`, raised by
`Corpus.check()` before any work starts. After that, nothing one record holds
stops the run: every failure of one record (invalid JSON, nesting too deep, a
line over the cap, bytes that do not decode, a WARC record with a broken status
line or a wrong length, an exception in the extractor) comes out as a `Record`
with an `error` and its position (`file:line`, `file@offset`, `feed#entry`),
which the batch logs in the `errors` table; a file that breaks half-way (a
truncated or corrupt `.gz`, a decompression bomb) gives one such record and
the next input is read.

Text is made storable before it leaves here: lone surrogates (from JSON
escapes) are replaced with U+FFFD and counted in `Record.repaired`.

Column names: unless the user names a column, the common names are recognised
(`ALIASES`: text/content/body, outlet/source/publisher, published/date/pubDate,
url/link, ...), case-insensitively. Dates are normalised to ISO 8601
(`dates.py`) and the raw value is kept in `Article.published_raw`.

Encodings: CSV and JSONL files are decoded as the shared decoder (`decode.py`)
sniffs them from their first bytes (BOM, then UTF-8, then detection); a record
whose bytes do not decode that way is decoded on its own.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from unspin.article import Article
from unspin.corpus.bounded import MAX_LINE_BYTES, Line, bounded_lines, check_regular, open_corpus_file
from unspin.errors import InputError, UnspinError
from unspin.load.dates import parse_published
from unspin.load.decode import Sniffed, decode_with, errors_for, sniff
from unspin.load.decode import decode as decode_bytes
from unspin.load.html import article_from_html
from unspin.load.storable import storable
from unspin.load.text import MAX_BYTES, article_from_text, load_text_file, read_file_bytes

if TYPE_CHECKING:
    from unspin.load.polite import PoliteFetcher

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
HEAD_BYTES = 256 * 1024  # what encoding and delimiter sniffing look at
CSV_DELIMITERS = (",", ";", "\t", "|")
MAX_CONSECUTIVE_ERRORS = 10_000  # a file that is all errors is not a corpus of that kind: stop reading it
# the same text this many times in a row: a decompression bomb of one line or a broken export, not news; reading
# 70 million copies of one line would take hours for nothing (each is "already stored")
MAX_REPEATS_IN_A_ROW = 10_000
# Read failures of a file half-way (truncated or corrupt gzip, a decompression bomb, a disk error).
READ_ERRORS = (OSError, EOFError, zlib.error, UnspinError)

# The names each field goes by in the data people have (news-please, NewsAPI, GDELT, Kaggle dumps, feed exports),
# compared after lowercasing and turning spaces and dashes into "_"; the first present wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "maintext", "article", "article_text", "full_text", "fulltext",
             "text_content", "story"),
    "id": ("id", "article_id", "doc_id", "docid", "guid", "uuid", "_id"),
    "title": ("title", "headline", "heading", "name"),
    "url": ("url", "link", "href", "article_url", "uri", "permalink"),
    "outlet": ("outlet", "source", "publisher", "source_name", "sitename", "site_name", "source_domain",
               "domain", "site", "publication", "newspaper", "media", "feed"),
    "published": ("published", "date", "pubdate", "pub_date", "published_at", "publish_date", "date_published",
                  "date_publish", "publication_date", "published_date", "datetime", "pubdatetime", "created_at",
                  "timestamp", "time"),
}
FIELDS = tuple(ALIASES)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass(frozen=True)
class Columns:
    """Which JSONL keys / CSV columns hold what. None: recognise the common names (`ALIASES`)."""

    text: str | None = None
    id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None

    def resolve(self, keys: Iterable[Any]) -> dict[str, str | None]:
        """The key of each field among `keys`: the one named, else the first common name present, else None."""
        by_norm: dict[str, str] = {}
        for k in keys:
            if isinstance(k, str):
                by_norm.setdefault(_norm(k), k)
        out: dict[str, str | None] = {}
        taken: set[str] = set()
        for f in FIELDS:
            named = getattr(self, f)
            if named is not None:
                out[f] = named
                taken.add(named)
                continue
            out[f] = next((by_norm[a] for a in ALIASES[f] if a in by_norm and by_norm[a] not in taken), None)
            if out[f] is not None:
                taken.add(out[f])  # type: ignore[arg-type]
        return out

    def text_label(self) -> str:
        return self.text or "text"

    def named(self) -> list[tuple[str, str]]:
        """(field, column) for each column named by an option, in FIELDS order."""
        return [(f, name) for f in FIELDS if (name := getattr(self, f)) is not None]


def option_of(field: str) -> str:
    """The `unspin batch` option that names the column of `field`: --text-column, --outlet-column, ..."""
    return f"--{field}-column"


def _shown_columns(keys: list[str]) -> str:
    """The columns an input has, for a message: the first 12, each cut to 40 characters."""
    shown = ", ".join(storable(k[:40])[0] for k in keys[:12]) + (", ..." if len(keys) > 12 else "")
    return printable(shown or "none")


@dataclass
class PendingHtml:
    """An HTML page read but not yet extracted; extraction (trafilatura) is most of the cost of reading HTML."""

    html: str
    url: str | None
    name: str
    article_id: str = ""  # "" gives the content-hash id
    title: str | None = None  # used when the page gives none (a feed entry's title)
    published: str | None = None  # raw; preferred to the page's own (a feed entry's date)


@dataclass
class PendingFetch:
    """A page to fetch (a feed entry or a listed URL), with what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # raw, as the feed wrote it


@dataclass
class Record:
    """One item of a corpus: an article, the reason it could not be read, or HTML still to fetch or extract."""

    origin: str  # where it came from, e.g. "news.jsonl:17", for the errors table
    article: Article | None = None
    error: str | None = None
    id: str = ""  # the article id, or the best id known when reading failed
    html: PendingHtml | None = None
    fetch: PendingFetch | None = None
    repaired: int = 0  # characters replaced to make the text storable (lone surrogates)


MAX_REASON_CHARS = 300


def short_reason(e: BaseException) -> str:
    """The first line of an exception's message (its type when it has none): printable, storable, at most 300 chars."""
    text = (str(e).strip().splitlines() or [type(e).__name__])[0]
    return printable(text)


def printable(text: str) -> str:
    """`text` with control characters escaped and lone surrogates replaced, cut to MAX_REASON_CHARS."""
    text = storable(text[:MAX_REASON_CHARS + 1])[0]
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= MAX_REASON_CHARS else text[:MAX_REASON_CHARS - 1] + "…"


_short = short_reason


def _error(origin: str, reason: str, rid: str = "") -> Record:
    return Record(storable(origin)[0], error=printable(reason), id=storable(rid or origin)[0])


def extract(rec: Record) -> Record:
    """A record holding HTML turned into its article (or its error); other records pass through.

    A top-level function so `unspin batch` can run it on its workers: the
    driver then only reads bytes, and extraction scales with the workers.
    Never raises: an extractor failure on one page is that page's error.
    """
    if rec.html is None:
        return rec
    page = rec.html
    try:
        art = article_from_html(page.html, url=page.url, name=page.name)
        if page.article_id:
            art.id = page.article_id
        if page.title and not art.title:
            art = _with_title(art, page.title)
        if page.published and parse_published(page.published):
            art.published, art.published_raw = parse_published(page.published), page.published
        repaired = _make_storable(art)
    except UnspinError as e:
        return _error(rec.origin, short_reason(e), rec.id)
    except (Exception, RecursionError) as e:  # a crash of the extractor on one page must not stop the corpus
        return _error(rec.origin, f"{page.name}: cannot extract the page ({type(e).__name__}: {short_reason(e)})", rec.id)
    return Record(rec.origin, article=art, id=art.id, repaired=rec.repaired + repaired)


def _with_title(art: Article, title: str) -> Article:
    title = " ".join(title.split())
    text = art.text if art.text.startswith(title) else f"{title}\n\n{art.text.lstrip()}"
    return Article(text=text, title=title, title_end=len(title), id=art.id, outlet=art.outlet, url=art.url,
                   published=art.published, published_raw=art.published_raw)


def _make_storable(art: Article) -> int:
    """Replace lone surrogates in every text field of `art`, in place; how many were replaced."""
    n = 0
    for name in ("text", "title", "id", "outlet", "url", "published", "published_raw"):
        value = getattr(art, name)
        if isinstance(value, str):
            fixed, k = storable(value)
            if k:
                setattr(art, name, fixed)
                n += k
    return n


def _value(rec: dict[Any, Any], key: str | None) -> str | None:
    """A field as one trimmed string: objects give their name (NewsAPI's {"id", "name"} source), lists their items."""
    if key is None:
        return None
    v = rec.get(key)
    if isinstance(v, dict):
        v = next((v[k] for k in ("name", "title", "id", "value") if isinstance(v.get(k), str | int | float)), None)
    elif isinstance(v, list):
        v = ", ".join(str(x) for x in v if isinstance(x, str | int | float)) or None
    if v is None or isinstance(v, bool):
        return None
    s = str(v).strip()
    return s or None


def article_from_record(rec: dict[Any, Any], cols: Columns | dict[str, str | None], origin: str) -> tuple[Article, int]:
    """(Article, characters repaired) from a JSONL object or CSV row; a separate title becomes line 1 (PTC layout).

    `cols` is a `Columns` or what its `resolve` gave for these keys. Raises InputError when there is no text.
    """
    keys = cols.resolve(rec.keys()) if isinstance(cols, Columns) else cols
    text_key = keys["text"]
    text = rec.get(text_key) if text_key is not None else None
    if not isinstance(text, str) or not text.strip():
        label = text_key or "text"
        raise InputError(f"{origin}: no text in '{label}'")
    if len(text) > MAX_BYTES:
        raise InputError(f"{origin}: text of {len(text):,} characters is over the limit")
    text, repaired = storable(text)
    meta: dict[str, str | None] = {}
    for f in ("id", "outlet", "url", "published", "title"):
        v = _value(rec, keys[f])
        if v is not None:
            v, k = storable(v)
            repaired += k
        meta[f] = v
    raw_date = meta["published"]
    common = {"id": meta["id"] or "", "outlet": meta["outlet"], "url": meta["url"],
              "published": parse_published(raw_date), "published_raw": raw_date}
    title = " ".join((meta["title"] or "").split())
    if not title:
        return article_from_text(text, **common), repaired
    if not text.startswith(title):
        text = f"{title}\n\n{text.lstrip()}"
    return Article(text=text, title=title, title_end=len(title), **common), repaired  # type: ignore[arg-type]


def _row_record(row: dict[Any, Any], keys: dict[str, str | None], origin: str) -> Record:
    rid = storable(_value(row, keys["id"]) or "")[0]
    try:
        art, repaired = article_from_record(row, keys, origin)
    except UnspinError as e:
        return _error(origin, short_reason(e), rid)
    except (Exception, RecursionError) as e:  # one odd record must not stop the corpus
        return _error(origin, f"{origin}: unreadable record ({type(e).__name__}: {short_reason(e)})", rid)
    return Record(origin, article=art, id=art.id, repaired=repaired)


class CorpusInput:
    """One INPUT argument. Subclasses read one kind of file."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.path = path
        self.columns = columns

    def check(self) -> None:
        """Fail now, with one line, if this input cannot be read at all."""

    def column_names(self) -> list[str] | None:
        """After `check()`: the columns of a table input (CSV header, the first JSON object's keys); else None."""
        return None

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
    """One .txt or .html file as a record; any failure (unreadable, not a regular file, binary) is its error."""
    origin = str(path)
    try:
        check_regular(path)
        if path.suffix.lower() in HTML_SUFFIXES:
            got = decode_bytes(read_file_bytes(path), html=True)
            if got is None or not got.text.strip():
                raise InputError(f"{path}: not an HTML text file (empty or binary)")
            return Record(origin, id=article_id, html=PendingHtml(got.text, None, origin, article_id))
        art = load_text_file(path, article_id=article_id)
        repaired = _make_storable(art)
        return Record(origin, article=art, id=art.id, repaired=repaired)
    except UnspinError as e:
        return _error(origin, short_reason(e), article_id)
    except (Exception, RecursionError) as e:
        return _error(origin, f"{origin}: unreadable ({type(e).__name__}: {short_reason(e)})", article_id)


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
            yield _file_record(p, storable(p.relative_to(self.path).with_suffix("").as_posix())[0])

    def count(self) -> int:
        return sum(1 for _ in self._files())


def _read_head(path: Path) -> bytes:
    """Up to HEAD_BYTES from the start of a corpus file (un-gzipped); a file that breaks early gives what came first."""
    chunks: list[bytes] = []
    size = 0
    with open_corpus_file(path) as f:
        while size < HEAD_BYTES:
            try:
                chunk = f.read1(min(16384, HEAD_BYTES - size))  # type: ignore[attr-defined]
            except READ_ERRORS:
                if not chunks:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)


def _sniff_encoding(head: bytes) -> Sniffed:
    """The file's encoding from its first bytes (BOM, UTF-8, detection); UTF-8 when nothing fits."""
    return sniff(head) or Sniffed("utf-8", "utf-8", "default")


def _is_wide(sniffed: Sniffed) -> bool:
    """UTF-16/32: lines cannot be split on the byte 0x0A."""
    return sniffed.codec.replace("_", "-").startswith(("utf-16", "utf-32"))


def _decode_line(data: bytes, sniffed: Sniffed) -> str:
    """One line's bytes as text: in the file's encoding, or, when they do not decode so, on their own."""
    try:
        return data.decode(sniffed.codec)
    except UnicodeDecodeError:
        got = decode_bytes(data)
        if got is None:
            return data.decode(sniffed.codec, errors=errors_for(sniffed.codec))
        return got.text
    except LookupError:
        return data.decode("utf-8", errors="replace")


CHECK_LINES = 20  # lines `JsonLines.check` looks at for one JSON object


def _json_kind(line: str) -> str:
    """'object', or what else the line is, for messages."""
    if not line.lstrip().startswith("{"):
        return "not a JSON object" if line.lstrip()[:1] in ('[', '"') or line.strip()[:1].isdigit() else "not JSON"
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return "not JSON"
    return "object" if isinstance(obj, dict) else f"a {type(obj).__name__}"


class JsonLines(CorpusInput):
    """One JSON object per line; blank lines are skipped, a broken line is a bad record.

    Lines are at most `MAX_LINE_BYTES`; a longer one is a bad record and is skipped without being held.
    """

    _keys: list[str] | None = None  # the first JSON object's keys, found by `check()`

    def column_names(self) -> list[str] | None:
        return self._keys

    def _check_text_field(self, keys: list[str]) -> None:
        """InputError when the first object has no field of the common text names and none is named
        (`--text-column`; a named one that is missing is `Corpus`'s check): every record would be an error."""
        if self.columns.text is None and self.columns.resolve(keys)["text"] is None:
            raise InputError(f"{self.path}: no text field (text, content, body...) in its first record "
                             f"(has: {_shown_columns(keys)}); use --text-column")

    def _open_lines(self) -> tuple[IO[bytes], Iterator[tuple[Line, str | None]]]:
        """The open file and its lines as (position, text or None when over the cap), in its sniffed encoding."""
        sniffed = _sniff_encoding(_read_head(self.path))
        f = open_corpus_file(self.path)
        if not _is_wide(sniffed):
            if sniffed.bom:
                f.read(sniffed.bom)

            def narrow() -> Iterator[tuple[Line, str | None]]:
                for ln in bounded_lines(f):
                    yield ln, None if ln.data is None else _decode_line(ln.data, sniffed)

            return f, narrow()
        text = io.TextIOWrapper(f, encoding=sniffed.codec, errors="replace")

        def wide() -> Iterator[tuple[Line, str | None]]:
            n = 0
            while True:
                s = text.readline(MAX_LINE_BYTES // 2 + 1)
                if not s:
                    return
                n += 1
                if n == 1:
                    s = s.removeprefix("\ufeff")
                if len(s) > MAX_LINE_BYTES // 2 and not s.endswith("\n"):
                    while (rest := text.readline(1024 * 1024)) and not rest.endswith("\n"):
                        pass
                    yield Line(n, -1, None, 0), None
                    continue
                yield Line(n, -1, b"", 0), s

        return f, wide()

    def check(self) -> None:
        """A JSON object on one of the first CHECK_LINES non-blank lines, or InputError (not JSON Lines at all)."""
        check_regular(self.path)
        seen = 0
        first_bad = ""
        try:
            f, lines = self._open_lines()
            with f:
                for ln, line in lines:
                    if line is not None and not line.strip():
                        continue
                    seen += 1
                    what = "over the line limit" if line is None else _json_kind(line)
                    if what == "object" and line is not None:
                        self._keys = [str(k) for k in json.loads(line)]
                        self._check_text_field(self._keys)
                        return
                    first_bad = first_bad or f"line {ln.number} is {what}"
                    if seen >= CHECK_LINES:
                        break
        except InputError:
            raise
        except READ_ERRORS as e:
            if seen and first_bad:  # broken early, after lines that were not objects either
                raise InputError(f"{self.path}: not JSON Lines ({first_bad}; then: {short_reason(e)})") from None
            raise InputError(f"{self.path}: cannot read ({short_reason(e)})") from None
        if first_bad:
            raise InputError(f"{self.path}: not JSON Lines ({first_bad})")

    def records(self) -> Iterator[Record]:
        resolved: dict[tuple[Any, ...], dict[str, str | None]] = {}
        last = 0
        errors_in_a_row = 0
        try:
            f, lines = self._open_lines()
        except (InputError, *READ_ERRORS) as e:
            yield _error(str(self.path), f"{self.path}: cannot read ({short_reason(e)})")
            return
        with f:
            try:
                for ln, line in lines:
                    last = ln.number
                    origin = f"{self.path}:{ln.number}"
                    if line is None:
                        rec = _error(origin, f"{origin}: line over the {MAX_LINE_BYTES // 2**20} MiB line limit")
                    elif not line.strip():
                        continue
                    else:
                        rec = self._record(line, origin, resolved)
                    errors_in_a_row = errors_in_a_row + 1 if rec.error else 0
                    yield rec
                    if errors_in_a_row >= MAX_CONSECUTIVE_ERRORS:
                        yield _error(f"{self.path}:{last + 1}",
                                     f"{self.path}: {errors_in_a_row:,} bad lines in a row; stopped reading this file")
                        return
            except READ_ERRORS as e:  # truncated or corrupt .gz, a bomb, a disk error: the file ends here
                origin = f"{self.path}:{last + 1}"
                yield _error(origin, f"{self.path}: unreadable after line {last:,} ({short_reason(e)})")

    def _record(self, line: str, origin: str, resolved: dict[tuple[Any, ...], dict[str, str | None]]) -> Record:
        stripped = line.lstrip()
        if not stripped.startswith("{"):  # not an object: no need to parse it (nor to recurse into [[[[...)
            return _error(origin, f"{origin}: not a JSON object")
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as e:
            reason = "nested too deeply" if isinstance(e, RecursionError) else short_reason(e)
            return _error(origin, f"{origin}: not a JSON object ({reason})")
        if not isinstance(obj, dict):
            return _error(origin, f"{origin}: not a JSON object")
        shape = tuple(obj)
        keys = resolved.get(shape)
        if keys is None:
            if len(resolved) > 256:
                resolved.clear()
            keys = resolved[shape] = self.columns.resolve(shape)
        return _row_record(obj, keys, origin)

    def count(self) -> int:
        n = 0
        try:
            f, lines = self._open_lines()
            with f:
                for _, line in lines:
                    n += line is None or bool(line.strip())
        except (InputError, *READ_ERRORS):
            pass
        return n


def delimiter_option(value: str | None) -> str | None:
    """A --delimiter value as one character: `tab`/`\\t` are a tab, `semicolon` a ';', `comma`, `pipe`."""
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|", "space": " "}
    d = named.get(value.strip().lower(), value)
    if len(d) != 1 or d in "\"\r\n":
        raise InputError(f"--delimiter must be one character (or tab, semicolon, comma, pipe), not {value!r}")
    return d


class LineTooLong(csv.Error):
    """A CSV line over the line cap: that row is an error, and reading goes on at the next line."""


class _BoundedTextLines:
    """The lines of a text stream for the csv module, each at most `limit` characters.

    The csv module reads whole lines; one line of gigabytes (a bomb in a .csv.gz)
    would be held whole before its field-size check could refuse it. A longer
    line is skipped without being held, and raises LineTooLong for its row.
    """

    def __init__(self, text: IO[str], limit: int) -> None:
        self.text = text
        self.limit = limit

    def __iter__(self) -> _BoundedTextLines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while (rest := self.text.readline(1024 * 1024)) and not rest.endswith(("\n", "\r")):
                pass
            raise LineTooLong(f"a line over the {self.limit // 2**20} MiB line limit")
        return line


def _binary_csv(head: bytes) -> bool:
    """Whether the first bytes of a would-be CSV file are binary data: NUL bytes in the header row, or more than
    a few NULs at a binary file's rate (random bytes: 1 in 256). A stray NUL in one field is that row's problem
    (the row is read as it is), not the file's. UTF-16 (with a BOM) is text full of NULs."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = head[:8192]
    nuls = sample.count(b"\x00")
    return b"\x00" in sample.split(b"\n", 1)[0] or (nuls >= 4 and nuls * 512 >= len(sample))


class CsvFile(CorpusInput):
    """A CSV (or TSV) file with a header row; fields may span lines.

    The encoding is sniffed from the first bytes (the shared decoder), the
    delimiter from the header row unless `delimiter` names it: of `,` `;` tab
    `|`, the one that gives a text column, else the most columns. A row whose
    bytes do not decode in the file's encoding is decoded on its own.
    """

    def __init__(self, path: Path, columns: Columns, delimiter: str | None = None) -> None:
        super().__init__(path, columns)
        self.delimiter = delimiter
        self._dialect: tuple[Sniffed, str, list[str]] | None = None

    def _sniff(self) -> tuple[Sniffed, str, list[str]]:
        """(encoding, delimiter, header fields)."""
        if self._dialect is not None:
            return self._dialect
        head = _read_head(self.path)
        if _binary_csv(head):
            raise InputError(f"{self.path}: not a CSV text file (binary data)")
        sniffed = _sniff_encoding(head)
        text = decode_with(head, sniffed)
        if len(head) == HEAD_BYTES:  # the sample may end mid-character
            text = text[:-4] if len(text) > 4 else text
        delim = self.delimiter or self._guess_delimiter(text)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), [])
        self._dialect = (sniffed, delim, header)
        return self._dialect

    def _guess_delimiter(self, text: str) -> str:
        if ".tsv" in self.path.name.lower():
            return "\t"
        best: tuple[int, int, str] = (-1, -1, ",")
        for d in CSV_DELIMITERS:
            try:
                header = next(csv.reader(io.StringIO(text, newline=""), delimiter=d), [])
            except csv.Error:
                continue
            has_text = int(self.columns.resolve(header)["text"] in header)
            best = max(best, (has_text, len(header), d), key=lambda t: (t[0], t[1], t[2] == ","))
        if best[1] <= 1:  # no delimiter splits the header: ask the standard library's sniffer
            try:
                return csv.Sniffer().sniff(text[:65536], delimiters="".join(CSV_DELIMITERS)).delimiter
            except csv.Error:
                return ","
        return best[2]

    def _rows(self, f: IO[bytes]) -> tuple[Any, Sniffed]:
        sniffed, delim, _ = self._sniff()
        f.read(sniffed.bom)
        # surrogateescape: bytes that do not decode stay recoverable, and are decoded per row (`_repair`)
        text = io.TextIOWrapper(f, encoding=sniffed.codec, errors="surrogateescape", newline="")
        return csv.reader(_BoundedTextLines(text, MAX_LINE_BYTES), delimiter=delim), sniffed

    def check(self) -> None:
        check_regular(self.path)
        csv.field_size_limit(MAX_BYTES)
        try:
            _, delim, fields = self._sniff()
        except (csv.Error, LookupError) as e:
            raise InputError(f"{self.path}: not a readable CSV file ({short_reason(e)})") from None
        except InputError:
            raise
        except READ_ERRORS as e:
            raise InputError(f"{self.path}: cannot read ({short_reason(e)})") from None
        if not fields:
            raise InputError(f"{self.path}: empty CSV file (no header row)")
        if self.columns.resolve(fields)["text"] not in fields:
            shown = _shown_columns(fields)
            if self.columns.text is not None:
                named, hint = f"'{printable(self.columns.text)}' column for --text-column", "check its spelling"
            else:
                named, hint = "text column (text, content, body...)", "use --text-column"
            if len(fields) == 1 and any(d in fields[0] for d in CSV_DELIMITERS if d != delim):
                hint += f", or --delimiter (the header looks separated by something other than {delim!r})"
            raise InputError(f"{self.path}: no {named} (has: {shown}); {hint}")

    def column_names(self) -> list[str] | None:
        return None if self._dialect is None else self._dialect[2]

    def records(self) -> Iterator[Record]:
        csv.field_size_limit(MAX_BYTES)
        try:
            f = open_corpus_file(self.path)
            reader, sniffed = self._rows(f)
        except (InputError, csv.Error, LookupError, *READ_ERRORS) as e:
            yield _error(str(self.path), f"{self.path}: cannot read ({short_reason(e)})")
            return
        with f:
            line = 1
            errors_in_a_row = 0
            try:
                header = [_repair(h, sniffed)[0] for h in next(reader)]
            except StopIteration:
                return
            except (csv.Error, *READ_ERRORS) as e:
                yield _error(f"{self.path}:1", f"{self.path}: unreadable header ({short_reason(e)})")
                return
            keys = self.columns.resolve(header)
            while True:
                line = reader.line_num + 1
                origin = f"{self.path}:{line}"
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:  # one malformed row (a field over the limit): the reader goes on after it
                    rec = _error(origin, f"{origin}: unreadable CSV row ({short_reason(e)})")
                except READ_ERRORS as e:  # truncated or corrupt .gz, a bomb: the file ends here
                    yield _error(origin, f"{self.path}: unreadable from line {line:,} on ({short_reason(e)})")
                    return
                else:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    rec = self._record(header, row, keys, sniffed, origin)
                errors_in_a_row = errors_in_a_row + 1 if rec.error else 0
                yield rec
                if errors_in_a_row >= MAX_CONSECUTIVE_ERRORS:
                    yield _error(origin, f"{self.path}: {errors_in_a_row:,} bad rows in a row; stopped reading this file")
                    return

    @staticmethod
    def _record(header: list[str], row: list[str], keys: dict[str, str | None], sniffed: Sniffed,
                origin: str) -> Record:
        fixed = [_repair(v, sniffed)[0] for v in row]
        data: dict[Any, Any] = dict(zip(header, fixed, strict=False))
        return _row_record(data, keys, origin)

    def count(self) -> int:
        csv.field_size_limit(MAX_BYTES)
        try:
            f = open_corpus_file(self.path)
            with f:
                reader, _ = self._rows(f)
                n = -1
                while True:
                    try:
                        next(reader)
                    except StopIteration:
                        break
                    except csv.Error:
                        pass
                    n += 1
                return max(n, 0)
        except (InputError, csv.Error, LookupError, *READ_ERRORS):
            return 0


_ESCAPED = re.compile("[\udc80-\udcff]")


def _repair(value: str, sniffed: Sniffed) -> tuple[str, int]:
    """A CSV field read with surrogateescape: bytes that did not decode are decoded with the field on its own."""
    if value.isascii() or not _ESCAPED.search(value):
        return value, 0
    raw = value.encode(sniffed.codec, errors="surrogateescape")
    got = decode_bytes(raw)
    if got is not None:
        return got.text, 0
    return storable(value)


class WarcFile(CorpusInput):
    """HTML responses from a web archive (WARC, optionally gzipped); each is extracted like an .html file.

    A record that cannot be parsed (a broken header, a wrong Content-Length, a
    truncated body) is an error at its offset; reading resumes at the next record
    start found after it (`WARC/1.` at a line start, or the next gzip member).
    """

    def _responses(self) -> Iterator[tuple[Any, Any, int, str | None]]:
        """(record, iterator, offset, error): each HTML response, and each place the archive cannot be parsed.

        After a failure, reading resumes at the next record start found after the
        last record that began (so a record swallowed by its neighbour's wrong
        Content-Length is still read); each failure is reported once.
        """
        gz = self.path.name.lower().endswith(".gz")
        with open_corpus_file(self.path, gunzip=False) as f:  # warcio reads per-record gzip itself
            restart = 0
            reported: set[int] = set()
            while True:
                f.seek(restart)
                it = _QuietArchiveIterator(f)  # its offsets are positions in the file
                last_start = restart
                missized = False
                try:
                    for rec in it:
                        last_start = int(it.offset)
                        length = (rec.rec_headers.get_header("Content-Length") or "").strip()
                        if not length.isdigit():  # warcio would read to the end of the file as its body
                            reported.add(last_start)
                            yield None, None, last_start, f"WARC record without a valid Content-Length ({length!r})"
                            raise _Resync
                        if rec.rec_type != "response" or rec.http_headers is None:
                            continue
                        ctype = (rec.http_headers.get_header("Content-Type") or "").lower()
                        if "html" not in ctype:
                            continue
                        errs = it.err_count
                        yield rec, it, last_start, None
                        missized = it.err_count > errs  # `_record` found it not followed by a blank line
                    return
                except (Exception, RecursionError) as e:  # warcio's ArchiveLoadFailed, ValueError, zlib.error, ...
                    at = int(getattr(it, "offset", restart))  # the record being parsed (or read to its end)
                    if not isinstance(e, _Resync) and not missized and at not in reported:
                        reported.add(at)  # (after a mis-sized record, the parse failure that follows is its echo)
                        yield None, None, at, f"broken WARC record ({type(e).__name__}: {short_reason(e)})"
                    nxt = _next_record_start(f, max(last_start, restart) + 1, gz)
                    if nxt is None:
                        return
                    restart = nxt

    def check(self) -> None:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        with open_corpus_file(self.path, gunzip=False) as f:
            try:
                for rec in ArchiveIterator(f):
                    if not str(rec.format).startswith("warc"):  # warcio reads any text as an old ARC file
                        raise InputError(f"{self.path}: not a WARC file (no WARC header)")
                    return
            except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as e:
                raise InputError(f"{self.path}: not a WARC file ({short_reason(e)})") from None
            except (Exception, RecursionError):  # a first record warcio cannot parse (no target URI, ...)
                if not self._starts_with_warc_header():
                    raise InputError(f"{self.path}: not a WARC file (no WARC header)") from None
                # a WARC file whose first record is broken: `records` reports it as an error row

    def _starts_with_warc_header(self) -> bool:
        try:
            with open_corpus_file(self.path, gunzip=True) as f:
                return f.read(8).startswith(b"WARC/1.")
        except (OSError, EOFError, zlib.error, UnspinError):
            return False

    def records(self) -> Iterator[Record]:
        for rec, it, at, err in self._responses():
            if err is not None:
                origin = f"{self.path}@{at}"
                yield _error(origin, f"{origin}: {err}")
                continue
            yield self._record(rec, it, at)

    def _record(self, rec: Any, it: Any, at: int) -> Record:
        url = rec.rec_headers.get_header("WARC-Target-URI")
        url = storable(url)[0] if url else None
        origin = f"{self.path}@{at}"
        try:
            body = rec.content_stream().read(MAX_BYTES + 1)
            missing = getattr(rec.raw_stream, "limit", 0) if len(body) <= MAX_BYTES else 0
            errs = it.err_count
            it.read_to_end()  # to the next record: a record not followed by a blank line has a wrong Content-Length
            if it.err_count > errs:
                return _error(origin, f"{origin}: mis-sized WARC record (its Content-Length does not end it; {url})",
                              url or origin)
            status_text = str(rec.http_headers.get_statuscode() or "").strip()
            if not status_text.isdigit():
                return _error(origin, f"{origin}: WARC response with a non-numeric HTTP status {status_text!r} ({url})",
                              url or origin)
            status = int(status_text)
            if not 200 <= status < 300:
                return _error(origin, f"{origin}: HTTP status {status} for {url}", url or origin)
            if len(body) > MAX_BYTES:
                return _error(origin, f"{origin}: page over the size limit ({url})", url or origin)
            if missing:
                return _error(origin, f"{origin}: truncated WARC record ({missing:,} bytes missing; {url})", url or origin)
            ctype = rec.http_headers.get_header("Content-Type") or ""
            got = decode_bytes(body, ctype, html=True)
            if got is None or not got.text.strip():
                return _error(origin, f"{origin}: empty or binary page ({url})", url or origin)
            return Record(origin, id=url or origin, html=PendingHtml(got.text, url, url or origin))
        except UnspinError as e:
            return _error(origin, short_reason(e), url or origin)
        except (Exception, RecursionError) as e:  # a broken record (chunking, gzip, headers): its own error
            return _error(origin, f"{origin}: broken WARC record ({type(e).__name__}: {short_reason(e)}; {url})",
                          url or origin)

    def count(self) -> int:
        try:
            return sum(1 for _ in self._responses())
        except (Exception, RecursionError):
            return 0


class _Resync(Exception):
    """Stop this pass over the archive and resume at the next record start."""


def _archive_iterator_class() -> Any:
    from warcio.archiveiterator import ArchiveIterator

    class Quiet(ArchiveIterator):
        INC_RECORD = ""  # warcio prints a warning for a mis-sized record; we count it (err_count) and report it

    return Quiet


def _QuietArchiveIterator(f: IO[bytes]) -> Any:
    global _QUIET
    if _QUIET is None:
        _QUIET = _archive_iterator_class()
    return _QUIET(f)


_QUIET: Any = None


def _next_record_start(f: IO[bytes], start: int, gz: bool) -> int | None:
    """The offset of the next WARC record start at or after `start`: a gzip member, or `WARC/1.` at a line start."""
    marker = b"\x1f\x8b\x08" if gz else b"\nWARC/1."
    skip = 0 if gz else 1
    f.seek(max(0, start - skip))
    pos = max(0, start - skip)
    tail = b""
    while True:
        chunk = f.read(1024 * 1024)
        if not chunk:
            return None
        buf = tail + chunk
        i = buf.find(marker)
        if i >= 0:
            return pos - len(tail) + i + skip
        tail = buf[-(len(marker) - 1):]
        pos += len(chunk)


def open_input(path: Path | str, columns: Columns, delimiter: str | None = None,
               fetcher: PoliteFetcher | None = None) -> CorpusInput:
    """The reader for one INPUT argument, chosen by what it is (URL, folder) or its file name."""
    from unspin.corpus import feeds

    if isinstance(path, str) and feeds.is_url(path):
        return feeds.FeedUrl(path, columns, fetcher)
    path = Path(path)
    try:
        exists = path.exists()
    except OSError as e:  # a name too long, a loop of links
        raise InputError(f"{storable(str(path))[0][:300]}: cannot read ({e.strerror})") from None
    if not exists:
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return Directory(path, columns)
    check_regular(path)
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return JsonLines(path, columns)
    if name.endswith(CSV_SUFFIXES):
        return CsvFile(path, columns, delimiter)
    if name.endswith(WARC_SUFFIXES):
        return WarcFile(path, columns)
    if name.endswith(feeds.FEED_SUFFIXES):
        return feeds.FeedFile(path, columns)
    if name.endswith(feeds.URL_LIST_SUFFIXES) or (path.suffix.lower() == ".txt" and feeds.looks_like_url_list(path)):
        return feeds.UrlList(path, columns)
    if path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
        return SingleFile(path, columns)
    raise InputError(f"{path}: unknown input kind; expected a folder, .txt, .html, .jsonl, .csv, .warc(.gz), "
                     "an RSS/Atom feed (.rss, .atom, .xml, or its URL) or a list of URLs (.urls)")


class Corpus:
    """Several inputs read one after another as one stream of records.

    HTML is extracted as it is read unless `defer_html` is set; then records
    keep `html` for the caller to `extract()` elsewhere (batch: on its workers).
    Records of feeds and URL lists keep `fetch`: `unspin batch` fetches them.
    """

    def __init__(self, paths: list[Path] | list[str] | list[Path | str], columns: Columns | None = None,
                 defer_html: bool = False, delimiter: str | None = None, fetcher: PoliteFetcher | None = None) -> None:
        if not paths:
            raise InputError("no input given")
        self.columns = columns or Columns()
        self.defer_html = defer_html
        self.inputs = [open_input(p, self.columns, delimiter, fetcher) for p in paths]

    def check(self) -> None:
        for inp in self.inputs:
            inp.check()
        self._check_named_columns()

    def _check_named_columns(self) -> None:
        """A column named by an option must be there: the text column in every JSONL/CSV input (a record
        without its text is an error), any other in at least one (inputs of several layouts share the options).
        Else InputError naming the column and the columns there are, before anything is written."""
        tables = [(inp, cols) for inp in self.inputs if (cols := inp.column_names()) is not None]
        if not tables:
            return
        for field, name in self.columns.named():
            lacking = [(inp, cols) for inp, cols in tables if name not in cols]
            if not lacking or (field != "text" and len(lacking) < len(tables)):
                continue
            inp, cols = lacking[0]
            has = f"has: {_shown_columns(cols)}"
            if field != "text" and len(tables) > 1:
                has = "; ".join(f"{i.path} has: {_shown_columns(c)}" for i, c in tables[:3])
                raise InputError(f"no '{printable(name)}' column for {option_of(field)} in any input ({has})")
            raise InputError(f"{inp.path}: no '{printable(name)}' column for {option_of(field)} ({has})")

    def __iter__(self) -> Iterator[Record]:
        for inp in self.inputs:
            for rec in _until_repeated(inp):
                yield rec if self.defer_html else extract(rec)

    def count(self) -> int:
        return sum(inp.count() for inp in self.inputs)


def _content(rec: Record) -> str | None:
    if rec.article is not None:
        return rec.article.text
    return rec.html.html if rec.html is not None else None


def _until_repeated(inp: CorpusInput) -> Iterator[Record]:
    """The records of `inp`, up to MAX_REPEATS_IN_A_ROW records in a row with the same text; then an
    errors row, and the rest of that input is skipped."""
    last: str | None = None
    repeats = 0
    for rec in inp.records():
        text = _content(rec)
        repeats = repeats + 1 if text is not None and text == last else 0
        last = text
        if repeats >= MAX_REPEATS_IN_A_ROW:
            yield _error(rec.origin, f"{inp.path}: {repeats + 1:,} records in a row with the same text "
                                     "(a decompression bomb or a broken export); stopped reading this input")
            return
        yield rec


__all__ = ["Columns", "Corpus", "CorpusInput", "PendingFetch", "PendingHtml", "Record", "extract", "open_input",
           "article_from_record", "short_reason"]
