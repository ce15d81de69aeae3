"""The fee filing flow (收费/减免备案): a flow package on the workflow engine (see workflows/README.md)."""
