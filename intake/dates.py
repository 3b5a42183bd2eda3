"""When a statement was made, from the words of the report ("on Tuesday", "last week",
"le 14 octobre") relative to the report's date, at the precision the words support.

Phrases are found with the patterns below and read with dateparser; a statement whose
attribution names no time stays undated rather than taking the report's date.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from quotes.dates import ReducedDate

MONTHS = {
    "en": r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan\.|feb\.|aug\.|sept?\.|oct\.|nov\.|dec\.",
    "fr": r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    r"décembre",
    "de": r"januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|"
    r"dezember",
    "es": r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre",
    "ru": r"январ[яе]|феврал[яе]|марта?е?|апрел[яе]|ма[яе]|июн[яе]|июл[яе]|августа?е?|"
    r"сентябр[яе]|октябр[яе]|ноябр[яе]|декабр[яе]",
    "ar": r"يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يونيه|يوليو|يوليه|أغسطس|سبتمبر|أكتوبر|"
    r"نوفمبر|ديسمبر|كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|"
    r"تشرين الثاني|كانون الأول",
}
WEEKDAYS = {
    "en": r"monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    "fr": r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "de": r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag",
    "es": r"lunes|martes|miércoles|jueves|viernes|sábado|domingo",
    "ru": r"понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье",
    # "يوم الأحد", "اليوم الاثنين", "الأحد": the day's name with its article.
    "ar": r"الأحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت",
}
RELATIVE = {
    "en": r"yesterday|today|this morning|this afternoon|last week|last month|"
    r"earlier this month|this week|last year|earlier this week",
    "fr": r"hier|aujourd'hui|aujourd’hui|la semaine dernière|le mois dernier|cette semaine|"
    r"l'an dernier|l’an dernier|l'année dernière|l’année dernière",
    "de": r"gestern|heute|(?:in der )?(?:vergangenen|letzten|vorigen) woche|"
    r"vergangene woche|letzte woche|vorige woche|(?:im )?(?:vergangenen|letzten) monat|"
    r"diese woche|vergangenes jahr|letztes jahr",
    "es": r"ayer|hoy|la semana pasada|el mes pasado|esta semana|el año pasado",
    "ru": r"вчера|сегодня|на прошлой неделе|в прошлом месяце|на этой неделе|в прошлом году",
    "ar": r"أمس|اليوم|الأسبوع الماضي|الشهر الماضي|هذا الأسبوع|العام الماضي",
}
# What dateparser reads for the German phrases it does not know.
REWRITES = {
    "vergangenen woche": "letzte woche",
    "vorigen woche": "letzte woche",
    "letzten woche": "letzte woche",
    "vergangene woche": "letzte woche",
    "vorige woche": "letzte woche",
    "vergangenen monat": "letzten monat",
    "vergangenes jahr": "letztes jahr",
    "earlier this month": "this month",
    "earlier this week": "this week",
}


# Chinese: no spaces around the phrases, and digits with 年, 月 and 日.
ZH_PATTERNS = [
    ("absolute", re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")),
    # A day of the report's month: "林剑7日表示", "蕭光偉今（14）日表示".
    ("day", re.compile(r"(?<![\d月])(?:今|昨)?[（(]?\d{1,2}[）)]?日")),
    ("weekday", re.compile(r"(?:星期|周|週)[一二三四五六日天]")),
    ("relative", re.compile(r"昨天|今天|前天|昨日|今日|上周|上週|本周|本週|上月|本月|去年")),
]


# Read here: dateparser does not read "今日" and "昨日".
ZH_DAYS_BEFORE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


@lru_cache(maxsize=8)
def _patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    if lang == "zh":
        return ZH_PATTERNS
    months, weekdays = MONTHS.get(lang, MONTHS["en"]), WEEKDAYS.get(lang, WEEKDAYS["en"])
    relative = RELATIVE.get(lang, RELATIVE["en"])
    day = r"\d{1,2}(?:er|st|nd|rd|th|\.)?"
    year = r"(?:,?\s+(?:de\s+)?\d{4})?"  # "October 7, 2023", "julio de 2021"
    return [
        ("absolute", re.compile(rf"\b{day}\s+(?:de\s+)?(?:{months})(?:\s+de)?{year}", re.I)),
        ("absolute", re.compile(rf"\b(?:{months})\s+\d{{1,2}}(?:st|nd|rd|th)?{year}", re.I)),
        ("absolute", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
        ("weekday", re.compile(rf"(?<!\w)(?:{weekdays})(?!\w)", re.I)),
        ("relative", re.compile(rf"(?<!\w)(?:{relative})(?!\w)", re.I)),
        (
            "month",
            re.compile(rf"(?<!\w)(?:in|en|im|au mois d[e'’]) (?:{months}){year}(?!\w)", re.I),
        ),
    ]


def find_date_phrase(text: str, lang: str, *, kinds: tuple[str, ...] = ()) -> str | None:
    """The first phrase naming a time in ``text`` (an attribution), by kind of phrase (of
    ``kinds`` only, when given: "absolute" for a date with its day and month)."""
    for kind, pattern in _patterns(_base(lang)):
        if kinds and kind not in kinds:
            continue
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def statement_date(
    attribution: str, lang: str, report_date: ReducedDate | None
) -> ReducedDate | None:
    """The date the attribution gives, or None when it gives none that can be placed."""
    phrase = find_date_phrase(attribution, lang)
    if phrase is None:
        return None
    has_year = re.search(r"\d{4}", phrase) is not None
    if report_date is None and not has_year:
        return None  # "on Tuesday" of an undated report is no date
    base = report_date.end if report_date else datetime.date.today()
    found = _parse(phrase, _base(lang), base)
    if found is None:
        return None
    value, period = found
    if (base - value).days == 7 and re.fullmatch(r"\D+", phrase):
        value = base  # "on Wednesday" in Wednesday's report: that day
    if value > base:
        return None
    return _reduce(value, period, phrase)


def parse_absolute(text: str) -> str:
    """An ISO date for a full date with day, month and year (a dateline), else ""."""
    from dateparser.date import DateDataParser

    parser = DateDataParser(settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    try:
        data = parser.get_date_data(text)
    except (ValueError, OverflowError):
        return ""
    return data.date_obj.date().isoformat() if data and data.date_obj else ""


def _parse(phrase: str, lang: str, base: datetime.date) -> tuple[datetime.date, str] | None:
    from dateparser.date import DateDataParser

    if lang == "zh" and re.search(r"\d[）)]?日$", phrase) and "月" not in phrase:
        return _day_of_month(int(re.sub(r"\D", "", phrase)), base)
    if lang == "zh" and phrase in ZH_DAYS_BEFORE:
        return base - datetime.timedelta(days=ZH_DAYS_BEFORE[phrase]), "day"
    text = re.sub(r"^(?:in|en|im|au mois d[e'’]) ", "", phrase.lower())
    text = REWRITES.get(text, REWRITES.get(text.removeprefix("in der ").removeprefix("im "), text))
    if lang == "zh" and re.fullmatch(r"\d{1,2}月\d{1,2}日", text):
        text = f"{base.year}年{text}"  # dateparser reads a day of the month only with its year
    settings = {
        "RELATIVE_BASE": datetime.datetime.combine(base, datetime.time(12)),
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
    }
    try:
        data = DateDataParser(languages=[lang], settings=settings).get_date_data(text)
    except (ValueError, OverflowError):
        return None
    if not data or not data.date_obj:
        return None
    return data.date_obj.date(), data.period or "day"


def _day_of_month(day: int, base: datetime.date) -> tuple[datetime.date, str] | None:
    """The latest date on or before ``base`` that falls on that day of a month."""
    year, month = base.year, base.month
    for _ in range(2):
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            value = None
        if value is not None and value <= base:
            return value, "day"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _reduce(value: datetime.date, period: str, phrase: str) -> ReducedDate | None:
    if period in ("day", "part_of_day", "time", "hour", "minute", "second"):
        if MONTH_ONLY.match(phrase):
            return ReducedDate(value.year, value.month)
        return ReducedDate(value.year, value.month, value.day)
    if period == "week":
        monday = value - datetime.timedelta(days=value.weekday())
        sunday = monday + datetime.timedelta(days=6)
        if (monday.year, monday.month) == (sunday.year, sunday.month):
            return ReducedDate(monday.year, monday.month)
        return ReducedDate(value.year) if monday.year == sunday.year else None
    if period == "month":
        return ReducedDate(value.year, value.month)
    if period == "year":
        return ReducedDate(value.year)
    return None


MONTH_ONLY = re.compile(r"^(?:in|en|im|au mois d[e'’]) \D+$", re.I)


def _base(lang: str) -> str:
    code = (lang or "en").split("-")[0].lower()
    return code if code in MONTHS or code == "zh" else "en"
