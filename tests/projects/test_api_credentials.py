"""API §9.2: deployment and git provider credentials, write-only tokens (PRJ-80 … PRJ-90)."""

import pytest

from projects.models import DeploymentCredential, GitProviderCredential
from tests.helpers import assert_error, assert_refused
from tests.projects.factories import (
    DeploymentCredentialFactory,
    GitProviderCredentialFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

DEPLOY = "/api/v1/deployment-credentials/"
GIT = "/api/v1/git-credentials/"


def test_create_deployment_credential_never_echoes_the_token(owner_client, project):
    response = owner_client.post(
        DEPLOY,
        {
            "provider": "vercel",
            "project": str(project.pk),
            "access_token": "vercel_secret_token_1234",
            "provider_metadata": {"team_id": "team_1"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "provider",
        "project",
        "provider_metadata",
        "access_token_set",
        "created_at",
        "updated_at",
    }
    assert body["access_token_set"] is True
    assert "vercel_secret_token" not in response.content.decode()
    credential = DeploymentCredential.objects.get(pk=body["id"])
    assert credential.access_token_encrypted == "vercel_secret_token_1234"
    assert credential.access_token_encrypted_last4 == "1234"


def test_prj_80_project_must_be_the_callers(client_for, user, other_user):
    theirs = ProjectFactory(owner=other_user)
    response = client_for(user).post(
        DEPLOY, {"provider": "vercel", "project": str(theirs.pk), "access_token": "t"}
    )
    body = assert_error(response, 400, "validation_error")
    assert "project" in body["fields"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"provider": "heroku", "access_token": "t"}, "provider"),
        ({"provider": "vercel"}, "access_token"),
        ({"provider": "vercel", "access_token": ""}, "access_token"),
        ({"provider": "vercel", "access_token": "t" * 4097}, "access_token"),
        ({"provider": "vercel", "access_token": "t", "project": "nope"}, "project"),
        ({"provider": "vercel", "access_token": "t", "provider_metadata": []}, "provider_metadata"),
        (
            {"provider": "vercel", "access_token": "t", "provider_metadata": {"api_key": "x"}},
            "provider_metadata",
        ),
        (
            {
                "provider": "vercel",
                "access_token": "t",
                "provider_metadata": {"nested": {"Token": 1}},
            },
            "provider_metadata",
        ),
        (
            {"provider": "vercel", "access_token": "t", "provider_metadata": {"password": "x"}},
            "provider_metadata",
        ),
        (
            {
                "provider": "vercel",
                "access_token": "t",
                "provider_metadata": {"client_secret": "x"},
            },
            "provider_metadata",
        ),
    ],
)
def test_prj_82_bad_deployment_credential_input_is_400(owner_client, payload, field):
    body = assert_error(owner_client.post(DEPLOY, payload), 400, "validation_error")
    assert field in body["fields"]
    assert not DeploymentCredential.objects.exists()


def test_one_default_and_one_per_project_then_409(owner_client, project):
    base = {"provider": "netlify", "access_token": "t1"}
    assert owner_client.post(DEPLOY, base).status_code == 201
    assert owner_client.post(DEPLOY, {**base, "project": str(project.pk)}).status_code == 201
    assert_error(owner_client.post(DEPLOY, base), 409, "already_exists")
    assert_error(
        owner_client.post(DEPLOY, {**base, "project": str(project.pk)}), 409, "already_exists"
    )


def test_prj_81_patch_rotates_the_token(owner_client, user):
    credential = DeploymentCredentialFactory(user=user, access_token_encrypted="old-token-0000")
    url = f"{DEPLOY}{credential.pk}/"
    assert_refused(owner_client.patch(url, {"provider": "netlify"}), "provider")
    response = owner_client.patch(
        url, {"access_token": "new-token-9999", "provider_metadata": {"a": 1}}
    )
    assert response.status_code == 200, response.content
    credential.refresh_from_db()
    assert credential.access_token_encrypted == "new-token-9999"
    assert credential.access_token_encrypted_last4 == "9999"
    assert (credential.provider, credential.provider_metadata) == ("vercel", {"a": 1})


def test_patch_metadata_keeps_the_token(owner_client, user):
    credential = DeploymentCredentialFactory(user=user, access_token_encrypted="keep-me-1234")
    response = owner_client.patch(f"{DEPLOY}{credential.pk}/", {"provider_metadata": {"b": 2}})
    assert response.status_code == 200
    credential.refresh_from_db()
    assert (credential.access_token_encrypted, credential.access_token_encrypted_last4) == (
        "keep-me-1234",
        "1234",
    )


