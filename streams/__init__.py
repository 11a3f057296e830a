"""Khabar: a stream-processing pipeline that enriches Persian news articles."""

__version__ = "0.1.0"
