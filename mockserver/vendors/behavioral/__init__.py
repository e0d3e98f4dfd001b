"""Behavioral Signals API v5 emulator: gRPC streaming plus the REST batch API.

Public sources, named short in this package's docstrings (full list: docs/fidelity.md):

* the SDK, ``behavioralsignals`` 0.7.1 on PyPI (``base.py``, ``client.py``, ``models.py``,
  ``utils.py``, ``generated/api_pb2.py``) and its README;
* ``protos/api.proto`` of github.com/BehavioralSignalTechnologies/behavioralsignals-python
  (copied to ``protos/behavioral_signals/api.proto``) and that repository's examples;
* the docs at https://behavioralsignals.readme.io (``/docs/definitions``,
  ``/docs/real-time-deepfake-detection``, ``/docs/streaming-using-a-bare-grpc-client``,
  ``/docs/check-the-processing-progress``, ``/docs/retrieve-results``, ...);
* real v5 batch results published in github.com/michael-abdo/xenodex_fulfillment
  (``apis/behavior_signals/results/``), "the real results" below.
"""
