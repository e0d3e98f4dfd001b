"""The contract kit's suites, shipped with the package: ``pytest --pyargs mockserver.contract``.

See :mod:`mockserver.contract.suites.test_conformance` for the targets.
"""
