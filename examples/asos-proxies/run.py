"""Which ASOS metric should decide a test? Proxy validation on 78 real experiments.

Imports the final snapshot of every experiment of the bundled ASOS Digital Experiments Dataset
into a registry, then ranks the other metrics as proxies of the north star ``metric_4`` (the
spend-like metric, see README.md) for small and for typical tests, and shows how the answer
depends on the correlation assumed between metrics' noise (summary statistics do not give it).

Run from the repository root:

    .venv/bin/python examples/asos-proxies/run.py [--registry PATH]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from proxymetric.proxies import table_from_registry, validate_proxies
from proxymetric.registry import Registry, import_asos
from proxymetric.report.proxies import proxy_sections
from proxymetric.report.sections import sections_markdown

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "asos" / "asos_digital_experiments.csv.gz"
NORTH_STAR = "metric_4"


def main(argv: list[str] | None = None) -> str:
    """Run the example; return (and print) its markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", help="registry file to create or reuse")
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp()
    registry = Registry(args.registry or Path(folder) / "asos.db")
    summary = import_asos(registry, DATA)
    out = [
        f"# ASOS: proxies of {NORTH_STAR}",
        "",
        (
            f"{summary.experiments_added} experiments imported "
            f"({summary.experiments_skipped} already in the registry)."
        ),
        "",
    ]
    table = table_from_registry(registry)
    for units in (100_000, None):
        report = validate_proxies(table, NORTH_STAR, units=units)
        out.append(f"## Tests of {report.units:,.0f} units")
        out.append("")
        out.append(sections_markdown(proxy_sections(report)))
    out.append("## Sensitivity to the assumed noise correlation (tests of 100,000 units)")
    out.append("")
    out.append("| assumed noise correlation | decide on | its CV correlation | north star's |")
    out.append("|---|---|---|---|")
    for rho in (0.0, 0.3, 0.5, 0.7):
        rep = validate_proxies(
            table_from_registry(registry, assumed_noise_correlation=rho), NORTH_STAR, units=1e5
        )
        best = rep.rows[0]
        ns = next(r for r in rep.rows if r.kind == "north_star")
        out.append(
            f"| {rho:g} | {best.metric} | {best.cv_correlation_at_size:.2f} | "
            f"{ns.cv_correlation_at_size:.2f} |"
        )
    text = "\n".join(out) + "\n"
    print(text)
    return text


if __name__ == "__main__":
    main()
