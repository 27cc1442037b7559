"""The text of each page of a PDF that Chromium printed (Skia's PDF: Flate streams, fonts with ToUnicode maps), for
the tests of the printed record: enough to read back what a page shows, margin boxes (page numbers) included.
Not a general PDF reader: no object streams, no encryption, which Chromium's printToPDF does not write."""
from __future__ import annotations

import re
import zlib

HEAD = re.compile(rb"(\d+) 0 obj\s*")


def objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (its dictionary, its stream decompressed or None)."""
    out = {}
    pos = 0
    while (m := HEAD.search(pdf, pos)):
        start = m.end()
        s, e = pdf.find(b"stream", start), pdf.find(b"endobj", start)
        if s != -1 and s < e:
            head = pdf[start:s]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            begin = s + len(b"stream")
            begin += 2 if pdf[begin:begin + 2] == b"\r\n" else 1
            data = pdf[begin:begin + length]
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            out[int(m.group(1))] = (head, data)
            pos = pdf.find(b"endobj", begin + length) + 6
        else:
            out[int(m.group(1))] = (pdf[start:e], None)
            pos = e + 6
    return out


def cmap(data: bytes) -> dict[tuple[int, int], str]:
    """A ToUnicode CMap: (code width in bytes, code) → text."""
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[(len(src) // 2, int(src, 16))] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start, n = int(dst, 16), len(lo) // 2
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[(n, code)] = chr(start + i)
    return table


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text in drawing order, without spaces between runs."""
    objs = objects(pdf)
    fonts = {}
    for num, (head, _) in objs.items():
        if b"/Type /Font" in head:
            tu = re.search(rb"/ToUnicode (\d+) 0 R", head)
            if tu and objs.get(int(tu.group(1)), (None, None))[1]:
                fonts[num] = (cmap(objs[int(tu.group(1))][1]), 2 if b"/Type0" in head else 1)
    texts = []
    for num in _page_order(objs):
        head = objs[num][0]
        res = head
        r = re.search(rb"/Resources (\d+) 0 R", head)
        if r:
            res = objs[int(r.group(1))][0]
        fr = re.search(rb"/Font\s*<<(.*?)>>", res, re.S)
        names = {n: int(o) for n, o in re.findall(rb"/(\w+) (\d+) 0 R", fr.group(1) if fr else b"")}
        out, font = [], None
        for c in re.findall(rb"/Contents (\d+) 0 R", head):
            stream = objs[int(c)][1] or b""
            for tok in re.finditer(rb"/(\w+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", stream, re.S):
                if tok.group(1):
                    font = fonts.get(names.get(tok.group(1)))
                    continue
                hexes = re.findall(rb"<([0-9A-Fa-f]*)>", tok.group(2)) if tok.group(2) is not None else [tok.group(3)]
                if font is None:
                    continue
                table, width = font
                for h in hexes:
                    raw = bytes.fromhex(h.decode())
                    for i in range(0, len(raw), width):
                        out.append(table.get((width, int.from_bytes(raw[i:i + width], "big")), ""))
        texts.append("".join(out))
    return texts


def _page_order(objs: dict[int, tuple[bytes, bytes | None]]) -> list[int]:
    """The page objects in the order the page tree gives them (/Kids), depth first."""
    root = next(n for n, (head, _) in objs.items() if re.search(rb"/Type /Pages\b", head)
                and not re.search(rb"/Parent \d+ 0 R", head))

    def walk(n: int) -> list[int]:
        head = objs[n][0]
        if not re.search(rb"/Type /Pages\b", head):
            return [n]
        kids = re.search(rb"/Kids \[(.*?)\]", head, re.S)
        return [p for k in re.findall(rb"(\d+) 0 R", kids.group(1) if kids else b"") for p in walk(int(k))]

    return walk(root)
