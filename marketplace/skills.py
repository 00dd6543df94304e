"""The built-in skills shipped with the platform (MKT-63): one `SKILL.md` per folder of
`marketplace/builtin_skills/`, its front matter naming the skill."""

from pathlib import Path

from django.db import transaction

from marketplace.models import Skill, SkillSource

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin_skills"
FRONT_MATTER = "---"


def parse_skill(text):
    """(front matter as a dict, body) of a SKILL.md; `allowed-tools` is a comma list."""
    _, header, body = text.split(FRONT_MATTER + "\n", 2)
    meta = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    tools = [tool.strip() for tool in meta.get("allowed-tools", "").split(",") if tool.strip()]
    return meta, body.lstrip("\n"), tools


def shipped_skills(directory=BUILTIN_DIR):
    """The built-ins in the repository, as Skill field values by name."""
    skills = {}
    for path in sorted(directory.glob("*/SKILL.md")):
        meta, _, tools = parse_skill(path.read_text())
        skills[meta["name"]] = {
            "description": meta.get("description", ""),
            "license": meta.get("license", ""),
            "compatibility": meta.get("compatibility", ""),
            "allowed_tools": tools,
            "content": path.read_text(),
            "source": SkillSource.BUILTIN,
            "is_enabled": True,
        }
    return skills


def sync_builtin_skills(directory=BUILTIN_DIR):
    """Creates or updates each shipped built-in and disables the ones no longer shipped (a
    retired built-in may still be in use, so it stays). Answers (created, updated, unchanged,
    retired)."""
    shipped = shipped_skills(directory)
    created = updated = unchanged = 0
    with transaction.atomic():
        current = {skill.name: skill for skill in Skill.objects.filter(owner__isnull=True)}
        for name, values in shipped.items():
            skill = current.get(name)
            if skill is not None and all(getattr(skill, k) == v for k, v in values.items()):
                unchanged += 1
                continue
            _, made = Skill.objects.update_or_create(owner=None, name=name, defaults=values)
            created += made
            updated += not made
        retired = (
            Skill.objects.filter(owner__isnull=True, is_enabled=True)
            .exclude(name__in=shipped)
            .update(is_enabled=False)
        )
    return created, updated, unchanged, retired
