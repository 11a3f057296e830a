"""`khabar consume --format pretty`: one readable line per quote event."""
from streams.render import pretty

QUOTE = {"schema_version": "quote-event/1", "quote_id": "a-1#0", "kind": "indirect", "cue": "گفته",
         "text": "سد تازه تا بهار آبگیری می‌شود"}


def test_a_quote_shows_its_speaker_else_its_description_else_says_the_speaker_is_unknown():
    assert pretty({**QUOTE, "speaker": "کاوه نادری"}).startswith("❝ کاوه نادری [indirect, گفته]: «سد تازه")
    described = {**QUOTE, "speaker": None, "speaker_description": "یک مقام ارشد وزارت نیرو"}
    assert pretty(described).startswith("❝ (یک مقام ارشد وزارت نیرو) [indirect")
    assert pretty({**QUOTE, "speaker": None}).startswith("❝ (unknown speaker) [indirect")
