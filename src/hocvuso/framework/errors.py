class FrameworkError(Exception):
    """Base class for framework data problems."""


class FrameworkDataError(FrameworkError):
    """A framework or target-group data file is malformed."""


class FrameworkLocked(FrameworkError):
    """The framework version is referenced by results and cannot change."""
