"""The admins that compose several apps, built and registered here, once.

An app's admin uses only the apps below it, so where a page of a lower app carries a part from
a higher one, the two meet here: no app unregisters or patches another app's admin, and no
registration depends on the order the apps' admin modules are imported in.

- User: accounts' UserAdmin with billing's money actions and links;
- Project: projects' ProjectAdmin with the marketplace's project agents inline;
- Chat: chat's ChatAdmin with billing's cost total (BIL-70);
- the audit history's Events list (backoffice/history.py). pghistory's own admin app is not
  installed: it shows every model's events to whoever opens it.
"""

from django.contrib import admin
from pghistory.models import Events

from accounts.admin import UserAdmin as AccountsUserAdmin
from accounts.models import User
from backoffice.history import EventsAdmin
from billing.admin.chats import BillingChatAdminMixin
from billing.admin.users import BillingUserAdminMixin
from chat.admin import ChatAdmin as ChatsChatAdmin
from chat.models import Chat
from marketplace.admin import ProjectAgentInline
from projects.admin.projects import ProjectAdmin as ProjectsProjectAdmin
from projects.models import Project


@admin.register(User)
class UserAdmin(BillingUserAdminMixin, AccountsUserAdmin):
    actions = (*AccountsUserAdmin.actions, *BillingUserAdminMixin.money_actions)


@admin.register(Project)
class ProjectAdmin(ProjectsProjectAdmin):
    inlines = (*ProjectsProjectAdmin.inlines, ProjectAgentInline)


@admin.register(Chat)
class ChatAdmin(BillingChatAdminMixin, ChatsChatAdmin):
    pass


admin.site.register(Events, EventsAdmin)
