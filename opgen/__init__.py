"""opgen: NHS operational plans as code."""

__version__ = "0.1.0"
