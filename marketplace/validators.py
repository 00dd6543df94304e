"""Field rules of the marketplace (DATA_MODEL.md §5), shared by serializers, model `clean()` and
admin forms. Each returns or raises messages by dotted path, so the API can name the element.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from projects.models import ConnectorType, ContainerType, CredentialProvider
from projects.validators import (
    CONTAINER_NAME_RE,
    connection_config_errors,
    validate_relative_path,
)

DEFINITION_MAX_BYTES = 256 * 1024
DESCRIPTION_MAX_CHARS = 2_000
LONG_DESCRIPTION_MAX_CHARS = 50_000
SYSTEM_PROMPT_MAX_CHARS = 100_000
REVIEW_COMMENT_MAX_CHARS = 5_000
# R9 tests splits over 1…10^7 cents; a larger price is a typo, and the column is a 32-bit int.
PRICE_MAX_CENTS = 10_000_000

TAGS = {"max_items": 20, "max_length": 50}
TOOLS = {"max_items": 100, "max_length": 100}
TECH_STACK = {"max_items": 30, "max_length": 50}

SLUG_FORM_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
validate_category_slug = RegexValidator(
    SLUG_FORM_RE, "Use lower-case letters, digits and inner hyphens (e.g. `code-review`)."
)

MAX_NODES = 20
NODE_KEYS = {
    "key",
    "name",
    "container_type",
    "base",
    "service_slug",
    "directory",
    "internal_port",
    "position",
}
EDGE_KEYS = {"source", "target", "connector_type", "config"}
_CONTAINER_NAME = re.compile(CONTAINER_NAME_RE)


def string_list_errors(value, *, max_items, max_length):
    """A JSON list of non-blank strings; errors by index ("" for the list itself)."""
    if not isinstance(value, list):
        return {"": ["Enter a list of strings."]}
    if len(value) > max_items:
        return {"": [f"Use at most {max_items} items."]}
    errors = {}
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            errors[str(index)] = ["Enter a non-blank string."]
        elif len(item) > max_length:
            errors[str(index)] = [f"Ensure this has at most {max_length} characters."]
    return errors


def normalize_tags(tags):
    """Tags are stored trimmed, lower-cased and without repeats, so search matches them exactly."""
    seen = {}
    for tag in tags:
        seen.setdefault(tag.strip().lower(), None)
    return list(seen)


def tool_configs_errors(tool_configs, tools):
    """Per-tool overrides: an object keyed by names listed in `tools`, each value an object."""
    if not isinstance(tool_configs, dict):
        return {"": ["Enter a JSON object keyed by tool name."]}
    errors = {}
    for name, config in tool_configs.items():
        if name not in tools:
            errors[name] = ["Configure only tools listed in `tools`."]
        elif not isinstance(config, dict):
            errors[name] = ["Enter a JSON object."]
    return errors


def required_credentials_errors(value):
    if not isinstance(value, list):
        return ["Enter a list of providers."]
    unknown = [item for item in value if item not in CredentialProvider.values]
    if unknown:
        return [f"Unknown providers: {', '.join(map(str, unknown))}."]
    if len(set(value)) != len(value):
        return ["List each provider once."]
    return []


def _node_errors(node, index, seen_keys, seen_names):
    where = f"nodes.{index}"
    if not isinstance(node, dict):
        return [f"{where}: enter an object."]
    errors = [f"{where}: unknown key {key!r}." for key in sorted(set(node) - NODE_KEYS)]
    key, name = node.get("key"), node.get("name")
    if not isinstance(key, str) or not key or len(key) > 63:
        errors.append(f"{where}.key: enter a key of at most 63 characters.")
    elif key in seen_keys:
        errors.append(f"{where}.key: {key!r} is used twice.")
    else:
        seen_keys.add(key)
    if not isinstance(name, str) or len(name) > 63 or not _CONTAINER_NAME.match(name):
        errors.append(f"{where}.name: lower-case letters, digits and inner hyphens (≤ 63).")
    elif name in seen_names:
        errors.append(f"{where}.name: {name!r} is used twice.")
    else:
        seen_names.add(name)
    container_type = node.get("container_type", ContainerType.BASE)
    if not isinstance(container_type, str) or container_type not in ContainerType.values:
        errors.append(f"{where}.container_type: use one of {', '.join(ContainerType.values)}.")
    service_slug = node.get("service_slug", "")
    if not isinstance(service_slug, str) or len(service_slug) > 50:
        errors.append(f"{where}.service_slug: a string of at most 50 characters.")
    elif container_type == ContainerType.SERVICE and not service_slug:
        errors.append(f"{where}.service_slug: a service node needs its service_slug.")
    if "base" in node and (not isinstance(node["base"], str) or not node["base"]):
        errors.append(f"{where}.base: enter a base slug.")
    errors += _node_placement_errors(node, where)
    return errors


def _node_placement_errors(node, where):
    errors = []
    if "directory" in node:
        try:
            if not isinstance(node["directory"], str) or len(node["directory"]) > 255:
                raise ValidationError("a relative path of at most 255 characters.")
            validate_relative_path(node["directory"])
        except ValidationError as error:
            errors.append(f"{where}.directory: {error.messages[0]}")
    port = node.get("internal_port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
        errors.append(f"{where}.internal_port: enter a whole number.")
    elif port is not None and not 1 <= port <= 65535:
        errors.append(f"{where}.internal_port: use 1 to 65535.")
    position = node.get("position", {})
    numbers = (int, float)
    if not (
        isinstance(position, dict)
        and set(position) <= {"x", "y"}
        and all(isinstance(v, numbers) and not isinstance(v, bool) for v in position.values())
    ):
        errors.append(f"{where}.position: enter {{x, y}} numbers.")
    return errors


def _edge_errors(edge, index, keys, seen_edges):
    where = f"edges.{index}"
    if not isinstance(edge, dict):
        return [f"{where}: enter an object."]
    errors = [f"{where}: unknown key {key!r}." for key in sorted(set(edge) - EDGE_KEYS)]
    source, target = edge.get("source"), edge.get("target")
    for end, value in (("source", source), ("target", target)):
        if not isinstance(value, str) or value not in keys:
            errors.append(f"{where}.{end}: {value!r} is not a node key.")
    if source == target:
        errors.append(f"{where}: an edge cannot join a node to itself.")
    connector_type = edge.get("connector_type", ConnectorType.ENV_INJECTION)
    if not isinstance(connector_type, str) or connector_type not in ConnectorType.values:
        errors.append(f"{where}.connector_type: use one of {', '.join(ConnectorType.values)}.")
    else:
        config_errors = connection_config_errors(connector_type, edge.get("config", {}))
        errors += [f"{where}.{path}: {messages[0]}" for path, messages in config_errors.items()]
    if errors:
        return errors
    if (source, target, connector_type) in seen_edges:
        return [f"{where}: this edge is listed twice."]
    seen_edges.add((source, target, connector_type))
    return errors


def definition_errors(definition):
    """MKT-18: the shape of a workflow template's definition, as a list of messages.

    Whether each `base` slug exists is the model's `clean()` (it needs the database).
    """
    if not isinstance(definition, dict):
        return ["Enter a JSON object with `nodes` and `edges`."]
    unknown = sorted(set(definition) - {"nodes", "edges"})
    if unknown:
        return [f"Unknown keys: {', '.join(unknown)}."]
    nodes, edges = definition.get("nodes"), definition.get("edges", [])
    if not isinstance(nodes, list) or not 1 <= len(nodes) <= MAX_NODES:
        return [f"`nodes` is a list of 1 to {MAX_NODES} nodes."]
    if not isinstance(edges, list):
        return ["`edges` is a list."]
    errors, keys, names, seen_edges = [], set(), set(), set()
    for index, node in enumerate(nodes):
        errors += _node_errors(node, index, keys, names)
    for index, edge in enumerate(edges):
        errors += _edge_errors(edge, index, keys, seen_edges)
    return errors


def definition_base_slugs(definition):
    return {node["base"] for node in definition["nodes"] if node.get("base")}


def _text_errors(values, field, *, max_length, required=False):
    value = values.get(field, "")
    if required and not value.strip():
        return {field: ["This field may not be blank."]}
    if len(value) > max_length:
        return {field: [f"Ensure this field has no more than {max_length} characters."]}
    return {}


def _list_errors(values, field, rule):
    errors = string_list_errors(values.get(field, []), **rule)
    return {f"{field}.{path}" if path else field: messages for path, messages in errors.items()}


def _price_errors(values, one_off_types):
    """`price` matches `pricing_type` (the `…_price_matches_type` constraints), in cents."""
    price, pricing_type = values.get("price", 0), values.get("pricing_type")
    if not isinstance(price, int) or isinstance(price, bool):
        return {}  # the field's own type check answers
    if price > PRICE_MAX_CENTS:
        return {"price": [f"Ensure this value is at most {PRICE_MAX_CENTS} cents."]}
    if pricing_type in one_off_types and price <= 0:
        return {"price": [f"A {pricing_type} item needs a price above 0 cents."]}
    if pricing_type not in one_off_types and price != 0:
        return {"price": [f"A {pricing_type} item has price 0."]}
    return {}


def agent_errors(values):
    """The rules of one agent's own fields (§5.1), by dotted path: the API's serializer and the
    model's `clean()` (admin) both ask this."""
    errors = {
        **_text_errors(values, "description", max_length=DESCRIPTION_MAX_CHARS, required=True),
        **_text_errors(values, "long_description", max_length=LONG_DESCRIPTION_MAX_CHARS),
        **_text_errors(values, "system_prompt", max_length=SYSTEM_PROMPT_MAX_CHARS),
        **_list_errors(values, "tags", TAGS),
        **_list_errors(values, "tools", TOOLS),
        **_price_errors(values, one_off_types=("monthly", "one_time")),
    }
    tools = values.get("tools", [])
    tools = tools if isinstance(tools, list) else []
    config_errors = tool_configs_errors(values.get("tool_configs", {}), tools)
    errors.update(
        {f"tool_configs.{p}" if p else "tool_configs": m for p, m in config_errors.items()}
    )
    try:
        if values.get("category"):
            validate_category_slug(values["category"])
    except ValidationError as error:
        errors["category"] = error.messages
    return errors


