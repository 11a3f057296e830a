"""The `khabar` command: a thin layer over the worker, the Kafka helpers and the NLP core."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from .config import settings

ENV_HELP = """\b
Configuration comes from KHABAR_* environment variables, e.g.
  KHABAR_BROKER=host:9092     use an existing Kafka cluster (default: the local broker)
  KHABAR_WEB_PORT=6066        the worker's /metrics port
See README.md for the full list."""


def run_on_kafka(coroutine):
    """Run a Kafka client coroutine, turning an unreachable broker into a clear message."""
    from aiokafka.errors import KafkaConnectionError, KafkaError

    try:
        return asyncio.run(coroutine)
    except KafkaConnectionError as exc:
        raise click.ClickException(f"cannot reach Kafka at {settings.bootstrap_servers} ({exc}). "
                                   "Start the local broker with `khabar kafka up`, or set KHABAR_BROKER.")
    except KafkaError as exc:
        raise click.ClickException(f"Kafka at {settings.bootstrap_servers}: {exc}")
    except KeyboardInterrupt:
        return None


@click.group(epilog=ENV_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="khabar")
def main():
    """Khabar: raw Persian news articles in, enriched events (entities, quotes) out.

    \b
    Typical session:
      khabar kafka up                      start the local Kafka broker
      khabar worker &                      run the agents
      khabar publish samples/              send articles to news.articles.raw
      khabar consume news.articles.enriched --from-beginning
    """


@main.command(epilog=ENV_HELP)
@click.option("-l", "--loglevel", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def worker(loglevel):
    """Run the Faust agents: raw → normalized → enriched, quotes and dead letters."""
    from faust import Worker

    from .app import app
    from .core.pipeline import warm_up
    from .kafka_io import ensure_topics

    run_on_kafka(ensure_topics())  # Faust would otherwise ignore source topics that do not exist yet
    warm_up()
    app.conf.datadir.parent.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    Worker(app, loglevel=loglevel).execute_from_commandline()


@main.command(epilog=ENV_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--topic", default=settings.topic_raw, show_default=True, help="Topic to publish to.")
def publish(paths, topic):
    """Validate articles and publish them to Kafka, keyed by article id.

    PATHS are .json (an object or a list), .jsonl, scraped .txt files (first line the title,
    the rest the body), folders (searched recursively) or - for stdin. An article needs a title
    and a body; without an id, one is derived from its url or content. Exits with 1 if any
    article was rejected.
    """
    from .kafka_io import publish as publish_items
    from .readers import read_articles

    def progress(sent):
        if sent % 100 == 0:
            click.echo(f"… {sent} sent", err=True)

    report = run_on_kafka(publish_items(read_articles(paths), topic, progress=progress))
    click.echo(report.summary(topic))
    sys.exit(1 if report.rejected else 0)


@main.command(epilog=ENV_HELP, short_help="Print the events of a topic.")
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest event instead of new ones only.")
@click.option("--limit", type=click.IntRange(min=1), help="Exit after N events.")
@click.option("--idle-timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Exit once nothing has arrived for this long.")
@click.option("--format", "output", type=click.Choice(["pretty", "jsonl"]), default="pretty", show_default=True,
              help="pretty: readable summary of title, entities and quotes; jsonl: one event per line.")
def consume(topic, from_beginning, limit, idle_timeout, output):
    """Print the events of TOPIC, e.g. news.articles.enriched, news.quotes, news.articles.dead-letter."""
    from .kafka_io import consume as consume_events
    from .render import pretty

    async def run():
        async for message, value in consume_events(topic, from_beginning=from_beginning, limit=limit,
                                                   idle_timeout=idle_timeout):
            if output == "jsonl":
                click.echo(message.value.decode("utf-8", "replace"))
            else:
                click.echo(pretty(value, message.value) + "\n")

    run_on_kafka(run())


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the enriched articles, one JSON object a line.")
def enrich(paths, output):
    """Enrich articles offline, without Kafka, through the agents' own stages.

    Reads the same inputs as `khabar publish` and writes one enriched article per input
    article; articles that would be dead-lettered are reported with their reason.
    """
    from . import contracts, stages
    from .readers import read_articles

    written, rejected = 0, 0
    with output.open("wb") as out:
        for item in read_articles(paths):
            try:
                if item.error:
                    raise contracts.Rejected("undecodable", item.error)
                out.write(contracts.encode(stages.enrich(item.article)) + b"\n")
                written += 1
            except contracts.Rejected as exc:
                rejected += 1
                click.echo(f"rejected {item.origin}: {exc.reason}: {exc.error}", err=True)
            if (written + rejected) % 200 == 0:
                click.echo(f"… {written + rejected} articles", err=True)
    click.echo(f"wrote {written} enriched article(s) to {output}; rejected {rejected}", err=True)
    sys.exit(1 if rejected else 0)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Alternating timed rounds; the best of each side is compared.")
@click.option("--limit", type=click.IntRange(min=1), help="Use only the first N articles.")
def bench(folder, rounds, limit):
    """Time enrichment against hazm's Normalizer alone on the same Fars News articles.

    FOLDER holds Fars News dumps (JSON lists of {title, abstract, paragraphs}), such as
    ../shared/data/fars-news. Prints a JSON report; its `ratio` is enrich time / hazm time.
    """
    import orjson

    from .bench import fars_articles, run

    articles = fars_articles(folder)[:limit]
    if not articles:
        raise click.UsageError(f"no Fars News articles in {folder}")
    click.echo(f"{len(articles)} articles, {rounds} rounds", err=True)
    report = run(articles, rounds, progress=lambda line: click.echo(line, err=True))
    click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())


@main.group()
def kafka():
    """Manage the local single-node Kafka broker (KRaft), kept under KHABAR_STATE_DIR.

    Not needed when KHABAR_BROKER points at an existing cluster.
    """


def _local_broker_call(action, *args, **kwargs):
    from .kafka_local import KafkaLocalError

    try:
        return action(settings.state_dir, *args, **kwargs)
    except KafkaLocalError as exc:
        raise click.ClickException(str(exc))


@kafka.command()
def up():
    """Fetch the broker's jars (first time), start it, and wait until it answers."""
    from .kafka_local import up as start

    bootstrap = _local_broker_call(start, port=settings.kafka_port, controller_port=settings.kafka_controller_port,
                                   version=settings.kafka_version)
    click.echo(f"Kafka is up at {bootstrap}")


