"""The indicators engine: the SQL that counts answers and dossiers and scores them.

Every count is computed in SQL. Responses are first summed per agency, month and
criterion (the "base": small next to the responses), then the base is fanned out to
every level (agency, province in force and in the 2025 map, region, nation) and
period (month, quarter, year; agencies by quarter and year) with joins
(`fanout`). The same fan-out serves the incremental fold (`fold`), the rebuild
(`rebuild`), the reconciliation (`reconcile`) and the dossier counts
(`dossier_counts`), so they cannot drift apart. Figures are computed from the
counts (`figures`, `dossier_figures`) with what every figure shares (`scoring`).

`kernel` holds what every step shares: table names, key and column lists, the
planner settings. `state` is the rollup's state row: marks, lock and lease.
`pipeline` calls the steps in order; the tasks and `refresh_indicators` call it.
"""
