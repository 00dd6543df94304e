"""Benchmark projects: five per user on average (skewed), three containers and two
connections each."""

from django.db import connection

from projects.models import Container

NAMES = ("frontend", "backend", "database")


def seed(seeder):
    sizes = seeder.sizes
    seeder.run(
        "projects",
        """
        INSERT INTO projects_project (
            id, created_at, updated_at, name, slug, description, has_git_repo, git_remote_url,
            architecture_diagram, settings, network_name, environment_status,
            environment_status_changed_at, last_activity, hibernated_at, s3_archive_size_bytes,
            owner_id)
        SELECT gen_random_uuid(), now() - (n %% 365) * interval '1 day', now(),
               'Bench project ' || n, 'bench-project-' || n, 'A seeded project.', false, '',
               '', '{}'::jsonb, 'bench-net-' || n, 'active', now(), now(), NULL, NULL, u.id
        FROM generate_series(1, %(projects)s) AS n
        JOIN (SELECT id, row_number() OVER (ORDER BY email) AS rank FROM accounts_user
              WHERE email LIKE 'bench%%') AS u
          ON u.rank = 1 + ((n::bigint * n) %% %(users)s)
        """,
        {"projects": sizes.projects, "users": sizes.users},
    )
    empty_secrets = Container._meta.get_field("encrypted_secrets").get_db_prep_value({}, connection)
    seeder.run(
        "containers",
        """
        INSERT INTO projects_container (
            id, created_at, updated_at, project_id, name, directory, container_name, port,
            internal_port, environment_vars, encrypted_secrets, container_type, service_slug,
            deployment_mode, external_endpoint, status, is_primary, position_x, position_y,
            base_id)
        SELECT gen_random_uuid(), p.created_at, now(), p.id, names.name, '',
               'bench-' || replace(p.id::text, '-', '') || '-' || names.k, 3000 + names.k,
               NULL, '{"NODE_ENV": "production"}'::jsonb, %(secrets)s,
               CASE WHEN names.k = 3 THEN 'service' ELSE 'base' END,
               CASE WHEN names.k = 3 THEN 'postgres' ELSE '' END,
               'container', '', 'running', names.k = 1, names.k * 240, 0, NULL
        FROM projects_project p
        CROSS JOIN (VALUES (1, 'frontend'), (2, 'backend'), (3, 'database')) AS names(k, name)
        WHERE p.slug LIKE 'bench-project-%%'
        """,
        {"secrets": empty_secrets},
    )
    seeder.run(
        "connections",
        """
        INSERT INTO projects_containerconnection (
            id, created_at, updated_at, project_id, source_container_id, target_container_id,
            connector_type, config, label)
        SELECT gen_random_uuid(), now(), now(), s.project_id, s.id, t.id,
               CASE WHEN t.name = 'database' THEN 'database' ELSE 'http_api' END, '{}'::jsonb, ''
        FROM projects_container s
        JOIN projects_container t ON t.project_id = s.project_id
         AND (s.name, t.name) IN (('frontend', 'backend'), ('backend', 'database'))
        WHERE s.container_name LIKE 'bench-%%'
        """,
    )
