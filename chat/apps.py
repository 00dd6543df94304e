from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self):
        from chat.receivers import close_sessions_of_stopping_project
        from projects.signals import environment_status_changed

        environment_status_changed.connect(
            close_sessions_of_stopping_project,
            dispatch_uid="chat.close_sessions_of_stopping_project",
        )
