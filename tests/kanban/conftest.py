import pytest
from django.db import connection
from psycopg.pq import TransactionStatus
from rest_framework.test import APIClient

from kanban.models import KanbanColumn
from tests.kanban.factories import KanbanBoardFactory, KanbanTaskFactory
from tests.projects.factories import ProjectFactory


@pytest.fixture(autouse=True)
def _deferred_constraints_are_checked(db):
    """The position constraints are deferred to commit, and a test's transaction never
    commits: after each test, every deferred constraint is checked as if it had (unless the
    test left the transaction failed on purpose)."""
    yield
    failed = connection.connection.info.transaction_status == TransactionStatus.INERROR
    if connection.in_atomic_block and not connection.needs_rollback and not failed:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def owner(user):
    """The owner of `project`, `board` and everything on it."""
    return user


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


@pytest.fixture
def board(project):
    return KanbanBoardFactory(project=project)


@pytest.fixture
def columns(board):
    """The board's columns by name: Backlog, To Do, In Progress, Review, Done."""
    return {column.name: column for column in KanbanColumn.objects.filter(board=board)}


@pytest.fixture
def task(board):
    return KanbanTaskFactory(board=board)


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


@pytest.fixture
def as_user(client_for):
    """`as_user(u)`: an API client for `u`, or an anonymous one for None."""
    return lambda member: APIClient() if member is None else client_for(member)
