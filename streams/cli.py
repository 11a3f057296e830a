"""The `khabar` command: a thin layer over the worker, the Kafka helpers and the NLP core."""
from __future__ import annotations

import asyncio
import gc
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
    # The lexicons and models are some 130,000 long-lived objects that a full garbage collection would
    # walk each time (tens of ms, a stall for every event in flight); frozen, they are never scanned.
    gc.freeze()
    app.conf.datadir.parent.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    runner = Worker(app, loglevel=loglevel)
    # At warning level and above, Faust's terminal spinner sets the root logger to DEBUG, so that every
    # debug call of aiokafka and Faust builds a record (about 10% of the worker's CPU)
    runner.spinner = None
    runner.execute_from_commandline()


QUIET = click.option("-q", "--quiet", is_flag=True,
                     help="No progress bar (there is none either when stderr is not a terminal).")


@main.command(epilog=ENV_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--topic", default=settings.topic_raw, show_default=True, help="Topic to publish to.")
@QUIET
def publish(paths, topic, quiet):
    """Validate articles and publish them to Kafka, keyed by article id.

    PATHS are .json (an object or a list), .jsonl, scraped .txt files (first line the title,
    the rest the body), folders (searched recursively) or - for stdin. An article needs a title
    and a body; without an id, one is derived from its url or content. Exits with 1 if any
    article was rejected.
    """
    from .kafka_io import publish as publish_items
    from .progress import article_progress
    from .readers import read_articles

    with article_progress(paths, "publishing", quiet) as bar:
        report = run_on_kafka(publish_items(read_articles(paths), topic, progress=bar and bar.update))
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
@QUIET
def enrich(paths, output, quiet):
    """Enrich articles offline, without Kafka, through the agents' own stages.

    Reads the same inputs as `khabar publish` and writes one enriched article per input
    article; articles that would be dead-lettered are reported with their reason.
    """
    from . import contracts, stages
    from .progress import article_progress
    from .readers import read_articles

    written, rejected = 0, 0
    with output.open("wb") as out, article_progress(paths, "enriching", quiet) as bar:
        def say(line):  # above the bar, not through it
            bar.write(line, file=sys.stderr) if bar else click.echo(line, err=True)

        for item in read_articles(paths):
            try:
                if item.error:
                    raise contracts.Rejected("undecodable", item.error)
                out.write(contracts.encode(stages.enrich(item.article)) + b"\n")
                written += 1
            except contracts.Rejected as exc:
                rejected += 1
                say(f"rejected {item.origin}: {exc.reason}: {exc.error}")
            if bar:
                bar.update()
    click.echo(f"wrote {written} enriched article(s) to {output}; rejected {rejected}", err=True)
    sys.exit(1 if rejected else 0)


@main.command(epilog=ENV_HELP)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Alternating offline rounds of enrich and hazm alone; the best of each side is compared.")
@click.option("--repeats", type=click.IntRange(min=1), default=3, show_default=True,
              help="Times each end-to-end figure is measured (median and spread are reported).")
@click.option("--limit", type=click.IntRange(min=1), help="Use only the first N articles.")
@click.option("--quick", is_flag=True, help="A smoke run: 300 articles, 2 rounds, 1 repeat.")
@click.option("--offline-only", is_flag=True, help="Skip the end-to-end part (no Kafka needed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON report path [default: KHABAR_STATE_DIR/bench/bench-<time>.json].")
def bench(folder, rounds, repeats, limit, quick, offline_only, output):
    """Benchmark the enrichment offline and end to end through Kafka; print a table, write JSON.

    FOLDER holds Fars News dumps (JSON lists of {title, abstract, paragraphs}), such as
    ../shared/data/fars-news; without it, a generated corpus of Persian articles is used.
    Offline: enrich and each stage against hazm's Normalizer alone, as a ratio. End to end:
    one worker's throughput, latency at half that rate, two workers' throughput, on fresh
    topics of a local broker (started if needed) or of KHABAR_BROKER's cluster.
    """
    from datetime import datetime

    from .bench import render, run, write_report

    if quick:
        limit, rounds, repeats = min(limit or 300, 300), min(rounds, 2), 1
    report = run(folder, rounds=rounds, limit=limit, repeats=repeats, end_to_end=not offline_only,
                 config=settings, progress=lambda line: click.echo(line, err=True))
    output = output or settings.state_dir / "bench" / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    click.echo(render(report))
    click.echo(f"\nreport written to {write_report(report, output)}", err=True)


@main.group()
def kafka():
    """Manage the local Kafka broker (KRaft, one node or three), kept under KHABAR_STATE_DIR.

    Not needed when KHABAR_BROKER points at an existing cluster.
    """


def _local_broker_call(action, *args, **kwargs):
    from .kafka_local import KafkaLocalError

    try:
        return action(settings.state_dir, *args, **kwargs)
    except KafkaLocalError as exc:
        raise click.ClickException(str(exc))


@kafka.command()
@click.option("--brokers", type=click.Choice(["1", "3"]), default="1", show_default=True,
              help="3: a cluster whose node n listens at KHABAR_KAFKA_PORT + 2(n-1); topics get 3 replicas, "
                   "writes need 2 in sync.")
@click.option("--sasl-ssl", is_flag=True,
              help="Clients connect over TLS (a throwaway CA, made now) with SCRAM-SHA-512 as "
                   "KHABAR_SASL_USERNAME / KHABAR_SASL_PASSWORD.")
def up(brokers, sasl_ssl):
    """Fetch the broker's jars (first time), start it (or the nodes of its cluster that stopped),
    and wait until it answers."""
    from .kafka_local import ScramUser
    from .kafka_local import up as start

    scram = ScramUser(settings.sasl_username, settings.sasl_password) if sasl_ssl else None
    bootstrap = _local_broker_call(start, port=settings.kafka_port, controller_port=settings.kafka_controller_port,
                                   version=settings.kafka_version, brokers=int(brokers), scram=scram)
    click.echo(f"Kafka is up at {bootstrap}")
    if int(brokers) > 1:
        click.echo(f"  export KHABAR_BROKER={bootstrap} KHABAR_TOPIC_REPLICATION=3")
    if sasl_ssl:
        click.echo("  export KHABAR_SECURITY_PROTOCOL=SASL_SSL KHABAR_SSL_CAFILE=<KHABAR_STATE_DIR>/kafka/tls/ca.crt")


@kafka.command()
def down():
    """Stop the local broker cleanly."""
    from .kafka_local import down as stop

    click.echo("Kafka stopped" if _local_broker_call(stop) else "no local broker was running")


@kafka.command()
def status():
    """Show whether the local broker runs and answers; exits with 1 if it does not."""
    from .kafka_local import status as describe

    report = _local_broker_call(describe, client=settings)  # healthy means: answers a client configured as you are
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


if __name__ == "__main__":  # python -m streams.cli, as well as the khabar command
    main()
