"""The fault corpus itself: a clean corpus landing builds, both councils alike, nothing leaks."""

import pytest

from tests.helpers import fault_corpus

pytestmark = pytest.mark.faults


def test_clean_corpus_builds_and_the_control_matches(settings, corpus, corpus_template_dir,
                                                     clean_reference):
    result = fault_corpus.build(settings, corpus_template_dir)
    assert result.success
    assert all(result.checks[k] for k in result.checks if k[1] != "recording_rules")
    fault_corpus.assert_control_unharmed(settings, clean_reference)
    assert fault_corpus.extract_status(settings, fault_corpus.FAULTY) == ("loaded", None)
    assert clean_reference  # the control publishes figures
