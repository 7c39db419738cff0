"""Train a spam filter on one part of the SMS Spam Collection and score the rest.

TF-IDF features and a logistic regression (scikit-learn, a dependency of this example only, not
of proxymetric) are fitted on a stratified third of the 5,574 labelled messages; the other two
thirds are scored and written as ``id,label,score`` (``label`` 1 for spam), the labelled,
scored sample that ``proxymetric classify policy`` turns into thresholds and money.

    python examples/nsfw-moderation/score_sms.py --out examples/nsfw-moderation/sms_scores.csv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "sms-spam" / "sms_spam.tsv.gz"
SEED = 0


def read_messages(path: Path) -> tuple[list[str], list[int]]:
    """Return the messages and their labels (1 for spam) of the tab-separated file."""
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["label", "message"]:
            raise SystemExit(f"error: {path} does not start with label<TAB>message")
        for label, message in reader:
            labels.append(1 if label == "spam" else 0)
            texts.append(message)
    return texts, labels


def main(argv: Sequence[str] | None = None) -> None:
    """Fit on a third, score two thirds, write the scores (deterministic for a seed)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=HERE / "sms_scores.csv.gz")
    args = parser.parse_args(argv)

    texts, labels = read_messages(args.data)
    ids = list(range(len(texts)))
    train, test = train_test_split(ids, train_size=1 / 3, stratify=labels, random_state=SEED)
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2)
    x_train = vectorizer.fit_transform([texts[i] for i in train])
    model = LogisticRegression(max_iter=1000)
    model.fit(x_train, [labels[i] for i in train])
    scores = model.predict_proba(vectorizer.transform([texts[i] for i in test]))[:, 1]

    rows = sorted(zip(test, scores, strict=True))
    text = io.StringIO()
    text.write("id,label,score\n")
    for i, s in rows:
        text.write(f"{i},{labels[i]},{s:.6f}\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with (
        args.out.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out,
    ):
        out.write(text.getvalue().encode("utf-8"))
    spam = sum(labels[i] for i in test)
    auc = roc_auc_score([labels[i] for i in test], scores)
    print(
        f"trained on {len(train):,} messages, scored {len(test):,} ({spam:,} spam, "
        f"{spam / len(test):.1%}); ROC-AUC {auc:.4f}; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