def test_deployment_credential_list_filters(owner_client, user, project, other_user):
    default = DeploymentCredentialFactory(user=user)
    scoped = DeploymentCredentialFactory(user=user, project=project, provider="netlify")
    DeploymentCredentialFactory(user=other_user)
    body = owner_client.get(DEPLOY).json()
    assert {row["id"] for row in body["results"]} == {str(default.pk), str(scoped.pk)}
    body = owner_client.get(DEPLOY, {"project": str(project.pk)}).json()
    assert [row["id"] for row in body["results"]] == [str(scoped.pk)]
    body = owner_client.get(DEPLOY, {"provider": "vercel"}).json()
    assert [row["id"] for row in body["results"]] == [str(default.pk)]
    for bad in ({"provider": "heroku"}, {"project": "not-a-uuid"}):
        assert_error(owner_client.get(DEPLOY, bad), 400, "validation_error")


def test_r2_another_users_credentials_are_404(client_for, user, other_user):
    deploy = DeploymentCredentialFactory(user=user)
    git = GitProviderCredentialFactory(user=user)
    client = client_for(other_user)
    for path in (f"{DEPLOY}{deploy.pk}/", f"{GIT}{git.pk}/"):
        for method in ("get", "patch", "delete"):
            response = getattr(client, method)(path, {"access_token": "stolen"})
            assert_error(response, 404, "not_found")
    deploy.refresh_from_db()
    assert deploy.access_token_encrypted != "stolen"


def test_prj_90_git_credential_is_one_per_provider(owner_client):
    payload = {
        "provider": "github",
        "access_token": "gho_secret_access_abcd",
        "refresh_token": "ghr_secret_refresh_wxyz",
        "token_expires_at": "2030-01-01T10:00:00+02:00",
        "scope": "repo",
        "provider_username": "octo",
        "provider_email": "octo@example.com",
        "provider_user_id": "42",
    }
    response = owner_client.post(GIT, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["access_token_set"], body["refresh_token_set"]) == (True, True)
    assert body["token_expires_at"] == "2030-01-01T08:00:00Z"
    assert "secret" not in response.content.decode()
    assert_error(owner_client.post(GIT, payload), 409, "already_exists")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"provider": "gitea"}, "provider"),
        ({"access_token": ""}, "access_token"),
        ({"provider_username": ""}, "provider_username"),
        ({"provider_email": "not-an-email"}, "provider_email"),
        ({"token_expires_at": "tomorrow"}, "token_expires_at"),
        ({"token_expires_at": "2030-01-01T10:00:00+23:00"}, "token_expires_at"),
        # ISO-shaped but impossible: a 400, not a server error.
        ({"token_expires_at": "2030-02-30T10:00:00Z"}, "token_expires_at"),
        ({"scope": "s" * 501}, "scope"),
        ({"provider_user_id": "i" * 101}, "provider_user_id"),
    ],
)
def test_bad_git_credential_input_is_400(owner_client, payload, field):
    base = {"provider": "github", "access_token": "t", "provider_username": "octo"}
    body = assert_error(owner_client.post(GIT, {**base, **payload}), 400, "validation_error")
    assert field in body["fields"]
    assert not GitProviderCredential.objects.exists()


def test_git_credential_patch_rotates_and_clears_refresh(owner_client, user):
    credential = GitProviderCredentialFactory(user=user)
    url = f"{GIT}{credential.pk}/"
    assert_refused(owner_client.patch(url, {"provider": "gitlab"}), "provider")
    response = owner_client.patch(url, {"access_token": "new-access-1111", "refresh_token": None})
    assert response.status_code == 200, response.content
    assert (response.json()["access_token_set"], response.json()["refresh_token_set"]) == (
        True,
        False,
    )
    credential.refresh_from_db()
    assert (credential.provider, credential.access_token, credential.refresh_token) == (
        "github",
        "new-access-1111",
        None,
    )


def test_credential_lists_decrypt_nothing(owner_client, user, django_assert_num_queries):
    """The encrypted columns are not even selected: `*_set` comes from the last four."""
    DeploymentCredentialFactory(user=user)
    GitProviderCredentialFactory(user=user)
    owner_client.get(DEPLOY)  # warms the token's last_used_at
    for path, columns in (
        (DEPLOY, ['access_token_encrypted"']),
        (GIT, ['"access_token"', '"refresh_token"']),
    ):
        with django_assert_num_queries(3) as captured:
            assert owner_client.get(path).status_code == 200
        page_sql = captured.captured_queries[-1]["sql"]
        assert not any(f'."{c.strip(chr(34))}"' in page_sql for c in columns), page_sql


def test_delete_credential(owner_client, user):
    credential = DeploymentCredentialFactory(user=user)
    assert owner_client.delete(f"{DEPLOY}{credential.pk}/").status_code == 204
    assert not DeploymentCredential.objects.exists()
