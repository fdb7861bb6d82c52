"""hocvuso: open platform for the national digital-literacy movement."""

__version__ = "0.1.0"
