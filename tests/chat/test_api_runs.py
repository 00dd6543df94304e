"""The runs, summaries and bookmarks API under projects/{pid}/chats/{cid}/ (EXTENSIONS.md §1,
§3, §8), and attachments on posted messages (§7)."""

import pytest

from chat.models import AgentRun, ChatBookmark, RunStatus
from tests.chat.factories import (
    AgentRunFactory,
    ChatBookmarkFactory,
    ChatFactory,
    ChatSummaryFactory,
    MessageFactory,
)
from tests.chat.utils import (
    BOOKMARKS_URL,
    bookmark_url,
    messages_url,
    run_url,
    runs_url,
    summaries_url,
)
from tests.helpers import assert_error, ids
from tests.projects.factories import ProjectAssetFactory

pytestmark = pytest.mark.django_db


def claim_body(request_id="req-1", **extra):
    return {"request_id": request_id, "model": "anthropic/claude-sonnet", **extra}


def test_cht_40_the_runtime_claims_and_a_second_claim_is_409(service_client, chat):
    first = service_client.post(runs_url(chat), claim_body(), format="json")
    assert first.status_code == 201
    assert first.json()["status"] == "pending" and first.json()["version"] == 0
    second = service_client.post(runs_url(chat), claim_body("req-2"), format="json")
    assert_error(second, 409, "run_in_progress")


