"""What a serializer's output looks like once the API has rendered it: for the lean read paths
(`config.api.rows_as`, kanban's board, the project detail), whose JSON must be the
serializer's exactly."""

import json

from config.renderers import ORJSONRenderer


def served(data):
    """`data` written by the API's renderer and read back."""
    return json.loads(ORJSONRenderer().render(data))
