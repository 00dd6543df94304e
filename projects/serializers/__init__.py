"""Request and response shapes of the projects API (docs/spec/API.md §9.2).

Responses use the read serializers (`<Model>Serializer`); requests use the write ones, each
with an explicit field list. Related objects in a request are looked up only among the
caller's own rows (the project in the view's context, or the caller's projects), so another
user's id is "does not exist", exactly like a missing one (PRJ-30, PRJ-35, PRJ-70, PRJ-80).

Uniqueness is checked in `validate()`, after every field rule, so bad input is a 400 before a
clash is a 409 (docs/spec/API.md §3); the database constraint answers a race the check missed.
"""
