"""Every admin page loads for an editor, sends anonymous users to log in, and lists
without one query per row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotes.models import (
    Citation,
    ErrorReport,
    Organization,
    Quote,
    QuoteRevision,
    Source,
    Speaker,
    Translation,
)
from tests.admin_forms import admin_form_data
from tests.factories import (
    AffiliationFactory,
    CitationFactory,
    OccasionParticipantFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    SpeakerNameFactory,
    TopicFactory,
    TranslationFactory,
)

pytestmark = pytest.mark.django_db

QUOTES_MODELS = [m for m in admin.site._registry if m._meta.app_label == "quotes"]


def make_graph() -> None:
    affiliation = AffiliationFactory()
    SpeakerNameFactory(speaker=affiliation.speaker)
    occasion = OccasionParticipantFactory(speaker=affiliation.speaker).occasion
    citation = CitationFactory(quote__speaker=affiliation.speaker, quote__occasion=occasion)
    citation.quote.topics.add(TopicFactory())
    TranslationFactory(quote=citation.quote)
    QuoteRevision.objects.create(
        quote=citation.quote, changes={"context": {"from": "", "to": "A phone call."}}
    )
    ErrorReport.objects.create(quote=citation.quote, text="The date is wrong.")


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_domain_model_is_registered():
    names = {m._meta.model_name for m in QUOTES_MODELS}
    assert names >= {
        "organization",
        "speaker",
        "speakername",
        "affiliation",
        "source",
        "topic",
        "quote",
        "translation",
        "citation",
    }


@pytest.mark.parametrize("model", QUOTES_MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_pages_load_for_an_editor(editor_client, model):
    make_graph()
    obj = model.objects.first()
    views = ["changelist", "add", "change"]
    if model in (QuoteRevision, ErrorReport):
        # editors propose revisions by saving a published quote; readers file reports
        views.remove("add")
    if model in (Translation, Citation):
        views.remove("add")  # added on their quote's page, through the services
    for view in views:
        url = admin_url(model, view, obj.pk) if view == "change" else admin_url(model, view)
        response = editor_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("model", QUOTES_MODELS, ids=lambda m: m._meta.model_name)
def test_anonymous_users_are_sent_to_log_in(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", QUOTES_MODELS, ids=lambda m: m._meta.model_name)
def test_changelists_do_not_query_per_row(editor_client, model):
    make_graph()
    url = admin_url(model, "changelist")
    editor_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    for _ in range(5):
        make_graph()
    with CaptureQueriesContext(connection) as many:
        assert editor_client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_quote_change_page_explains_an_ambiguous_role(editor_client):
    affiliation = AffiliationFactory(start="2013", role="Foreign Minister")
    AffiliationFactory(speaker=affiliation.speaker, start="2022", role="Politburo member")
    quote = CitationFactory(quote__speaker=affiliation.speaker, quote__said="2023").quote
    quote.role_resolution = Quote.RoleResolution.AMBIGUOUS
    quote.save()
    response = editor_client.get(admin_url(Quote, "change", quote.pk))
    assert "affiliations overlap" in response.content.decode()
    assert "Politburo member" in response.content.decode()


def test_an_editor_adds_a_quote_with_a_generated_key_and_resolved_role(editor_client):
    affiliation = AffiliationFactory(start="2013", role="Foreign Minister")
    data = {
        "key": "",
        "speaker": affiliation.speaker.pk,
        "text": "We call for restraint.",
        "language": "en",
        "kind": "direct",
        "said": "2023-10-14",
        "context": "",
        "role": "",
        "status": "draft",
        "retraction_reason": "",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    response = editor_client.post(admin_url(Quote, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote = Quote.objects.get()
    assert quote.key == f"{affiliation.speaker.key}-2023-10-14"
    assert quote.role == affiliation
    assert quote.created_by.username.startswith("editor")


def test_an_invalid_date_in_the_admin_is_a_form_error(editor_client):
    affiliation = AffiliationFactory()
    response = editor_client.post(
        admin_url(affiliation.__class__, "change", affiliation.pk),
        {
            "speaker": affiliation.speaker.pk,
            "organization": affiliation.organization.pk,
            "role": "Minister",
            "start": "2023-13-45",
            "end": "",
        },
    )
    assert response.status_code == 200
    assert "month 13 does not exist" in response.content.decode()


def test_quotes_are_browsed_by_date(editor_client):
    CitationFactory(quote__said="2023-10-14")
    CitationFactory(quote__said="1996-05")
    url = admin_url(Quote, "changelist")
    page = editor_client.get(url).content.decode()
    assert "said_start__year=2023" in page
    assert "said_start__year=1996" in page
    october = editor_client.get(url, {"said_start__year": "2023", "said_start__month": "10"})
    assert [str(q.said) for q in october.context["cl"].result_list] == ["2023-10-14"]


def test_speakers_and_sources_list_their_quote_counts(editor_client):
    citation = CitationFactory()
    CitationFactory(quote__speaker=citation.quote.speaker, source=citation.source)
    for model, obj in [(Speaker, citation.quote.speaker), (Source, citation.source)]:
        response = editor_client.get(admin_url(model, "changelist"))
        [row] = [row for row in response.context["cl"].result_list if row.pk == obj.pk]
        assert row.quote_count == 2


@pytest.mark.parametrize(
    ("model", "collection"),
    [
        (Quote, "quotes"),
        (Speaker, "speakers"),
        (Organization, "organizations"),
        (Source, "sources"),
    ],
)
def test_each_record_links_to_its_api_url(editor_client, model, collection):
    make_graph()
    obj = model.objects.first()
    page = editor_client.get(admin_url(model, "change", obj.pk)).content.decode()
    assert f'href="/api/v1/{collection}/{obj.key}/"' in page


def test_the_history_page_does_not_query_per_change(editor_client):
    quote = CitationFactory().quote
    url = admin_url(Quote, "history", quote.pk)
    editor_client.get(url)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    for language in ["de", "es", "it", "ru", "zh"]:
        quote.text = f"Version {language}"
        quote.save()
        TranslationFactory(quote=quote, language=language)
    with CaptureQueriesContext(connection) as many:
        assert editor_client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.urls("tests.moved_api_urls")
def test_api_links_follow_the_api_routes(editor_client):
    make_graph()
    quote = Quote.objects.first()
    page = editor_client.get(admin_url(Quote, "change", quote.pk)).content.decode()
    assert f'href="/elsewhere/api/quotes/{quote.key}/"' in page


# The reviewers' queue of revisions.


def test_an_editors_save_of_a_published_quote_is_queued_and_a_reviewer_accepts_it(
    editor_client, reviewer_client
):
    quote = CitationFactory(quote__text="Original words.", quote__context="").quote
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    response = editor_client.post(
        url, admin_form_data(editor_client.get(url), text="Corrected words."), follow=True
    )
    page = response.content.decode()
    assert "your changes were kept as revision" in page
    quote.refresh_from_db()
    assert quote.text == "Original words."
    revision = QuoteRevision.objects.get(quote=quote)

    queue = reviewer_client.get(reverse("admin:quotes_quoterevision_changelist"))
    assert queue.status_code == 200
    detail = reviewer_client.get(reverse("admin:quotes_quoterevision_change", args=[revision.pk]))
    assert "Original words." in detail.content.decode()
    assert "Corrected words." in detail.content.decode()

    changelist = reverse("admin:quotes_quoterevision_changelist")
    action = {"action": "accept", "_selected_action": [revision.pk]}
    confirm = reviewer_client.post(changelist, action)
    assert "Correction note" in confirm.content.decode()
    assert "Corrected words." in confirm.content.decode()
    reviewer_client.post(changelist, {**action, "confirm": "yes", "correction_note": ""})
    revision.refresh_from_db()
    assert revision.status == "pending"  # a note is needed for a change of the text
    reviewer_client.post(
        changelist, {**action, "confirm": "yes", "correction_note": "The words were misquoted."}
    )
    revision.refresh_from_db()
    quote.refresh_from_db()
    assert revision.status == "accepted"
    assert quote.text == "Corrected words."
    assert [c["note"] for c in quote.corrections] == ["The words were misquoted."]


def test_editors_may_not_accept_revisions_in_the_admin(editor_client):
    quote = QuoteFactory()
    revision = QuoteRevision.objects.create(
        quote=quote, changes={"context": {"from": "", "to": "A call."}}
    )
    changelist = reverse("admin:quotes_quoterevision_changelist")
    page = editor_client.get(changelist).content.decode()
    assert 'value="accept"' not in page
    editor_client.post(
        changelist,
        {"action": "accept", "_selected_action": [revision.pk], "confirm": "yes"},
    )
    revision.refresh_from_db()
    assert revision.status == "pending"


@pytest.mark.parametrize("model", [Speaker, Organization, Source], ids=lambda m: m.__name__)
def test_a_key_renamed_in_the_admin_keeps_leading_to_the_record(editor_client, model, client):
    factory = {Speaker: SpeakerFactory, Organization: OrganizationFactory, Source: SourceFactory}
    obj = factory[model](key="old-key")
    url = admin_url(model, "change", obj.pk)
    response = editor_client.post(url, admin_form_data(editor_client.get(url), key="new-key"))
    assert response.status_code == 302
    moved = client.get(f"/api/v1/{model._meta.verbose_name_plural}/old-key/")
    assert moved.status_code == 301
    assert moved["Location"].endswith("/new-key/")


def test_a_refusal_at_save_time_shows_the_form_again_with_the_input(editor_client, monkeypatch):
    from quotes import services
    from quotes.exceptions import CurationError

    def refuse(**kwargs):
        raise CurationError("A rule of the record refuses this context.", field="context")

    monkeypatch.setattr(services, "quote_update", refuse)
    quote = QuoteFactory(status=Quote.Status.DRAFT, context="A phone call.")
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    typed = admin_form_data(editor_client.get(url), context="Typed by the editor.")
    response = editor_client.post(url, typed)
    assert response.status_code == 200  # the form again, not a redirect that drops the input
    form = response.context["adminform"].form
    assert form["context"].value() == "Typed by the editor."
    assert form.errors["context"] == [
        "Nothing was saved: A rule of the record refuses this context."
    ]
    quote.refresh_from_db()
    assert quote.context == "A phone call."


def test_a_translation_like_a_quote_on_record_stops_an_admin_add_as_it_stops_the_api(
    editor_client,
):
    on_record = QuoteFactory(key="on-record", text="We demand an immediate ceasefire in Gaza.")
    url = reverse("admin:quotes_quote_add")
    data = admin_form_data(
        editor_client.get(url),
        speaker=SpeakerFactory().pk,
        text="Nous exigeons un cessez-le-feu immédiat à Gaza.",
        language="fr",
        said="2023-10-14",
        **{"translations-0-language": "en", "translations-0-text": on_record.text},
    )
    page = editor_client.post(url, data).content.decode()
    assert "Nothing was saved" in page
    assert "similar text" in page
    assert "Not a duplicate" in page
    assert Quote.objects.count() == 1
    response = editor_client.post(url, {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Quote.objects.count() == 2
