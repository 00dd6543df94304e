"""The model price catalogue's starting rows (BIL-72): the prices that were the settings
constant `MODEL_PRICES`, so usage cost the same across the deploy, plus Claude Opus 4, which
that constant left at the default price, below Sonnet. The data migration, the demo and the
tests start from these; staff keep the catalogue from there (BIL-75)."""

from decimal import Decimal

# (provider, model id, display name, input, output), cents per 1M tokens.
STARTER_PRICES = [
    ("anthropic", "claude-opus-4", "Claude Opus 4", "1500", "7500"),
    ("anthropic", "claude-sonnet-4", "Claude Sonnet 4", "300", "1500"),
    ("anthropic", "claude-haiku-4", "Claude Haiku 4", "80", "400"),
    ("openai", "gpt-5", "GPT-5", "125", "1000"),
    ("openai", "gpt-5-mini", "GPT-5 mini", "25", "200"),
    ("google", "gemini-2.5-pro", "Gemini 2.5 Pro", "125", "1000"),
    ("deepseek", "deepseek-chat", "DeepSeek Chat", "27", "110"),
]
STARTER_DEFAULT = ("anthropic", "claude-sonnet-4")


def seed_catalogue(model_price):
    """Adds the starting rows the catalogue lacks; a row staff already edited is left as it
    is, and the default is set only when there is none. `model_price` is the model class (a
    migration passes its historical one)."""
    has_default = model_price.objects.filter(is_default=True).exists()
    for provider, model_id, display_name, price_in, price_out in STARTER_PRICES:
        model_price.objects.get_or_create(
            provider=provider,
            model_id=model_id,
            defaults={
                "display_name": display_name,
                "input_price": Decimal(price_in),
                "output_price": Decimal(price_out),
                "is_default": not has_default and (provider, model_id) == STARTER_DEFAULT,
            },
        )
