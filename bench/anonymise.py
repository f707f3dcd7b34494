"""Record anonymisation throughput per worker, on the library questionnaire with realistic free
text (stories in five languages with names, phones, e-mails, IBANs planted). Target: 2,000
records/s per worker.

Two figures: the transform alone (parse, rules, generalise, pseudonymise, redact), and the whole
task as a worker runs it (read the sealed XML from PostgreSQL, unseal, transform, write the
record), in one process.
"""

import random
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape


def _instances(template: bytes, count: int) -> list[bytes]:
    from bench.redaction import _record

    rng = random.Random(7)
    out = []
    for _ in range(count):
        story, direct, _, _ = _record(rng)
        xml = template.replace(b"INSTANCE_ID", f"uuid:{uuid.uuid4()}".encode())
        xml = _replace(xml, "story", story)
        xml = _replace(xml, "contact_name", direct[0])
        out.append(_replace(xml, "contact_phone", direct[1]))
    return out


def _replace(xml: bytes, tag: str, value: str) -> bytes:
    start = xml.index(f"<{tag}>".encode()) + len(tag) + 2
    end = xml.index(f"</{tag}>".encode(), start)
    return xml[:start] + escape(value).encode() + xml[end:]


def run(records: int = 3000) -> dict:
    from bench.ingest import template_instance
    from bench.setup import library_project
    from lib import crypto
    from privacy.anonymisation import services
    from privacy.anonymisation.rules import anonymise_instance
    from privacy.disclosure import scheduling
    from privacy.receivers import enqueue_anonymisation
    from privacy.redaction import Redactor
    from sync.instance import parse_instance
    from sync.services import Caller, submission_receive
    from sync.signals import submission_completed

    bench = library_project("anonymise")
    project, device, version = bench.project, bench.device, bench.version
    template = template_instance(bytes(version.xform), Path(tempfile.mkdtemp()))
    instances = _instances(template, records)
    rule_set = version.current_rule_set
    rules = list(services.rule_specs(rule_set.pk, rule_set.created_at))
    repeats = services.repeat_paths(version)
    key = crypto.pseudonym_key(project.pk)
    regions = services.phone_regions(project)
    redactor = Redactor.for_regions(regions, services.id_regions(project))  # as the task does

    anonymise_instance(
        parse_instance(instances[0]).root,
        rules=rules,
        repeats=repeats,
        pseudonym_key=key,
        regions=regions,
        redactor=redactor,
    )
    started = time.perf_counter()
    redactions = 0
    for xml in instances:
        result = anonymise_instance(
            parse_instance(xml).root,
            rules=rules,
            repeats=repeats,
            pseudonym_key=key,
            regions=regions,
            redactor=redactor,
        )
        # "name: direct", "name: cue"... break the "name" count down; not counted twice
        redactions += sum(n for kind, n in result.redactions.items() if ":" not in kind)
    transform_seconds = time.perf_counter() - started

    submission_completed.disconnect(enqueue_anonymisation)  # store only; the bench processes
    try:
        ids = [
            submission_receive(
                project=project, caller=Caller(device=device), xml=xml, files={}
            ).submission.pk
            for xml in instances
        ]
    finally:
        submission_completed.connect(enqueue_anonymisation)
    # Disclosure control is its own task (scheduled by privacy.disclosure.scheduling, measured
    # by the disclosure bench); here, without a broker, it would run in-process
    # after every commit, so it is only marked due, as a worker does, and not run.
    unqueued = mock.patch.object(scheduling, "_disclosure_send")
    unqueued.start()
    started = time.perf_counter()
    for submission_id in ids[: records // 10]:
        services.record_anonymise(submission_id=submission_id)
    single_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rest = ids[records // 10 :]
    for start in range(0, len(rest), 500):  # as privacy.anonymise_batch runs them
        services.records_anonymise(submission_ids=rest[start : start + 500])
    batch_seconds = time.perf_counter() - started
    unqueued.stop()
    return {
        "records": records,
        "mean_instance_bytes": sum(map(len, instances)) // len(instances),
        "redactions": redactions,
        "transform_records_per_s": round(records / transform_seconds),
        "worker_one_task_per_submission_records_per_s": round(records // 10 / single_seconds),
        "worker_batches_of_500_records_per_s": round(len(rest) / batch_seconds),
    }
