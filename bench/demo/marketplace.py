"""Demo marketplace for the run command (`seed_demo`): platform and user agents, public bases
with real public repositories, a workflow template, installs, reviews and a project agent.

Idempotent: items have fixed slugs (staff may choose slugs, MKT-2) and are looked up before
anything is created; every write goes through the services or `library_add`, which do nothing
the second time (one library row per user and item, one review per user and item).
"""

from accounts.models import User
from bench.demo.accounts import DEMO_ADMIN_EMAIL, demo_users
from marketplace import services
from marketplace.library import library_add
from marketplace.models import (
    AgentReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    PurchaseType,
    Skill,
    WorkflowTemplate,
)
from marketplace.skills import sync_builtin_skills
from projects.models import Project

# slug, creator (demo username or None for the platform), fields, published, featured
DEMO_AGENTS = (
    (
        "code-reviewer",
        None,
        {
            "name": "Code Reviewer",
            "description": "Reviews every diff for bugs, naming and missing tests.",
            "category": "code-review",
            "icon": "🔍",
            "system_prompt": "You are a careful senior reviewer. Point out bugs first.",
            "tools": ["read_file", "search_code"],
            "tool_configs": {"search_code": {"max_results": 20}},
            "model": "claude-sonnet-4",
            "tags": ["review", "quality"],
        },
        True,
        True,
    ),
    (
        "sql-tutor",
        None,
        {
            "name": "SQL Tutor",
            "description": "Explains query plans and rewrites slow SQL step by step.",
            "category": "data",
            "icon": "🗄️",
            "system_prompt": "Teach SQL with small examples; always show the plan.",
            "tools": ["run_query"],
            "tags": ["sql", "postgres"],
            "pricing_type": "one_time",
            "price": 499,
        },
        True,
        False,
    ),
    (
        "release-notes-writer",
        None,
        {
            "name": "Release Notes Writer",
            "description": "Turns merged pull requests into readable release notes.",
            "category": "docs",
            "icon": "📝",
            "tools": ["git_log"],
            "tags": ["docs", "git"],
            "pricing_type": "api",
            "api_pricing_input": "150.0000",
            "api_pricing_output": "600.0000",
        },
        True,
        False,
    ),
    (
        "ada-test-writer",
        "ada",
        {
            "name": "Test Writer",
            "description": "Writes pytest and Vitest tests for the file you have open.",
            "category": "code-review",
            "icon": "🧪",
            "system_prompt": "Write small, named tests; one behaviour per test.",
            "tools": ["read_file", "write_file"],
            "tags": ["testing"],
            "is_forkable": True,
        },
        True,
        False,
    ),
    (
        "ada-docs-assistant",
        "ada",
        {
            "name": "Docs Assistant",
            "description": "Keeps your README and API docs in step with the code.",
            "category": "docs",
            "icon": "📚",
            "tools": ["read_file", "write_file"],
            "tags": ["docs"],
            "pricing_type": "monthly",
            "price": 999,
        },
        False,
        False,
    ),
)

# slug, creator, fields, public
DEMO_BASES = (
    (
        "react-vite",
        None,
        {
            "name": "React + Vite",
            "description": "A React single-page app with Vite, TypeScript and ESLint.",
            "git_repo_url": "https://github.com/vitejs/vite",
            "category": "frontend",
            "tech_stack": ["react", "typescript", "vite"],
            "tags": ["spa"],
            "icon": "⚛️",
        },
        True,
    ),
    (
        "fastapi",
        None,
        {
            "name": "FastAPI",
            "description": "A Python API with FastAPI, Pydantic and pytest.",
            "git_repo_url": "https://github.com/fastapi/fastapi",
            "default_branch": "master",
            "category": "backend",
            "tech_stack": ["python", "fastapi"],
            "tags": ["api"],
            "icon": "🐍",
        },
        True,
    ),
    (
        "nextjs-commerce",
        None,
        {
            "name": "Next.js Commerce",
            "description": "A storefront with Next.js, server components and a cart.",
            "git_repo_url": "https://github.com/vercel/commerce",
            "category": "fullstack",
            "tech_stack": ["nextjs", "react", "typescript"],
            "tags": ["shop"],
            "icon": "🛒",
            "pricing_type": "paid",
            "price": 1500,
        },
        True,
    ),
    (
        "grace-flask-starter",
        "grace",
        {
            "name": "Flask starter",
            "description": "Grace's own Flask skeleton with SQLAlchemy.",
            "git_repo_url": "https://github.com/pallets/flask",
            "category": "backend",
            "tech_stack": ["python", "flask"],
        },
        False,
    ),
)

