import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    ProgramRole,
    Relationship,
    RelationshipType,
    Round,
    Survey,
    SurveyInvitation,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Fellowship {n}")
    slug = factory.Sequence(lambda n: f"fellowship-{n}")


class ProgramRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramRole

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = ProgramRole.Role.STAFF


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Fellows {2000 + n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = "health"
    region = "Lakeside"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    email = factory.Sequence(lambda n: f"member{n}@example.org")


class RelationshipTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipType
        django_get_or_create = ["program", "name"]

    program = factory.SubFactory(ProgramFactory)
    name = "knows"


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    observed_on = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(n))


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    program = factory.SubFactory(ProgramFactory)
    source = factory.SubFactory(MemberFactory, program=factory.SelfAttribute("..program"))
    target = factory.SubFactory(MemberFactory, program=factory.SelfAttribute("..program"))
    type = factory.SubFactory(RelationshipTypeFactory, program=factory.SelfAttribute("..program"))
    round = factory.SubFactory(RoundFactory, program=factory.SelfAttribute("..program"))
    strength = 3


class SurveyFactory(factory.django.DjangoModelFactory):
    """An open survey: opened yesterday, closes in two weeks."""

    class Meta:
        model = Survey

    program = factory.SubFactory(ProgramFactory)
    round = factory.SubFactory(RoundFactory, program=factory.SelfAttribute("..program"))
    name = factory.Sequence(lambda n: f"Survey {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    survey = factory.SubFactory(SurveyFactory)
    member = factory.SubFactory(MemberFactory, program=factory.SelfAttribute("..survey.program"))