def base_errors(values):
    """The rules of one base's own fields (§5.2), as `agent_errors`. The repository URL's
    https and host rules are the field's validator; this adds "no query or fragment"."""
    errors = {
        **_text_errors(values, "description", max_length=DESCRIPTION_MAX_CHARS, required=True),
        **_text_errors(values, "long_description", max_length=LONG_DESCRIPTION_MAX_CHARS),
        **_list_errors(values, "tags", TAGS),
        **_list_errors(values, "tech_stack", TECH_STACK),
        **_price_errors(values, one_off_types=("paid",)),
    }
    url = values.get("git_repo_url", "")
    if url.endswith(("?", "#")) or urlsplit(url).query or urlsplit(url).fragment:
        errors["git_repo_url"] = ["The URL may not carry a query or fragment."]
    return errors


def as_model_errors(errors):
    """Dotted paths folded into their model field, for `Model.clean()` and admin forms."""
    folded = {}
    for path, messages in errors.items():
        field, _, rest = path.partition(".")
        folded.setdefault(field, []).extend(f"{rest}: {m}" if rest else m for m in messages)
    return folded


# A git branch name as people write them: no spaces, no leading `-` or `/`, no `..`.
validate_branch_name = RegexValidator(
    r"^(?![-/])(?!.*\.\.)[A-Za-z0-9._/-]+$",
    "Enter a branch name (letters, digits, `.`, `_`, `-` and `/`).",
)
