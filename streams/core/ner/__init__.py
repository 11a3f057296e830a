"""Named entities (PER, ORG, LOC) in Persian news: a CRF trained on PEYMA, with gazetteers."""
from .conll import read_conll
from .tagging import tag, tag_conll
from .training import train

__all__ = ["read_conll", "tag", "tag_conll", "train"]
