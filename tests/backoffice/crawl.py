"""Walks the admin the way a staff member clicks through it: every link on every page they can
open, each kind of page once."""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

# /admin/<app>/<model>/<object id>/…: the segments after a model that are not an object.
MODEL_PAGES = {"add", "export", "autocomplete"}
# Links that end the session or leave the back office.
NOT_FOLLOWED = ("/admin/logout/", "/admin/jsi18n/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html, base):
    parser = Links()
    parser.feed(html)
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.path.startswith("/admin/") and not parts.path.startswith(NOT_FOLLOWED):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


# Query parameters that change what a page shows beyond filtering its rows.
TELLING_PARAMETERS = {"_facets", "obj", "_popup", "_to_field"}


def kind(url):
    """A page's kind: its path with ids blanked, whether it is filtered, and the parameters
    that make it another page (`TELLING_PARAMETERS`): each changelist, filtered changelist,
    change page or history page is opened once, not once per row or filter."""
    parts = urlsplit(url)
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    names = sorted(names & TELLING_PARAMETERS) + (["filtered"] if names else [])
    segments = parts.path.split("/")
    if len(segments) > 5 and segments[4] not in MODEL_PAGES:
        segments[4] = "<id>"
    return "/".join(segments), tuple(names)


def crawl(client, start="/admin/"):
    """{url: (status, the page it was linked from)} for every kind of page reachable."""
    seen = {kind(start)}
    queue = [(start, None)]
    found = {}
    while queue:
        url, source = queue.pop(0)
        response = client.get(url)
        found[url] = (response.status_code, source)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in links(response.content.decode(), url):
            if kind(link) not in seen:
                seen.add(kind(link))
                queue.append((link, url))
    return found
