"""Realistic, messy, multi-day landing files for cakupan, with the ground truth beside them.

``generate_scenario(out)`` writes ``out/deliveries/<day>/<source>/<file>`` (what arrives in
the landing zone each delivery day), ``out/truth/*.csv`` (what the pipeline must make of
every file and row, per CONTRACT §2-§3) and ``out/manifest.json``. The same seed gives the
same bytes, so tests can regenerate instead of storing fixtures.
"""

from cakupan_dev.generate.scenario import Scenario, generate_scenario

__all__ = ["Scenario", "generate_scenario"]
