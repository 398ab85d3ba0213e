"""Raw safetensors bytes, for what wl.safetensors deliberately does not do.

Tests read and write valid files with wl.safetensors (runtime/python/wl/safetensors.py:
save_file, load_file, load_metadata). This helper is only for the rest:
  - the header exactly as a file holds it (member order, dtype names, data_offsets,
    padding), to check a writer's layout;
  - files that are broken or unusual on purpose (bad JSON, a lying header length, edited
    offsets, dtypes or shapes, gaps between tensors): start from a valid file (wl_save,
    save_file) and rewrite only what is meant to be broken.

The format: an 8-byte little-endian header length N, N bytes of JSON header (padded with
spaces to a multiple of 8 by conforming writers), then the data section.

    header, body = split(data)                   # the parsed header (file order), the data section
    data = join(header, body)                    # header: a dict, serialised in its order, padded
    data = join(None, body, raw_header="{...")   # a header text of one's own (e.g. bad JSON)
    data = edited(data, fn)                      # fn(header) edits the parsed header in place
    data = relength(data, N)                     # the same bytes with another header length
    header = read_header(path)                   # split(<the file>)[0]
"""
import json


def header_length(data):
    """The 8-byte little-endian header length at the start of `data`."""
    return int.from_bytes(data[:8], "little")


def parts(data):
    """(header bytes as stored, padding included; the data section)."""
    n = header_length(data)
    return data[8:8 + n], data[8 + n:]


def split(data):
    """(the header parsed, in file order; the data section)."""
    header, body = parts(data)
    return json.loads(header.decode()), body


def join(header, body, raw_header=None, pad=True):
    """The bytes of a file: `header` (a dict, compact JSON in its order) or `raw_header` (text
    as is), padded with spaces to a multiple of 8 unless pad=False, then `body`."""
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    h = text.encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return len(h).to_bytes(8, "little") + h + body


def relength(data, length):
    """`data` with its 8-byte header length replaced by `length` (the rest byte for byte)."""
    return length.to_bytes(8, "little") + data[8:]


def edited(data, fn):
    """`data` with its header passed through fn(header) (edits in place; member order kept)."""
    header, body = split(data)
    fn(header)
    return join(header, body)


def read_header(path):
    """The parsed header of the file at `path` (dtypes, shapes, data_offsets, __metadata__)."""
    with open(path, "rb") as f:
        n = header_length(f.read(8))
        return json.loads(f.read(n).decode())


def read_split(path):
    """split() of the file at `path`."""
    with open(path, "rb") as f:
        return split(f.read())
