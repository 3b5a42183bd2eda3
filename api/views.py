"""The API's endpoints: read by everyone, written by editors (see permissions.py)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import conditional, downloads, filters, serializers
from api.accounts import AccountsMixin
from api.captures import CapturesMixin
from api.exceptions import RecordMoved
from api.lineage import LineageMixin
from api.params import SingleValuedParams, WholeNumberField, validate_params
from api.permissions import CanViewUnpublished
from captures.models import Capture
from quotes import history, permissions, selectors, services
from quotes.models import (
    Affiliation,
    Citation,
    KeyRedirect,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    Topic,
)
from quotes.similarity import similar_to_quote
from quotes.speaker_search import fuzzy_search_threshold
from quotes.validators import KEY_PATTERN
from search.turns import takes_turns

# Keys as URL path segments: what validate_key allows, so a malformed key is a plain 404.
KEY_IN_URL = KEY_PATTERN.removeprefix("^").removesuffix("$")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def published_count(model_field: str) -> Coalesce:
    """How many published quotes point at each row, as a correlated subquery."""
    counted = (
        Quote.objects.published()
        .filter(**{model_field: OuterRef("pk")})
        .order_by()
        .values(model_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def has_body(request) -> bool:
    """Whether the request came with a body (even ``{}``), by its headers."""
    meta = request.META
    return meta.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in meta


class KeyedViewSet(SingleValuedParams, viewsets.ModelViewSet):
    """Records looked up by key; deleting one that others still use is a 409.

    A record's responses carry its ETag; writes honour If-Match (see api/conditional.py).
    """

    lookup_field = "key"
    lookup_value_regex = KEY_IN_URL
    filter_backends = [filters.StrictFilterBackend]
    list_params: type[forms.Form] = forms.Form  # a list's parameters besides its filters

    def perform_destroy(self, instance) -> None:
        try:
            instance.delete()
        except ProtectedError as error:
            used_by = sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
            raise Conflict(
                f"{instance} is still referred to by {', '.join(used_by)}; "
                "change or delete those first."
            ) from error

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Filter a list; every malformed parameter, filter or page, is reported at once."""
        if self.detail:
            return queryset  # a record's own URL always finds it
        errors = {}
        try:
            queryset = super().filter_queryset(queryset)
        except ValidationError as error:
            errors.update(error.detail)
        try:
            if self.paginator is not None:
                self.paginator.validate(self.request)
        except ValidationError as error:
            errors.update(error.detail)
        try:
            self.params = validate_params(self.list_params, self.request.query_params)
        except ValidationError as error:
            errors.update(error.detail)
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_object(self):
        """The record of the URL's key; for the key of a merged record, ``RecordMoved``."""
        try:
            return super().get_object()
        except Http404:
            key = self.kwargs[self.lookup_field]
            survivor = self.merged_into(key)
            if survivor is None:
                raise
            raise RecordMoved(key, survivor.key) from None

    redirects_merged_keys = True  # old keys (of renamed and merged records) redirect

    def merged_into(self, key: str):
        """The record that an old key leads to (renamed, or merged into it), if the client
        may see it."""
        model = self.get_queryset().model
        if not self.redirects_merged_keys:
            return None
        record, redirected = selectors.record_by_key(model, key)
        if not redirected or not self.get_queryset().filter(pk=record.pk).exists():
            return None
        return record

    def moved(self, moved: RecordMoved) -> Response:
        """A permanent redirect to the same route of the surviving record: 301 for reads,
        308 for writes (which keeps the method and body)."""
        match = self.request.resolver_match
        kwargs = {**match.kwargs, self.lookup_field: moved.key}
        location = reverse(match.view_name, kwargs=kwargs, request=self.request)
        if self.request.META.get("QUERY_STRING"):
            location += "?" + self.request.META["QUERY_STRING"]
        code = 301 if self.request.method in SAFE_METHODS else 308
        cause = (
            KeyRedirect.objects.filter(
                old_key=moved.old_key, kind=self.get_queryset().model._meta.model_name
            )
            .values_list("cause", flat=True)
            .first()
        )
        done = "was renamed to" if cause == KeyRedirect.Cause.RENAME else "was merged into"
        detail = f"{moved.old_key} {done} {moved.key}, whose address this is."
        return Response(
            {"detail": detail, "location": location}, status=code, headers={"Location": location}
        )

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        return Response(data, headers=conditional.etag_headers(instance))

    def create(self, request, *args, **kwargs):
        with transaction.atomic():
            saved, data = self.write(None, request.data)
            headers = conditional.etag_headers(saved)
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)

    def get_locked_object(self):
        """The record, locked until the transaction ends and read again once locked, so
        that a concurrent write is seen rather than overwritten."""
        instance = self.get_object()
        type(instance)._base_manager.select_for_update().filter(pk=instance.pk).exists()
        return self.get_object()

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_locked_object()
            conditional.check_if_match(request, instance)
            saved, data = self.write(instance, request.data, partial=kwargs.pop("partial", False))
            headers = conditional.etag_headers(saved)
        return Response(data, headers=headers)

    def partial_update(self, request, *args, **kwargs):
        """PATCH: the body, required (as the schema says), names the fields to change."""
        if not has_body(request):
            raise ParseError("A PATCH needs a body: a JSON object of the fields to change.")
        return super().partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_locked_object()
            conditional.check_if_match(request, instance)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def write(self, instance, data, partial: bool = False) -> tuple:
        """Validate and save ``data`` into ``instance`` (None: a new record); return the
        saved record and its representation."""
        serializer = self.get_serializer(instance, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = serializer.save()
        return saved, self.represent(saved, serializer)

    def represent(self, saved, serializer) -> dict:
        """The saved record read back, with what the queryset annotates (quote_count)."""
        return self.get_serializer(self.get_queryset().get(pk=saved.pk)).data


class WriteReadViewSet(KeyedViewSet):
    """Writes validated by ``write_serializer_class``, answered with ``serializer_class``."""

    write_serializer_class: type

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return self.serializer_class

    def represent(self, saved, serializer) -> dict:
        return self.read(saved)

    def read(self, instance) -> dict:
        fresh = self.get_queryset().get(pk=instance.pk)
        return self.serializer_class(fresh, context=self.get_serializer_context()).data


class HistoryMixin:
    """``/{key}/history/``: the record's changes, for editors."""

    @staticmethod
    def record_history(record) -> list:
        return history.record_history(record)

    @extend_schema(responses=serializers.HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, permission_classes=[CanViewUnpublished])
    def history(self, request, *args, **kwargs):
        """What changed in the record and its parts, newest first: who, when, the
        curation step, and each field before and after. Editors only."""
        entries = self.record_history(self.get_object())
        page = self.paginate_queryset(entries)
        data = serializers.HistoryEntrySerializer(page, many=True).data
        return self.get_paginated_response(data)


class MergeMixin:
    """``POST /{key}/merge/`` with ``{"duplicate": key}``: reviewers merge a duplicate into
    the record, whose key the duplicate's then redirects to."""

    find_by_key: Callable  # selectors.quote_by_key…: (record, redirected)
    merge_records: Callable  # services.quote_merge…
    # What the merge takes besides the duplicate (a correction note, for quotes and speakers).
    merge_serializer_class: type = serializers.MergeSerializer

    @extend_schema(request=serializers.MergeSerializer, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None)
    def merge(self, request, *args, **kwargs):
        """Merge the duplicate into this record (reviewers only). The duplicate is deleted
        and its key leads here from now on (HTTP 301). Honours If-Match."""
        permissions.require(request.user, "merge", self.get_noun())
        given = self.merge_serializer_class(data=request.data)
        given.is_valid(raise_exception=True)
        options = dict(given.validated_data)
        with transaction.atomic():
            survivor = self.get_object()
            conditional.check_if_match(request, survivor)
            duplicate = self.duplicate_named(options.pop("duplicate"))
            merged = self.merge_records(
                survivor=survivor, duplicate=duplicate, user=request.user, **options
            )
            data, headers = self.read(merged), conditional.etag_headers(merged)
        return Response(data, headers=headers)

    def get_noun(self) -> str:
        return str(self.serializer_class.Meta.model._meta.verbose_name)

    def duplicate_named(self, key: str):
        record, redirected = self.find_by_key(key)
        if record is None:
            raise ValidationError({"duplicate": [f"No {self.get_noun()} has the key {key}."]})
        if redirected:
            raise ValidationError({"duplicate": [f"{key} was merged into {record.key} already."]})
        return record


class FacetParams(forms.Form):
    facet_limit = WholeNumberField(required=False, min_value=1, max_value=100)


class SimilarParams(forms.Form):
    limit = WholeNumberField(required=False, min_value=1, max_value=50)


QUOTE_WRITE_DOC = extend_schema(
    request=serializers.QuoteWriteSerializer, responses=serializers.QuoteSerializer
)
QUOTE_CHANGE_DOC = extend_schema(
    request=serializers.QuoteWriteSerializer,
    responses={
        200: serializers.QuoteSerializer,
        202: OpenApiResponse(
            serializers.RevisionSerializer,
            description="A change of a published quote that needs review: kept as a pending "
            "revision, which a reviewer accepts or rejects.",
        ),
    },
)


@extend_schema_view(
    create=QUOTE_WRITE_DOC, update=QUOTE_CHANGE_DOC, partial_update=QUOTE_CHANGE_DOC
)
class QuoteViewSet(HistoryMixin, MergeMixin, LineageMixin, WriteReadViewSet):
    """Statements: who said what, in which role, when, and where it was reported.

    Anonymous clients see published quotes only; editors see every status.
    """

    serializer_class = serializers.QuoteSerializer
    write_serializer_class = serializers.QuoteWriteSerializer
    filterset_class = filters.QuoteFilterSet
    list_params = downloads.DownloadParams
    find_by_key = staticmethod(selectors.quote_by_key)
    merge_records = staticmethod(services.quote_merge)

    def perform_destroy(self, instance: Quote) -> None:
        services.quote_delete(quote=instance, user=self.request.user)

    def update(self, request, *args, **kwargs):
        """A change of a published quote that needs review is kept as a pending revision:
        202 with the revision; readers keep seeing the published quote."""
        with transaction.atomic():
            instance = self.get_locked_object()
            conditional.check_if_match(request, instance)
            serializer = self.get_serializer(
                instance, data=request.data, partial=kwargs.pop("partial", False)
            )
            serializer.is_valid(raise_exception=True)
            outcome = serializer.save()
            if outcome.revision is not None:
                data = serializers.RevisionSerializer(outcome.revision).data
                return Response(data, status=status.HTTP_202_ACCEPTED)
            data, headers = self.read(outcome.quote), conditional.etag_headers(outcome.quote)
        return Response(data, headers=headers)

    @extend_schema(responses=serializers.RevisionSerializer(many=True), filters=False)
    @action(detail=True, permission_classes=[CanViewUnpublished])
    def revisions(self, request, *args, **kwargs):
        """Changes proposed to the published quote, newest first, with their status
        (pending, accepted, rejected) and each field from and to. Editors only."""
        page = self.paginate_queryset(
            self.get_object().revisions.select_related("author", "decided_by")
        )
        return self.get_paginated_response(serializers.RevisionSerializer(page, many=True).data)

    def revision_of(self, revision_id: str):
        return get_object_or_404(self.get_object().revisions, pk=revision_id)

    @extend_schema(
        request=serializers.RevisionAcceptSerializer,
        responses=serializers.RevisionSerializer,
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"revisions/(?P<revision_id>[0-9]{1,18})/accept",
        url_name="revision-accept",
        pagination_class=None,
    )
    def accept_revision(self, request, *args, revision_id: str, **kwargs):
        """Apply the pending revision (reviewers only), with the correction note readers
        will see. 409 when it was decided already or the quote changed since."""
        return self.decide_revision(
            request,
            revision_id,
            "accept revision",
            serializers.RevisionAcceptSerializer,
            services.revision_accept,
        )

    @extend_schema(
        request=serializers.RevisionRejectSerializer,
        responses=serializers.RevisionSerializer,
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"revisions/(?P<revision_id>[0-9]{1,18})/reject",
        url_name="revision-reject",
        pagination_class=None,
    )
    def reject_revision(self, request, *args, revision_id: str, **kwargs):
        """Turn the pending revision down (reviewers only), with the reason its author
        will read."""
        return self.decide_revision(
            request,
            revision_id,
            "reject revision",
            serializers.RevisionRejectSerializer,
            services.revision_reject,
        )

    def decide_revision(
        self, request, revision_id: str, action: str, body: type, decide: Callable
    ) -> Response:
        """Accept or reject a revision: ``action``'s permission, ``body``'s fields parsed,
        then the service ``decide`` on the revision, in one transaction."""
        permissions.require(request.user, action)
        given = body(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            revision = decide(
                revision=self.revision_of(revision_id), user=request.user, **given.validated_data
            )
        return Response(serializers.RevisionSerializer(revision).data)

    def get_queryset(self) -> QuerySet:
        return (
            Quote.objects.visible_to(self.request.user)
            .with_attributions()
            .select_related("speaker", "role__organization", "occasion")
            .prefetch_related(
                "topics",
                "translations",
                Prefetch(
                    "citations",
                    Citation.objects.select_related(
                        "source", "verified_by", "capture_check"
                    ).order_by("pk"),
                ),
            )
        )

    def get_renderers(self) -> list:
        renderers = super().get_renderers()
        if self.action == "list":
            renderers += [downloads.CSVRenderer(), downloads.NDJSONRenderer()]
        return renderers

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and downloads.is_download(request):
            # An error (a 400 naming a bad filter) is answered in JSON, not as a download.
            request.accepted_renderer, request.accepted_media_type = (
                JSONRenderer(),
                "application/json",
            )
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            downloads.FORMAT_PARAMETER,
            *downloads.DOWNLOAD_PARAMETERS,
            *downloads.DOWNLOAD_HEADERS,
        ],
        responses=downloads.list_responses(serializers.QuoteSerializer),
    )
    @takes_turns
    def list(self, request, *args, **kwargs):
        """Quotes matching the search and filters, a page at a time; with ``format=csv`` or
        ``format=ndjson``, every match (up to 100,000) as a streamed download."""
        results = self.results = self.filter_queryset(self.get_queryset())
        if downloads.is_download(request):
            return downloads.quotes_download(request, results, self.represent_ids, self.params)
        page = self.paginate_queryset(results)
        self.highlight(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def highlight(self, quotes: list[Quote]) -> None:
        """In a search, each quote's highlight (computed for these quotes only)."""
        results = getattr(self, "results", None)
        if results is not None and quotes:
            found = results.highlights([quote.pk for quote in quotes])
            for quote in quotes:
                quote.search_highlight = found.get(quote.pk)

    def represent_ids(self, ids: list[int], ranks=None) -> list[dict]:
        """The quotes of ``ids`` as the list shows them, in that order, with their ``ranks``
        (None: not ordered by relevance) and highlights in a search, as on a page."""
        found = self.get_queryset().in_bulk(ids)
        quotes = []
        for position, pk in enumerate(ids):
            if pk in found:
                found[pk].rank = None if ranks is None else ranks[position]
                quotes.append(found[pk])
        self.highlight(quotes)
        context = {**self.get_serializer_context(), **downloads.link_context(self.request)}
        return self.get_serializer(quotes, many=True, context=context).data

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "facet_limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="How many values of each facet (default 20, at most 100).",
            )
        ],
        responses=serializers.FacetsSerializer,
        filters=True,
    )
    @action(detail=False, pagination_class=None)
    @takes_turns
    def facets(self, request):
        """Counts of the matching quotes by speaker, country, year, topic, language and kind,
        for the same q and filters as the list."""
        limit = validate_params(FacetParams, request.query_params)["facet_limit"] or 20
        results = self.filter_queryset(self.get_queryset())
        return Response(results.facets(limit=limit))

    @extend_schema(
        parameters=[OpenApiParameter("source", str, OpenApiParameter.PATH, description="Key.")],
        request=None,
        responses=serializers.CitationSerializer,
        filters=False,
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        url_path=rf"citations/(?P<source>{KEY_IN_URL})/verification",
        url_name="citation-verification",
        pagination_class=None,
    )
    def verification(self, request, *args, source: str, **kwargs):
        """POST: record that you (a reviewer) checked the excerpt of the quote's citation of
        this source against the source; DELETE: withdraw that. Changing the excerpt or the
        source withdraws it too."""
        permissions.require(request.user, "verify")
        citation = get_object_or_404(self.get_object().citations, source__key=source)
        step = services.citation_verify if request.method == "POST" else services.citation_unverify
        step(citation=citation, user=request.user)
        checked = Citation.objects.select_related("source", "verified_by").get(pk=citation.pk)
        return Response(serializers.CitationSerializer(checked).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 50},
                description="How many at most (default 10, up to 50).",
            )
        ],
        responses=serializers.SimilarQuoteSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=None)
    def similar(self, request, *args, **kwargs):
        """Possible duplicates and misattributions of the quote, best first: quotes whose
        text or translation is similar to its text or translations, said within a month of
        it (or undated), and quotes of the same meaning in any language (another speaker's
        at any date); ``relation`` says whether the speaker is the same, ``match`` what
        matched. Only the quotes the client may see: published and retracted ones for
        everyone, every status for editors."""
        limit = validate_params(SimilarParams, request.query_params)["limit"] or 10
        found = similar_to_quote(
            self.get_object(), limit=limit, among=Quote.objects.visible_to(request.user)
        )
        represented = self.get_queryset().in_bulk([item.quote.pk for item in found])
        similar = []
        for item in found:
            similar.append(represented[item.quote.pk])
            similar[-1].similarity, similar[-1].relation = item.score, item.relation
            similar[-1].match = item.match
        context = self.get_serializer_context()
        return Response(
            serializers.SimilarQuoteSerializer(similar, many=True, context=context).data
        )


