"""The repository's suites that run the contract kit (``mockserver.contract``): certify the
example clients (``examples/clients/``), and check the emulator's conformance, also with
faults loaded. The kit itself, its profiles and its shipped suites are in the package
(``pytest --pyargs mockserver.contract``)."""
