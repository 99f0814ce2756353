"""unspin: find the spin in news."""

__version__ = "0.1.0"
