"""The protected table lattice of an approved release: every table results will ever publish
for it, computed and suppressed once at approval (``results.lattice``), then only read. A
candidate's may be computed before approval, for the DPO only (``preview``), and adopted at
approval when nothing it counted changed (``results.lattice.candidate``).

One ``Lattice`` per release (its dimension trees, state and utility report) and one
``LatticeCube`` per variable: a (geography node x time node x category) array of published
counts with -1 where a cell is withheld, stored as raw int32 bytes so that answering a table is
one small row read, never a count over records.
"""

from django.db import models

from privacy.models import Release


def default_pair_levels() -> list[list[str]]:
    """What lattices built before the DPO chose pair levels were built with."""
    return [["all", "country"], ["all", "year"]]


class Lattice(models.Model):
    class State(models.TextChoices):
        BUILDING = "building", "Being computed"
        BUILT = "built", "Built"
        FAILED = "failed", "Failed"

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="lattice")
    state = models.CharField(max_length=16, choices=State.choices, default=State.BUILDING)
    threshold = models.PositiveIntegerField(default=5)
    pair_levels = models.JSONField(
        default=default_pair_levels,
        help_text="[geography levels, time levels] pairs were published at, frozen at build.",
    )
    geography = models.JSONField(default=dict, help_text="Geography tree (results.lattice.trees).")
    time = models.JSONField(default=dict, help_text="Time tree (results.lattice.trees).")
    report = models.JSONField(default=dict, help_text="Hidden cells per table and level.")
    error = models.TextField(blank=True)
    # A candidate's tables, computed before approval for the DPO's review (issue 13): analysts
    # never read them; the approval's build adopts them when ``basis`` still matches.
    preview = models.BooleanField(
        default=False, help_text="Computed for an open candidate; not read by analysts."
    )
    basis = models.CharField(
        max_length=64,
        blank=True,
        help_text="What a candidate's tables were computed from: its content hash, threshold, "
        "pair levels and questions (results.lattice.candidate.basis).",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lattice of release {self.release_id} ({self.state})"


class LatticeCube(models.Model):
    """One variable's published cells at every node pair; ``categories`` are the codes of the
    last axis (the last one the total of the node, shared by every variable of the release)."""

    lattice = models.ForeignKey(Lattice, on_delete=models.CASCADE, related_name="cubes")
    variable = models.CharField(max_length=300)
    kind = models.CharField(max_length=16)
    categories = models.JSONField(default=list)
    cells = models.BinaryField(help_text="int32 (geography, time, category), -1 = withheld.")
    means = models.BinaryField(null=True, blank=True, help_text="float32 mean ranks, NaN = none.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lattice", "variable"], name="lattice_cube_once")
        ]

    def __str__(self) -> str:
        return f"{self.variable} of {self.lattice}"
