"""Labels and plain words are kept per text (a report repeats them thousands of times): kept or
not, the markup is the same, and a long text from the estate is never kept."""

from __future__ import annotations

from markupsafe import Markup

from fleetreport.render import labels
from fleetreport.render.labels import KEPT_LENGTH, label, plain_words

STATE = '<span class="api-value" title="AGENT_UNREACHABLE">Agent unreachable</span>'


def test_a_label_is_the_same_markup_the_first_time_and_after() -> None:
    first = label("AGENT_UNREACHABLE", "machine_state")
    assert first == STATE and isinstance(first, Markup)
    assert label("AGENT_UNREACHABLE", "machine_state") == first
    assert label("<b>AGENT</b>", "machine_state") == "&lt;b&gt;AGENT&lt;/b&gt;"
    assert label("<b>AGENT</b>", "machine_state") == "&lt;b&gt;AGENT&lt;/b&gt;"


def test_long_texts_are_worded_alike_and_not_kept() -> None:
    name = "<i>" + "x" * KEPT_LENGTH
    message = f"{name} is AGENT_UNREACHABLE"
    kept_words = labels._kept_plain_words_of_text.cache_info().currsize
    kept_labels = labels._kept_label_of_text.cache_info().currsize
    expected = "&lt;i&gt;" + "x" * KEPT_LENGTH + " is " + STATE
    assert plain_words(message) == expected
    assert plain_words(message) == expected
    assert label(name, "machine_state") == "&lt;i&gt;" + "x" * KEPT_LENGTH
    assert labels._kept_plain_words_of_text.cache_info().currsize == kept_words
    assert labels._kept_label_of_text.cache_info().currsize <= kept_labels + 1  # the state's
