"""Excel workbooks whose rows PostgreSQL writes: each row of a SELECT becomes
the sheet's `<row>` element in SQL (numbers as numbers, text as inline
strings), copied out with `COPY ... TO STDOUT`, and zipped as it comes with the
few fixed parts of a workbook around it (workbook, styles, content types,
relationships). The header row is bold, frozen with the first column, and
filtered; each column has its width and, for numbers, its display format.
Streamed: the first bytes leave before PostgreSQL has written the last row."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse
from isal import isal_zlib

from indicators.export_sql import copied_chunks

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Bytes COPY's text format never writes raw inside a value (it writes "\n",
# "\t" ... instead): between values, only its line ends, which the sheet does
# not need; inside them, characters XML 1.0 does not allow.
CONTROL = bytes(range(32))
# COPY's escapes, as XML: tab, line feed and carriage return as references,
# the other control characters left out.
COPY_ESCAPES = {
    ord("\\"): b"\\",
    ord("t"): b"&#9;",
    ord("n"): b"&#10;",
    ord("r"): b"&#13;",
    ord("b"): b"",
    ord("f"): b"",
    ord("v"): b"",
}


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width in characters, whether its
    cells are numbers, how numbers are shown (0.00"%" for a figure in
    percent; empty: as stored), and whether its text is already escaped for
    XML (labels passed to the database escaped, which saves escaping each cell
    in SQL)."""

    header: str
    width: int
    number: bool = False
    number_format: str = ""
    escaped: bool = False


def xml_text(text: str) -> str:
    """Text escaped for an XML element."""
    return escape(text)


def column_letter(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _formats(columns: Sequence[Column]) -> list[str]:
    """The display formats the columns use, each once, in order."""
    return list(dict.fromkeys(c.number_format for c in columns if c.number_format))


def _style(column: Column, formats: list[str]) -> int:
    """The column's index among the styles' cell formats (styles_xml): 0 as
    stored, 1 the header, 2 onwards one per display format."""
    return 2 + formats.index(column.number_format) if column.number_format else 0


def _text_cell(value: str, escaped: bool) -> str:
    """A text cell, its value escaped for XML in SQL unless it is already;
    `<c/>` (an empty cell that keeps its place) when NULL."""
    if not escaped:
        value = f"replace(replace({value}, '&', '&amp;'), '<', '&lt;')"
        value = f"replace({value}, '>', '&gt;')"
    cell = f"""'<c t="inlineStr"><is><t>' || {value} || '</t></is></c>'"""
    return f"COALESCE({cell}, '<c/>')"


def _number_cell(value: str, style: int) -> str:
    """A number cell (the value as PostgreSQL prints it, a valid XML double);
    `<c/>` when NULL."""
    attribute = f' s="{style}"' if style else ""
    return (
        f"COALESCE('<c{attribute}><v>' || CAST({value} AS text) || '</v></c>', '<c/>')"
    )


def sheet_rows_sql(select_sql: str, columns: Sequence[Column]) -> str:
    """Each row of `select_sql` (one value per column, in its order) as the
    sheet's `<row>` element, numbered from 2 under the header; numbers as
    numbers, text escaped, NULL as an empty cell."""
    formats = _formats(columns)
    names = [f"c{index}" for index in range(len(columns))]
    cells = ",\n    ".join(
        _number_cell(name, _style(column, formats))
        if column.number
        else _text_cell(name, column.escaped)
        for name, column in zip(names, columns, strict=True)
    )
    return f"""
SELECT concat('<row r="', row_number() OVER () + 1, '">',
    {cells},
    '</row>')
FROM ({select_sql}) AS listed ({", ".join(names)})"""


def _attribute(text: str) -> str:
    """Text escaped for an XML attribute in double quotes."""
    return escape(text, {'"': "&quot;"})


def styles_xml(formats: Sequence[str]) -> str:
    """Cell formats: 0 plain, 1 bold (the header), then one per display
    format, numbered from 164 as custom formats are."""
    number_formats = "".join(
        f'<numFmt numFmtId="{164 + index}" formatCode="{_attribute(code)}"/>'
        for index, code in enumerate(formats)
    )
    number_xfs = "".join(
        f'<xf numFmtId="{164 + index}" fontId="0" fillId="0" borderId="0"'
        ' xfId="0" applyNumberFormat="1"/>'
        for index in range(len(formats))
    )
    return (
        f'{HEAD}<styleSheet xmlns="{MAIN}">'
        f'<numFmts count="{len(formats)}">{number_formats}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
        "</border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0"'
        ' borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{2 + len(formats)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0"'
        ' applyFont="1"/>'
        f"{number_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    )


def sheet_head_xml(columns: Sequence[Column]) -> str:
    """The sheet up to its first data row: the frozen header row and first
    column, the widths, the header cells."""
    widths = "".join(
        f'<col min="{index}" max="{index}" width="{column.width}" customWidth="1"/>'
        for index, column in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c s="1" t="inlineStr"><is><t>{escape(column.header)}</t></is></c>'
        for column in columns
    )
    return (
        f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight"'
        ' state="frozen"/><selection pane="bottomRight" activeCell="B2"'
        ' sqref="B2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols>"
        f'<sheetData><row r="1">{header}</row>'
    )


def filter_ref(columns: Sequence[Column], rows: int) -> str:
    """The header and every row: A1:U166423."""
    return f"A1:{column_letter(len(columns))}{rows + 1}"


def sheet_tail_xml(columns: Sequence[Column], rows: int) -> str:
    return f'</sheetData><autoFilter ref="{filter_ref(columns, rows)}"/></worksheet>'


def workbook_xml(title: str, columns: Sequence[Column], rows: int) -> str:
    """One sheet; the filter's range named as Excel names it."""
    sheet = _attribute(title)
    quoted = title.replace("'", "''")
    return (
        f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0"'
        f" hidden=\"1\">'{escape(quoted)}'!{_absolute(filter_ref(columns, rows))}"
        "</definedName></definedNames>"
        "</workbook>"
    )


def _absolute(ref: str) -> str:
    """A1:U9 -> $A$1:$U$9."""
    parts = []
    for cell in ref.split(":"):
        letters = cell.rstrip("0123456789")
        parts.append(f"${letters}${cell[len(letters) :]}")
    return ":".join(parts)


CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELATIONS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE}">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK_RELATIONS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE}">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    "</Relationships>"
)


