"""Which folders hold Terraform files, and what a load that read them depends on.

Apart from the `.tf` reader (`boundary.load.terraform.hcl`) so that finding no
Terraform, as a scan of SAM templates does, imports neither the reader nor its parser.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["is_configuration_dir", "record_dependencies", "terraform_folders", "tf_files"]


def tf_files(folder: str) -> list[str]:
    """The `.tf` files directly in `folder`, sorted."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, n)
        for n in names
        if n.endswith(".tf") and os.path.isfile(os.path.join(folder, n))
    ]


def is_configuration_dir(folder: str) -> bool:
    """Whether a folder holds Terraform configuration that declares something."""
    return bool(tf_files(folder))


def terraform_folders(paths: Sequence[str], walk: Callable[[str], Iterator[str]]) -> list[str]:
    """Folders holding `.tf` files among `paths` (named folders, the folders of named `.tf`
    files, and folders found by `walk`), in a stable order."""
    out: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            out.extend(f for f in walk(given) if is_configuration_dir(f))
        elif given.endswith(".tf"):
            out.append(os.path.dirname(given) or ".")
    return sorted(dict.fromkeys(os.path.normpath(f) for f in out))


def record_dependencies(folder: str, sources: Any) -> None:
    """Tell the cache of loaded files what a load with the configuration in `folder`
    depends on: which Terraform files each folder it read holds, and each file it read
    (`terraform.tfvars` too, read or not: one written later counts). `sources`: the
    `ConfigSources` read from `folder`, None when it held none."""
    from boundary.load._cache import record_folder, record_read, recording

    if not recording():  # no cache: nothing to tell, and no folder to list for it
        return
    record_folder(folder)
    record_read(os.path.join(folder, "terraform.tfvars"))
    try:
        auto = sorted(n for n in os.listdir(folder) if n.endswith(".auto.tfvars"))
    except OSError:
        auto = []
    for name in auto:
        record_read(os.path.join(folder, name))
    if sources is None:
        return
    for module_folder in sources.configuration.module_folders():
        record_folder(module_folder)
    for file in sorted(sources.files):
        record_read(file)
