"""factory_boy factories shared by every app's tests."""

import datetime

import factory

from zuzhi.accounts.models import RoleAssignment, User
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.orgs.services import org_create

TEST_PASSWORD = "Zz-test-Passw0rd!"


class OrganizationFactory(factory.Factory):
    """Builds organizations through the real service, so paths and audit are real."""

    class Meta:
        model = Organization

    parent = None
    code = factory.Sequence(lambda n: f"ORG{n:06d}")
    name = factory.Sequence(lambda n: f"测试党支部{n}")
    org_type = OrgType.BRANCH
    unit_category = UnitCategory.VILLAGE
    # Long established: a test of a past month finds it owing that month's meetings.
    founded_on = datetime.date(2000, 1, 1)

    @classmethod
    def _create(cls, model_class, parent=None, **kwargs):
        return org_create(actor=SYSTEM, parent=parent, data=kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, organization: Organization | None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, organization=organization)
    return user


def valid_id_number(birth: str = "19800101", sequence: int = 123, division: str = "411330") -> str:
    from zuzhi.core.idnumber import check_char

    first17 = f"{division}{birth}{sequence:03d}"
    return first17 + check_char(first17)


def member_data(**overrides) -> dict:
    import datetime

    data = {
        "name": "张三",
        "id_number": valid_id_number(),
        "ethnicity": "01",
        "education": "21",
        "join_date": datetime.date(2005, 7, 1),
        "full_date": datetime.date(2006, 7, 1),
        "status": "full",
        "category": "farmer",
        "phone": "13812345678",
        "work_unit": "",
    }
    data.update(overrides)
    return data


def make_member(organization, **overrides):
    from zuzhi.members.services import member_create

    return member_create(actor=SYSTEM, organization=organization, data=member_data(**overrides))


def make_cadre(organization, **overrides):
    """A cadre record (干部) written straight to the table: birth date and gender follow the ID
    number, as the registry's services derive them."""
    from zuzhi.cadres.models import Cadre
    from zuzhi.core.idnumber import birth_date, gender_code
    from zuzhi.core.text import initials_index

    data = {
        "name": "李明",
        "id_number": valid_id_number(sequence=Cadre.objects.count() % 1000),
        "ethnicity": "01",
        "education": "21",
        "full_time_education": "大学",
        "unit_name": organization.name,
        "current_post": "副镇长",
    }
    data.update(overrides)
    data.setdefault("birth_date", birth_date(data["id_number"]))
    data.setdefault("gender", gender_code(data["id_number"]))
    return Cadre.objects.create(
        organization=organization, name_initials=initials_index(data["name"]), **data
    )


def make_talent(county, **overrides):
    """A talent (人才) written straight to the table, filed under `county` (the county node);
    birth date and gender follow the ID number, as the registry's services derive them."""
    import datetime

    from zuzhi.core.idnumber import birth_date, gender_code
    from zuzhi.core.text import initials_index
    from zuzhi.talent.models import Degree, Talent

    data = {
        "name": "周青",
        "id_number": valid_id_number(birth="19980301", sequence=Talent.objects.count() % 1000),
        "degree": Degree.MASTER,
        "employer": "示范县化工有限公司",
        "industry": "氯碱化工",
        "arrived_on": datetime.date(2025, 7, 1),
        "phone": "13712345678",
    }
    data.update(overrides)
    talent = Talent(county=county, **data)
    talent.birth_date = birth_date(talent.id_number)
    talent.gender = gender_code(talent.id_number)
    talent.name_initials = initials_index(talent.name)
    talent.save()
    return talent
