"""The Persian NLP core: normalize → segment → entities → quotes. Knows nothing of Kafka."""
