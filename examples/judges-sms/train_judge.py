"""Train a cheap spam judge on 200 SMS messages and label every other message with it.

The judge is a bag-of-words naive Bayes model (scikit-learn) trained on a small random sample,
so it is cheap and imperfect. It labels the 5,374 other messages; people's labels (the SMS Spam
Collection's own) are kept for a random 300 of those, as if only 300 had been paid for. The
output is the table `proxymetric judges` reads: ``item``, ``judge`` (``naive-bayes`` or
``people``) and ``label`` (``spam`` or ``ham``).

    python examples/judges-sms/train_judge.py --out examples/judges-sms/labels.csv.gz

The script prints the truth the example hides: the spam rate over the 5,374 judged messages
and the judge's recall, from every human label.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "sms-spam" / "sms_spam.tsv.gz"
TRAIN, HUMAN, SEED = 200, 300, 7


def main(argv: list[str] | None = None) -> None:
    """Write the labels table and print the hidden truth."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=HERE / "labels.csv.gz")
    args = parser.parse_args(argv)
    with gzip.open(args.data, "rt", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    label = np.array([r[0] for r in rows])
    text = [r[1] for r in rows]
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(rows))
    train, judged = order[:TRAIN], np.sort(order[TRAIN:])
    vectoriser = CountVectorizer(min_df=1)
    model = MultinomialNB().fit(vectoriser.fit_transform([text[i] for i in train]), label[train])
    said = model.predict(vectoriser.transform([text[i] for i in judged]))
    people = set(rng.choice(judged, HUMAN, replace=False).tolist())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "judge", "label"])
    for i, s in zip(judged, said, strict=True):
        writer.writerow([int(i), "naive-bayes", s])
        if int(i) in people:
            writer.writerow([int(i), "people", label[i]])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with (
        args.out.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        gz.write(out.getvalue().encode("utf-8"))
    truth = label[judged] == "spam"
    flagged = said == "spam"
    print(f"wrote {args.out}: {judged.size:,} messages judged, {HUMAN} also labelled by people")
    print(f"truth over the {judged.size:,} judged messages (every human label):")
    print(f"  spam rate {truth.mean():.4f}; the judge says {flagged.mean():.4f}")
    print(f"  the judge's recall {flagged[truth].mean():.4f}")


if __name__ == "__main__":
    main()
