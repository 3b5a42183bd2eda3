import datetime

import pytest
from django.core.exceptions import ValidationError

from quotes.dates import DAY, MONTH, YEAR, ReducedDate
from quotes.models import Quote
from tests.factories import QuoteFactory


@pytest.mark.parametrize(
    ("text", "precision", "start", "end"),
    [
        ("1962", YEAR, datetime.date(1962, 1, 1), datetime.date(1962, 12, 31)),
        ("1972-02", MONTH, datetime.date(1972, 2, 1), datetime.date(1972, 2, 29)),
        ("2023-10-14", DAY, datetime.date(2023, 10, 14), datetime.date(2023, 10, 14)),
    ],
)
def test_parse_keeps_precision_and_period(text, precision, start, end):
    date = ReducedDate.parse(text)
    assert str(date) == text
    assert date.precision == precision
    assert (date.start, date.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-13-45", "month 13 does not exist"),
        ("2023-02-30", "day 30 does not exist"),
        ("23-10", "is not a date"),
        ("2023/10/14", "is not a date"),
        ("", "is not a date"),
        ("0000", "year 0"),
    ],
)
def test_parse_refuses_invalid_dates_with_a_clear_message(text, message):
    with pytest.raises(ValidationError) as excinfo:
        ReducedDate.parse(text)
    assert message in excinfo.value.messages[0]


@pytest.mark.parametrize(
    ("date", "following"),
    [
        ("2023", "2024"),
        ("2023-12", "2024-01"),
        ("2023-02", "2023-03"),
        ("2023-12-31", "2024-01-01"),
    ],
)
def test_next_period_start(date, following):
    assert str(ReducedDate.parse(date).next_period_start()) == following


def test_ordering_is_chronological_with_coarse_dates_first():
    texts = ["2023-10-14", "1962", "2023", "2023-10", "1972-02", "2023-09-30"]
    assert sorted(texts, key=ReducedDate.parse) == [
        "1962",
        "1972-02",
        "2023",
        "2023-09-30",
        "2023-10",
        "2023-10-14",
    ]


@pytest.mark.django_db
def test_precision_survives_the_database_and_orders_there():
    for said in ["2023-10-14", "1962", "2023", "1972-02"]:
        QuoteFactory(said=said)
    saids = [str(q.said) for q in Quote.objects.order_by("said")]
    assert saids == ["1962", "1972-02", "2023", "2023-10-14"]
    assert Quote.objects.get(said="1962").said.precision == YEAR


@pytest.mark.django_db
def test_said_between_is_inclusive_at_every_precision():
    for said in ["2023-09-30", "2023-10", "2023-10-14", "2023-10-31", "2023-11-01", "2024"]:
        QuoteFactory(said=said, key=f"q-{said}")

    def keys(**bounds):
        return sorted(str(q.said) for q in Quote.objects.said_between(**bounds))

    assert keys(after="2023-10", before="2023-10") == ["2023-10", "2023-10-14", "2023-10-31"]
    assert keys(after="2023-10-14", before="2023-11-01") == [
        "2023-10-14",
        "2023-10-31",
        "2023-11-01",
    ]
    assert keys(before="2023-09-30") == ["2023-09-30"]
    assert keys(after="2024") == ["2024"]


@pytest.mark.django_db
def test_range_query_uses_the_index(django_assert_num_queries):
    from django.db import connection

    QuoteFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = (
            Quote.objects.said_between("2023", "2023").values("pk").query.sql_with_params()
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "quotes_quote_said_start" in plan