# Each entry: zip 2.0, sizes after the data (flag 3), deflated, dated 1980-01-01.
ENTRY = (20, 0x08, 8, 0, 0x21)


class _Zip:
    """A zip archive written front to back: each entry deflated as its data
    comes, its checksum and sizes after it (a data descriptor, as streamed
    zips and Excel's own libraries write them), the directory at the end.
    ISA-L's deflate at its fastest level: several times zlib's speed, for a
    file a few percent larger."""

    def __init__(self) -> None:
        self.offset = 0
        # Name, checksum, sizes packed and not, where its header starts.
        self.entries: list[tuple[bytes, int, int, int, int]] = []

    def _out(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data

    def entry(self, name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        encoded = name.encode()
        start = self.offset
        yield self._out(
            struct.pack("<I5H3I2H", 0x04034B50, *ENTRY, 0, 0, 0, len(encoded), 0)
            + encoded
        )
        compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in chunks:
            crc = isal_zlib.crc32(chunk, crc)
            size += len(chunk)
            data = compressor.compress(chunk)
            if data:
                packed += len(data)
                yield self._out(data)
        data = compressor.flush()
        packed += len(data)
        if max(size, packed, self.offset + len(data)) >= 0xFFFFFFFF:
            raise ValueError("An export this large needs ZIP64.")
        yield self._out(data + struct.pack("<IIII", 0x08074B50, crc, packed, size))
        self.entries.append((encoded, crc, packed, size, start))

    def end(self) -> bytes:
        """The central directory and its end record."""
        directory = b"".join(
            struct.pack("<I6H3I", 0x02014B50, 20, *ENTRY, crc, packed, size)
            + struct.pack("<5H2I", len(name), 0, 0, 0, 0, 0, start)
            + name
            for name, crc, packed, size, start in self.entries
        )
        count = len(self.entries)
        record = (0x06054B50, 0, 0, count, count, len(directory), self.offset, 0)
        return directory + struct.pack("<I4H2IH", *record)


def _unescaped(data: bytes) -> tuple[bytes, bytes]:
    """COPY's escapes in `data` as XML (COPY_ESCAPES); a backslash that ends
    it is given back, its escaped character being in the next chunk."""
    out = bytearray()
    start = 0
    while (at := data.find(b"\\", start)) >= 0:
        out += data[start:at]
        if at + 1 == len(data):
            return bytes(out), b"\\"
        out += COPY_ESCAPES.get(data[at + 1], b"")
        start = at + 2
    out += data[start:]
    return bytes(out), b""


def copied_rows(
    sql: str | None, params: dict | list, counted: list[int], work_mem: str = ""
) -> Iterator[bytes]:
    """The text PostgreSQL copies out for `sql` (one `<row>` a line), as XML
    in chunks; `counted` gets the number of rows."""
    if sql is None:
        return
    carry = b""
    for data in copied_chunks(f"COPY ({sql}) TO STDOUT", params, work_mem):
        counted[0] += data.count(b"\n")
        data = carry + data
        text, carry = _unescaped(data) if b"\\" in data else (data, b"")
        yield text.translate(None, CONTROL)


def xlsx_chunks(
    select_sql: str | None,
    params: dict | list,
    columns: Sequence[Column],
    title: str,
    work_mem: str = "",
) -> Iterator[bytes]:
    """The workbook of the rows of `select_sql` (None: no rows), as bytes."""
    archive = _Zip()
    yield from archive.entry("[Content_Types].xml", [CONTENT_TYPES.encode()])
    yield from archive.entry("_rels/.rels", [ROOT_RELATIONS.encode()])
    yield from archive.entry(
        "xl/_rels/workbook.xml.rels", [WORKBOOK_RELATIONS.encode()]
    )
    yield from archive.entry("xl/styles.xml", [styles_xml(_formats(columns)).encode()])
    counted = [0]
    rows_sql = None if select_sql is None else sheet_rows_sql(select_sql, columns)

    def sheet() -> Iterator[bytes]:
        yield sheet_head_xml(columns).encode()
        yield from copied_rows(rows_sql, params, counted, work_mem)
        yield sheet_tail_xml(columns, counted[0]).encode()

    yield from archive.entry("xl/worksheets/sheet1.xml", sheet())
    workbook = workbook_xml(title[:31], columns, counted[0])
    yield from archive.entry("xl/workbook.xml", [workbook.encode()])
    yield archive.end()


def xlsx_response(
    select_sql: str | None,
    params: dict | list,
    columns: Sequence[Column],
    *,
    title: str,
    filename: str,
    work_mem: str = "",
) -> StreamingHttpResponse:
    """The workbook of the rows of `select_sql`, streamed as it is written."""
    response = StreamingHttpResponse(
        xlsx_chunks(select_sql, params, columns, title, work_mem),
        content_type=CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