@extend_schema_view(
    create=extend_schema(
        request=serializers.SpeakerWriteSerializer, responses=serializers.SpeakerSerializer
    ),
    update=extend_schema(
        request=serializers.SpeakerWriteSerializer, responses=serializers.SpeakerSerializer
    ),
    partial_update=extend_schema(
        request=serializers.SpeakerWriteSerializer, responses=serializers.SpeakerSerializer
    ),
)
class SpeakerViewSet(HistoryMixin, MergeMixin, WriteReadViewSet):
    """People quoted, with their other names and dated affiliations."""

    serializer_class = serializers.SpeakerSerializer
    write_serializer_class = serializers.SpeakerWriteSerializer
    filterset_class = filters.SpeakerFilterSet
    find_by_key = staticmethod(selectors.speaker_by_key)
    merge_records = staticmethod(services.speaker_merge)

    def get_queryset(self) -> QuerySet:
        return (
            Speaker.objects.visible_to(self.request.user)
            .annotate(quote_count=published_count("speaker"))
            .prefetch_related(
                "names",
                Prefetch(
                    "affiliations",
                    Affiliation.objects.select_related("organization").order_by("start", "pk"),
                ),
            )
            .order_by("name", "key")
        )

    def list(self, request, *args, **kwargs):
        with transaction.atomic():
            fuzzy_search_threshold()
            return super().list(request, *args, **kwargs)


