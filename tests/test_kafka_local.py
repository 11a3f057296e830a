"""The local broker's helpers that need no Java."""
import uuid

from streams import kafka_local


def test_a_cluster_id_never_starts_like_an_option(monkeypatch):
    # 0xF8 in front encodes to "-" in URL-safe base64, which kafka-storage took for an option
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=bytes(range(16)))])
    monkeypatch.setattr(kafka_local.uuid, "uuid4", lambda: next(drawn))
    cluster_id = kafka_local._kafka_uuid()
    assert cluster_id == "AAECAwQFBgcICQoLDA0ODw"
    assert len(cluster_id) == 22
