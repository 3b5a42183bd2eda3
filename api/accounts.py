"""``/api/v1/occasions/{key}/accounts/``: each party's account of an occasion, its passages
aligned by meaning with the other accounts' (lineage/alignment.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from lineage.alignment import current_alignment
from quotes.models import Occasion, OccasionAccount


class PassageMatchSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The key of the other account's source.")
    passage = serializers.IntegerField(help_text="The number of its passage (from 1).")
    score = serializers.FloatField(help_text="Cosine similarity of the two passages.")


class AlignedPassageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    matches = PassageMatchSerializer(many=True)


class AlignedAccountSerializer(serializers.Serializer):
    source = serializers.CharField()
    title = serializers.CharField()
    party = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    compared = serializers.BooleanField(
        allow_null=True,
        help_text="Whether its passages were compared (false: a language the model does not "
        "read; null: not aligned yet).",
    )
    passages = AlignedPassageSerializer(many=True)


class AlignedAccountsSerializer(serializers.Serializer):
    aligned_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the accounts as they are now were aligned; null while the job has yet "
        "to align them (within a minute of a change).",
    )
    accounts = AlignedAccountSerializer(many=True)


def aligned_accounts(occasion: Occasion, accounts: list[OccasionAccount]) -> dict:
    alignment = current_alignment(occasion)
    by_account = {entry["account"]: entry for entry in alignment.accounts} if alignment else {}
    source_of = {account.pk: account.source.key for account in accounts}
    return {
        "aligned_at": alignment.computed_at if alignment else None,
        "accounts": [account_entry(a, by_account.get(a.pk), source_of) for a in accounts],
    }


def account_entry(account: OccasionAccount, entry: dict | None, source_of: dict) -> dict:
    passages = [
        {"number": n, "text": passage["text"], "matches": matches(passage, source_of)}
        for n, passage in enumerate(entry["passages"] if entry else [], start=1)
    ]
    return {
        "source": account.source.key,
        "title": account.source.title,
        "party": account.party,
        "kind": account.kind,
        "language": account.source.language,
        "compared": entry["compared"] if entry else None,
        "passages": passages,
    }


def matches(passage: dict, source_of: dict) -> list[dict]:
    return [
        {"source": source_of[m["account"]], "passage": m["passage"] + 1, "score": m["score"]}
        for m in passage["matches"]
        if m["account"] in source_of
    ]


class AccountsMixin:
    """The ``accounts`` action of the occasions' viewset."""

    @extend_schema(responses=AlignedAccountsSerializer, filters=False)
    @action(detail=True, pagination_class=None)
    def accounts(self, request, *args, **kwargs):
        """Each party's account of the occasion (official readout, transcript, joint
        statement, press report), its passages aligned by meaning with the other accounts'
        passages that say the same thing, in any language; a passage with no match (in an
        account that was compared) is what only that party reports."""
        occasion = self.get_object()
        accounts = list(
            OccasionAccount.objects.filter(occasion=occasion)
            .select_related("source", "organization")
            .order_by("pk")
        )
        data = AlignedAccountsSerializer(aligned_accounts(occasion, accounts)).data
        return Response(data)
