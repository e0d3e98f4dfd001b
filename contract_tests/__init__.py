"""The contract kit: Hypothesis strategies, checks and suites for emotion-AI streaming APIs.

Suites run against the in-process emulator by default, or against any server (including
the real vendor) when given its URL and credentials; see ``contract_tests/conftest.py``.
"""
