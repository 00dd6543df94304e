"""The projects API (docs/spec/API.md §9.2).

Every queryset starts from the caller's own rows: `Project.objects.visible_to(user)`, and for
nested routes the project of the URL looked up the same way, so another user's project, and
everything under it, is a 404 (the Plane lesson in STYLE.md). Actions marked "service" look the
project up among all projects when the caller holds `projects.report_runtime_state`; anyone
else who can see the row gets 403 from the object permission, after that lookup.
"""
