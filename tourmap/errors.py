"""One exception family, so the CLI can turn any expected failure into one line and exit 1."""
from __future__ import annotations


class TourmapError(Exception):
    """An expected failure: bad input, bad config, a build that cannot finish.

    The message is one line meant for the user, naming the file and the problem.
    """


class InputError(TourmapError):
    """An article that cannot be read: missing, empty, binary, wrong encoding, too large."""


class ConfigError(TourmapError):
    """A config file that is missing, unparsable or has a wrong value (names file and key)."""


class BuildError(TourmapError):
    """Output could not be written (unwritable directory, disk full, lock held)."""
