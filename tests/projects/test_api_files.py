"""API §9.2, project files (PRJ-40 … PRJ-43) and assets (PRJ-50 … PRJ-53)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import ProjectAsset, ProjectFile
from tests.helpers import assert_error, assert_refused
from tests.projects.factories import ProjectAssetFactory, ProjectFileFactory

pytestmark = pytest.mark.django_db


def files_url(project, file=None, action=None):
    path = f"/api/v1/projects/{project.pk}/files/"
    if file is not None:
        path += f"{file.pk}/"
    if action:
        path += f"{action}/"
    return path


def assets_url(project, asset=None, action=None):
    path = f"/api/v1/projects/{project.pk}/assets/"
    if asset is not None:
        path += f"{asset.pk}/"
    if action:
        path += f"{action}/"
    return path


# --- files -----------------------------------------------------------------------------------


def test_create_file_keeps_content_byte_for_byte(owner_client, project):
    content = "  indented\n\ttabs and ünïcode\n\n"
    response = owner_client.post(
        files_url(project), {"file_path": "src/App.tsx", "content": content}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content"] == content
    assert body["size_bytes"] == len(content.encode())
    assert body["version"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../secrets",
        "a/../../b",
        "a/./b",
        "a//b",
        "dir/",
        "back\\slash",
        "nul\x00byte",
        "bell\x07",
        "x" * 1025,
    ],
)
def test_prj_40_bad_paths_are_400(owner_client, project, path):
    response = owner_client.post(files_url(project), {"file_path": path, "content": ""})
    body = assert_error(response, 400, "validation_error")
    assert "file_path" in body["fields"]
    assert not ProjectFile.objects.exists()


def test_prj_41_content_over_the_limit_is_400(owner_client, project, settings):
    settings.PROJECT_FILE_MAX_BYTES = 10
    response = owner_client.post(files_url(project), {"file_path": "a.txt", "content": "é" * 6})
    body = assert_error(response, 400, "validation_error")
    assert "content" in body["fields"]


def test_duplicate_path_is_409(owner_client, project):
    ProjectFileFactory(project=project, file_path="a.txt")
    response = owner_client.post(files_url(project), {"file_path": "a.txt", "content": "x"})
    assert_error(response, 409, "already_exists")


def test_list_is_a_summary_without_content_filtered_by_prefix(owner_client, project):
    for path in ("src/b.ts", "src/a.ts", "README.md"):
        ProjectFileFactory(project=project, file_path=path)
    body = owner_client.get(files_url(project)).json()
    assert [row["file_path"] for row in body["results"]] == ["README.md", "src/a.ts", "src/b.ts"]
    assert set(body["results"][0]) == {"id", "file_path", "size_bytes", "version", "updated_at"}
    body = owner_client.get(files_url(project), {"path_prefix": "src/"}).json()
    assert [row["file_path"] for row in body["results"]] == ["src/a.ts", "src/b.ts"]
    response = owner_client.get(files_url(project), {"ordering": "content"})
    assert_error(response, 400, "validation_error")


def test_prj_42_upsert_is_201_then_200(owner_client, project):
    url = files_url(project, action="upsert")
    first = owner_client.post(url, {"file_path": "a.txt", "content": "one"})
    assert (first.status_code, first.json()["version"]) == (201, 1)
    second = owner_client.post(url, {"file_path": "a.txt", "content": "two", "version": 1})
    assert (second.status_code, second.json()["version"]) == (200, 2)
    assert second.json()["id"] == first.json()["id"]
    stale = owner_client.post(url, {"file_path": "a.txt", "content": "three", "version": 1})
    assert_error(stale, 409, "stale_version")
    assert ProjectFile.objects.get().content == "two"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"file_path": "/abs", "content": ""}, "file_path"),
        ({"file_path": "a", "content": "", "version": 0}, "version"),
        ({"file_path": "a", "content": "", "version": "new"}, "version"),
        ({"file_path": "a"}, "content"),
        ({"file_path": "a", "content": None}, "content"),
    ],
)
def test_bad_upsert_is_400(owner_client, project, payload, field):
    body = assert_error(
        owner_client.post(files_url(project, action="upsert"), payload), 400, "validation_error"
    )
    assert field in body["fields"]
    assert not ProjectFile.objects.exists()


def test_prj_43_patch_with_version_and_rename_onto_a_taken_path(owner_client, project):
    file = ProjectFileFactory(project=project, file_path="a.txt", content="one")
    ProjectFileFactory(project=project, file_path="taken.txt")
    response = owner_client.patch(files_url(project, file), {"content": "two", "version": 1})
    assert (response.status_code, response.json()["version"]) == (200, 2)
    stale = owner_client.patch(files_url(project, file), {"content": "x", "version": 1})
    assert_error(stale, 409, "stale_version")
    clash = owner_client.patch(files_url(project, file), {"file_path": "taken.txt"})
    assert_error(clash, 409, "already_exists")
    bad = owner_client.patch(files_url(project, file), {"file_path": "../x"})
    assert_error(bad, 400, "validation_error")
    renamed = owner_client.patch(files_url(project, file), {"file_path": "b.txt"})
    assert renamed.json()["file_path"] == "b.txt"
    file.refresh_from_db()
    assert (file.file_path, file.content, file.version) == ("b.txt", "two", 3)


def test_delete_file(owner_client, project):
    file = ProjectFileFactory(project=project)
    assert owner_client.delete(files_url(project, file)).status_code == 204
    assert not ProjectFile.objects.exists()


# --- assets ----------------------------------------------------------------------------------


def image_bytes(pillow_format, size=(12, 7)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=pillow_format)
    return buffer.getvalue()


def upload(client, project, name, data, **extra):
    return client.post(
        assets_url(project),
        {"file": SimpleUploadedFile(name, data), **extra},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("name", "pillow_format", "mime"),
    [
        ("logo.png", "PNG", "image/png"),
        ("photo.JPG", "JPEG", "image/jpeg"),
        ("anim.gif", "GIF", "image/gif"),
        ("hero.webp", "WEBP", "image/webp"),
        ("hero.avif", "AVIF", "image/avif"),
    ],
)
def test_prj_51_raster_images_get_their_pixel_size(
    owner_client, project, name, pillow_format, mime
):
    data = image_bytes(pillow_format)
    response = upload(owner_client, project, name, data, directory="/public/images")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["file_type"], body["mime_type"]) == ("image", mime)
    assert (body["width"], body["height"]) == (12, 7)
    assert body["file_size"] == len(data)
    assert (body["directory"], body["filename"]) == ("/public/images", name)
    asset = ProjectAsset.objects.get(pk=body["id"])
    assert asset.file.name == f"projects/{project.pk}/assets/{asset.pk}"
    assert Path(asset.file.path).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "file_type", "mime"),
    [
        (
            "icon.svg",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
            "image",
            "image/svg+xml",
        ),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video", "video/mp4"),
        (
            "clip.webm",
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm",
            "video",
            "video/webm",
        ),
        ("font.woff", b"wOFF\x00\x01\x00\x00", "font", "font/woff"),
        ("font.woff2", b"wOF2\x00\x01\x00\x00", "font", "font/woff2"),
        ("font.ttf", b"\x00\x01\x00\x00\x00\x10", "font", "font/ttf"),
        ("font.otf", b"OTTO\x00\x10", "font", "font/otf"),
        ("doc.pdf", b"%PDF-1.7\n%...", "document", "application/pdf"),
        ("notes.txt", "plain ünïcode text\n".encode(), "document", "text/plain"),
        ("README.md", b"# Title\n", "document", "text/markdown"),
        ("data.csv", b"a,b\n1,2\n", "document", "text/csv"),
        ("data.json", b'{"a": [1, 2]}', "document", "application/json"),
        ("empty.txt", b"", "document", "text/plain"),
    ],
)
def test_prj_51_allowed_types_by_extension_checked_against_the_content(
    owner_client, project, name, data, file_type, mime
):
    response = upload(owner_client, project, name, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["file_type"], body["mime_type"], body["width"], body["height"]) == (
        file_type,
        mime,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tool.exe", b"MZ\x90\x00"),
        ("page.html", b"<html></html>"),
        ("noextension", b"hello"),
        ("fake.png", b"<script>alert(1)</script>"),
        ("fake.jpg", image_bytes("PNG")),
        ("truncated.png", image_bytes("PNG")[:40]),
        ("binary.txt", b"text\x00with nul"),
        ("latin1.txt", "café".encode("latin-1")),
        ("broken.json", b'{"a": '),
        ("page.svg", b"<html><body>not svg</body></html>"),
        ("fake.pdf", b"PDF but not really"),
        ("fake.mp4", b"\x00\x00\x00\x18ftypavif\x00\x00"),
        ("fake.avif", b"\x00\x00\x00\x18ftypmp42\x00\x00"),
    ],
)
def test_prj_51_anything_else_is_400(owner_client, project, name, data):
    body = assert_error(upload(owner_client, project, name, data), 400, "validation_error")
    assert "file" in body["fields"]
    assert not ProjectAsset.objects.exists()


def test_prj_50_a_file_over_the_limit_is_400_and_far_over_is_413(owner_client, project, settings):
    settings.ASSET_MAX_BYTES = 1000
    body = assert_error(
        upload(owner_client, project, "big.txt", b"a" * 1001), 400, "validation_error"
    )
    assert "file" in body["fields"]
    huge = b"a" * (1000 + 1024 * 1024 + 1)
    assert_error(upload(owner_client, project, "huge.txt", huge), 413, "payload_too_large")
    assert not ProjectAsset.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_upload_keeps_only_the_base_name(owner_client, project):
    response = upload(owner_client, project, "..\\..\\etc/passwd.txt", b"x")
    assert response.status_code == 201, response.content
    assert response.json()["filename"] == "passwd.txt"
    assert response.json()["directory"] == "/public"


@pytest.mark.parametrize("directory", ["public", "/public/", "/a/../b", "/a//b", "/" + "d" * 512])
def test_bad_directory_is_400(owner_client, project, directory):
    body = assert_error(
        upload(owner_client, project, "a.txt", b"x", directory=directory), 400, "validation_error"
    )
    assert "directory" in body["fields"]


def test_upload_needs_a_file_and_multipart(owner_client, project):
    body = assert_error(
        owner_client.post(assets_url(project), {}, format="multipart"), 400, "validation_error"
    )
    assert "file" in body["fields"]
    response = owner_client.post(assets_url(project), {"file": "x"}, format="json")
    assert_error(response, 415, "unsupported_media_type")


def test_prj_52_duplicate_name_in_a_directory_is_409(owner_client, project):
    ProjectAssetFactory(project=project, filename="a.txt", directory="/public")
    assert_error(upload(owner_client, project, "a.txt", b"x"), 409, "already_exists")
    assert upload(owner_client, project, "a.txt", b"x", directory="/other").status_code == 201


def test_download_serves_the_bytes_as_an_attachment(owner_client, project):
    data = image_bytes("PNG")
    asset_id = upload(owner_client, project, "logo.png", data).json()["id"]
    asset = ProjectAsset.objects.get(pk=asset_id)
    response = owner_client.get(assets_url(project, asset, "download"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="logo.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_rename_and_move_touch_only_metadata(owner_client, project):
    asset = ProjectAssetFactory(project=project, filename="a.txt")
    ProjectAssetFactory(project=project, filename="taken.txt", directory="/docs")
    stored = asset.file.name
    refused = owner_client.patch(assets_url(project, asset), {"filename": "b.txt", "file_size": 1})
    assert_refused(refused, "file_size")
    response = owner_client.patch(
        assets_url(project, asset), {"filename": "b.txt", "directory": "/docs"}
    )
    assert response.status_code == 200, response.content
    asset.refresh_from_db()
    assert (asset.filename, asset.directory, asset.file.name, asset.file_size) == (
        "b.txt",
        "/docs",
        stored,
        12,
    )
    clash = owner_client.patch(assets_url(project, asset), {"filename": "taken.txt"})
    assert_error(clash, 409, "already_exists")
    for bad in ({"filename": "a/b.txt"}, {"filename": ".."}, {"directory": "docs"}):
        assert_error(owner_client.patch(assets_url(project, asset), bad), 400, "validation_error")


def test_prj_53_delete_removes_row_then_bytes(
    owner_client, project, django_capture_on_commit_callbacks
):
    asset = ProjectAssetFactory(project=project)
    stored = Path(asset.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.delete(assets_url(project, asset)).status_code == 204
    assert not ProjectAsset.objects.exists()
    assert not stored.exists()


def test_asset_list_filters_and_orders(owner_client, project):
    ProjectAssetFactory(project=project, filename="b.txt")
    ProjectAssetFactory(project=project, filename="A.txt")
    ProjectAssetFactory(
        project=project,
        filename="c.txt",
        directory="/img",
        file_type="image",
        mime_type="image/svg+xml",
    )
    body = owner_client.get(assets_url(project)).json()
    assert [row["filename"] for row in body["results"]] == ["A.txt", "b.txt", "c.txt"]
    assert set(body["results"][0]) == {
        "id",
        "filename",
        "directory",
        "file_type",
        "file_size",
        "mime_type",
        "width",
        "height",
        "created_at",
    }
    body = owner_client.get(assets_url(project), {"file_type": "image"}).json()
    assert [row["filename"] for row in body["results"]] == ["c.txt"]
    body = owner_client.get(
        assets_url(project), {"directory": "/public", "ordering": "-filename"}
    ).json()
    assert [row["filename"] for row in body["results"]] == ["b.txt", "A.txt"]
    assert_error(
        owner_client.get(assets_url(project), {"file_type": "exe"}), 400, "validation_error"
    )


def test_upload_to_another_users_project_is_404_before_the_body_is_parsed(
    client_for, other_user, project
):
    """Regression (issue 10, R1): a JSON body (415) or an empty upload (400) to another user's
    project answered before the project lookup; API.md §3 puts 404 first."""
    client = client_for(other_user)
    assert_error(client.post(assets_url(project), {}, format="json"), 404, "not_found")
    assert_error(client.post(assets_url(project), {}, format="multipart"), 404, "not_found")
