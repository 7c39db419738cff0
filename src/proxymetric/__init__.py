"""proxymetric: from model objective to money."""

__version__ = "0.1.0"
