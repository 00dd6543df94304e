from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Development tooling above the seven apps: the benchmark, the large data set it runs on
    and the demo data of the run command. Installed by the development and test settings only,
    so production has neither the commands nor the demo's known admin login."""

    name = "bench"
    verbose_name = "Benchmark and demo data"
