"""The two dimension hierarchies of a release's lattice, as trees of nodes.

Geography: all > regional network > National Society > country > service point. A National
Society in several networks counts in the first by code (so every record is counted once and
the tree stays a tree); a country is a node under its National Society, so a country served by
two National Societies is two nodes. Records without a service point sit under an "unknown"
chain. Time: all > year > quarter > month (the visit month the release froze).

Node keys are strings ``"<level>:<value>"`` (``"all"`` for the root): stable across queries,
readable in stored JSON, and what filters are matched against.
"""

from dataclasses import dataclass, field

from accounts.models import RegionalNetwork, ServicePoint

GEO_LEVELS = ("all", "network", "national_society", "country", "service_point")
TIME_LEVELS = ("all", "year", "quarter", "month")
UNKNOWN = "?"


@dataclass
class Tree:
    """Nodes in breadth-first order (root first); ``parent[i]`` is -1 for the root."""

    keys: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, label: str, level: str, parent: int) -> int:
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
            self.labels.append(label)
            self.levels.append(level)
            self.parent.append(parent)
        return self.index[key]

    def children(self, node: int) -> list[int]:
        return [i for i, p in enumerate(self.parent) if p == node]

    def leaves(self) -> list[int]:
        parents = set(self.parent)
        return [i for i in range(len(self.keys)) if i not in parents]

    def as_dict(self) -> dict:
        return {
            "keys": self.keys,
            "labels": self.labels,
            "levels": self.levels,
            "parent": self.parent,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Tree":
        tree = cls(data["keys"], data["labels"], data["levels"], data["parent"])
        tree.index = {k: i for i, k in enumerate(tree.keys)}
        return tree


def geography(service_point_ids: list[int | None]) -> tuple[Tree, dict[int | None, int]]:
    """The geography tree over the given service points, and service point id -> leaf node."""
    tree = Tree()
    root = tree.add("all", "All", "all", -1)
    points = {
        p.pk: p
        for p in ServicePoint.objects.filter(pk__in=[i for i in service_point_ids if i])
        .select_related("national_society")
        .order_by("pk")
    }
    first_network: dict[int, RegionalNetwork] = {}
    for network in RegionalNetwork.objects.prefetch_related("societies").order_by("code"):
        for society in network.societies.all():
            first_network.setdefault(society.pk, network)
    leaf = {}
    ordered = sorted(points.values(), key=lambda p: (p.national_society.name, p.country, p.name))
    for point in [*ordered, None]:
        if point is None and None not in service_point_ids:
            continue
        if point is None:
            net, ns, country, sp = (UNKNOWN, "Unknown"), UNKNOWN, UNKNOWN, (UNKNOWN, "Unknown")
        else:
            network = first_network.get(point.national_society_id)
            net = (network.code, network.name) if network else (UNKNOWN, "No network")
            ns, country, sp = point.national_society.name, point.country, (point.name, point.name)
        n = tree.add(f"network:{net[0]}", net[1], "network", root)
        s = tree.add(f"national_society:{ns}", ns, "national_society", n)
        c = tree.add(f"country:{ns}|{country}", country, "country", s)
        leaf[point.pk if point else None] = tree.add(
            f"service_point:{point.pk if point else UNKNOWN}", sp[1], "service_point", c
        )
    return tree, leaf


def quarter(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def time(months: list[str]) -> tuple[Tree, dict[str, int]]:
    """The time tree over the given visit months (YYYY-MM), and month -> leaf node."""
    tree = Tree()
    root = tree.add("all", "All", "all", -1)
    leaf = {}
    for month in sorted(months):
        y = tree.add(f"year:{month[:4]}", month[:4], "year", root)
        q = tree.add(f"quarter:{quarter(month)}", quarter(month), "quarter", y)
        leaf[month] = tree.add(f"month:{month}", month, "month", q)
    return tree, leaf
