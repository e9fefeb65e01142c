"""``digest eval``: how far the selector agrees with real editors on labelled threads, next to
baselines computed in the same run; ``--fit`` learns the weights (k-fold by thread)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from digest import evaluate as ev
from digest.config import SelectionConfig
from digest.errors import ConfigError
from digest.sources.canonical import loads

METHODS = ("selector", *ev.BASELINES)


def register(subparsers, common) -> None:
    s = subparsers.add_parser("eval", help="measure agreement with editors' picks on labelled threads")
    s.add_argument("files", nargs="+", metavar="FILE", help="canonical thread JSON whose replies carry \"editor_pick\": true")
    s.add_argument("--hide-votes", action="store_true", help="drop vote counts first (picks attract votes after they are picked)")
    s.add_argument("--json", action="store_true", help="print the figures as JSON")
    s.add_argument("--digest", metavar="NAME", help="use this digest's [selection] settings and weights")
    s.add_argument("--fit", action="store_true", help="learn the weights: k-fold by thread, figures only on threads not fitted on")
    s.add_argument("--folds", type=int, default=5, help="folds for --fit (default 5)")
    s.add_argument("--write", action="store_true", help="with --fit and --digest: write the fitted weights into the digest's TOML")
    s.add_argument("--min-candidates", type=int, default=ev.MIN_CANDIDATES, help=f"threads counted in the primary average (default {ev.MIN_CANDIDATES} replies or more)")
    s.add_argument("--averages-only", action="store_true", help="leave out the per-thread figures")
    s.set_defaults(func=lambda args, env: run(args, common))


def _threads(files: list[str]):
    named = []
    for file in files:
        path = Path(file)
        named.append((path.stem, loads(path.read_bytes(), str(path))))
    if not any(ev.picks_of(t) for _, t in named):
        raise ConfigError("no reply is labelled \"editor_pick\": true", where=files[0], fix="label the editor's picks in the thread JSON")
    return named


def _settings(args, common) -> tuple[SelectionConfig, Path | None]:
    if not args.digest:
        return SelectionConfig(), None
    from digest import pipeline

    config = pipeline.load_digest(common["workspace"](args), args.digest)
    return config.selection, config.path


def run(args, common) -> int:
    settings, config_path = _settings(args, common)
    named = _threads(args.files)
    fitted = folds = None
    if args.fit:
        report, fitted, folds = ev.cross_validate(named, settings, k=args.folds, hide_votes=args.hide_votes, min_candidates=args.min_candidates)
    else:
        report = ev.evaluate(named, settings, hide_votes=args.hide_votes, min_candidates=args.min_candidates)
    if args.json:
        print(json.dumps(_as_json(report, settings, fitted, folds), indent=2))
    else:
        _print(report, not args.averages_only)
        if fitted is not None:
            print(f"\nfigures above: each thread scored with weights fitted on the other {args.folds - 1} folds only")
            print("weights fitted on every thread (paste into the digest's TOML):\n")
            print(ev.weights_toml(fitted))
    if fitted is not None and args.write:
        if config_path is None:
            print("--write needs --digest NAME", file=sys.stderr)
            return 1
        write_weights(config_path, fitted)
        print(f"wrote [selection.weights] into {config_path}", file=sys.stderr)
    return 0


def _as_json(report: ev.Report, settings: SelectionConfig, fitted, folds) -> dict:
    return {
        "hide_votes": report.hide_votes,
        "weights": dict(settings.weights),
        "primary_metric": ev.PRIMARY,
        "min_candidates": report.min_candidates,
        "threads_counted": report.counted(),
        "average": report.averages(),
        "threads_all": report.counted(0),
        "average_all": report.averages(0),
        "threads": [{"name": t.name, "candidates": t.candidates, "picks": t.picks, "scores": t.scores} for t in report.threads],
        **({"fitted_weights": fitted, "fold_weights": folds} if fitted is not None else {}),
    }


def _table(title: str, averages: dict, count: int) -> None:
    print(f"{title} ({count} threads)")
    if not averages:
        print("  (no thread qualifies)")
        return
    print(f"  {'method':<14}" + "".join(f"{m:>11}" for m in ev.METRICS))
    best = max(averages[m][ev.PRIMARY] for m in ev.BASELINES)
    for method in METHODS:
        row = averages[method]
        mark = "  ahead" if method == "selector" and row[ev.PRIMARY] > best else ""
        print(f"  {method:<14}" + "".join(f"{row[m]:>11.3f}" for m in ev.METRICS) + mark)


def _print(report: ev.Report, per_thread: bool) -> None:
    if per_thread:
        print(f"{'thread':<40} {'n':>4} {'k':>3}  " + " ".join(f"{m[:8]:>8}" for m in METHODS) + f"   ({ev.PRIMARY})")
        for t in report.threads:
            print(f"{t.name[:40]:<40} {t.candidates:>4} {t.picks:>3}  " + " ".join(f"{t.scores[m][ev.PRIMARY]:>8.3f}" for m in METHODS))
        print()
    votes = "votes hidden" if report.hide_votes else "votes shown"
    _table(f"average over threads with at least {report.min_candidates} replies ({votes}; primary: {ev.PRIMARY})", report.averages(), report.counted())
    _table(f"average over all labelled threads ({votes})", report.averages(0), report.counted(0))


def write_weights(path: Path, weights: dict[str, float]) -> None:
    """Replace (or add) the [selection.weights] table, leaving the rest of the file as written."""
    from digest.archive import write_atomic

    lines = path.read_text(encoding="utf-8").splitlines()
    out, skipping = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped == "[selection.weights]"
        if not skipping:
            out.append(line)
    text = "\n".join(out).rstrip() + "\n\n" + ev.weights_toml(weights)
    write_atomic(path, text.encode())
