#!/usr/bin/env python3
"""A check list for PDF/A-2b (ISO 19005-2 level B), for the tests: veraPDF cannot be
installed here, so each rule below is one of its published PDF/A-2 rules (numbered as
in ISO 19005-2), checked with pikepdf (qpdf), fontTools and Pillow's LittleCMS.

    pdfa_check.py check FILE...           prints {"FILE": [failed rules]} as JSON;
                                          exit 1 when any file fails a rule
    pdfa_check.py structure FILE          prints the PDF/A features the file has, as JSON
    pdfa_check.py mutate KIND IN OUT      writes IN broken in one way (a negative control)
"""

import datetime
import io
import json
import re
import sys
import xml.etree.ElementTree as ET

import pikepdf
from fontTools.ttLib import TTFont
from PIL import ImageCms

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
# The schemas ISO 19005-2 (6.6.2.3.1) takes as known without an extension schema.
PREDEFINED = {
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/pdf/1.3/",
    "http://www.aiim.org/pdfa/ns/id/", "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/photoshop/1.0/", "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
    "http://ns.adobe.com/xap/1.0/t/pg/", "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "adobe:ns:meta/", "http://www.w3.org/XML/1998/namespace",
}
FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Screen", "/Movie", "/FileAttachment"}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide",
                     "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}
BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten", "/ColorDodge",
               "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion", "/Hue", "/Saturation",
               "/Color", "/Luminosity"}


def pdf_date(value):
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?", value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else default for g, default in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0)))
    sign, oh, om = m.group(7), int(m.group(8) or 0), int(m.group(9) or 0)
    offset = datetime.timedelta(hours=oh, minutes=om) * (-1 if sign == "-" else 1)
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone(offset if sign and sign != "Z" else datetime.timedelta()))


def xmp_date(value):
    value = value.strip().replace("Z", "+00:00")
    try:
        return datetime.datetime.fromisoformat(value).replace(microsecond=0)
    except ValueError:
        return None


