"""The reliability suite (docs/reliability.md): churn, fuzzing, disconnects, slow clients,
overload and journal completeness. ``make test`` runs the smoke forms; ``make soak`` the long
ones (``MOCKSERVER_SOAK=1``, Hypothesis profile ``soak``)."""