@kafka.command()
def down():
    """Stop the local broker cleanly."""
    from .kafka_local import down as stop

    click.echo("Kafka stopped" if _local_broker_call(stop) else "no local broker was running")


@kafka.command()
def status():
    """Show whether the local broker runs and answers; exits with 1 if it does not."""
    from .kafka_local import status as describe

    report = _local_broker_call(describe)
    for key, value in report.items():
        click.echo(f"{key:>9}: {value}")
    sys.exit(0 if report["healthy"] else 1)


@main.group()
def ner():
    """The named-entity model: tag CoNLL files, retrain it."""


@ner.command("tag")
@click.argument("conll_in", type=click.Path(exists=True, dir_okay=False))
@click.argument("conll_out", type=click.Path(dir_okay=False))
def ner_tag(conll_in, conll_out):
    """Tag CONLL_IN (one `token|TAG` or `token TAG` a line, blank line between sentences;
    the tag is ignored) and write `token PREDICTED_TAG` lines in IOB2 (B-PER, I-ORG, O…) to CONLL_OUT.
    """
    from .core.ner import tag_conll

    click.echo(f"tagged {tag_conll(conll_in, conll_out)} sentences into {conll_out}", err=True)


@ner.command("train")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Model file to write, e.g. streams/core/ner/data/peyma-crf.npz to replace the shipped one.")
@click.option("--dev", type=click.Path(exists=True, dir_okay=False), help="Held-out corpus to report F1 on.")
def ner_train(corpus, output, dev):
    """Train the CRF tagger on CORPUS, in PEYMA's format (`token|B_PER` lines, blank line between sentences).

    \b
    The shipped model was trained with:
      khabar ner train ../shared/data/peyma/train.txt --dev ../shared/data/peyma/dev.txt \\
          -o streams/core/ner/data/peyma-crf.npz
    """
    import orjson

    from .core.ner import train

    report = train(corpus, output, dev_path=dev)
    click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