class OrganizationViewSet(HistoryMixin, KeyedViewSet):
    """Governments, ministries, parties, universities… in which speakers hold roles."""

    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilterSet

    def get_queryset(self) -> QuerySet:
        return (
            Organization.objects.visible_to(self.request.user)
            .select_related("parent")
            .order_by("name", "key")
        )


class SourceViewSet(CapturesMixin, HistoryMixin, KeyedViewSet):
    """Where quotes were reported: articles, transcripts, statements…"""

    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilterSet

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.SourceSerializer
        return serializers.SourceDetailSerializer

    def get_queryset(self) -> QuerySet:
        counted = (
            Citation.objects.filter(source=OuterRef("pk"), quote__status=Quote.Status.PUBLISHED)
            .order_by()
            .values("source")
            .annotate(n=Count("quote", distinct=True))
            .values("n")
        )
        queryset = Source.objects.visible_to(self.request.user).annotate(
            quote_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )
        if self.action == "list":
            queryset = queryset.defer("full_text")
        else:
            answered = Capture.objects.answered().order_by("-fetched_at", "-pk")
            queryset = queryset.prefetch_related(
                Prefetch("captures", answered, to_attr="answered_captures")
            )
        return queryset.order_by("-published", "title", "key")


OCCASION_WRITE_DOC = extend_schema(
    request=serializers.OccasionWriteSerializer, responses=serializers.OccasionDetailSerializer
)


