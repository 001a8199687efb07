"""Rendering: the terminal summary, the self-contained HTML report and their figures.

Renders only what a service returns (``photodose.services``); computes nothing of its own.
"""
