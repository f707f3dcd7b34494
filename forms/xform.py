"""Reads what Waypoint needs from an XForm: identity, languages, questions, choices and media.

Both upload paths end here (pyxform's output for XLSForms, the file itself for XForms), so a
form's questions are described the same way whichever way it arrived.
"""

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from lib.safexml import parse_xml

NS = {
    "xf": "http://www.w3.org/2002/xforms",
    "h": "http://www.w3.org/1999/xhtml",
    "jr": "http://openrosa.org/javarosa",
    "odk": "http://www.opendatakit.org/xforms",
    "orx": "http://openrosa.org/xforms",
}
XF = "{{{}}}".format(NS["xf"])
JR = "{{{}}}".format(NS["jr"])
ODK = "{{{}}}".format(NS["odk"])
MEDIA_URI = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\s\"'<>]+)")
# An instance path in an XPath expression: /data/a/b, ../b, current()/../b. String literals
# are not paths, but a literal shaped like one only makes a calculation more protective.
REFERENCE = re.compile(r"(?:\.\./|/)[A-Za-z_][\w.\-]*(?:/[A-Za-z_][\w.\-]*)*")
SEARCH_APPEARANCE = re.compile(r"search\(\s*['\"]([^'\"]+)['\"]")
PRELOAD_TYPES = {
    ("timestamp", "start"): "start",
    ("timestamp", "end"): "end",
    ("date", "today"): "today",
    ("property", "deviceid"): "deviceid",
    ("property", "phonenumber"): "phonenumber",
    ("property", "username"): "username",
    ("property", "email"): "email",
    ("property", "simserial"): "simserial",
    ("property", "subscriberid"): "subscriberid",
}
BIND_TYPES = {
    "string": "text",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "dateTime": "datetime",
    "time": "time",
    "geopoint": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "barcode": "barcode",
    "binary": "file",
}


class NotAnXForm(ValueError):
    """The XML parsed but is not an XForm Waypoint can host."""


@dataclass
class Question:
    path: str
    name: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    list_name: str | None = None
    in_repeat: str | None = None
    # Instance paths (absolute, or relative as pyxform writes them inside repeats) that a
    # `calculate` reads: a calculation inherits the privacy class of what it copies.
    references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "name": self.name,
            "type": self.type,
            "labels": self.labels,
            "list_name": self.list_name,
            "repeat": self.in_repeat,
        }


@dataclass
class XFormInfo:
    form_id: str
    version: str
    title: str
    root_name: str
    languages: list[str]
    default_language: str
    public_key: str
    questions: list[Question]
    choices: dict[str, list[dict]]
    media: list[str]


def read_xform(data: bytes) -> XFormInfo:
    """Describe the XForm in ``data``. Raises ``UnsafeOrMalformedXML`` or ``NotAnXForm``."""
    html = parse_xml(data)
    model = html.find("h:head/xf:model", NS)
    if html.tag != "{{{}}}html".format(NS["h"]) or model is None:
        raise NotAnXForm("This XML is not an XForm: it has no <h:html><h:head><model>.")
    instance = next((i for i in model.findall("xf:instance", NS) if "id" not in i.attrib), None)
    root = next(iter(instance), None) if instance is not None else None
    if root is None:
        raise NotAnXForm("The XForm has no main <instance> with a root element.")
    form_id = root.get("id", "").strip()
    if not form_id:
        raise NotAnXForm("The XForm's instance root has no `id` attribute (the form id).")
    itext = _read_itext(model)
    languages = list(itext.languages)
    controls = _body_controls(html.find("h:body", NS))
    repeats = {c.get("nodeset") for c in controls.values() if c.tag == XF + "repeat"}
    file_instances = {i.get("id") for i in model.findall("xf:instance", NS) if i.get("src")}
    questions = [
        question
        for bind in model.findall("xf:bind", NS)
        if (question := _question(bind, controls, repeats, itext, file_instances)) is not None
    ]
    return XFormInfo(
        form_id=form_id,
        version=root.get("version", "").strip(),
        title=(html.findtext("h:head/h:title", default="", namespaces=NS) or form_id).strip(),
        root_name=_local(root.tag),
        languages=languages,
        default_language=itext.default or (languages[0] if languages else ""),
        public_key=_public_key(model),
        questions=questions,
        choices={**_instance_choices(model, itext), **_inline_choices(controls, itext)},
        media=_media_names(html),
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class _IText:
    languages: list[str] = field(default_factory=list)
    default: str = ""
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, label: Element | None) -> dict[str, str]:
        if label is None:
            return {}
        ref = label.get("ref", "")
        match = re.match(r"jr:itext\(\s*'([^']+)'\s*\)", ref)
        if match:
            return dict(self.texts.get(match.group(1), {}))
        text = "".join(label.itertext()).strip()
        return {"default": text} if text else {}


def _read_itext(model: Element) -> _IText:
    itext = _IText()
    for translation in model.findall("xf:itext/xf:translation", NS):
        lang = translation.get("lang", "default")
        itext.languages.append(lang)
        if translation.get("default") == "true()":
            itext.default = lang
        for text in translation.findall("xf:text", NS):
            value = text.find("xf:value", NS)
            plain = next((v for v in text.findall("xf:value", NS) if "form" not in v.attrib), value)
            if plain is not None:
                itext.texts.setdefault(text.get("id", ""), {})[lang] = "".join(
                    plain.itertext()
                ).strip()
    return itext


