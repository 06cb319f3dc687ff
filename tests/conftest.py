import pytest

from members import services
from tests.factories import ProgramRoleFactory, UserFactory


@pytest.fixture
def demo_program(db):
    return services.demo_program_seed()


@pytest.fixture
def staff_user(demo_program):
    user = UserFactory(username="staffer")
    ProgramRoleFactory(user=user, program=demo_program)
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
