"""Curation: history entries, merges and revisions of published quotes."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import StrictCharField
from quotes import limits
from quotes.models import (
    QuoteRevision,
)
from quotes.validators import validate_key

# History: quotes.history.HistoryEntry and its parts, read-only.


class FieldChangeSerializer(serializers.Serializer):
    name = StrictCharField(help_text="The field, e.g. text, excerpt, status.")
    label = StrictCharField(help_text="Its name for people.")
    before = serializers.JSONField(help_text="The value before (null: none).")
    after = serializers.JSONField(help_text="The value after (null: none).")
    before_display = StrictCharField(help_text="The value before, readable.")
    after_display = StrictCharField(help_text="The value after, readable.")


class ChangeSerializer(serializers.Serializer):
    part = StrictCharField(
        help_text="What changed: the record itself (quote, speaker…) or one of its parts "
        "(translation, citation, topic, other name, affiliation)."
    )
    object_id = serializers.IntegerField()
    object_label = StrictCharField(help_text='The part, e.g. "translation (en)".')
    action = StrictCharField(
        help_text="created, changed, deleted (the record); added, changed, removed (a part)."
    )
    fields = FieldChangeSerializer(many=True)


class HistoryEntrySerializer(serializers.Serializer):
    """Changes made together (one request, command or curation step)."""

    version = serializers.IntegerField(
        help_text="The record's version right after these changes (its ETag then)."
    )
    at = serializers.DateTimeField()
    user = StrictCharField(source="username", allow_null=True, help_text="Who, if a user.")
    command = StrictCharField(
        allow_null=True, help_text="The management command that made the change, if any."
    )
    who = StrictCharField(help_text="The user, the command, or unknown.")
    action = StrictCharField(
        allow_null=True, help_text="The curation step: submit, publish, retract, merge, revert…"
    )
    note = StrictCharField(allow_null=True, help_text="e.g. the reason of a retraction.")
    changes = ChangeSerializer(many=True)


class PreconditionFailedSerializer(serializers.Serializer):
    """The answer to a write whose If-Match is not the record's current version (412)."""

    detail = StrictCharField(help_text="Who changed the record since; nothing was saved.")
    etag = StrictCharField(allow_null=True, help_text="The record's current ETag.")
    changes = HistoryEntrySerializer(
        many=True, help_text="What changed since the version sent, newest first."
    )


class MergeSerializer(serializers.Serializer):
    duplicate = StrictCharField(
        max_length=200,
        validators=[validate_key],
        help_text="The key of the record to merge into this one; it is deleted, and its key "
        "leads to this record from now on.",
    )
    correction_note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=limits.NOTE,
        help_text="Required when published quotes then show something else (a speaker's "
        "name or role, a quote's sources, their occasion): each of them gets this note as a "
        "public correction.",
    )


# Revisions of published quotes.


class RevisionSerializer(serializers.ModelSerializer):
    """A change to a published quote proposed by an editor, for a reviewer to decide."""

    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Empty once deleted."
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who decided, if any."
    )
    changes = serializers.JSONField(
        read_only=True,
        help_text='Each changed field: {"from": …, "to": …}; the speaker and topics by key, '
        "the role as its organization, title and start (null: resolved from the date).",
    )

    class Meta:
        model = QuoteRevision
        fields = [
            "id",
            "author",
            "created",
            "status",
            "changes",
            "decided_by",
            "decided_at",
            "correction_note",
            "reason",
        ]
        read_only_fields = fields


class RevisionAcceptSerializer(serializers.Serializer):
    correction_note = StrictCharField(
        max_length=limits.NOTE,
        required=False,
        allow_blank=True,
        help_text="What the revision corrects, for readers; required when it changes the text, "
        "language, kind, date, speaker, role, translations or citations.",
    )


class RevisionRejectSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=limits.NOTE, help_text="Why, for the editor who proposed it."
    )
