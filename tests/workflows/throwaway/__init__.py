"""A throw-away flow built from the engine alone (a test-only app: tests/workflows/test_engine_flow.py)."""