DEMO_WORKFLOW = {
    "slug": "react-fastapi-postgres",
    "name": "React + FastAPI + Postgres",
    "description": "A web front end, an API and a database, wired together.",
    "category": "fullstack",
    "tags": ["starter"],
    "template_definition": {
        "nodes": [
            {
                "key": "web",
                "name": "frontend",
                "container_type": "base",
                "base": "react-vite",
                "directory": "frontend",
                "internal_port": 5173,
                "position": {"x": 0, "y": 0},
            },
            {
                "key": "api",
                "name": "api",
                "container_type": "base",
                "base": "fastapi",
                "directory": "api",
                "internal_port": 8000,
                "position": {"x": 320, "y": 0},
            },
            {
                "key": "db",
                "name": "database",
                "container_type": "service",
                "service_slug": "postgres",
                "position": {"x": 640, "y": 0},
            },
        ],
        "edges": [
            {"source": "web", "target": "api", "connector_type": "http_api"},
            {"source": "api", "target": "db", "connector_type": "database"},
        ],
    },
}

# Free installs (user, agent slug) and reviews (user, agent slug, rating, comment).
DEMO_INSTALLS = (
    ("grace", "code-reviewer"),
    ("grace", "ada-test-writer"),
    ("linus", "code-reviewer"),
    ("linus", "ada-test-writer"),
    ("ada", "code-reviewer"),
)
DEMO_REVIEWS = (
    ("grace", "code-reviewer", 5, "Caught two real bugs on its first run."),
    ("linus", "code-reviewer", 4, "Useful; a little chatty about naming."),
    ("grace", "ada-test-writer", 4, "Good tests, sometimes too many fixtures."),
)


def _agent(admin, users, slug, creator, fields, published, featured):
    agent = MarketplaceAgent.objects.filter(slug=slug).first()
    if agent is None:
        owner = users[creator] if creator else None
        agent = services.agent_create(actor=owner or admin, creator=owner, slug=slug, **fields)
    if published:
        services.agent_publish(actor=admin, agent=agent)
    services.item_set_featured(actor=admin, item=agent, featured=featured)
    return agent


def _base(admin, users, slug, creator, fields, public):
    base = MarketplaceBase.objects.filter(slug=slug).first()
    if base is None:
        owner = users[creator] if creator else None
        visibility = "public" if public else "private"
        base = services.base_submit(
            actor=owner or admin, creator=owner, slug=slug, visibility=visibility, **fields
        )
    return base


def _workflow(admin):
    template = WorkflowTemplate.objects.filter(slug=DEMO_WORKFLOW["slug"]).first()
    if template is None:
        template = WorkflowTemplate(**DEMO_WORKFLOW)
        template.full_clean()  # MKT-18, as the admin form checks it
        template.save()
    services.workflow_set_published(actor=admin, template=template, published=True)
    services.item_set_featured(actor=admin, item=template, featured=True)
    return template


def _reviews(users, agents):
    for username, slug, rating, comment in DEMO_REVIEWS:
        agent, user = agents[slug], users[username]
        if not AgentReview.objects.filter(agent=agent, user=user).exists():
            services.review_create(actor=user, item=agent, rating=rating, comment=comment)


def _project_agent(users, agents):
    """Ada's first project runs the Code Reviewer."""
    project = Project.objects.filter(owner=users["ada"]).order_by("created_at").first()
    agent = agents["code-reviewer"]
    if (
        project is not None
        and not ProjectAgent.objects.filter(project=project, agent=agent).exists()
    ):
        services.project_agent_add(actor=users["ada"], project=project, agent=agent)


def seed(stdout):
    users = {user.username: user for user in demo_users()}
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None or len(users) < 3:
        stdout.write("Marketplace demo skipped: the demo users are missing.")
        return
    agents = {row[0]: _agent(admin, users, *row) for row in DEMO_AGENTS}
    for row in DEMO_BASES:
        _base(admin, users, *row)
    _workflow(admin)
    for username, slug in DEMO_INSTALLS:
        library_add(user=users[username], item=agents[slug], purchase_type=PurchaseType.FREE)
    _reviews(users, agents)
    _project_agent(users, agents)
    _skills(users)
    stdout.write(
        f"Demo marketplace holds {MarketplaceAgent.objects.count()} agents, "
        f"{MarketplaceBase.objects.count()} bases, {WorkflowTemplate.objects.count()} workflow(s)."
    )


def _skills(users):
    """The built-ins as a release would sync them (MKT-63), and one of Ada's own."""
    sync_builtin_skills()
    if not Skill.objects.filter(owner=users["ada"], name="recipe-style").exists():
        services.skill_create(
            actor=users["ada"],
            name="recipe-style",
            description="Write recipes the Recipe Box way.",
            content="# Recipe style\n\nIngredients first, in grams; steps numbered.\n",
            allowed_tools=["read_file", "write_file"],
        )
