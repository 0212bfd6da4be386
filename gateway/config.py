"""Reading the deployment's data files in `config/` (TOML, so that a bureau can comment them)."""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def read_toml(config_dir: Path | str, name: str) -> dict:
    path = Path(config_dir) / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise FileNotFoundError(f"deployment config file missing: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
