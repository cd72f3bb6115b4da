"""Configuration: `[tool.boundary]` in `pyproject.toml`, or a `.boundary.toml`. See docs/configuration.md."""

from __future__ import annotations

from boundary.rules import Config, ConfigError, ConfigSuppression, load_config, parse_config

__all__ = ["Config", "ConfigError", "ConfigSuppression", "load_config", "parse_config"]
