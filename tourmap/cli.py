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
from .config import find_project_file, load_settings
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
    help="Settings file (default: the project file, tourmap.yaml or config/tourmap.yaml, in the working "
         "directory or the nearest folder above it).",
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
    """What an editor should check in a rebuilt tour: the stops grounding turned down (when a
    language model read it) and the disagreements between its articles."""
    out = [f"  rejected {r['name']} ({r['article']}): {r['reason']}" for r in tour.rejected]
    return out + [f"  conflict: {c}" for c in tour.conflicts]


class ProjectCommand(click.Command):
    """A command whose default paths come from the project: its help says which ones apply here."""

    uses: tuple[str, ...] = ("articles", "output")

    def format_epilog(self, ctx, formatter):
        super().format_epilog(ctx, formatter)
        found = find_project_file()
        with formatter.section("Defaults here"):
            if found:
                where = f"project file {found}"
            else:
                where = (f"no project file (tourmap.yaml or config/tourmap.yaml) in {Path.cwd()} or above: "
                         "the working directory is the project")
            try:
                settings = load_settings(found) if found else load_settings()
                rows = [f"{k}: {settings.default_path(k)}" for k in self.uses]
            except TourmapError as exc:
                rows = [str(exc)]
            for line in (where, *rows):  # not wrapped: paths are copied from here
                formatter.write(" " * formatter.current_indent + line + "\n")


class SiteCommand(ProjectCommand):
    uses = ("articles", "site")


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
    from . import netguard
    from .export import dumps, stops_csv, tour_table
    from .merge import merge_tours
    from .pipeline import extract_one, read_articles_with_model

    settings = _settings(config_path, extractor)
    netguard.start_run()
    # with a language model: all the articles asked at once, each then extracted in order
    read_articles_with_model([Path(a) for a in articles], settings, published=published, language=language,
                             refresh=refresh)
    again = {"refresh": True} if refresh else {}
    tours = merge_tours(
        [extract_one(a, settings, published=published, language=language, **again) for a in articles],
        settings=settings,
    )
    for line in netguard.summary():
        logging.getLogger("tourmap").warning("%s", line)
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
    # exit so the workers are stopped, temp folders removed and the lock released, as on Ctrl-C.
    # A second SIGTERM while that happens is ignored: the clean-up takes a moment, not more.
    import signal

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
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


def _project_paths(settings, paths, out_dir, which: str):
    """The named paths, else the project's articles; the named output, else the project's."""
    named = bool(paths)
    paths = list(paths) or [str(settings.default_path("articles"))]
    out = Path(out_dir) if out_dir else settings.default_path(which)
    return paths, out, (None if named else True)


def _print_built(built, out: Path) -> None:
    for path, why in built.skipped:
        click.echo(f"skipped {path.name}: {why}")
    for b in built:
        if b.status == "rebuilt":
            click.echo(f"rebuilt {b.slug}: {b.reason} ({b.folder}/index.html, {len(b.tour.stops)} stops"
                       + (f", {len(b.tour.held)} held for review" if b.tour.held else "") + ")")
            for line in _review_lines(b.tour):
                click.echo(line)
        elif b.status == "unchanged":
            click.echo(f"unchanged {b.slug}")
        elif b.status == "redirect":
            if not b.reason.endswith("unchanged"):
                click.echo(f"redirect {b.slug} -> {b.tour.slug}")
        elif b.reason != "unchanged":
            click.echo(f"{b.status} {b.slug}: {b.reason}")
    counts = {k: sum(b.status == k for b in built) for k in ("rebuilt", "unchanged", "removed", "kept", "held")}
    extra = "".join(f", {counts[k]} {k}" for k in ("kept", "held") if counts[k])
    if built.skipped:
        extra += f", {len(built.skipped)} skipped"
    click.echo(f"{counts['rebuilt']} rebuilt, {counts['unchanged']} unchanged, {counts['removed']} removed{extra}"
               f" in {out}")


