"""``answers_at`` reads a few paths exactly as ``answers_by_path`` reads the whole instance:
the anonymisation worker dates every visit with it instead of walking every answer again."""

from lib.safexml import parse_xml
from sync.instance import answers_at, answers_by_path

INSTANCE = b"""<data id="f" xmlns:jr="http://openrosa.org/javarosa">
<start> 2026-09-01T10:00:00.000+02:00 </start><end/><today>2026-09-01</today>
<g><today>nested, another path</today><x>1</x></g>
<rows><d>first</d></rows><rows><d/></rows><rows><d>third</d></rows>
<jr:odd>namespaced</jr:odd><branch><leaf>a</leaf></branch>
<meta><instanceID>uuid:1</instanceID></meta></data>"""


def test_a_few_paths_read_as_the_whole_instance_reads_them():
    root = parse_xml(INSTANCE)
    every = answers_by_path(root)
    paths = [
        *("/data/start", "/data/end", "/data/today", "/data/g/today", "/data/rows/d"),
        *("/data/odd", "/data/branch", "/data/missing", "/other/start", "", "/data/start"),
    ]

    assert answers_at(root, paths) == {p: every[p] for p in dict.fromkeys(paths) if p in every}
    assert answers_at(root, ["/data/rows/d"]) == {"/data/rows/d": ["first", "third"]}
    assert answers_at(root, ["/data/start"]) == {"/data/start": ["2026-09-01T10:00:00.000+02:00"]}
