"""sessionpack: prepaid session packages with an exact, auditable count."""

__version__ = "0.1.0"
