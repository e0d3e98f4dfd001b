"""Tests of reaching the emulators from every kind of client: TLS and vendor hostnames,
gRPC reflection and health, readiness for scripts, non-loopback use, the API documents,
``mockserver exec`` and unmodified clients in other processes."""
