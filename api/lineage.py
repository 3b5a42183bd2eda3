"""``/api/v1/quotes/{key}/lineage/``: the statements carrying a quote's claim, and
reviewers' decisions on them (lineage/)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from lineage.models import Decision
from lineage.selectors import quote_lineage
from lineage.services import lineage_decide
from quotes import permissions
from quotes.models import Quote
from quotes.selectors import quote_by_key


class LineageSpeakerSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class LineageEntrySerializer(serializers.Serializer):
    key = serializers.CharField(source="statement.key")
    said = serializers.CharField(source="statement.said", allow_null=True)
    speaker = LineageSpeakerSerializer(source="statement.speaker")
    language = serializers.CharField(source="statement.language")
    text = serializers.CharField(source="statement.text")
    status = serializers.CharField(source="statement.status")
    score = serializers.FloatField(
        help_text="Cosine similarity of the statements' multilingual embeddings (1 for the "
        "statement itself); 0.58 or more is taken for the same claim (docs/lineage.md)."
    )
    relation = serializers.ChoiceField(
        choices=["this", "same_speaker", "other_speaker"],
        help_text="this: the statement asked about; same_speaker: a repetition or another "
        "wording of it; other_speaker: the same claim attributed to someone else.",
    )
    first = serializers.BooleanField(help_text="The earliest dated statement on record.")
    confirmed = serializers.BooleanField(help_text="A reviewer confirmed the link.")


class LineageDecisionSerializer(serializers.Serializer):
    quote = serializers.CharField(help_text="The key of the other statement of the pair.")
    verdict = serializers.ChoiceField(choices=Decision.Verdict.values)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DecisionSerializer(serializers.Serializer):
    first = serializers.CharField(source="first.key")
    second = serializers.CharField(source="second.key")
    verdict = serializers.CharField()
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class LineageMixin:
    """The ``lineage`` action of the quotes' viewset."""

    @extend_schema(methods=["GET"], responses=LineageEntrySerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=LineageDecisionSerializer,
        responses=DecisionSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def lineage(self, request, *args, **kwargs):
        """GET: the statements that carry this statement's claim (by meaning, in any
        language, and those a reviewer confirmed), in the order they were said, the first
        on record marked; only those the client may see. POST (reviewers):
        ``{"quote": key, "verdict": "confirmed" | "dismissed", "note": …}`` records whether
        the pair carries the same claim; a dismissed pair is never raised again."""
        quote = self.get_object()
        if request.method == "POST":
            return self.decide_lineage(request, quote)
        among = Quote.objects.visible_to(request.user)
        entries = quote_lineage(quote=quote, among=among)
        return Response(LineageEntrySerializer(entries, many=True).data)

    def decide_lineage(self, request, quote: Quote) -> Response:
        permissions.require(request.user, "decide lineage")
        given = LineageDecisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        key = given.validated_data["quote"]
        other, _moved = quote_by_key(key)  # an old key leads to the statement it names now
        if other is None:
            raise ValidationError({"quote": [f"No quote has the key {key}."]})
        with transaction.atomic():
            decision = lineage_decide(
                quote=quote,
                other=other,
                verdict=given.validated_data["verdict"],
                note=given.validated_data.get("note", ""),
                user=request.user,
            )
        return Response(DecisionSerializer(decision).data)
