"""The livemidi version, kept here alone so that reading it imports nothing else."""

from __future__ import annotations

from typing import NamedTuple

__version__ = "0.1.0"


class VersionInfo(NamedTuple):
    major: int
    minor: int
    micro: int
    releaselevel: str = ""
    serial: str = ""

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"


version_info = VersionInfo(*(int(part) for part in __version__.split(".")))
