"""Model texts shared by tests (native YAML): the smallest valid models to build cases on."""

from __future__ import annotations

#: Two decision makers, one option each; each prefers its own option taken (A: a, B: b).
#: Tests append top-level keys (``mediation:``, ``deal:``, ...) or replace parts of it.
TWO_DMS = """name: x
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [a]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b]}
"""