@cli.command(cls=ProjectCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the project's paths.output, see below).")
@click.option("--force", is_flag=True, help="Rebuild every tour even if nothing changed.")
@click.option("--prune", is_flag=True, help="Also remove the folders of tours with no article left (listed).")
@jobs_option
@extractor_option
@refresh_option
@config_option
def build(paths, out_dir, force, prune, jobs, extractor, refresh, config_path):
    """Build a map folder per tour from ARTICLES or folders of them.

    Each tour gets DIR/<slug>/ with index.html (the map), tour.json, tour.geojson,
    stops.csv, embed.html, map.png and map.svg. Naming articles builds their tours and
    touches no other folder; with no arguments, builds the project's articles (below).
    A tour's folder name is fixed when it is first built; a rename in config leaves a
    redirect at the old one. Tours with no article left stay until `--prune` or
    `tourmap prune`. Articles that tell no trip are skipped, each with one line.

    Incremental: a tour is rebuilt only when one of its articles, its config or tourmap
    changed (DIR/manifest.json remembers); each line says what was rebuilt and why, and
    lists the disagreements between its articles.

    \b
    Example:
        tourmap build seeds/ -o outputs/
    """
    from .build import build as run_build

    settings = _settings(config_path, extractor)
    paths, out, check = _project_paths(settings, paths, out_dir, "output")
    _stop_on_sigterm()
    built = run_build(paths, out, settings, force=force, jobs=jobs, progress=_progress(), refresh=refresh,
                      prune=prune, check_config=check)
    _print_built(built, out)


@cli.command(cls=SiteCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "site_dir", type=click.Path(file_okay=False), default=None,
              help="Site folder (default: the project's paths.site, see below).")
@click.option("--force", is_flag=True, help="Rebuild every tour even if nothing changed.")
@click.option("--prune", is_flag=True, help="Also remove tours with no article left (listed).")
@jobs_option
@extractor_option
@refresh_option
@config_option
def publish(paths, site_dir, force, prune, jobs, extractor, refresh, config_path):
    """Build the tours and publish them as a static site (index, maps, feed, sitemap).

    Safe to run from a scheduler: the new site is built aside and swapped in; a failed run
    leaves the last good site untouched; an unchanged site is not touched at all. The tours
    are built into a hidden folder beside the site (.<SITE>.build), which keeps rebuilds fast.
    Set site.base_url: embed snippets and sitemap.xml need the site's absolute address
    (without it, one warning line on stderr).

    \b
    Exit codes: 0 published or unchanged, 1 failed (last good site kept),
    75 another run holds the lock (try again later).

    \b
    Example:
        tourmap publish seeds/ -o /var/www/maps
    """
    from .site import publish as run_publish

    settings = _settings(config_path, extractor)
    paths, site, check = _project_paths(settings, paths, site_dir, "site")
    _stop_on_sigterm()
    result = run_publish(paths, site, settings, force=force, jobs=jobs, progress=_progress(), log=click.echo,
                         warn=lambda line: click.echo(line, err=True), refresh=refresh, prune=prune,
                         check_config=check)
    click.echo(result)


@cli.command(cls=ProjectCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Build folder or published site (default: the project's paths.output, see below).")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@jobs_option
@config_option
def prune(paths, out_dir, dry_run, jobs, config_path):
    """Remove the tours that have no article left, listing each one.

    Nothing else removes a tour: building some articles leaves the other tours alone.
    The articles are those of earlier builds (the manifest remembers where they were)
    plus ARTICLES (default: the project's). For a published site, run it on the site
    folder: it publishes again without those tours.

    \b
    Example:
        tourmap prune --dry-run -o outputs/
    """
    from .build import build as run_build
    from .site import publish as run_publish

    settings = load_settings(config_path)
    paths, out, check = _project_paths(settings, paths, out_dir, "output")
    build_dir = out.parent / f".{out.name}.build"
    is_site = not (out / "manifest.json").is_file() and (build_dir / "manifest.json").is_file()
    if is_site and not dry_run:
        click.echo(run_publish(paths, out, settings, jobs=jobs, log=click.echo, prune=True,
                               warn=lambda line: click.echo(line, err=True), check_config=check))
        return
    built = run_build(paths, build_dir if is_site else out, settings, jobs=jobs, prune=True, write=not dry_run,
                      check_config=check)
    gone = [b for b in built if b.status == "removed"]
    for b in gone:
        click.echo(f"{'would remove' if dry_run else 'removed'} {b.slug}: {b.reason}")
    click.echo(f"{len(gone)} {'to remove' if dry_run else 'removed'} in {out}")


@cli.command(cls=ProjectCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Build folder whose tour names to use (default: the project's paths.output).")
@jobs_option
@config_option
def review(paths, out_dir, jobs, config_path):
    """List what an editor should check before publishing, per tour, with the evidence.

    Stops below the review threshold (review.min_confidence; build and publish hold them
    off the map or mark them "por confirmar" until confirmed in config), disagreements
    between articles, corrections in config that hit nothing, and articles that tell no trip.
    Writes nothing but the extraction cache.

    \b
    Example:
        tourmap review seeds/
    """
    import tempfile

    from .build import build as run_build

    settings = load_settings(config_path)
    paths, out, _ = _project_paths(settings, paths, out_dir, "output")
    with tempfile.TemporaryDirectory(prefix="tourmap-review-") as scratch:
        where = out if (out / "manifest.json").is_file() else Path(scratch)
        built = run_build(paths, where, settings, jobs=jobs, write=False, check_config=True)
    threshold = settings.review.min_confidence
    items = 0
    by_slug: dict[str, list] = {}
    for p in built.problems:
        by_slug.setdefault(p.slug or "", []).append(p)
    for b in built:
        t = b.tour
        if b.status not in ("rebuilt", "unchanged", "kept", "held") or not t.articles:
            continue
        low = sorted([(s, "held") for s in t.held] + [(s, "marked") for s in t.stops if s.unconfirmed],
                     key=lambda x: x[0].confidence)
        lines = [f"  rejected {r['name']} ({r['article']}): {r['reason']}" for r in t.rejected]
        for s, what in low:
            lines.append(f"  below {threshold:g} ({what}): {s.name}, confidence {s.confidence:.2f}, "
                         f"{s.date or 'no date'}, {s.status}")
            lines += [f"      [{e.article}] {e.quote}" for e in s.evidence[:2]]
        for c in t.conflicts:
            lines.append(f"  conflict: {c}")
            stop = next((s for s in t.stops if c.startswith(s.name + ":")), None)
            if stop:
                lines += [f"      [{e.article}] {e.quote}" for e in stop.evidence[:3]]
        lines += [f"  correction: {p}" for p in by_slug.pop(t.slug, [])]
        if lines:
            items += len([x for x in lines if not x.startswith("      ")])
            click.echo(f"{t.slug}: {t.title}")
            click.echo("\n".join(lines))
    rest = [p for ps in by_slug.values() for p in ps]
    if rest:
        click.echo("config:")
        click.echo("\n".join(f"  {p}" for p in rest))
        items += len(rest)
    if built.skipped:
        click.echo("articles that tell no trip (skipped by build and publish):")
        click.echo("\n".join(f"  {path}: {why}" for path, why in built.skipped))
        items += len(built.skipped)
    click.echo(f"{items} to review" if items else "nothing to review")


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
