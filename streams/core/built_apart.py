"""The NLP core's big tables, built by a Python process of its own and handed over finished.

Building the ZWNJ restorer from 400,000 spellings peaks some 300 MB above what its finished tables
hold, and importing hazm (with nltk, scikit-learn and scipy behind it) holds some 140 MB that the
finished normalizer tables never use. A process keeps the memory of its peak and of its imports, so
a fresh interpreter builds both and the caller only unpickles the results: a fresh one, not a fork,
because the caller may have threads, and no caller has to guard its main module.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib import import_module
from pathlib import Path

BUILDERS = {
    "zwnj_restorer": "streams.core.zwnj:build_default_restorer",
    "hazm_normalizer": "streams.core.normalize:HazmNormalizer",
}


def build(names: list[str]) -> dict:
    """Each named table, built in this process."""
    built = {}
    for name in names:
        module, _, function = BUILDERS[name].partition(":")
        built[name] = getattr(import_module(module), function)()
    return built


@lru_cache(maxsize=1)
def tables() -> dict:
    """Every table of BUILDERS by name, built once per process, in another one."""
    with tempfile.TemporaryDirectory(prefix="khabar-tables-") as folder:
        output = Path(folder) / "tables.pickle"
        script = ("import pickle, sys; from streams.core.built_apart import BUILDERS, build; "
                  "open(sys.argv[1], 'wb').write(pickle.dumps(build(list(BUILDERS))))")
        result = subprocess.run([sys.executable, "-c", script, str(output)], capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"building the NLP tables failed: {result.stderr.strip()[-2000:]}")
        with output.open("rb") as built:
            return pickle.load(built)
