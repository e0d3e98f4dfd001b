"""Hume Expression Measurement streaming emulator (``/v0/stream/models``).

Public sources, named short in this package's docstrings (full list: docs/fidelity.md):

* "Hume's streaming definition": the API definition in github.com/HumeAI/hume-python-sdk,
  ``.mock/definition/expression-measurement/stream/stream.yml`` and ``__package__.yml``
  (``StreamModelsEndpointPayload``, ``StreamFace``, ``StreamLanguage``, ``SubscribeEvent``),
  rendered at https://dev.hume.ai/reference/expression-measurement-api/stream/models;
* "the streaming reference" (limits on data size, recommended file types):
  https://streaming.hume.ai/doc/streaming-api/operation/operation-publish-models;
* "the websocket guide": https://dev.hume.ai/docs/expression-measurement/websocket (API
  limits, the "in a row" error limit);
* the errors page https://dev.hume.ai/docs/resources/errors;
* the SDKs: ``hume`` 0.4.2, 0.7.13 and 0.13.13 on PyPI, the TypeScript ``hume`` package, and
  the examples in github.com/HumeAI/hume-api-examples.
"""
