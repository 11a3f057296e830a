"""Rebuilds the data files the tagger ships with (run by hand; see NOTICE for the commands).

  python -m streams.core.ner.resources places          # needs `pip install babel`
  python -m streams.core.ner.resources first-names CSV  # iranianNamesDataset.csv of persian-gender-detection
  python -m streams.core.ner.resources clusters FARS_DIR PEYMA_TRAIN

Word clusters: each word is described by PPMI-weighted counts of its left and right
neighbours, reduced by SVD and grouped by k-means at a few granularities, so words used
alike ("مسکو", "پکن") share a cluster even when PEYMA has never labelled one of them.
"""
from __future__ import annotations

import argparse
import ast
import csv
import gzip
import json
from collections import Counter
from pathlib import Path

from ..segment import tokenize
from .forms import fold
from .gazetteers import CLUSTER_FILE, DATA
from .conll import read_conll

CLUSTER_SIZES = (64, 256, 1024)


def build_places(out: Path = DATA / "cldr_places.txt") -> int:
    from babel import Locale  # only needed to rebuild this file

    locale = Locale("fa")
    # "001" is the whole world («جهان»), a plain noun in news text; the UN, the EU and the
    # eurozone are organizations or currency areas, not places.
    names = {name for code, name in locale.territories.items() if code not in {"001", "UN", "EU", "EZ"}}
    names |= {zone["city"] for zone in locale.time_zones.values() if zone.get("city")}
    names = sorted(n for n in names if "،" not in n)
    header = "# Generated from Unicode CLDR (Babel) Persian territory and time-zone city names.\n"
    out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    return len(names)


def build_first_names(csv_path: Path, out: Path = DATA / "first_names.txt") -> int:
    with open(csv_path, encoding="utf-8") as fh:
        names = {row["Names"].strip() for row in csv.DictReader(fh)}
    # The source holds typos split by stray spaces ("ا سماعیل"); only clean one-word names.
    names = sorted(n for n in names if len(n) > 1 and " " not in n)
    header = "# Generated from persian-gender-detection 1.4.0 (MIT), iranianNamesDataset.csv.\n"
    out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    return len(names)


def _fars_sentences(fars_dir: Path):
    for path in sorted(fars_dir.glob("*.json")):
        for article in json.loads(path.read_text(encoding="utf-8")):
            paragraphs = article.get("paragraphs") or []
            if isinstance(paragraphs, str):
                paragraphs = ast.literal_eval(paragraphs)
            for text in (article.get("title", ""), article.get("abstract", ""), *paragraphs):
                yield [fold(t.text) for t in tokenize(text or "")]


def build_clusters(fars_dir: Path, peyma_train: Path, out: Path = CLUSTER_FILE,
                   vocabulary: int = 40_000, contexts: int = 3_000, dims: int = 100) -> int:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import svds
    from sklearn.cluster import MiniBatchKMeans

    sentences = list(_fars_sentences(fars_dir))
    sentences += [[fold(token) for token, _ in s] for s in read_conll(peyma_train)]
    counts = Counter(w for s in sentences for w in s)
    words = [w for w, c in counts.most_common(vocabulary) if c >= 3]
    index = {w: i for i, w in enumerate(words)}
    context_index = {w: i for i, w in enumerate(words[:contexts])}
    pairs = Counter()
    for s in sentences:
        padded = ["<s>", *s, "</s>"]
        for a, b in zip(padded, padded[1:]):
            if a in index and b in context_index:
                pairs[index[a], context_index[b]] += 1  # right neighbour
            if b in index and a in context_index:
                pairs[index[b], contexts + context_index[a]] += 1  # left neighbour
    rows, cols = zip(*pairs)
    values = np.array(list(pairs.values()), dtype=np.float64)
    total = values.sum()
    row_sum = np.bincount(rows, weights=values, minlength=len(words))
    col_sum = np.bincount(cols, weights=values, minlength=2 * contexts)
    pmi = np.log(values * total / (row_sum[list(rows)] * col_sum[list(cols)] ** 0.75 * total ** 0.25))
    matrix = coo_matrix((np.maximum(pmi, 0), (rows, cols)), shape=(len(words), 2 * contexts)).tocsr()
    u, s, _ = svds(matrix, k=dims)
    vectors = u * np.sqrt(s)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    labels = [MiniBatchKMeans(k, random_state=0, n_init=3, batch_size=4096).fit_predict(vectors)
              for k in CLUSTER_SIZES]
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        for i, word in enumerate(words):
            fh.write("\t".join([word, *(str(ls[i]) for ls in labels)]) + "\n")
    return len(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["places", "first-names", "clusters"])
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args()
    if args.what == "places":
        print(build_places(), "places")
    elif args.what == "first-names":
        print(build_first_names(*args.paths), "first names")
    else:
        print(build_clusters(*args.paths), "clustered words")


if __name__ == "__main__":
    main()
