from django.apps import AppConfig


class ThrowawayConfig(AppConfig):
    """Installed by the test settings only. It has no models: its flow runs over the engine's
    own `ScopedProcess`, so the engine must carry a flow with nothing but its declarations."""

    name = "tests.workflows.throwaway"
    label = "throwaway"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import flow  # noqa: F401 -- registers the flow with the engine