def _body_controls(body: Element | None) -> dict[str, Element]:
    """Body elements by the instance path they refer to (``ref`` or ``nodeset``)."""
    controls: dict[str, Element] = {}
    if body is None:
        return controls
    for element in body.iter():
        ref = element.get("ref") or element.get("nodeset")
        if ref and element.tag != XF + "itemset":
            controls[ref] = element
    return controls


def _question(
    bind: Element, controls: dict, repeats: set, itext: _IText, file_instances: set
) -> Question | None:
    path = bind.get("nodeset", "")
    if not path:
        return None
    control = controls.get(path)
    qtype = _question_type(bind, control, file_instances)
    if qtype is None:
        return None
    repeat = max((r for r in repeats if path.startswith(r + "/")), key=len, default=None)
    list_name = None
    if control is not None:
        itemset = control.find("xf:itemset", NS)
        if itemset is not None:
            list_name = _itemset_instance(itemset)
        elif control.tag in (XF + "select1", XF + "select", ODK + "rank"):
            list_name = path
    return Question(
        path=path,
        name=path.rsplit("/", 1)[-1],
        type=qtype,
        labels=itext.resolve(control.find("xf:label", NS) if control is not None else None),
        list_name=list_name,
        in_repeat=repeat,
        references=REFERENCE.findall(bind.get("calculate", "")),
    )


def _question_type(bind: Element, control: Element | None, file_instances: set) -> str | None:
    preload = (bind.get(JR + "preload"), bind.get(JR + "preloadParams"))
    if preload in PRELOAD_TYPES:
        return PRELOAD_TYPES[preload]
    if preload[0] == "uid" or bind.get("nodeset", "").endswith("/meta/instanceName"):
        return "meta"
    if "/meta/" in bind.get("nodeset", ""):
        return "audit" if bind.get("nodeset", "").endswith("/meta/audit") else "meta"
    bind_type = bind.get("type", "string").split(":")[-1]
    if control is None:
        return "calculate" if bind.get("calculate") else BIND_TYPES.get(bind_type, "hidden")
    tag = _local(control.tag)
    if tag in {"group", "repeat"}:
        return None  # containers carry relevance, not answers
    itemset = control.find("xf:itemset", NS)
    from_file = itemset is not None and _itemset_instance(itemset) in file_instances
    if tag == "select1":
        return "select_one_from_file" if from_file else "select_one"
    if tag == "select":
        return "select_multiple_from_file" if from_file else "select_multiple"
    if tag == "rank":
        return "rank"
    if tag == "range":
        return "range"
    if tag == "trigger":
        return "acknowledge"
    if tag == "upload":
        mediatype = control.get("mediatype", "")
        for prefix, kind in (("image/", "image"), ("audio/", "audio"), ("video/", "video")):
            if mediatype.startswith(prefix):
                return kind
        return "file"
    if bind.get("readonly") == "true()" and bind_type == "string" and not bind.get("calculate"):
        return "note"
    return BIND_TYPES.get(bind_type, "text")


def _itemset_instance(itemset: Element) -> str | None:
    match = re.search(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
    return match.group(1) if match else None


def _inline_choices(controls: dict[str, Element], itext: _IText) -> dict[str, list[dict]]:
    choices: dict[str, list[dict]] = {}
    for path, control in controls.items():
        items = control.findall("xf:item", NS)
        if items:
            choices[path] = [
                {"name": item.findtext("xf:value", "", NS), **_labels(item, itext)}
                for item in items
            ]
    return choices


def _labels(element: Element, itext: _IText) -> dict:
    return {"labels": itext.resolve(element.find("xf:label", NS))}


def _instance_choices(model: Element, itext: _IText) -> dict[str, list[dict]]:
    """Choice lists pyxform writes as secondary instances (``<item><name/><label/></item>``)."""
    choices: dict[str, list[dict]] = {}
    for instance in model.findall("xf:instance", NS):
        list_name = instance.get("id")
        root = next(iter(instance), None)
        if not list_name or instance.get("src") or root is None:
            continue
        items = []
        for item in root:
            itext_id = item.findtext("xf:itextId", None, NS)
            label = item.findtext("xf:label", "", NS).strip()
            labels = dict(itext.texts.get(itext_id, {})) if itext_id else {"default": label}
            items.append({"name": item.findtext("xf:name", "", NS), "labels": labels})
        choices[list_name] = items
    return choices


def _public_key(model: Element) -> str:
    submission = model.find("xf:submission", NS)
    return submission.get("base64RsaPublicKey", "") if submission is not None else ""


def _media_names(html: Element) -> list[str]:
    names: set[str] = set()
    for element in html.iter():
        for value in [*element.attrib.values(), element.text or ""]:
            names.update(match.group(1) for match in MEDIA_URI.finditer(value))
            names.update(f"{match.group(1)}.csv" for match in SEARCH_APPEARANCE.finditer(value))
    return sorted(names)
