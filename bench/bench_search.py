"""Search benchmark: generate quotes in several languages, then time typical API requests.

    .venv/bin/python bench/bench_search.py [--quotes 100000] [--repeat 7] [--fresh]

It works in its own database, ``onrecord_search_bench``, on the server the project uses (the
embedded one unless DATABASE_URL is set), creating and filling it on the first run and
reusing it afterwards (``--fresh`` starts over). Requests go through the whole stack
(Django test client: filters, search, count, page, highlights, serialization); the table
shows the median and the slowest of the timed runs, after one warm-up run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django
import psycopg
from psycopg import sql

BENCH_DATABASE = "onrecord_search_bench"
BATCH = 2000

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
    "it": (
        "il governo ha detto che le due parti continueranno il dialogo ministro confine "
        "sicurezza aiuti regione sanzioni economia commercio cooperazione crisi elezioni "
        "pace accordo truppe comunità politica sostegno oggi dichiarazione",
        ["negoziati", "negoziato", "negoziazione"],
    ),
    "tr": (
        "hükümet iki tarafın diyaloğu sürdüreceğini söyledi bakan sınır güvenlik yardım "
        "bölge yaptırımlar ekonomi ticaret işbirliği kriz seçimler barış anlaşma askerler "
        "topluluk politika destek bugün açıklama",
        ["müzakereler", "müzakerelerde", "müzakere"],
    ),
}
HAN = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家"
    "学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见"
    "经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话"
)
CJK_TARGETS = ["停火", "谈判", "集体惩罚"]
SPEAKER_NAMES = [
    ("Sergey Lavrov", "Сергей Лавров", "ru"),
    ("Wang Yi", "王毅", "zh"),
    ("Recep Tayyip Erdoğan", "Recep Tayyip Erdoğan", "tr"),
    ("Vladimir Putin", "Владимир Путин", "ru"),
    ("Olaf Scholz", "Olaf Scholz", "de"),
]
TOPICS = ["gaza", "ukraine", "trade", "climate", "sanctions", "elections", "energy", "nato"]


def setup(fresh: bool) -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    conninfo = {
        "dbname": "postgres",
        "user": database["USER"],
        "host": database["HOST"],
        "port": database["PORT"],
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
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
    return " ".join(text).capitalize() + "."


def generate(count: int) -> float:
    """Fill the database; return the rate of quotes written per second."""
    from quotes.models import (
        Affiliation,
        Organization,
        Quote,
        Speaker,
        SpeakerName,
        Topic,
        Translation,
    )

    rng = random.Random(2023)
    languages = [*VOCABULARY, "zh"]
    started = time.perf_counter()
    countries = ["CN", "RU", "TR", "DE", "US", "FR", "BR", "IT", "ES", "GB"]
    organizations = Organization.objects.bulk_create(
        Organization(key=f"org-{n}", name=f"Ministry {n}", country=countries[n % len(countries)])
        for n in range(200)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(key=f"speaker-{n}", name=_speaker_name(n)) for n in range(2000)
    )
    SpeakerName.objects.bulk_create(
        SpeakerName(
            speaker=s, name=SPEAKER_NAMES[n % 5][1] + f" {n}", language=SPEAKER_NAMES[n % 5][2]
        )
        for n, s in enumerate(speakers)
    )
    roles = Affiliation.objects.bulk_create(
        Affiliation(speaker=s, organization=organizations[n % 200], role="Minister", start="1990")
        for n, s in enumerate(speakers)
    )
    topics = Topic.objects.bulk_create(Topic(key=t, name=t.capitalize()) for t in TOPICS)
    written = 0
    while written < count:
        size = min(BATCH, count - written)
        batch = []
        for n in range(written, written + size):
            language = languages[n % len(languages)]
            speaker_index = rng.randrange(len(speakers))
            batch.append(
                Quote(
                    key=f"quote-{n}",
                    speaker=speakers[speaker_index],
                    role=roles[speaker_index],
                    role_resolution=Quote.RoleResolution.RESOLVED,
                    text=sentence(rng, language, 0.02),
                    language=language,
                    kind=rng.choice(["direct", "partial", "indirect"]),
                    said=f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}",
                    context=sentence(rng, "en", 0.0)[:80],
                    status=Quote.Status.PUBLISHED if rng.random() < 0.9 else Quote.Status.DRAFT,
                )
            )
        quotes = Quote.objects.bulk_create(batch)
        Translation.objects.bulk_create(
            Translation(quote=q, language="en", text=sentence(rng, "en", 0.02))
            for q in quotes
            if q.language != "en" and rng.random() < 0.5
        )
        through = Quote.topics.through
        through.objects.bulk_create(
            through(quote_id=q.pk, topic_id=rng.choice(topics).pk) for q in quotes
        )
        written += size
        print(f"  {written} quotes", end="\r", flush=True)
    elapsed = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return count / elapsed


def _speaker_name(n: int) -> str:
    first, _, _ = SPEAKER_NAMES[n % len(SPEAKER_NAMES)]
    return first if n < len(SPEAKER_NAMES) else f"{first} {n}"


REQUESTS = [
    ("list, no search (newest first)", "/api/v1/quotes/", {}),
    (
        "list, 3 filters",
        "/api/v1/quotes/",
        {"language": "ru", "said_after": "2020", "topic": "gaza"},
    ),
    ("q=negotiations (en, stemmed)", "/api/v1/quotes/", {"q": "negotiations"}),
    ("q=переговоры (ru, stemmed)", "/api/v1/quotes/", {"q": "переговоры"}),
    ("q=Sao Paulo (accents)", "/api/v1/quotes/", {"q": "Sao Paulo"}),
    ("q=停火 (CJK substring)", "/api/v1/quotes/", {"q": "停火"}),
    ('q="security council" (phrase)', "/api/v1/quotes/", {"q": '"security council"'}),
    ("q=ceasefire -troops (exclusion)", "/api/v1/quotes/", {"q": "ceasefire -troops"}),
    ("q=sanctions OR Sanktionen", "/api/v1/quotes/", {"q": "sanctions OR Sanktionen"}),
    ("q=minister (very common word)", "/api/v1/quotes/", {"q": "minister"}),
    ("q=negotiations, page_size=100", "/api/v1/quotes/", {"q": "negotiations", "page_size": 100}),
    (
        "q + filters",
        "/api/v1/quotes/",
        {"q": "negotiations", "said_after": "2010", "country": "CN"},
    ),
    ("facets, no search", "/api/v1/quotes/facets/", {}),
    ("facets, q=negotiations", "/api/v1/quotes/facets/", {"q": "negotiations"}),
    ("facets, q=minister", "/api/v1/quotes/facets/", {"q": "minister"}),
    ("speakers q=Lavorv (fuzzy)", "/api/v1/speakers/", {"q": "Lavorv"}),
    ("speakers q=王毅", "/api/v1/speakers/", {"q": "王毅"}),
]


def time_requests(repeat: int) -> list[tuple[str, int, float, float]]:
    from django.test import Client

    client = Client()
    rows = []
    for label, url, params in REQUESTS:
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code, response.content[:300])
        count = response.json().get("count", 0)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append((label, count, statistics.median(timings), max(timings)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop and refill the database")
    options = parser.parse_args()
    django.setup()
    setup(options.fresh)
    from django.db import connection

    from quotes.models import Quote

    if Quote.objects.count() != options.quotes:
        if Quote.objects.exists():
            sys.exit(f"{BENCH_DATABASE} holds another data set: run again with --fresh")
        print(f"Generating {options.quotes} quotes…")
        rate = generate(options.quotes)
        print(f"\nWritten at {rate:.0f} quotes/s, search vectors included.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('quote_search_vector'))")
        index_size = cursor.fetchone()[0]
    translations = Quote.translations.rel.related_model.objects.count()
    print(
        f"\n{version}; {Quote.objects.count()} quotes, {translations} translations; "
        f"GIN index {index_size}\n"
    )
    print("| request | results | median ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for label, count, median, slowest in time_requests(options.repeat):
        print(f"| {label} | {count} | {median:.0f} | {slowest:.0f} |")


if __name__ == "__main__":
    main()
