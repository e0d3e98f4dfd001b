"""Behavioral Signals API v5 emulator: gRPC streaming plus the REST batch API.

Source of truth: ``shared/spec/behavioral-signals.md``.
"""
