"""Skills: users' own SKILL.md documents beside the platform's built-ins (MKT-60 to MKT-63)."""

from django.db import transaction

from config.exceptions import DomainError, require
from marketplace.errors import SkillExists
from marketplace.models import Skill, SkillSource
from marketplace.permissions import user_can_switch_skill, user_owns_skill

USER_SOURCES = (SkillSource.GITHUB, SkillSource.CUSTOM)


def skill_create(*, actor, name, content, source=SkillSource.CUSTOM, **fields):
    """MKT-60, MKT-61: the caller's own skill; a name they already use is 409 `already_exists`
    (the check, or in a race the unique constraint). Built-ins come only from
    `sync_builtin_skills`."""
    require(actor.is_authenticated)
    if source not in USER_SOURCES:
        raise DomainError(fields={"source": ["Built-in skills come with the platform."]})
    if Skill.objects.filter(owner=actor, name=name).exists():
        raise SkillExists()
    with transaction.atomic():
        return Skill.objects.create(
            owner=actor, name=name, content=content, source=source, **fields
        )


def skill_update(*, actor, skill, **changes):
    """MKT-62: the owner edits their skill; a built-in is read-only in the API (403)."""
    require(user_owns_skill(actor, skill))
    renamed = changes.get("name", skill.name) != skill.name
    if renamed and Skill.objects.filter(owner=actor, name=changes["name"]).exists():
        raise SkillExists()
    for field, value in changes.items():
        setattr(skill, field, value)
    with transaction.atomic():
        skill.save()
    return skill


def skill_delete(*, actor, skill):
    require(user_owns_skill(actor, skill))
    with transaction.atomic():
        skill.delete()


def skill_set_enabled(*, actor, skill, enabled):
    """MKT-62: a curator switches a skill on or off (admin); answers whether it changed."""
    require(user_owns_skill(actor, skill) or user_can_switch_skill(actor))
    with transaction.atomic():
        changed = (
            Skill.objects.filter(pk=skill.pk).exclude(is_enabled=enabled).update(is_enabled=enabled)
        )
    return bool(changed)
