"""Search benchmark: generate quotes in several languages, then time typical API requests.

    .venv/bin/python bench/bench_search.py [--quotes 100000] [--runs 20] [--fresh]

It works in its own database, ``onrecord_search_bench`` (on the server of DATABASE_URL, else
the embedded one), and its own index directory (``ONRECORD_DATA_DIR/search-bench``). The
first run fills the database with PostgreSQL's COPY (triggers off: generated rows need no
history) and builds the index, timing the rebuild; later runs reuse both (``--fresh`` starts
over). Each request is then timed through the whole API (Django's test client: validation,
query compilation, the index's search and count, the page read from PostgreSQL, highlights,
JSON) and, for comparison, the same query in the index alone (tantivy in-process: search
and count, or the facets' aggregation). Runs are interleaved: every request once per round.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ["ONRECORD_SEARCH_SYNC"] = "false"
# The requests are an anonymous client's with the rate limits lifted (here and for the
# gunicorn worker), so that every timed request is a search and none a 429; the counting in
# the cache, which every anonymous request pays, is still timed.
os.environ["ONRECORD_RATE_ANON"] = os.environ["ONRECORD_RATE_SITE"] = "1000000000/min"

import django
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent

# BENCH_SEARCH_DATABASE: another name, for runs of several worktrees on one server
BENCH_DATABASE = os.environ.get("BENCH_SEARCH_DATABASE", "onrecord_search_bench")
CHUNK = 50_000

# Per language: ordinary words, and the forms of "negotiation" the searches look for.
VOCABULARY = {
    "en": (
        "the government said talks would continue while both sides consider a ceasefire "
        "security council resolution humanitarian aid border region minister statement "
        "today policy support international community peace process agreement troops "
        "sanctions economy trade partners cooperation dialogue crisis refugees election",
        ["negotiations", "negotiated", "negotiating", "negotiator"],
    ),
    "ru": (
        "правительство заявило что стороны продолжат работу министр граница безопасность "
        "помощь регион санкции экономика торговля сотрудничество диалог кризис выборы "
        "мир соглашение войска сообщество политика поддержка сегодня заявление совет",
        ["переговоры", "переговорах", "переговоров", "переговорам"],
    ),
    "de": (
        "die regierung erklärte dass beide seiten die gespräche fortsetzen minister grenze "
        "sicherheit hilfe region sanktionen wirtschaft handel zusammenarbeit dialog krise "
        "wahlen frieden abkommen truppen gemeinschaft politik unterstützung heute",
        ["Verhandlungen", "verhandelt", "Verhandlung"],
    ),
    "fr": (
        "le gouvernement a déclaré que les deux parties poursuivront le dialogue ministre "
        "frontière sécurité aide région sanctions économie commerce coopération crise "
        "élections paix accord troupes communauté politique soutien aujourd'hui",
        ["négociations", "négocié", "négociée", "négociation"],
    ),
    "es": (
        "el gobierno dijo que ambas partes continuarán el diálogo ministro frontera "
        "seguridad ayuda región sanciones economía comercio cooperación crisis elecciones "
        "paz acuerdo tropas comunidad política apoyo hoy declaración",
        ["negociaciones", "negociación", "negociado"],
    ),
    "pt": (
        "o governo disse que as duas partes continuarão o diálogo ministro fronteira "
        "segurança ajuda região sanções economia comércio cooperação crise eleições paz "
        "acordo tropas comunidade política apoio hoje declaração são paulo",
        ["negociações", "negociação", "negociado"],
    ),
}
HAN = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家"
    "学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见"
    "经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话"
)
CJK_TARGETS = ["停火", "谈判", "集体惩罚"]
RARE = "armistice"  # in one quote in 20,000
SPEAKER_NAMES = ["Sergey Lavrov", "Wang Yi", "Recep Tayyip Erdoğan", "Olaf Scholz", "Lula"]
TOPICS = ["gaza", "ukraine", "trade", "climate", "sanctions", "elections", "energy", "nato"]
COUNTRIES = ["CN", "RU", "TR", "DE", "US", "FR", "BR", "IT", "ES", "GB"]

# The reference: PostgreSQL full-text search, API p50 (ms), at 100k and 1M quotes.
POSTGRES = {
    "rare word": (58, 69),
    "common word (ceasefire)": (531, 3731),
    'phrase ("security council")': (433, 2629),
    "search + filter": (157, 1193),
    "filter only (language=de, said_after=2000)": (131, 554),
    "facets (q=ceasefire)": (310, 2468),
}

REQUESTS = [
    ("rare word", "", {"q": RARE}),
    ("common word (ceasefire)", "", {"q": "ceasefire"}),
    ('phrase ("security council")', "", {"q": '"security council"'}),
    ("exclusion (ceasefire -troops)", "", {"q": "ceasefire -troops"}),
    ("CJK (停火)", "", {"q": "停火"}),
    ("Russian stem (переговоры)", "", {"q": "переговоры"}),
    ("filter only (language=de, said_after=2000)", "", {"language": "de", "said_after": "2000"}),
    ("search + filter", "", {"q": "ceasefire", "said_after": "2010", "country": "CN"}),
    ("facets (q=ceasefire)", "facets/", {"q": "ceasefire"}),
    ("facets, no search", "facets/", {}),
    ("page_size=100 (ceasefire)", "", {"q": "ceasefire", "page_size": 100}),
    ("page=500 (ceasefire)", "", {"q": "ceasefire", "page": 500}),
    ("list, newest first", "", {}),
]


def setup(fresh: bool) -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    with psycopg.connect(**admin_conninfo(database), autocommit=True) as conn:
        name = sql.Identifier(BENCH_DATABASE)
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    database["NAME"] = BENCH_DATABASE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def admin_conninfo(database: dict) -> dict:
    return {
        "dbname": "postgres",
        "user": database["USER"],
        "host": database["HOST"],
        "port": database["PORT"],
        "password": database.get("PASSWORD") or None,
    }


def sentence(rng: random.Random, language: str, target_rate: float) -> str:
    if language == "zh":
        chars = [rng.choice(HAN) for _ in range(rng.randint(25, 60))]
        if rng.random() < target_rate:
            at = rng.randrange(len(chars))
            chars[at:at] = list(rng.choice(CJK_TARGETS))
        return "".join(chars) + "。"
    words, targets = VOCABULARY[language]
    vocabulary = words.split()
    text = [rng.choice(vocabulary) for _ in range(rng.randint(12, 40))]
    if rng.random() < target_rate:
        text.insert(rng.randrange(len(text)), rng.choice(targets))
    if rng.random() < 1 / 20_000:
        text.insert(rng.randrange(len(text)), RARE)
    return " ".join(text).capitalize() + "."


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate(count: int) -> float:
    """Fill the database with COPY; return the seconds it took."""
    from anyascii import anyascii
    from django.db import connection

    rng = random.Random(2023)
    languages = [*VOCABULARY, "zh"]
    speakers = max(50, count // 50)
    started = time.perf_counter()
    now = "2024-01-01T00:00:00Z"
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        cursor.execute("SET session_replication_role = replica")  # no triggers
        copy_rows(
            cursor,
            "quotes_organization",
            [
                "id",
                "created",
                "updated",
                "key",
                "name",
                "kind",
                "country",
                "aliases",
                "wikidata",
                "url",
            ],
            (
                (
                    n,
                    now,
                    now,
                    f"org-{n}",
                    f"Ministry {n}",
                    "ministry",
                    COUNTRIES[n % 10],
                    "{}",
                    "",
                    "",
                )
                for n in range(1, 201)
            ),
        )
        copy_rows(
            cursor,
            "quotes_speaker",
            [
                "id",
                "created",
                "updated",
                "key",
                "name",
                "name_latin",
                "country",
                "description",
                "wikidata",
            ],
            (
                (n, now, now, f"speaker-{n}", name, anyascii(name), "", "", "")
                for n in range(1, speakers + 1)
                for name in [f"{SPEAKER_NAMES[n % 5]} {n}"]
            ),
        )
        copy_rows(
            cursor,
            "quotes_speakername",
            ["id", "speaker_id", "name", "name_latin", "language"],
            ((n, n, f"Имя {n}", anyascii(f"Имя {n}"), "ru") for n in range(1, speakers + 1)),
        )
        copy_rows(
            cursor,
            "quotes_affiliation",
            ["id", "created", "updated", "speaker_id", "organization_id", "role", "start"],
            ((n, now, now, n, n % 200 + 1, "Minister", "1990") for n in range(1, speakers + 1)),
        )
        copy_rows(
            cursor,
            "quotes_topic",
            ["id", "created", "updated", "key", "name"],
            ((n, now, now, t, t.capitalize()) for n, t in enumerate(TOPICS, start=1)),
        )
        translation_id = 0
        for start in range(0, count, CHUNK):
            quotes, translations, topics = [], [], []
            for n in range(start + 1, min(count, start + CHUNK) + 1):
                language = languages[n % len(languages)]
                speaker = rng.randrange(1, speakers + 1)
                said = f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}"
                status = "published" if rng.random() < 0.9 else "draft"
                quotes.append(
                    (n, now, now, f"quote-{n}", speaker, sentence(rng, language, 0.02), language,
                     rng.choice(["direct", "partial", "indirect"]), said,
                     sentence(rng, "en", 0.0)[:80], speaker, "resolved", status, "", "[]",
                     # COPY fills no Python default: the unique uid comes from the seed
                     uuid.UUID(int=rng.getrandbits(128), version=4))
                )  # fmt: skip
                if language != "en" and rng.random() < 0.5:
                    translation_id += 1
                    translations.append(
                        (translation_id, now, now, n, "en", sentence(rng, "en", 0.02), False)
                    )
                topics.append((n, n, rng.randrange(1, len(TOPICS) + 1)))
            copy_rows(
                cursor,
                "quotes_quote",
                ["id", "created", "updated", "key", "speaker_id", "text", "language", "kind",
                 "said", "context", "role_id", "role_resolution", "status",
                 "retraction_reason", "corrections", "uid"],
                quotes,
            )  # fmt: skip
            copy_rows(
                cursor,
                "quotes_translation",
                ["id", "created", "updated", "quote_id", "language", "text", "official"],
                translations,
            )
            copy_rows(cursor, "quotes_quote_topics", ["id", "quote_id", "topic_id"], topics)
            print(f"  {start + len(quotes)} quotes", end="\r", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("organization", "speaker", "speakername", "affiliation", "topic"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('quotes_{table}', 'id'), "
                f"(SELECT max(id) FROM quotes_{table}))"
            )
        for table in ("quote", "translation", "quote_topics"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('quotes_{table}', 'id'), "
                f"(SELECT max(id) FROM quotes_{table}))"
            )
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def engine_call(url: str, params: dict):
    """The request's query in the index alone: a function that runs it once."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from api.filters import QuoteFilterSet
    from quotes.models import Quote
    from search.facets import FACETS

    request = RequestFactory().get("/api/v1/quotes/" + url, params)
    request.user = AnonymousUser()
    filterset = QuoteFilterSet(data=request.GET, queryset=Quote.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    results = filterset.qs
    searcher, query = results.searcher, results.query
    size = int(params.get("page_size", 20))
    offset = (int(params.get("page", 1)) - 1) * size
    from search.results import ORDERS

    field, order = ORDERS[results.ordering]
    if url:
        aggregations = {
            name: {"terms": {"field": name, "size": 40, "segment_size": 10_000}} for name in FACETS
        }
        return lambda: (searcher.aggregate(query, aggregations), searcher.search(query, 1).count)
    return lambda: searcher.search(
        query, limit=size, offset=offset, count=True, order_by_field=field, order=order
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def checked(response, label: str):
    """The response, if it is a 200: a benchmark that timed an error answer measured nothing."""
    if response.status_code != 200:
        sys.exit(f"{label}: HTTP {response.status_code} {response.content[:300]!r}; stopped")
    return response


def deep_page_within_results() -> None:
    """Ask for page 500 of "ceasefire", or for its last page in a data set too small to have
    500 (a smoke run): a page past the end is a 404, which measures nothing."""
    from django.test import Client

    number = next(n for n, (label, *_) in enumerate(REQUESTS) if label.startswith("page="))
    params = {"q": "ceasefire", "page_size": 20}
    count = checked(Client().get("/api/v1/quotes/", params), "ceasefire").json()["count"]
    page = max(1, min(500, -(-count // 20)))
    REQUESTS[number] = (f"page={page} (ceasefire)", "", {"q": "ceasefire", "page": page})


def time_requests(runs: int) -> list[tuple]:
    from django.test import Client

    client = Client()
    prepared = []
    for label, url, params in REQUESTS:
        response = checked(client.get("/api/v1/quotes/" + url, params), label)
        prepared.append((label, url, params, response.json()["count"], engine_call(url, params)))
    api = {label: [] for label, *_ in REQUESTS}
    engine = {label: [] for label, *_ in REQUESTS}
    for _ in range(runs):
        for label, url, params, _, call in prepared:
            started = time.perf_counter()
            response = client.get("/api/v1/quotes/" + url, params)
            api[label].append((time.perf_counter() - started) * 1000)
            checked(response, label)
            started = time.perf_counter()
            call()
            engine[label].append((time.perf_counter() - started) * 1000)
    return [
        (
            label,
            count,
            statistics.median(api[label]),
            percentile(api[label], 0.95),
            statistics.median(engine[label]),
        )
        for label, _, _, count, _ in prepared
    ]


def report(rows: list[tuple], quotes: int) -> None:
    column = 0 if quotes < 500_000 else 1
    print("| request | results | API p50 ms | API p95 ms | engine p50 ms | PostgreSQL FTS p50 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, count, p50, p95, engine in rows:
        reference = POSTGRES.get(label)
        before = f"{reference[column]:,}" if reference else "–"
        print(f"| {label} | {count:,} | {p50:.1f} | {p95:.1f} | {engine:.2f} | {before} |")
    print("\nTargets: API p95 ≤ 150 ms (facets ≤ 200 ms); API p50 ≤ 3 × engine + 20 ms.")
    for label, _, p50, p95, engine in rows:
        limit = 200 if label.startswith("facets") else 150
        missed = [f"p95 {p95:.0f} > {limit}"] if p95 > limit else []
        if p50 > 3 * engine + 20:
            missed.append(f"p50 {p50:.0f} > 3 × {engine:.1f} + 20")
        print(f"- {label}: {'met' if not missed else 'MISSED: ' + '; '.join(missed)}")
    first = next(r for r in rows if r[0] == "common word (ceasefire)")
    deep = next(r for r in rows if r[0].startswith("page="))
    print(f"\n{deep[0]} / first page (p50): {deep[2] / first[2]:.2f} (target ≤ 1.5)")


def worker_memory(requests: int) -> tuple[float, float]:
    """A gunicorn worker's peak RSS (MiB) serving ``requests`` of the benchmark's requests on
    127.0.0.1, and how many requests per second it served."""
    import subprocess
    import urllib.parse
    import urllib.request

    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SECRET_KEY": "benchmark-only",
        "DJANGO_DEBUG": "false",
        "ONRECORD_SEARCH_DIR": str(settings.SEARCH_DIR),
    }
    port = 8790
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "project.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/api/v1/quotes/"
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "?page_size=1", timeout=5).read()
                break
            except OSError:
                time.sleep(1)
        started = time.perf_counter()
        for n in range(requests):
            _, url, params = REQUESTS[n % len(REQUESTS)]
            # urlopen raises HTTPError on any answer but 2xx: the run stops there
            with urllib.request.urlopen(base + url + "?" + urllib.parse.urlencode(params)) as got:
                if got.status != 200:
                    sys.exit(f"gunicorn worker: HTTP {got.status} for {url} {params}; stopped")
                got.read()
        rate = requests / (time.perf_counter() - started)
        worker = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0]
        status = Path(f"/proc/{worker}/status").read_text()
        peak = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        return int(peak.split()[1]) / 1024, rate
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    parser.add_argument(
        "--worker-requests",
        type=int,
        default=0,
        help="then serve this many requests with a gunicorn worker and report its peak RSS",
    )
    options = parser.parse_args()
    data_dir = Path(os.environ.get("ONRECORD_DATA_DIR", ROOT / "var"))
    os.environ.setdefault("ONRECORD_SEARCH_DIR", str(data_dir / "search-bench"))
    django.setup()
    setup(options.fresh)
    from quotes.models import Quote
    from search import indexer
    from search.index import current_index

    index = current_index()
    if Quote.objects.count() != options.quotes:
        if Quote.objects.exists():
            sys.exit(f"{BENCH_DATABASE} holds another data set: run again with --fresh")
        print(f"Generating {options.quotes} quotes with COPY…")
        print(f"\nWritten in {generate(options.quotes):.0f} s.")
        index.position_file.unlink(missing_ok=True)
    if options.fresh or not index.exists():
        started = time.perf_counter()
        count = indexer.rebuild(index)
        print(f"search_reindex: {count} quotes in {time.perf_counter() - started:.1f} s")
    size = sum(f.stat().st_size for f in index.path.iterdir() if f.is_file()) / 2**20
    load = os.getloadavg()
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
        f"{Quote.objects.count():,} quotes; index {size:.0f} MiB, "
        f"{index.searcher().num_segments} segments; {options.runs} interleaved runs; "
        "an anonymous client with the rate limits lifted "
        f"(ONRECORD_RATE_ANON={os.environ['ONRECORD_RATE_ANON']}), "
        "every answer checked to be a 200\n"
    )
    deep_page_within_results()
    report(time_requests(options.runs), options.quotes)
    if options.worker_requests:
        peak, rate = worker_memory(options.worker_requests)
        print(
            f"\ngunicorn worker: peak RSS {peak:.0f} MiB after {options.worker_requests} "
            f"requests ({rate:.1f} requests/s, one at a time); target < 300 MiB"
        )


if __name__ == "__main__":
    main()
