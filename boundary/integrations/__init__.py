"""Integrations with other tools. Nothing in the core imports them; they use the public API only."""