def check(path):
    failed = []

    def rule(ok, clause, what):
        if not ok:
            failed.append(f"{clause}: {what}")

    raw = open(path, "rb").read()
    # 6.1.2 File header.
    rule(re.match(rb"%PDF-1\.[0-7]\r?\n", raw) is not None, "6.1.2", "header is %PDF-1.n and an end of line")
    second = raw.split(b"\n", 2)[1] if raw.count(b"\n") > 1 else b""
    rule(second.startswith(b"%") and sum(b > 127 for b in second[1:5]) == 4, "6.1.2",
         "a comment of four bytes above 127 follows the header")
    # 6.1.3 File trailer: nothing but an end of line after the last %%EOF.
    tail = raw[raw.rfind(b"%%EOF") + 5:]
    rule(tail in (b"", b"\n", b"\r\n", b"\r"), "6.1.3", "at most one end of line follows the last %%EOF")
    # 6.1.7.1 The stream keyword is followed by CRLF or LF, endstream preceded by an EOL.
    rule(re.search(rb">>\s*stream(?!\r\n|\n)", raw) is None, "6.1.7.1", "stream keyword followed by CRLF or LF")

    pdf = pikepdf.open(path)
    trailer, root = pdf.trailer, pdf.Root
    rule("/ID" in trailer and len(trailer.ID) == 2, "6.1.3", "the trailer has an ID")
    rule("/Encrypt" not in trailer, "6.1.3", "the file is not encrypted")

    # 6.6.2.1, 6.6.4 Metadata and identification.
    xmp_root = None
    if "/Metadata" in root:
        meta = root.Metadata
        rule(meta.get("/Type") == "/Metadata" and meta.get("/Subtype") == "/XML", "6.6.2.1",
             "the metadata stream is Type Metadata, Subtype XML")
        rule("/Filter" not in meta, "6.6.2.1", "the metadata stream is not compressed")
        packet = meta.read_bytes()
        try:
            body = packet[packet.index(b"<x:xmpmeta"):packet.rindex(b"</x:xmpmeta>") + 12]
            xmp_root = ET.fromstring(body)
        except (ValueError, ET.ParseError) as e:
            rule(False, "6.6.2.1", f"the XMP is well-formed ({e})")
        namespaces = set(re.findall(rb'xmlns:\w+="([^"]+)"', packet))
        unknown = [n.decode() for n in namespaces if n.decode() not in PREDEFINED]
        rule(not unknown, "6.6.2.3.1", f"XMP uses only predefined schemas (unknown: {unknown})")
    else:
        rule(False, "6.6.2.1", "the catalog has a metadata stream")

    def xmp_values(path_):
        if xmp_root is None:
            return None
        found = xmp_root.findall(f".//{path_}", NS)
        return found

    part = xmp_values("pdfaid:part")
    conformance = xmp_values("pdfaid:conformance")
    part = part[0].text if part else None
    conformance = conformance[0].text if conformance else None
    # Attribute form (rdf:Description pdfaid:part="2") is as valid as element form.
    if xmp_root is not None and part is None:
        for d in xmp_root.iter(f"{{{NS['rdf']}}}Description"):
            part = part or d.get(f"{{{NS['pdfaid']}}}part")
            conformance = conformance or d.get(f"{{{NS['pdfaid']}}}conformance")
    rule(part == "2", "6.6.4", f"pdfaid:part is 2 (found {part})")
    rule(conformance in ("B", "U", "A"), "6.6.4", f"pdfaid:conformance is B, U or A (found {conformance})")

    # 6.6.3 Info entries equal to their XMP analogues.
    info = trailer.get("/Info", {})

    def single(path_, attribute=None):
        if xmp_root is None:
            return None
        for d in xmp_root.iter(f"{{{NS['rdf']}}}Description"):
            prefix, name = path_.split(":")
            value = d.get(f"{{{NS[prefix]}}}{name}")
            if value is not None:
                return value
        found = xmp_values(path_)
        if not found:
            return None
        element = found[0]
        items = element.findall(".//rdf:li", NS)
        if attribute == "x-default":
            for li in items:
                if li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default":
                    return li.text or ""
            return None
        if attribute == "single":
            return items[0].text if len(items) == 1 else None
        return element.text or ""

    for key, path_, kind in (("/Title", "dc:title", "x-default"), ("/Author", "dc:creator", "single"),
                             ("/Subject", "dc:description", "x-default"), ("/Keywords", "pdf:Keywords", None),
                             ("/Creator", "xmp:CreatorTool", None), ("/Producer", "pdf:Producer", None)):
        if key in info:
            rule(single(path_, kind) == str(info[key]), "6.6.3", f"Info {key[1:]} equals XMP {path_}")
    for key, path_ in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info:
            value = single(path_)
            rule(value is not None and pdf_date(str(info[key])) == xmp_date(value), "6.6.3",
                 f"Info {key[1:]} equals XMP {path_}")

    # 6.2.3 Output intent.
    intents = root.get("/OutputIntents", [])
    pdfa_intents = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    rule(len(pdfa_intents) >= 1, "6.2.3", "a GTS_PDFA1 output intent")
    profile_space = None
    for intent in pdfa_intents:
        rule("/DestOutputProfile" in intent, "6.2.3", "the output intent has a DestOutputProfile")
        if "/DestOutputProfile" not in intent:
            continue
        profile = intent.DestOutputProfile
        icc = profile.read_bytes()
        major, device_class, space = icc[8], icc[12:16], icc[16:20]
        profile_space = space
        rule(major <= 4, "6.2.3", "the ICC profile is version 4 or earlier")
        rule(device_class in (b"mntr", b"prtr"), "6.2.3", "the ICC profile is an output or monitor profile")
        rule({b"RGB ": 3, b"GRAY": 1, b"CMYK": 4}.get(space) == int(profile.get("/N", 0)), "6.2.3",
             "the profile stream's N matches the profile's colour space")
        try:
            ImageCms.ImageCmsProfile(io.BytesIO(icc))
        except Exception as e:  # noqa: BLE001 - any failure to parse is the finding
            rule(False, "6.2.3", f"LittleCMS reads the ICC profile ({e})")
    # 6.1.13, 6.5, 6.7 Catalog: no additional actions, JavaScript or embedded files.
    rule("/AA" not in root, "6.5.2", "the catalog has no additional actions")
    names = root.get("/Names", {})
    rule("/JavaScript" not in names, "6.5.1", "no document JavaScript")
    rule("/EmbeddedFiles" not in names, "6.8", "no embedded files (level B of part 2)")
    form = root.get("/AcroForm", {})
    rule("/XFA" not in form and not form.get("/NeedAppearances", False), "6.4.1",
         "no XFA form and no NeedAppearances")

    # Every object: streams, images, fonts, graphics states, annotations, actions.
    device_spaces = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            d = obj.stream_dict
        elif isinstance(obj, pikepdf.Dictionary):
            d = obj
        else:
            continue
        filters = d.get("/Filter")
        filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
        rule("/LZWDecode" not in [str(f) for f in filters], "6.1.7.2", "no LZW-compressed stream")
        rule(not any(k in d for k in ("/F", "/FFilter", "/FDecodeParms")) or not isinstance(obj, pikepdf.Stream),
             "6.1.7.1", "no stream refers to an external file")
        kind, subtype = d.get("/Type"), d.get("/Subtype")
        if subtype == "/Image":
            rule(not d.get("/Interpolate", False), "6.2.8", "no image asks for interpolation")
            rule("/Alternates" not in d and "/OPI" not in d, "6.2.8", "no alternate or OPI images")
            cs = d.get("/ColorSpace")
            if isinstance(cs, pikepdf.Name):
                device_spaces.add(str(cs))
        if subtype == "/Form":
            rule("/OPI" not in d and d.get("/Subtype2") != "/PS" and "/PS" not in d, "6.2.9",
                 "no PostScript or OPI in forms")
        if subtype == "/PS":
            rule(False, "6.2.9", "no PostScript XObject")
        if kind == "/ExtGState":
            rule("/TR" not in d and d.get("/TR2", "/Default") == "/Default", "6.2.5", "no transfer functions")
            rule("/HTP" not in d, "6.2.5", "no halftone phase")
            bm = d.get("/BM")
            modes = [bm] if isinstance(bm, pikepdf.Name) else list(bm or [])
            rule(all(str(m) in BLEND_MODES for m in modes), "6.2.10", "only standard blend modes")
        if kind == "/Font" or subtype in ("/Type0", "/Type1", "/TrueType", "/CIDFontType2", "/CIDFontType0"):
            if subtype in ("/Type1", "/MMType1", "/TrueType", "/CIDFontType0", "/CIDFontType2"):
                fd = d.get("/FontDescriptor")
                embedded = fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                rule(embedded, "6.2.11.4.1", f"the font {d.get('/BaseFont')} is embedded")
            if subtype == "/CIDFontType2":
                rule("/CIDToGIDMap" in d, "6.2.11.3.2", "a CIDFontType2 font has a CIDToGIDMap")
                check_cid_widths(d, rule)
        if subtype in FORBIDDEN_ANNOTS:
            rule(False, "6.3.1", f"no {subtype} annotation")
        if d.get("/S") in FORBIDDEN_ACTIONS:
            rule(False, "6.5.1", f"no {d.get('/S')} action")

    for number, page in enumerate(pdf.pages, 1):
        rule("/AA" not in page.obj, "6.5.2", f"page {number} has no additional actions")
        for annot in page.obj.get("/Annots", []):
            flags = int(annot.get("/F", 0))
            rule(flags & 4 and not flags & (1 | 2 | 32 | 256), "6.3.2",
                 f"page {number}: annotations print and are not hidden")
            ap = annot.get("/AP")
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            if annot.get("/Subtype") not in ("/Link", "/Popup") and rect[0] != rect[2] and rect[1] != rect[3]:
                rule(ap is not None, "6.3.3", f"page {number}: annotations have an appearance")
            if ap is not None:
                rule(set(ap.keys()) == {"/N"}, "6.3.3", f"page {number}: appearances have only N")
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("rg", "RG"):
                device_spaces.add("/DeviceRGB")
            elif op in ("k", "K"):
                device_spaces.add("/DeviceCMYK")
            elif op in ("g", "G"):
                device_spaces.add("/DeviceGray")
            elif op in ("cs", "CS") and operands and isinstance(operands[0], pikepdf.Name):
                device_spaces.add(str(operands[0]))
    # 6.2.4.3 Device colour spaces only with a matching output intent.
    if "/DeviceRGB" in device_spaces:
        rule(profile_space == b"RGB ", "6.2.4.3", "DeviceRGB is used with an RGB output intent")
    if "/DeviceCMYK" in device_spaces:
        rule(profile_space == b"CMYK", "6.2.4.3", "DeviceCMYK is used with a CMYK output intent")
    if "/DeviceGray" in device_spaces:
        rule(profile_space is not None, "6.2.4.3", "DeviceGray is used with an output intent")
    return sorted(set(failed))


