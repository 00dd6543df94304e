"""Project domains: the owner's claim and release, the runtime's DNS and TLS reports
(PRJ-101 to PRJ-104)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import DomainError, require
from projects import conf
from projects.errors import SubdomainTaken
from projects.models import DomainStatus, ProjectDomain
from projects.permissions import (
    RELEASE_DOMAIN,
    user_can_report_runtime_state,
    user_can_work_on,
)
from projects.services.locks import lock_project


def full_domain_for(subdomain):
    return f"{subdomain}.{conf.get('PROJECT_DOMAIN_ROOT')}"


def domain_claim(*, actor, project, subdomain):
    """PRJ-101, PRJ-102: gives the project `subdomain`, or moves its domain there; answers
    (domain, created). Reserved labels are refused (400). A label another project holds is 409
    `already_exists`: the check answers the common case, and two claims racing past it meet
    the unique constraint, which answers the same. A move starts DNS and TLS over."""
    require(user_can_work_on(actor, project, "projects.change_projectdomain"))
    if subdomain in conf.get("PROJECT_RESERVED_SUBDOMAINS"):
        raise DomainError(fields={"subdomain": ["This subdomain is reserved."]})
    if ProjectDomain.objects.filter(subdomain=subdomain).exclude(project=project).exists():
        raise SubdomainTaken()
    with transaction.atomic():
        lock_project(project.pk)
        domain = ProjectDomain.objects.filter(project=project).first()
        if domain is not None and domain.subdomain == subdomain:
            return domain, False
        created = domain is None
        domain = domain or ProjectDomain(project=project)
        domain.subdomain = subdomain
        domain.full_domain = full_domain_for(subdomain)
        domain.dns_status = domain.ssl_status = DomainStatus.PENDING
        domain.provider_record_id = ""
        domain.claimed_by = actor
        domain.claimed_at = timezone.now()
        try:
            with transaction.atomic():
                domain.save()
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            error = DomainError.by_constraint.get(getattr(diag, "constraint_name", None))
            if error is not None and issubclass(error, SubdomainTaken):
                raise SubdomainTaken() from None
            raise
    return domain, created


def domain_release(*, actor, domain):
    """PRJ-103: the owner, or staff holding `release_domain` (an abuse takedown), frees the
    subdomain for anyone to claim. Answers whether it was still held."""
    require(user_can_work_on(actor, domain.project, RELEASE_DOMAIN))
    with transaction.atomic():
        deleted, _ = ProjectDomain.objects.filter(pk=domain.pk).delete()
    return bool(deleted)


def domain_report_status(
    *, actor, domain, dns_status=None, ssl_status=None, provider_record_id=None, deployment=None
):
    """PRJ-104: the runtime's report of the DNS record and the certificate. With no actor the
    report is the platform's own (the demo data)."""
    require(actor is None or user_can_report_runtime_state(actor))
    if deployment is not None and deployment.project_id != domain.project_id:
        raise DomainError(fields={"deployment": ["Choose a deployment of this project."]})
    changes = {
        "dns_status": dns_status,
        "ssl_status": ssl_status,
        "provider_record_id": provider_record_id,
        "deployment": deployment,
    }
    changes = {field: value for field, value in changes.items() if value is not None}
    with transaction.atomic():
        for field, value in changes.items():
            setattr(domain, field, value)
        domain.save(update_fields=[*changes, "updated_at"])
    return domain
