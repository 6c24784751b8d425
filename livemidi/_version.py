"""The livemidi version, kept here alone so that reading it imports nothing else."""

from __future__ import annotations

from collections import namedtuple

__version__ = "0.1.0"

VersionInfo = namedtuple("VersionInfo", "major minor micro")
version_info = VersionInfo(*(int(part) for part in __version__.split(".")))