def check_cid_widths(cid_font, rule):
    """6.2.11.5: the widths the PDF gives equal the glyph advances of the embedded program,
    for every glyph the CIDToGIDMap can reach."""
    fd = cid_font.get("/FontDescriptor")
    if fd is None or "/FontFile2" not in fd:
        return
    font = TTFont(io.BytesIO(fd.FontFile2.read_bytes()))
    scale = 1000 / font["head"].unitsPerEm
    advances = [font["hmtx"][name][0] * scale for name in font.getGlyphOrder()]
    mapping = cid_font.get("/CIDToGIDMap")
    if isinstance(mapping, pikepdf.Stream):
        data = mapping.read_bytes()
        gids = {(data[i] << 8) | data[i + 1] for i in range(0, len(data) - 1, 2)}
    else:
        gids = set(range(len(advances)))
    default = float(cid_font.get("/DW", 1000))
    if "/W" in cid_font:
        return  # per-CID widths: checked only for fonts using DW alone, as olke's does
    for gid in gids:
        if gid < len(advances) and gid != 0:
            rule(abs(advances[gid] - default) <= 1, "6.2.11.5",
                 f"glyph {gid}'s width in the font program equals the PDF's")


def structure(path):
    """What a PDF/A-2b file is made of, to compare one producer's with another's."""
    pdf = pikepdf.open(path)
    intents = pdf.Root.get("/OutputIntents", [])
    packet = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"]
    return {
        "output_intents": sorted(str(i.get("/S")) for i in intents),
        "profile_colour_space": [i.DestOutputProfile.read_bytes()[16:20].decode() for i in intents],
        "pdfaid": [v.decode() for v in re.findall(rb"pdfaid:(?:part|conformance)[>=\"]+(\w)", packet)],
        "metadata_compressed": "/Filter" in pdf.Root.Metadata if "/Metadata" in pdf.Root else None,
        "trailer_id": "/ID" in pdf.trailer,
        "fonts_embedded": all(any(k in f for k in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts),
        "encrypted": pdf.is_encrypted,
    }


def mutate(kind, source, target):
    pdf = pikepdf.open(source)
    if kind == "no-output-intent":
        del pdf.Root["/OutputIntents"]
    elif kind == "info-title-differs":
        pdf.docinfo["/Title"] = "Something else"
    elif kind == "interpolate":
        for page in pdf.pages:
            for image in page.Resources.XObject.values():
                image.Interpolate = True
    elif kind == "page-javascript":
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=action)
    elif kind == "unembedded-font":
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        del obj[key]
    else:
        raise SystemExit(f"unknown mutation {kind}")
    # qpdf would otherwise rewrite the metadata's dates out of step with Info.
    pdf.save(target, fix_metadata_version=False)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        results = {path: check(path) for path in sys.argv[2:]}
        print(json.dumps(results, ensure_ascii=False, indent=1))
        sys.exit(1 if any(results.values()) else 0)
    if len(sys.argv) == 3 and sys.argv[1] == "structure":
        print(json.dumps(structure(sys.argv[2])))
        return
    if len(sys.argv) == 5 and sys.argv[1] == "mutate":
        mutate(*sys.argv[2:])
        return
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
