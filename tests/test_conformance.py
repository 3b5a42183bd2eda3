"""The conformance matrix: each rule of the record, tried on every write path.

A path is one way of writing a quote: the REST API, the admin, an import, a plain service
call. ``Paths`` below has one method per path and action; a rule's test runs the same
attempt on each path and asserts the same outcome. A new write path (article intake, a
reader-facing form) joins the matrix with its own methods and a name in ``PATHS``.

Where a path cannot express an action at all, the matrix says so: the importer never
deletes records, and names a role by its organization among the speaker's own
affiliations, so it cannot pick another speaker's.
"""

from __future__ import annotations

import json
import sys

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quotes import history, limits, services
from quotes.exceptions import CurationError
from quotes.interchange.exporter import export_lines
from quotes.models import (
    KeyRedirect,
    Occasion,
    Organization,
    Quote,
    QuoteRevision,
    Source,
    Speaker,
)
from tests.admin_forms import admin_form_data
from tests.conftest import token_client
from tests.factories import (
    SYSTEM,
    AffiliationFactory,
    CitationFactory,
    EditorFactory,
    OccasionFactory,
    OrganizationFactory,
    QuoteFactory,
    ReviewerFactory,
    SourceFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db
PATHS = ["api", "admin", "import", "service"]
QUOTES = "/api/v1/quotes/"
FULL_TEXT = "Wang Yi said the actions went beyond self-defense, and urged a ceasefire."
EXCERPT = "went beyond self-defense"


class Refused(Exception):
    """A path refused the write; ``field`` names what was at fault when the path says."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Paths:
    """Write a quote through one path, as ``user``; raise ``Refused`` when refused."""

    def __init__(self, name: str, user):
        self.name, self.user = name, user

    # Changing a quote: ``changes`` in the API's terms.

    def change(self, quote: Quote, note: str = "", **changes) -> None:
        getattr(self, f"change_by_{self.name}")(quote, note, changes)

    def change_by_api(self, quote: Quote, note: str, changes: dict) -> None:
        body = {**changes, **({"correction_note": note} if note else {})}
        response = token_client(self.user).patch(f"{QUOTES}{quote.key}/", body, format="json")
        if response.status_code >= 400:
            field, messages = next(iter(response.json().items()))
            raise Refused(field, str(messages))

    def change_by_admin(self, quote: Quote, note: str, changes: dict) -> None:
        client = Client()
        client.force_login(self.user)
        url = reverse("admin:quotes_quote_change", args=[quote.pk])
        page = client.get(url)
        if not page.context["has_change_permission"]:
            raise Refused("", "the change form is read-only for this user")
        form = admin_form_data(page)
        for name, value in changes.items():
            if name == "citations":
                for index in range(int(form["citations-INITIAL_FORMS"])):
                    form[f"citations-{index}-DELETE"] = "on"
            elif name == "speaker":
                form["speaker"] = SpeakerFactory._meta.model.objects.get(key=value).pk
            else:
                form[name] = value
        if note:
            form["correction_note"] = note
        response = client.post(url, form, follow=True)
        if response.redirect_chain and not _admin_errors(response):
            return
        errors = _admin_errors(response)
        raise Refused(errors[0][0] if errors else "", str(errors))

    def change_by_import(self, quote: Quote, note: str, changes: dict) -> None:
        def edit(record: dict) -> None:
            for name, value in changes.items():
                if name == "citations":
                    record.pop("citations", None)
                else:
                    record[name] = value
            if note:
                record["corrections"] = [
                    *record.get("corrections", []),
                    {"date": "2024-01-31", "note": note},
                ]

        import_edited(self.user, quote.key, edit)

    def change_by_service(self, quote: Quote, note: str, changes: dict) -> None:
        if "speaker" in changes:
            changes["speaker"] = SpeakerFactory._meta.model.objects.get(key=changes["speaker"])
        try:
            services.quote_update(
                quote=quote, user=self.user, changes=changes, correction_note=note
            )
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise Refused(field, str(messages)) from error
        except CurationError as error:
            raise Refused(error.field, error.message) from error


def _admin_errors(response) -> list[tuple[str, list]]:
    context = response.context
    if context is None or "adminform" not in context:
        messages = [str(m) for m in context["messages"]] if context else []
        refused = [m for m in messages if m.startswith("Nothing was saved")]
        return [("", refused)] if refused else []
    errors = [(name, list(e)) for name, e in context["adminform"].form.errors.items()]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        errors += [(formset.prefix, [e]) for e in formset.non_form_errors()]
        errors += [
            (f"{formset.prefix}.{name}", list(e))
            for form in formset.forms
            for name, e in form.errors.items()
        ]
    return errors


def import_edited(user, key: str, edit) -> None:
    """Export the database, let ``edit`` change the quote ``key``'s record, import it."""
    lines = []
    for line in export_lines():
        record = json.loads(line)
        if record["type"] == "quote" and record["key"] == key:
            edit(record)
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    report = services.records_import(lines_or_stream=lines, dry_run=False, user=user)
    if not report.ok:
        error = report.errors[0]
        raise Refused(error.field.split(".")[0].split("[")[0], error.message)


@pytest.fixture
def published():
    """A published quote with a role, cited with an excerpt of its source's full text."""
    source = SourceFactory(key="article", full_text=FULL_TEXT)
    quote = QuoteFactory(key="remark", text="以方行为已超出自卫范畴。", language="zh")
    AffiliationFactory(speaker=quote.speaker, start="2013")
    CitationFactory(quote=quote, source=source, excerpt=EXCERPT)
    return quote


# Rule: a published quote changes only through review (an editor's change waits).


@pytest.mark.parametrize("path", PATHS)
def test_an_editors_change_of_a_published_quote_waits_for_review(published, path):
    editor = EditorFactory()
    before = published.text
    if path == "import":
        # The importer has no revisions: an editor may not import published quotes at all.
        with pytest.raises(Refused) as refused:
            Paths(path, editor).change(published, text="A rewording.")
        assert refused.value.field == "status"
    else:
        Paths(path, editor).change(published, text="A rewording.")
        revision = QuoteRevision.objects.get(quote=published)
        assert revision.status == "pending"
        assert revision.changes["text"] == {"from": before, "to": "A rewording."}
    published.refresh_from_db()
    assert (published.text, published.status) == (before, Quote.Status.PUBLISHED)


# Rule: a reviewer's correction of a published quote needs a public note.


@pytest.mark.parametrize("path", PATHS)
def test_a_correction_needs_a_note_and_becomes_public(published, path):
    reviewer = ReviewerFactory()
    with pytest.raises(Refused) as refused:
        Paths(path, reviewer).change(published, text="A corrected text.")
    assert refused.value.field in ("correction_note", "corrections")
    Paths(path, reviewer).change(
        published, note="The text was misquoted.", text="A corrected text."
    )
    published.refresh_from_db()
    assert published.text == "A corrected text."
    assert [c["note"] for c in published.corrections] == ["The text was misquoted."]


# Rule: a published quote keeps a citation with an excerpt.


@pytest.mark.parametrize("path", PATHS)
def test_the_last_cited_excerpt_of_a_published_quote_stays(published, path):
    with pytest.raises(Refused) as refused:
        Paths(path, ReviewerFactory()).change(published, note="Source withdrawn.", citations=[])
    assert refused.value.field == "citations"
    assert published.citations.filter(excerpt=EXCERPT).exists()


# Rule: an excerpt occurs in its source's full text.


@pytest.mark.parametrize("path", PATHS)
def test_an_excerpt_must_occur_in_its_source(path):
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    source = SourceFactory(key="article", full_text=FULL_TEXT)
    citation = CitationFactory(quote=quote, source=source, excerpt=EXCERPT)
    bad = "went far beyond anything"
    attempts = {
        "admin": lambda: _admin_excerpt(quote, bad),
        "import": lambda: import_edited(
            SYSTEM, quote.key, lambda r: r.update(citations=[{"source": "article", "excerpt": bad}])
        ),
        "api": lambda: Paths("api", EditorFactory()).change(
            quote, citations=[{"source": "article", "excerpt": bad}]
        ),
        "service": lambda: Paths("service", EditorFactory()).change(
            quote, citations=[{"source": source, "excerpt": bad}]
        ),
    }
    with pytest.raises(Refused) as refused:
        attempts[path]()
    assert refused.value.field.startswith(("citations", "excerpt"))
    citation.refresh_from_db()
    assert citation.excerpt == EXCERPT


def _admin_excerpt(quote: Quote, excerpt: str) -> None:
    client = Client()
    client.force_login(EditorFactory())
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    form = admin_form_data(client.get(url), **{"citations-0-excerpt": excerpt})
    response = client.post(url, form)
    errors = _admin_errors(response) if response.status_code == 200 else []
    if errors:
        raise Refused(errors[0][0], str(errors))


# Rule: field limits are the same everywhere.


@pytest.mark.parametrize("path", PATHS)
def test_a_text_over_the_limit_is_refused(path):
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    too_long = "x" * (limits.QUOTE_TEXT + 1)
    user = EditorFactory() if path != "import" else SYSTEM
    with pytest.raises(Refused) as refused:
        Paths(path, user).change(quote, text=too_long)
    assert refused.value.field == "text"
    assert Quote.objects.get(pk=quote.pk).text == quote.text


def test_the_interchange_schema_states_the_same_limits():
    from quotes.interchange.schema import interchange_schema

    quote = interchange_schema()["$defs"]["quote"]["properties"]
    assert quote["text"]["maxLength"] == limits.QUOTE_TEXT
    assert quote["context"]["maxLength"] == limits.CONTEXT
    assert quote["translations"]["maxItems"] == limits.TRANSLATIONS
    assert quote["translations"]["items"]["properties"]["text"]["maxLength"] == (
        limits.TRANSLATION_TEXT
    )
    assert quote["citations"]["maxItems"] == limits.CITATIONS
    assert quote["citations"]["items"]["properties"]["excerpt"]["maxLength"] == limits.EXCERPT
    assert quote["retraction_reason"]["maxLength"] == limits.RETRACTION_REASON
    source = interchange_schema()["$defs"]["source"]["properties"]
    assert source["full_text"]["maxLength"] == limits.SOURCE_FULL_TEXT


# Rule: a renamed key keeps leading to its record.


@pytest.mark.parametrize("path", PATHS)
def test_a_renamed_key_redirects(published, path):
    if path == "import":
        # Keys are the identity of records in a file: an old key comes in with the record.
        services.quote_update(quote=published, user=SYSTEM, changes={"key": "remark-renamed"})
        KeyRedirect.objects.all().delete()
        import_edited(SYSTEM, "remark-renamed", lambda r: r.update(old_keys=["remark"]))
    else:
        Paths(path, ReviewerFactory()).change(published, key="remark-renamed")
    response = Client().get(f"{QUOTES}remark/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"{QUOTES}remark-renamed/")


@pytest.mark.parametrize("path", ["api", "admin", "service"])
def test_a_renamed_occasion_redirects(path):
    occasion = OccasionFactory(key="call")
    QuoteFactory(occasion=occasion)
    user = ReviewerFactory()
    if path == "api":
        token_client(user).patch("/api/v1/occasions/call/", {"key": "call-2"}, format="json")
    elif path == "admin":
        write_record_by_admin(user, "occasion", "call-2", {}, occasion)
    else:
        occasion.key = "call-2"
        services.occasion_write(occasion=occasion, user=user)
    response = Client().get("/api/v1/occasions/call/")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/occasions/call-2/")


# Rule: a role belongs to the quote's speaker; a new speaker's role is resolved again.


@pytest.mark.parametrize("path", ["api", "admin", "service"])
def test_a_new_speaker_gets_a_role_of_their_own(path):
    quote = QuoteFactory(status=Quote.Status.DRAFT, said="2023-10-14")
    services.quote_update(quote=quote, user=SYSTEM, changes={"context": "x"})
    mine = AffiliationFactory(speaker=quote.speaker, start="2000")
    services.quote_update(quote=quote, user=SYSTEM, changes={"context": "y"})
    quote.refresh_from_db()
    assert (quote.role, quote.role_resolution) == (mine, "resolved")
    putin = SpeakerFactory(key="putin")
    president = AffiliationFactory(speaker=putin, role="President", start="2012")
    Paths(path, EditorFactory()).change(quote, speaker="putin")
    quote.refresh_from_db()
    assert (quote.speaker, quote.role, quote.role_resolution) == (putin, president, "resolved")


@pytest.mark.parametrize("path", ["api", "admin", "service"])
def test_another_speakers_role_is_refused(path):
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    theirs = AffiliationFactory(organization__key="elsewhere", role="Professor")
    editor = EditorFactory()
    role = {"api": {"organization": "elsewhere"}, "admin": str(theirs.pk), "service": theirs}
    with pytest.raises(Refused) as refused:
        Paths(path, editor).change(quote, role=role[path])
    assert refused.value.field == "role"
    assert Quote.objects.get(pk=quote.pk).role != theirs


# Rule: published and retracted quotes are never deleted.


@pytest.mark.parametrize("status", [Quote.Status.PUBLISHED, Quote.Status.RETRACTED])
@pytest.mark.parametrize("path", ["api", "admin", "service"])
def test_published_and_retracted_quotes_are_not_deleted(path, status):
    quote = QuoteFactory(status=status, retraction_reason="Misattributed.")
    reviewer = ReviewerFactory()
    if path == "api":
        response = token_client(reviewer).delete(f"{QUOTES}{quote.key}/")
        assert response.status_code == 409
        assert "stays on record" in response.json()["detail"]
    elif path == "admin":
        client = Client()
        client.force_login(reviewer)
        url = reverse("admin:quotes_quote_delete", args=[quote.pk])
        response = client.post(url, {"post": "yes"}, follow=True)
        assert "stays on record" in response.content.decode()
        response = client.post(
            reverse("admin:quotes_quote_changelist"),
            {"action": "delete_selected", "_selected_action": [quote.pk], "post": "yes"},
            follow=True,
        )
        assert "stays on record" in response.content.decode()
    else:
        with pytest.raises(CurationError, match="stays on record"):
            services.quote_delete(quote=quote, user=reviewer)
    assert Quote.objects.filter(pk=quote.pk).exists()


@pytest.mark.parametrize("path", ["api", "service"])
def test_drafts_may_be_deleted_by_editors(path):
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    editor = EditorFactory()
    if path == "api":
        assert token_client(editor).delete(f"{QUOTES}{quote.key}/").status_code == 204
    else:
        services.quote_delete(quote=quote, user=editor)
    assert not Quote.objects.filter(pk=quote.pk).exists()


# Rule: who may do what is a permission, from one table.


@pytest.mark.parametrize("path", PATHS)
def test_a_user_without_the_permission_is_refused(path):
    from django.contrib.auth.models import Permission

    quote = QuoteFactory(status=Quote.Status.DRAFT, context="")
    outsider = EditorFactory._meta.model.objects.create(username="outsider", is_staff=True)
    outsider.user_permissions.add(Permission.objects.get(codename="view_quote"))
    with pytest.raises((Refused, CurationError)):
        Paths(path, outsider).change(quote, context="Not allowed.")
    assert Quote.objects.get(pk=quote.pk).context == ""


# Rule: a similar text on record is reported, with the relation of the speakers.


@pytest.mark.parametrize("path", PATHS)
def test_a_similar_text_is_reported_with_its_relation(path):
    on_record = QuoteFactory(key="on-record", text="We demand an immediate ceasefire in Gaza.")
    other = SpeakerFactory(key="someone-else")
    editor = EditorFactory()
    payload = {
        "speaker": "someone-else",
        "text": on_record.text,
        "language": "en",
        "said": "2023-10-14",
    }
    if path == "api":
        response = token_client(editor).post(QUOTES, payload, format="json")
        assert response.status_code == 409
        assert response.json()["similar"] == [
            {
                "key": "on-record",
                "score": 1.0,
                "relation": "other_speaker",
                "language": "en",
                "match": "text",
            }
        ]
        payload["allow_similar"] = True
        assert token_client(editor).post(QUOTES, payload, format="json").status_code == 201
    elif path == "admin":
        client = Client()
        client.force_login(editor)
        url = reverse("admin:quotes_quote_add")
        data = admin_form_data(
            client.get(url), speaker=other.pk, text=on_record.text, language="en", said="2023-10-14"
        )
        page = client.post(url, data).content.decode()
        assert "possible misattribution" in page
        assert "on-record" in page
    elif path == "import":
        record = {"type": "quote", "key": "copy", **payload}
        lines = [json.dumps({"type": "speaker", "key": "third", "name": "Third"}) + "\n"]
        lines.append(json.dumps(record) + "\n")  # its speaker is on record
        report = services.records_import(lines_or_stream=lines, dry_run=False, user=editor)
        [error] = report.errors
        assert (error.line, error.field) == (2, "text")
        assert "on-record (1.0, other_speaker, text)" in error.message
        lines[-1] = json.dumps({**record, "allow_similar": True}) + "\n"
        report = services.records_import(lines_or_stream=lines, dry_run=False, user=editor)
        assert report.ok, report.errors
        Quote.objects.filter(key="copy").delete()  # the API's allowed copy alone stays
    else:
        from quotes.exceptions import SimilarQuotesFound

        fields = {"speaker": other, "text": on_record.text, "language": "en", "said": "2023-10-14"}
        with pytest.raises(SimilarQuotesFound) as found:
            services.quote_create(user=editor, fields=fields)
        assert [(s.quote, s.relation) for s in found.value.similar] == [
            (on_record, "other_speaker")
        ]
    assert Quote.objects.filter(speaker=other).count() == (1 if path == "api" else 0)


def test_no_service_writes_without_an_acting_user():
    quote = QuoteFactory(status=Quote.Status.DRAFT)
    attempts = [
        lambda: services.quote_save(quote=quote, user=None),
        lambda: services.quote_update(quote=quote, user=None, changes={"context": "x"}),
        lambda: services.quote_delete(quote=quote, user=None),
        lambda: services.quote_submit(quote=quote, user=None),
        lambda: services.record_save(obj=SourceFactory.build(key="s"), user=None),
    ]
    for attempt in attempts:
        with pytest.raises(CurationError, match="Only"):
            attempt()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT


# The records around quotes (speakers, organizations, sources), written on each path.

RECORD_MODELS = {
    "speaker": Speaker,
    "organization": Organization,
    "source": Source,
    "occasion": Occasion,
}
NEW_RECORD_FIELDS = {
    "occasion": {"name": "New call", "kind": "call"},
    "speaker": {"name": "New Speaker"},
    "organization": {"name": "New Ministry", "kind": "ministry"},
    "source": {"title": "New report", "kind": "news_article"},
}


def write_record(path: str, user, kind: str, key: str, fields: dict, note: str = "") -> None:
    """Create the ``kind`` record ``key`` with ``fields``, or change it if it exists, through
    ``path`` (with a correction ``note``, on the paths that take one); raise ``Refused``
    when refused."""
    model = RECORD_MODELS[kind]
    existing = model.objects.filter(key=key).first()
    write = getattr(sys.modules[__name__], f"write_record_by_{path}")
    write(user, kind, key, {**fields, **({"correction_note": note} if note else {})}, existing)


def write_record_by_api(user, kind: str, key: str, fields: dict, existing) -> None:
    client = token_client(user)
    if existing is None:
        response = client.post(f"/api/v1/{kind}s/", {"key": key, **fields}, format="json")
    else:
        response = client.patch(f"/api/v1/{kind}s/{key}/", fields, format="json")
    if response.status_code >= 400:
        field, messages = next(iter(response.json().items()))
        raise Refused(field, str(messages))


def write_record_by_admin(user, kind: str, key: str, fields: dict, existing) -> None:
    client = Client()
    client.force_login(user)
    if existing is None:
        url = reverse(f"admin:quotes_{kind}_add")
    else:
        url = reverse(f"admin:quotes_{kind}_change", args=[existing.pk])
    response = client.post(url, admin_form_data(client.get(url), key=key, **fields))
    if response.status_code != 302:
        errors = _admin_errors(response)
        raise Refused(errors[0][0] if errors else "", str(errors))


def write_record_by_import(user, kind: str, key: str, fields: dict, existing) -> None:
    lines = []
    for line in export_lines():
        record = json.loads(line)
        if record["type"] == kind and record["key"] == key:
            record.update(fields)
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    if existing is None:
        lines.append(json.dumps({"type": kind, "key": key, **fields}) + "\n")
    report = services.records_import(lines_or_stream=lines, dry_run=False, user=user)
    if not report.ok:
        raise Refused(report.errors[0].field, report.errors[0].message)


def write_record_by_service(user, kind: str, key: str, fields: dict, existing) -> None:
    obj = existing or RECORD_MODELS[kind](key=key)
    note = fields.pop("correction_note", "")
    for name, value in fields.items():
        setattr(obj, name, value)
    try:
        if kind == "speaker":
            services.speaker_write(speaker=obj, user=user, correction_note=note)
        elif kind == "occasion":
            services.occasion_write(occasion=obj, user=user, correction_note=note)
        else:
            services.record_save(obj=obj, user=user, correction_note=note)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise Refused(field, str(messages)) from error


# Rule: a new record does not take an old key of another record (its redirect stays).


@pytest.mark.parametrize(
    ("path", "kind"),
    [(path, kind) for kind in ["speaker", "organization", "source", "occasion"] for path in PATHS],
)
def test_a_new_record_may_not_take_an_old_key(path, kind):
    factory = {
        "speaker": SpeakerFactory,
        "organization": OrganizationFactory,
        "occasion": OccasionFactory,
    }.get(kind, SourceFactory)
    renamed = factory(key="current-key")
    KeyRedirect.objects.create(
        kind=kind, old_key="former-key", cause=KeyRedirect.Cause.RENAME, **{kind: renamed}
    )
    with pytest.raises(Refused) as refused:
        write_record(path, ReviewerFactory(), kind, "former-key", NEW_RECORD_FIELDS[kind])
    assert refused.value.field == "key"
    assert "current-key" in refused.value.message
    assert not RECORD_MODELS[kind].objects.filter(key="former-key").exists()
    assert KeyRedirect.objects.get(kind=kind, old_key="former-key").target == renamed


# Rule: a source's full text keeps the excerpts cited from it.


@pytest.mark.parametrize("path", PATHS)
def test_a_full_text_keeps_the_cited_excerpts(published, path):
    with pytest.raises(Refused) as refused:
        write_record(path, ReviewerFactory(), "source", "article", {"full_text": "Other words."})
    assert refused.value.field == "full_text"
    assert "remark" in refused.value.message
    assert Source.objects.get(key="article").full_text == FULL_TEXT


# Rule: a change of a record that alters what a published quote shows is a correction of it.


@pytest.mark.parametrize(
    ("kind", "key", "fields"),
    [
        ("speaker", None, {"name": "Wang Yi (corrected)"}),
        ("organization", None, {"name": "Ministry of Foreign Affairs (corrected)"}),
        ("source", "article", {"title": "Another title"}),
        ("source", "article", {"url": "https://example.org/moved"}),
        ("occasion", "call", {"name": "Call with the Saudi foreign minister (corrected)"}),
        ("occasion", "call", {"start": "2023-10-13"}),
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_a_change_a_published_quote_shows_is_a_correction_of_it(published, path, kind, key, fields):
    Quote.objects.filter(pk=published.pk).update(occasion=OccasionFactory(key="call"))
    services.speaker_quotes_reresolve(speaker=published.speaker)
    published.refresh_from_db()
    assert published.role is not None  # a renamed organization alters the role it shows
    key = key or {"speaker": published.speaker.key}.get(kind) or published.role.organization.key
    citation = published.citations.get()
    services.citation_verify(citation=citation, user=ReviewerFactory())
    # Only a reviewer imports a file with verified citations (an export carries them).
    editor = ReviewerFactory() if path == "import" else EditorFactory()
    with pytest.raises(Refused) as refused:
        write_record(path, editor, kind, key, fields)
    assert refused.value.field == "correction_note"
    assert "remark" in refused.value.message
    for name, value in fields.items():  # left as it was
        assert getattr(RECORD_MODELS[kind].objects.get(key=key), name) != value
    write_record(path, editor, kind, key, fields, note="The name was misspelt.")
    published.refresh_from_db()
    assert published.corrections == [
        {"date": timezone.localdate().isoformat(), "note": "The name was misspelt."}
    ]
    citation.refresh_from_db()
    # A source's new title or address withdraws the verifications of its citations.
    assert citation.is_verified == (kind != "source")


# Rule: a revert is a change like any other (the API has no revert; the importer neither).


def revert_by(path: str, user, quote: Quote, version: int, note: str = "") -> None:
    if path == "service":
        try:
            services.quote_revert(quote=quote, event_id=version, user=user, correction_note=note)
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise Refused(field, str(messages)) from error
        return
    client = Client()
    client.force_login(user)
    url = reverse("admin:quotes_quote_revert", args=[quote.pk, version])
    response = client.post(url, {"confirm": "yes", "correction_note": note})
    if response.status_code != 302:
        errors = response.context["form"].non_field_errors()
        raise Refused("correction_note" if "correction_note" in str(errors) else "", str(errors))


@pytest.mark.parametrize("path", ["admin", "service"])
def test_a_revert_of_a_published_quote_is_a_change_like_any_other(published, path):
    original, version = published.text, history.record_version(published)
    services.quote_update(
        quote=published,
        user=ReviewerFactory(),
        changes={"text": "A corrected text."},
        correction_note="First correction.",
    )
    revert_by(path, EditorFactory(), published, version)
    revision = QuoteRevision.objects.get(quote=published, status="pending")
    assert revision.changes["text"]["to"] == original
    assert Quote.objects.get(pk=published.pk).text == "A corrected text."
    with pytest.raises(Refused) as refused:
        revert_by(path, ReviewerFactory(), published, version)
    assert refused.value.field == "correction_note"
    revert_by(path, ReviewerFactory(), published, version, note="Back to the reported words.")
    published.refresh_from_db()
    assert published.text == original
    assert [c["note"] for c in published.corrections] == [
        "First correction.",
        "Back to the reported words.",
    ]
