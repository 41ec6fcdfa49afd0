"""Robustness: how sure are the conclusions when the preferences are uncertain (the profile
space in ``profiles``, chunk evaluation in ``chunks``, the result in ``result``)."""

from __future__ import annotations

from detente.analyses.robustness.analysis import (
    DEFAULT_SAMPLES,
    EXACT_LIMIT,
    Progress,
    check_memory,
    robustness,
    robustness_bytes,
)
from detente.analyses.robustness.profiles import count_text, profile_space_size
from detente.analyses.robustness.result import RobustnessResult

__all__ = ["DEFAULT_SAMPLES", "EXACT_LIMIT", "Progress", "RobustnessResult", "check_memory",
           "count_text", "profile_space_size", "robustness", "robustness_bytes"]
