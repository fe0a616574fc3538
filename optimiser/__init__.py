"""policymix: least-public-cost policy mix for Dutch industrial decarbonisation."""

__version__ = "0.1.0"
