"""URLs of the chat API and the assertions shared by the chat tests."""

API = "/api/v1/projects"


def chats_url(project):
    return f"{API}/{project.pk}/chats/"


def chat_url(chat, suffix=""):
    return f"{API}/{chat.project_id}/chats/{chat.pk}/{suffix}"


def messages_url(chat):
    return chat_url(chat, "messages/")


def command_logs_url(project):
    return f"{API}/{project.pk}/command-logs/"


def command_log_url(log):
    return f"{API}/{log.project_id}/command-logs/{log.pk}/"


def sessions_url(project):
    return f"{API}/{project.pk}/shell-sessions/"


def session_url(session, suffix=""):
    return f"{API}/{session.project_id}/shell-sessions/{session.pk}/{suffix}"


def snapshot(model):
    """Every row of `model` as plain values, to show a refused request changed nothing."""
    return sorted(model.objects.values_list(), key=str)


def runs_url(chat):
    return chat_url(chat, "runs/")


def run_url(run, suffix=""):
    return f"{API}/{run.chat.project_id}/chats/{run.chat_id}/runs/{run.pk}/{suffix}"


def summaries_url(chat, suffix=""):
    return chat_url(chat, f"summaries/{suffix}")


def bookmark_url(chat, kind="pin"):
    return chat_url(chat, f"bookmarks/{kind}/")


BOOKMARKS_URL = "/api/v1/chats/bookmarks/"