@extend_schema_view(
    create=OCCASION_WRITE_DOC,
    update=OCCASION_WRITE_DOC,
    partial_update=OCCASION_WRITE_DOC,
)
class OccasionViewSet(HistoryMixin, MergeMixin, AccountsMixin, WriteReadViewSet):
    """Occasions at which statements are made: calls, meetings, visits, summits, press
    conferences, sessions of a body… (Popolo's Event), with their participants."""

    serializer_class = serializers.OccasionDetailSerializer
    write_serializer_class = serializers.OccasionWriteSerializer
    filterset_class = filters.OccasionFilterSet
    find_by_key = staticmethod(selectors.occasion_by_key)
    merge_records = staticmethod(services.occasion_merge)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.OccasionSerializer
        return super().get_serializer_class()

    def perform_destroy(self, instance: Occasion) -> None:
        try:
            services.occasion_delete(occasion=instance, user=self.request.user)
        except ProtectedError as error:
            raise Conflict(
                f"{instance} is still referred to by statements; change or delete those first."
            ) from error

    def get_queryset(self) -> QuerySet:
        participants = OccasionParticipant.objects.select_related(
            "speaker", "organization"
        ).order_by("pk")
        return (
            Occasion.objects.visible_to(self.request.user)
            .annotate(quote_count=published_count("occasion"))
            .select_related("parent")
            .prefetch_related(
                Prefetch("participants", participants),
                Prefetch(
                    "accounts",
                    OccasionAccount.objects.select_related("source", "organization").order_by("pk"),
                ),
            )
            .order_by("-start", "name", "key")
        )


class TopicViewSet(KeyedViewSet):
    """What quotes are about."""

    serializer_class = serializers.TopicSerializer
    filterset_class = filters.TopicFilterSet
    redirects_merged_keys = False  # topics have no old keys

    def get_queryset(self) -> QuerySet:
        counted = Count("quotes", filter=Q(quotes__status=Quote.Status.PUBLISHED))
        return (
            Topic.objects.visible_to(self.request.user)
            .annotate(quote_count=counted)
            .order_by("name", "key")
        )
