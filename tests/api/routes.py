"""The API's routes as the resolver serves them, for the tests that must cover every one."""

from django.urls import URLPattern, URLResolver, get_resolver


def served(prefix="api/v1/"):
    """(full route, URL pattern, view class, methods) of every routed view under `prefix`,
    methods in lower case with HEAD and OPTIONS aside. The catch-all that answers unrouted
    paths with 404 has no view class and is left out."""
    found = []

    def walk(patterns, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and route.startswith(prefix):
                callback = pattern.callback
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                if view is None:
                    continue
                methods = getattr(callback, "actions", None) or [
                    m for m in view.http_method_names if hasattr(view, m)
                ]
                methods = [m for m in methods if m not in ("head", "options")]
                found.append((route + str(pattern.pattern), pattern, view, methods))

    walk(get_resolver().url_patterns, "")
    return found
