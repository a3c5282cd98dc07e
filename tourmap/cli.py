"""The `tourmap` command: a thin click layer over the pipeline.

Exit codes: 0 ok, 1 bad input or failed build (one line on stderr), 2 usage,
75 another build or publish holds the lock (nothing was done; a scheduler can retry later).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import PROJECT_ROOT, load_settings
from .errors import TourmapError

FORMATS = ("json", "table", "csv")


class TourmapGroup(click.Group):
    """Turns expected failures into `Error: ...` and exit 1 (75 when busy), never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TourmapError as exc:
            err = click.ClickException(str(exc))
            err.exit_code = getattr(exc, "exit_code", 1)
            raise err from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - last line of defence for unattended runs
            if os.environ.get("TOURMAP_DEBUG"):
                raise
            msg = str(exc).splitlines()[0] if str(exc) else ""
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {msg} (set TOURMAP_DEBUG=1 for details)"
            ) from None


def _published(ctx, param, value):
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date of the form YYYY-MM-DD") from None


config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None,
    help="Settings file (default: config/tourmap.yaml).",
)
extractor_option = click.option(
    "--extractor", type=click.Choice(["rules", "llm", "hybrid"]), default=None,
    help="Who reads the articles: rules (offline, the default), llm (a language model, every answer "
         "grounded in the text) or hybrid (both). Overrides extractor.backend in the config.",
)
refresh_option = click.option(
    "--refresh", is_flag=True,
    help="Ask the language model again instead of using its cached answers (llm and hybrid).",
)


def _settings(config_path, extractor):
    settings = load_settings(config_path)
    if extractor:
        settings.extractor.backend = extractor
    return settings


def _review_lines(tour) -> list[str]:
    """What an editor should check in a tour a language model read: stops grounding turned
    down, corrections and disagreements."""
    if not tour.extractor:
        return []
    out = [f"  rejected {r['name']} ({r['article']}): {r['reason']}" for r in tour.rejected]
    return out + [f"  conflict: {c}" for c in tour.conflicts]


@click.group(cls=TourmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tourmap")
def cli():
    """Turn news articles about a leader's trip into an embeddable map.

    \b
    Example:
        tourmap extract seeds/000_ef3bafede1ed9db9.txt --format table
        tourmap build
    """


@cli.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="json: the tour JSON; table: for people (with conflicts); csv: the stops.")
@click.option("--published", callback=_published, default=None, metavar="YYYY-MM-DD",
              help="Publication date, overriding the article's metadata or the inferred one.")
@click.option("--language", type=click.Choice(["es", "en", "pt"]), default=None,
              help="Article language (default: front matter, else detected).")
@extractor_option
@refresh_option
@config_option
def extract(articles, fmt, published, language, extractor, refresh, config_path):
    """Print the tour found in ARTICLES (several articles of one trip are merged).

    \b
    Example:
        tourmap extract seeds/000_ef3bafede1ed9db9.txt --format json
    """
    from .export import dumps, stops_csv, tour_table
    from .merge import merge_tours
    from .pipeline import extract_one, read_articles_with_model

    settings = _settings(config_path, extractor)
    # with a language model: all the articles asked at once, each then extracted in order
    read_articles_with_model([Path(a) for a in articles], settings, published=published, language=language,
                             refresh=refresh)
    again = {"refresh": True} if refresh else {}
    tours = merge_tours(
        [extract_one(a, settings, published=published, language=language, **again) for a in articles],
        settings=settings,
    )
    if fmt == "json":
        obj = tours[0].to_json() if len(tours) == 1 else [t.to_json() for t in tours]
        click.echo(dumps(obj), nl=False)
    elif fmt == "csv":
        click.echo("".join(stops_csv(t) for t in tours), nl=False)
    else:
        click.echo("\n".join(tour_table(t) for t in tours), nl=False)


jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Processes for extraction and rendering (default: all cores).",
)


