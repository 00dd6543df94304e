"""Skills (EXTENSIONS.md §10; MKT-60 to MKT-63)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction

from config.exceptions import NotAllowed
from marketplace import services
from marketplace.models import SKILL_CONTENT_MAX_BYTES, Skill
from marketplace.skills import shipped_skills, sync_builtin_skills
from tests.helpers import assert_error, run_action
from tests.marketplace.factories import SkillFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/marketplace/skills/"
ROUTES = ("marketplace-skill-list", "marketplace-skill-detail")


@pytest.fixture
def me(client_for, user):
    return client_for(user)


def create(client, **fields):
    body = {"name": "deploy-checklist", "content": "# Checklist\n", **fields}
    return client.post(URL, body, format="json")


def test_mkt_60_list_holds_builtins_and_own_only(me, user, other_user):
    builtin = SkillFactory(builtin=True)
    mine = SkillFactory(owner=user)
    SkillFactory(owner=other_user)
    listed = {row["id"] for row in me.get(URL).json()["results"]}
    assert listed == {str(builtin.pk), str(mine.pk)}
    body = me.get(f"{URL}{builtin.pk}/").json()
    assert (body["source"], body["owner"]) == ("builtin", None)


def test_mkt_60_another_users_skill_is_a_404(me, other_user):
    theirs = SkillFactory(owner=other_user)
    assert_error(me.get(f"{URL}{theirs.pk}/"), 404, "not_found")
    assert_error(me.patch(f"{URL}{theirs.pk}/", {"description": "x"}), 404, "not_found")
    assert_error(me.delete(f"{URL}{theirs.pk}/"), 404, "not_found")


def test_mkt_60_anonymous_sees_nothing(api_client):
    SkillFactory(builtin=True)
    assert api_client.get(URL).status_code == 401


def test_mkt_61_create_edit_delete_own(me, user):
    response = create(
        me,
        description="Before every release.",
        source="github",
        source_url="https://github.com/acme/skills/blob/main/SKILL.md",
        allowed_tools=["read_file"],
        license="MIT",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["source"], body["is_enabled"]) == (str(user.pk), "github", True)
    edited = me.patch(f"{URL}{body['id']}/", {"is_enabled": False}, format="json")
    assert edited.json()["is_enabled"] is False
    assert me.delete(f"{URL}{body['id']}/").status_code == 204
    assert not Skill.objects.filter(pk=body["id"]).exists()


def test_mkt_61_a_name_is_one_slug(me):
    for name in ("Has Caps", "trailing-", "under_score", "a" * 65):
        body = assert_error(create(me, name=name), 400, "validation_error")
        assert "name" in body["fields"], name


def test_mkt_61_own_names_are_unique_builtin_names_are_not_taken(me, user):
    SkillFactory(builtin=True, name="deploy-checklist")
    assert create(me).status_code == 201  # a built-in's name is free for a user's own
    body = assert_error(create(me), 409, "already_exists")
    assert "name" in body["fields"]


def test_mkt_61_builtin_names_are_unique_despite_null_owner():
    SkillFactory(builtin=True, name="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(builtin=True, name="same")


def test_mkt_61_builtin_iff_no_owner_in_the_database(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(owner=user, source="builtin")
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(owner=None, source="custom")


def test_mkt_61_users_cannot_make_builtins(me):
    body = assert_error(create(me, source="builtin"), 400, "validation_error")
    assert "source" in body["fields"]


def test_mkt_61_content_is_at_most_256_kib(me, user):
    too_big = "x" * (SKILL_CONTENT_MAX_BYTES + 1)
    body = assert_error(create(me, content=too_big), 400, "validation_error")
    assert "content" in body["fields"]
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(owner=user, content="é" * (SKILL_CONTENT_MAX_BYTES // 2 + 1))


def test_mkt_61_source_url_must_be_public_https(me):
    body = assert_error(
        create(me, source_url="http://169.254.169.254/latest"), 400, "validation_error"
    )
    assert "source_url" in body["fields"]


def test_mkt_62_builtins_are_read_only_in_the_api(me, user):
    builtin = SkillFactory(builtin=True)
    assert_error(me.patch(f"{URL}{builtin.pk}/", {"description": "x"}), 403, "permission_denied")
    assert_error(me.delete(f"{URL}{builtin.pk}/"), 403, "permission_denied")
    with pytest.raises(NotAllowed):
        services.skill_update(actor=user, skill=builtin, description="x")


def test_mkt_63_sync_is_idempotent_and_retires_what_is_no_longer_shipped():
    stale = SkillFactory(builtin=True, name="no-longer-shipped")
    out = StringIO()
    call_command("sync_builtin_skills", stdout=out)
    shipped = shipped_skills()
    assert f"{len(shipped)} created, 0 updated, 0 unchanged, 1 retired" in out.getvalue()
    assert set(
        Skill.objects.filter(owner__isnull=True, is_enabled=True).values_list("name", flat=True)
    ) == set(shipped)
    stale.refresh_from_db()
    assert stale.is_enabled is False
    assert sync_builtin_skills() == (0, 0, len(shipped), 0)
    Skill.objects.filter(name="code-review").update(description="edited by hand")
    assert sync_builtin_skills() == (0, 1, len(shipped) - 1, 0)


def test_mkt_63_shipped_skills_parse():
    shipped = shipped_skills()
    assert len(shipped) >= 3
    review = shipped["code-review"]
    assert review["allowed_tools"] == ["read_file", "search_files"]
    assert review["description"].startswith("Review a change")


def test_mkt_62_curators_switch_skills_in_admin_through_the_service(client, superuser):
    client.force_login(superuser)
    skills = [SkillFactory(builtin=True), SkillFactory(is_enabled=False)]
    response = run_action(client, Skill, "disable", skills)
    assert Skill.objects.filter(is_enabled=True).count() == 0
    assert "Disabled 1 skill; skipped 1: already disabled." in response.content.decode()
    events = apps.get_model("marketplace", "SkillEvent").objects
    assert events.filter(pgh_obj_id=skills[0].pk, pgh_label="update").count() == 1
