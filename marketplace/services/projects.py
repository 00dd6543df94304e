"""What the marketplace builds in a user's project: containers from a base (MKT-16), a workflow
template's containers and connections (MKT-19), and the project's agents (MKT-30, MKT-31).

Containers and connections are made by the projects services; the marketplace hands them the
`base`, which projects code never looks up because it never imports the marketplace
(DATA_MODEL.md 1.7).
"""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now

from config.exceptions import AlreadyExists, NotFound
from marketplace.errors import AgentNotInLibrary, PurchaseRequired
from marketplace.library import library_add
from marketplace.models import (
    BasePricingType,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    PurchaseType,
    WorkflowTemplate,
)
from marketplace.permissions import user_has_access
from marketplace.validators import definition_base_slugs
from projects.errors import MissingCredential
from projects.models import Container, ContainerType
from projects.services import connection_create, container_create
from projects.services.deployments import deployment_credential_for


def _require_own_project(actor, project):
    """Another user's project is a 404, as if it did not exist."""
    if not actor.is_authenticated or project.owner_id != actor.pk:
        raise NotFound()


def _require_base_usable(actor, base):
    """MKT-16: a paid base needs the caller's access (403); a free one is added on use."""
    if base.pricing_type == BasePricingType.PAID and not user_has_access(actor, base):
        raise PurchaseRequired(f"Buy the base {base.name!r} before using it.")


def _add_free_base(actor, base):
    """MKT-16: a free base the caller cannot use yet joins their library (a new row is a
    download, MKT-10; a removed one is reactivated)."""
    if base.pricing_type == BasePricingType.FREE and not user_has_access(actor, base):
        library_add(user=actor, item=base, purchase_type=PurchaseType.FREE)


def _require_free_names(project, names):
    taken = Container.objects.filter(project=project, name__in=names).values_list("name", flat=True)
    if taken:
        listed = ", ".join(sorted(taken))
        raise AlreadyExists(
            f"This project already has containers named {listed}.",
            fields={"name": [f"Already used in this project: {listed}."]},
        )


def base_use(*, actor, base, project, name, directory=""):
    """MKT-16: a `base` container in one of the caller's projects, primary when it is the
    project's first. 404 for an invisible base or another user's project; 403 for a paid base
    without access; 409 for a name already used in the project."""
    if not MarketplaceBase.objects.visible_to(actor).filter(pk=base.pk).exists():
        raise NotFound()
    _require_own_project(actor, project)
    _require_base_usable(actor, base)
    _require_free_names(project, [name])
    with transaction.atomic():
        _add_free_base(actor, base)
        first = not Container.objects.filter(project=project).exists()
        return container_create(
            actor=actor,
            project=project,
            base=base,
            name=name,
            container_type=ContainerType.BASE,
            directory=directory,
            is_primary=first,
        )


def _template_bases(actor, definition):
    """The bases a definition names, each visible to the caller (404 otherwise, as in MKT-16)."""
    slugs = definition_base_slugs(definition)
    bases = {b.slug: b for b in MarketplaceBase.objects.visible_to(actor).filter(slug__in=slugs)}
    missing = sorted(slugs - set(bases))
    if missing:
        raise NotFound(f"This template uses bases that are not available: {', '.join(missing)}.")
    return bases


def _require_credentials(project, providers):
    """MKT-19: a deployment credential (project-scoped or default) for every provider."""
    missing = [p for p in providers if deployment_credential_for(project, p) is None]
    if missing:
        names = ", ".join(missing)
        raise MissingCredential(
            f"Add a deployment credential for {names} first.",
            fields={"required_credentials": [f"Missing: {names}."]},
        )


def _node_fields(node, bases, primary):
    position = node.get("position", {})
    return {
        "name": node["name"],
        "container_type": node.get("container_type", ContainerType.BASE),
        "service_slug": node.get("service_slug", ""),
        "directory": node.get("directory", ""),
        "internal_port": node.get("internal_port"),
        "position_x": position.get("x", 0),
        "position_y": position.get("y", 0),
        "is_primary": primary,
        "base": bases.get(node.get("base")),
    }


def workflow_apply(*, actor, template, project):
    """MKT-19, in one transaction: the template's containers and connections in the caller's
    project, and one more download of the template.

    Checks in the API's order (§3): 404 (project, bases), 403 (a paid base without access),
    400 (`missing_credential`), 409 (names already used). Free bases join the library as in
    MKT-16. The project's first container becomes primary when it had none.
    """
    if not WorkflowTemplate.objects.listed().filter(pk=template.pk).exists():
        raise NotFound()
    _require_own_project(actor, project)
    definition = template.template_definition
    bases = _template_bases(actor, definition)
    for base in bases.values():
        _require_base_usable(actor, base)
    _require_credentials(project, template.required_credentials)
    _require_free_names(project, [node["name"] for node in definition["nodes"]])
    with transaction.atomic():
        for base in bases.values():
            _add_free_base(actor, base)
        empty = not Container.objects.filter(project=project).exists()
        containers = {}
        for index, node in enumerate(definition["nodes"]):
            fields = _node_fields(node, bases, primary=empty and index == 0)
            containers[node["key"]] = container_create(actor=actor, project=project, **fields)
        # The connections' rules are field rules, which MKT-18 checked when the template was
        # saved.
        connections = [
            connection_create(
                actor=actor,
                project=project,
                source_container=containers[edge["source"]],
                target_container=containers[edge["target"]],
                connector_type=edge.get("connector_type", "env_injection"),
                config=edge.get("config", {}),
            )
            for edge in definition.get("edges", [])
        ]
        WorkflowTemplate.objects.filter(pk=template.pk).update(downloads=F("downloads") + 1)
    return list(containers.values()), connections


# Project agents


def owner_has_agent_access(project, agent):
    """MKT-30: the project owner's library row grants use now (§5.4 `has_access`)."""
    return MarketplaceAgent.objects.accessible_by(project.owner_id).filter(pk=agent.pk).exists()


def project_agent_add(*, actor, project, agent):
    """MKT-30, MKT-31: an agent the owner has access to, once per project."""
    _require_own_project(actor, project)
    if not owner_has_agent_access(project, agent):
        raise AgentNotInLibrary(fields={"agent": [AgentNotInLibrary.message]})
    if ProjectAgent.objects.filter(project=project, agent=agent).exists():
        raise AlreadyExists(fields={"agent": ["This agent is already on the project."]})
    with transaction.atomic():
        return ProjectAgent.objects.create(project=project, agent=agent)


def project_agent_set_enabled(*, actor, project_agent, enabled):
    """MKT-30: switching an agent on needs the owner's access; switching off never does."""
    project = project_agent.project
    _require_own_project(actor, project)
    if enabled and not owner_has_agent_access(project, project_agent.agent):
        raise AgentNotInLibrary(fields={"enabled": [AgentNotInLibrary.message]})
    with transaction.atomic():
        ProjectAgent.objects.filter(pk=project_agent.pk).update(enabled=enabled, updated_at=Now())
    project_agent.enabled = enabled
    return project_agent


def project_agent_remove(*, actor, project_agent):
    _require_own_project(actor, project_agent.project)
    with transaction.atomic():
        project_agent.delete()