def _stop_on_sigterm() -> None:
    # A scheduler stops a run with SIGTERM (systemd's timeout, `kill`): turn it into a normal
    # exit so temp folders are removed and the lock released, as on Ctrl-C.
    import signal

    def handler(signum, frame):
        click.echo("Error: stopped by SIGTERM; the last good output is kept", err=True)
        sys.exit(143)

    if hasattr(signal, "SIGTERM"):
        try:
            signal.signal(signal.SIGTERM, handler)
        except ValueError:  # not the main thread (embedded use): leave signals alone
            pass


def _progress() -> bool:
    # A bar on a terminal, a few plain lines in a scheduler's log; none when quiet.
    return not os.environ.get("TOURMAP_QUIET")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: outputs/).")
@click.option("--force", is_flag=True, help="Rebuild every tour even if nothing changed.")
@jobs_option
@extractor_option
@refresh_option
@config_option
def build(paths, out_dir, force, jobs, extractor, refresh, config_path):
    """Build a map folder per tour from ARTICLES or folders of them.

    Each tour gets DIR/<slug>/ with index.html (the map), tour.json, tour.geojson,
    stops.csv, embed.html, map.png and map.svg. With no arguments, builds seeds/ into outputs/.

    Incremental: a tour is rebuilt only when one of its articles, its config or tourmap
    changed (DIR/manifest.json remembers); each line says what was rebuilt and why.

    \b
    Example:
        tourmap build seeds/ -o outputs/
    """
    from .build import build as run_build

    settings = _settings(config_path, extractor)
    paths = list(paths) or [str(PROJECT_ROOT / "seeds")]
    out = Path(out_dir) if out_dir else PROJECT_ROOT / "outputs"
    _stop_on_sigterm()
    built = run_build(paths, out, settings, force=force, jobs=jobs, progress=_progress(), refresh=refresh)
    for b in built:
        if b.status == "rebuilt":
            click.echo(f"rebuilt {b.slug}: {b.reason} ({b.folder}/index.html, {len(b.tour.stops)} stops)")
            for line in _review_lines(b.tour):
                click.echo(line)
        else:
            click.echo(f"{b.status} {b.slug}" + (f": {b.reason}" if b.status == "removed" else ""))
    counts = {k: sum(b.status == k for b in built) for k in ("rebuilt", "unchanged", "removed")}
    click.echo(f"{counts['rebuilt']} rebuilt, {counts['unchanged']} unchanged, {counts['removed']} removed"
               f" in {out}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "site_dir", type=click.Path(file_okay=False), default=None,
              help="Site folder (default: outputs/site).")
@click.option("--force", is_flag=True, help="Rebuild every tour even if nothing changed.")
@jobs_option
@extractor_option
@refresh_option
@config_option
def publish(paths, site_dir, force, jobs, extractor, refresh, config_path):
    """Build the tours and publish them as a static site (index, maps, feed, sitemap).

    Safe to run from a scheduler: the new site is built aside and swapped in; a failed run
    leaves the last good site untouched; an unchanged site is not touched at all. The tours
    are built into a hidden folder beside the site (.<SITE>.build), which keeps rebuilds fast.

    \b
    Exit codes: 0 published or unchanged, 1 failed (last good site kept),
    75 another run holds the lock (try again later).

    \b
    Example:
        tourmap publish seeds/ -o /var/www/maps
    """
    from .site import publish as run_publish

    settings = _settings(config_path, extractor)
    paths = list(paths) or [str(PROJECT_ROOT / "seeds")]
    site = Path(site_dir) if site_dir else PROJECT_ROOT / "outputs" / "site"
    _stop_on_sigterm()
    result = run_publish(paths, site, settings, force=force, jobs=jobs, progress=_progress(), log=click.echo,
                         refresh=refresh)
    click.echo(result)


def main() -> None:
    try:
        cli(prog_name="tourmap")
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    # Everything is written and every child joined by now; tearing down the interpreter (freeing
    # the gazetteer's hundred thousand names one by one) would only add a tenth of the run.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away ("| head"): nothing left to say
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
