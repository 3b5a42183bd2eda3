import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from quotes.actors import SystemActor
from quotes.models import (
    Affiliation,
    Citation,
    Occasion,
    OccasionAccount,
    OccasionParticipant,
    Organization,
    Quote,
    Source,
    Speaker,
    SpeakerName,
    Topic,
    Translation,
)

# Writes made by tests on their own account, as a management command would make them.
SYSTEM = SystemActor("tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class EditorFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True

    @factory.post_generation
    def editors_group(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.groups.add(Group.objects.get(name="Editors"))


class ReviewerFactory(EditorFactory):
    """A member of both groups, as ``services.user_make_editor(reviewer=True)`` makes them."""

    username = factory.Sequence(lambda n: f"reviewer{n}")

    @factory.post_generation
    def reviewers_group(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.groups.add(Group.objects.get(name="Reviewers"))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    key = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    key = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Ministry {n}")
    kind = Organization.Kind.MINISTRY
    country = "US"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    key = factory.Sequence(lambda n: f"speaker-{n}")
    name = factory.Sequence(lambda n: f"Speaker {n}")
    country = "US"


class SpeakerNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerName

    speaker = factory.SubFactory(SpeakerFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")
    language = "en"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    speaker = factory.SubFactory(SpeakerFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "Minister"
    start = "2000"
    end = None


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Report number {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    publisher = "Example News"
    published = "2023-10-20"
    language = "en"


class OccasionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occasion

    key = factory.Sequence(lambda n: f"occasion-{n}")
    name = factory.Sequence(lambda n: f"Phone call number {n}")
    kind = Occasion.Kind.CALL
    start = "2023-10-14"
    country = ""


class OccasionParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OccasionParticipant

    occasion = factory.SubFactory(OccasionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    country = "US"


class OccasionAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OccasionAccount

    occasion = factory.SubFactory(OccasionFactory)
    source = factory.SubFactory(SourceFactory)
    kind = OccasionAccount.Kind.READOUT
    country = "CN"


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    key = factory.Sequence(lambda n: f"quote-{n}")
    speaker = factory.SubFactory(SpeakerFactory)
    text = factory.Sequence(lambda n: f"Statement number {n} on the situation.")
    language = "en"
    kind = Quote.Kind.DIRECT
    said = "2023-10-14"
    status = Quote.Status.PUBLISHED


class TranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Translation

    quote = factory.SubFactory(QuoteFactory)
    language = "fr"
    text = "Une déclaration."


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    quote = factory.SubFactory(QuoteFactory)
    source = factory.SubFactory(SourceFactory)
    excerpt = factory.LazyAttribute(lambda c: c.quote.text)


def quote_with_related(*, topics: int = 1, translations=("fr",), **kwargs) -> Quote:
    """A quote with an affiliation-backed role, topics, translations and a citation."""
    quote = QuoteFactory(**kwargs)
    if quote.role is None:
        quote.role = AffiliationFactory(speaker=quote.speaker, start="2000")
        quote.role_resolution = Quote.RoleResolution.RESOLVED
        quote.save()
    quote.topics.add(*TopicFactory.create_batch(topics))
    for language in translations:
        TranslationFactory(quote=quote, language=language, text=f"Translation into {language}.")
    CitationFactory(quote=quote)
    return quote
