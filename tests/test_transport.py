"""The worker producer's partitioner: Kafka's default choice for every key, so a Java or librdkafka
producer that writes the same article id lands on the same partition (and compaction keeps one)."""
from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given, strategies as st

from streams.app import app
from streams.transport import partition_for_key


@given(key=st.binary(max_size=80), partitions=st.integers(min_value=1, max_value=64))
def test_a_key_goes_where_the_default_partitioner_sends_it(key, partitions):
    all_partitions = list(range(partitions))
    expected = DefaultPartitioner()(key, all_partitions, all_partitions)
    assert partition_for_key(key, all_partitions, all_partitions) == expected
    assert partition_for_key(key, all_partitions, all_partitions) == expected  # and again, remembered


def test_a_keyless_event_goes_to_an_available_partition():
    assert {partition_for_key(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}


def test_the_worker_producer_uses_it():
    assert app.producer.partitioner is partition_for_key