def test_cht_44_a_replayed_claim_is_200_with_the_same_run(service_client, chat):
    first = service_client.post(runs_url(chat), claim_body(), format="json")
    again = service_client.post(runs_url(chat), claim_body(), format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_cht_40_an_owner_may_not_claim(owner_client, chat):
    assert_error(
        owner_client.post(runs_url(chat), claim_body(), format="json"), 403, "permission_denied"
    )


def test_cht_40_a_claim_with_input_over_64_kib_is_400(service_client, chat):
    body = claim_body(input={"prompt": "x" * (64 * 1024)})
    response = assert_error(
        service_client.post(runs_url(chat), body, format="json"), 400, "validation_error"
    )
    assert "input" in response["fields"]


def test_cht_41_the_runtime_moves_a_run_and_bad_moves_are_409(service_client, chat):
    run = AgentRunFactory(chat=chat)
    moved = service_client.post(
        run_url(run, "status/"), {"status": "running", "version": 0}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "running" and moved.json()["started_at"] is not None
    back = service_client.post(run_url(run, "status/"), {"status": "pending"}, format="json")
    assert_error(back, 409, "invalid_state_transition")


def test_cht_42_a_stale_version_is_409(service_client, chat):
    run = AgentRunFactory(chat=chat, running=True, version=2)
    stale = service_client.post(
        run_url(run, "status/"), {"status": "paused", "version": 1}, format="json"
    )
    assert_error(stale, 409, "stale_version")


def test_cht_41_a_failure_without_error_code_is_400(service_client, chat):
    run = AgentRunFactory(chat=chat, running=True)
    failed = service_client.post(run_url(run, "status/"), {"status": "failed"}, format="json")
    assert "error_code" in assert_error(failed, 400, "validation_error")["fields"]


def test_cht_41_an_owner_may_not_report(owner_client, chat):
    run = AgentRunFactory(chat=chat)
    response = owner_client.post(run_url(run, "status/"), {"status": "running"}, format="json")
    assert_error(response, 403, "permission_denied")


def test_cht_43_the_owner_cancels_idempotently(owner_client, chat):
    run = AgentRunFactory(chat=chat, running=True)
    for _ in range(2):
        response = owner_client.post(run_url(run, "cancel/"))
        assert response.status_code == 200 and response.json()["status"] == "aborting"
    assert AgentRun.objects.get(pk=run.pk).version == 1


def test_another_users_run_is_404(client_for, other_user, chat):
    run = AgentRunFactory(chat=chat)
    stranger = client_for(other_user)
    assert_error(stranger.get(run_url(run)), 404, "not_found")
    assert_error(stranger.post(run_url(run, "cancel/")), 404, "not_found")
    assert AgentRun.objects.get(pk=run.pk).status == RunStatus.PENDING


def test_a_run_of_another_chat_is_404_under_this_one(owner_client, chat, project):
    run = AgentRunFactory(chat=ChatFactory(project=project))
    url = f"{runs_url(chat)}{run.pk}/"
    assert_error(owner_client.get(url), 404, "not_found")


def test_runs_list_newest_first_and_filter_by_status(owner_client, chat):
    done = AgentRunFactory(chat=chat, completed=True)
    running = AgentRunFactory(chat=chat, running=True)
    AgentRunFactory(completed=True)  # another chat's
    assert ids(owner_client.get(runs_url(chat))) == [str(running.pk), str(done.pk)]
    assert ids(owner_client.get(runs_url(chat), {"status": "completed"})) == [str(done.pk)]
    assert_error(owner_client.get(runs_url(chat), {"status": "lost"}), 400, "validation_error")


def test_runs_list_is_a_cursor_without_count(owner_client, chat):
    AgentRunFactory.create_batch(3, chat=chat, completed=True)
    page = owner_client.get(runs_url(chat), {"page_size": 2}).json()
    assert "count" not in page and len(page["results"]) == 2 and page["next"]
    assert len(owner_client.get(page["next"]).json()["results"]) == 1


# Summaries


def summary_body(chat, **extra):
    return {
        "end_message": str(MessageFactory(chat=chat).pk),
        "summary_text": "They agreed on a sticky header.",
        "original_tokens": 1000,
        "summary_tokens": 120,
        "model": "anthropic/claude-haiku",
        **extra,
    }


def test_cht_46_the_runtime_records_and_the_owner_reads_the_latest(
    service_client, owner_client, chat
):
    first = service_client.post(summaries_url(chat), summary_body(chat), format="json")
    assert first.status_code == 201 and first.json()["compression_ratio"] == 0.12
    body = summary_body(chat, parent_summary=first.json()["id"])
    second = service_client.post(summaries_url(chat), body, format="json").json()
    assert ids(owner_client.get(summaries_url(chat))) == [second["id"], first.json()["id"]]
    assert owner_client.get(summaries_url(chat, "latest/")).json()["id"] == second["id"]


def test_cht_46_a_message_of_another_chat_is_400(service_client, chat, project):
    other = ChatFactory(project=project)
    body = summary_body(chat, end_message=str(MessageFactory(chat=other).pk))
    response = service_client.post(summaries_url(chat), body, format="json")
    assert "end_message" in assert_error(response, 400, "validation_error")["fields"]


def test_cht_46_a_second_summary_of_one_end_message_is_409(service_client, chat):
    summary = ChatSummaryFactory(chat=chat)
    body = summary_body(chat, end_message=str(summary.end_message_id))
    assert_error(
        service_client.post(summaries_url(chat), body, format="json"), 409, "already_exists"
    )


def test_cht_46_no_summary_yet_is_404(owner_client, chat):
    assert_error(owner_client.get(summaries_url(chat, "latest/")), 404, "not_found")


def test_cht_46_an_owner_may_not_record_a_summary(owner_client, chat):
    response = owner_client.post(summaries_url(chat), summary_body(chat), format="json")
    assert_error(response, 403, "permission_denied")


# Bookmarks


def test_cht_48_put_and_delete_are_idempotent_204s(owner_client, chat):
    for _ in range(2):
        assert owner_client.put(bookmark_url(chat)).status_code == 204
    assert ChatBookmark.objects.filter(chat=chat).count() == 1
    for _ in range(2):
        assert owner_client.delete(bookmark_url(chat)).status_code == 204
    assert not ChatBookmark.objects.exists()


def test_cht_48_an_unknown_kind_or_anothers_chat_is_404(owner_client, client_for, other_user, chat):
    assert_error(owner_client.put(bookmark_url(chat, "star")), 404, "not_found")
    assert_error(client_for(other_user).put(bookmark_url(chat)), 404, "not_found")


def test_cht_48_the_list_spans_projects_and_flags_archived_chats(owner_client, owner, chat):
    archived = ChatFactory(project__owner=owner, archived=True)
    pin = ChatBookmarkFactory(chat=chat)
    wish = ChatBookmarkFactory(chat=archived, kind="wishlist")
    ChatBookmarkFactory()  # someone else's
    listed = owner_client.get(BOOKMARKS_URL).json()["results"]
    assert [row["id"] for row in listed] == [str(wish.pk), str(pin.pk)]
    assert listed[0]["chat_status"] == "archived" and listed[0]["project"] == str(
        archived.project_id
    )
    assert ids(owner_client.get(BOOKMARKS_URL, {"kind": "pin"})) == [str(pin.pk)]


# Attachments


def test_cht_47_a_posted_message_embeds_its_attachments(owner_client, chat):
    asset = ProjectAssetFactory(project=chat.project)
    body = {"role": "user", "content": "see this", "attachment_ids": [str(asset.pk)]}
    posted = owner_client.post(messages_url(chat), body, format="json")
    assert posted.status_code == 201
    assert posted.json()["attachments"] == [
        {
            "asset": str(asset.pk),
            "filename": asset.filename,
            "mime_type": asset.mime_type,
            "file_size": asset.file_size,
        }
    ]


def test_cht_47_another_projects_asset_is_400(owner_client, chat):
    body = {"role": "user", "content": "x", "attachment_ids": [str(ProjectAssetFactory().pk)]}
    response = owner_client.post(messages_url(chat), body, format="json")
    assert "attachment_ids" in assert_error(response, 400, "validation_error")["fields"]
