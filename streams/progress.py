"""Progress bars for people: shown on a terminal for inputs that take a while, silent otherwise."""
from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm

from .readers import read_articles

APPEARS_AFTER_S = 1.0  # small inputs finish before a bar would be worth drawing


def article_progress(paths, description: str, quiet: bool):
    """A context giving a tqdm bar (rate and ETA) over the articles in `paths`, or None when not wanted.

    The total comes from a first, parse-only pass over the files, which costs little next to
    publishing or enriching them; stdin can be read once only, so it gets a rate without an ETA.
    """
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    total = None if "-" in paths else sum(1 for _ in read_articles(paths))
    return tqdm(total=total, desc=description, unit=" articles", file=sys.stderr,
                delay=APPEARS_AFTER_S, dynamic_ncols=True)
