"""Small-cell suppression for published frequency tables and cross-tabulations.

Why: a results table about migrants is read by people who may know some of the people in it. A
cell of 1 to 4 - "2 women from one nationality at this service point in March" - points at a
few identifiable people, and what else the table says about them (legal status, protection
needs, intention to move on) then becomes known about them, at the risk of detention or
reprisals. National statistics offices handle this with statistical disclosure control on
tables (tau-argus, sdcTable); this package follows their conventions in a simpler form so that
a DPO trained on them reads our tables the way they expect.

The modules, in the order a table goes through them (threshold `t`, per project, default 5):

    published    SuppressedTable, SUPPRESSED: what leaves the package
    primary      cells and totals with 0 < n < t (zeros on request); the table with margins
    secondary    suppress_table, suppress_linked: cheapest cycles until nothing is recoverable
    graph        bridges and cheapest paths in the graph of hidden numbers
    equations    the published equations over hidden numbers; which ones they determine
    recovery     recoverable_cells: the attacker's exact recovery, used to verify
    intervals    interval_width, narrow_cells: how far a hidden cell can be narrowed down

Plain numpy (scipy for intervals): no Django, so workers and exports use it without settings.
"""

from results.suppression.intervals import interval_width, narrow_cells
from results.suppression.published import SUPPRESSED, SuppressedTable
from results.suppression.recovery import recoverable_cells
from results.suppression.secondary import suppress_linked, suppress_table

__all__ = [
    "SUPPRESSED",
    "SuppressedTable",
    "interval_width",
    "narrow_cells",
    "recoverable_cells",
    "suppress_linked",
    "suppress_table",
]
