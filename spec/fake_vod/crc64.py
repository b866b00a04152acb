"""CRC-64/XZ, the x-cos-hash-crc64ecma of COS: ECMA-182 polynomial, reflected,
init and xorout all ones (check value of "123456789": 0x995DC9BBDF1939FA).

The bytes go through lzma_crc64() of the system's liblzma (the library of
Python's own lzma module, on every Debian system; it is the CRC .xz files
carry, and runs at GB/s), called with ctypes, which releases the GIL, so
parts received in parallel are summed in parallel. Without liblzma, crcmod's
C extension (Debian's python3-crcmod) if importable, else a table-driven
pure-Python loop: right, only slow. IMPLEMENTATION says which one runs.

combine(crc_a, crc_b, len_b) is the CRC of a+b from the CRCs of a and b, so a
multipart object's CRC needs no second pass over its bytes: multiplying by
x^(8*len_b) modulo the polynomial shifts crc_a past len_b bytes (the method
of zlib's crc32_combine, done here for 64 bits), with x^(2^k) mod P tabled.
"""
import ctypes
import ctypes.util

POLY = 0x142F0E1EBA9EA3693          # x^64 + ... (ECMA-182), as crcmod takes it
REFLECTED = 0xC96C5795D7870F42      # the same polynomial, bit-reversed, without x^64
MASK = (1 << 64) - 1
CHECK = 0x995DC9BBDF1939FA          # CRC of b"123456789"


def _liblzma():
    for name in ("liblzma.so.5", ctypes.util.find_library("lzma")):
        try:
            fun = ctypes.CDLL(name).lzma_crc64
            break
        except (OSError, AttributeError, TypeError):
            fun = None
    if fun is None:
        return None
    fun.restype = ctypes.c_uint64
    fun.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
    return fun


def _python_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ REFLECTED if c & 1 else c >> 1
        table.append(c)
    return table


_lzma_crc64 = _liblzma()
if _lzma_crc64 is not None:
    IMPLEMENTATION = "liblzma lzma_crc64"

    def update(crc, data):
        """The CRC of (bytes whose CRC is crc) + data; crc 0 for the empty start.
        data: bytes, bytearray or a writable memoryview of bytes."""
        n = len(data)
        if not isinstance(data, bytes):
            try:
                data = (ctypes.c_char * n).from_buffer(data)
            except TypeError:           # a read-only buffer
                data = bytes(data)
        return _lzma_crc64(data, n, crc)
else:
    try:
        import crcmod
        import crcmod._crcfunext  # noqa: F401  (the compiled part)
    except ImportError:
        crcmod = None
    if crcmod is not None:
        # crcmod's register starts at initCrc ^ xorOut: all ones, as XZ's.
        _fun = crcmod.mkCrcFun(POLY, initCrc=0, rev=True, xorOut=MASK)
        IMPLEMENTATION = "crcmod (C extension)"

        def update(crc, data):
            return _fun(data, crc)
    else:
        _TABLE = _python_table()
        IMPLEMENTATION = "pure Python (slow: liblzma not found)"

        def update(crc, data):
            c = crc ^ MASK
            table = _TABLE
            for b in bytes(data):
                c = table[(c ^ b) & 0xFF] ^ (c >> 8)
            return c ^ MASK


def crc64(data):
    return update(0, data)


# -- combining ------------------------------------------------------------------
def _multmodp(a, b):
    """a * b modulo the polynomial, reflected (bit 63 is x^0)."""
    m = 1 << 63
    p = 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                break
        m >>= 1
        b = (b >> 1) ^ REFLECTED if b & 1 else b >> 1
    return p


def _x2n_table():
    table = [1 << 62]               # x^1
    for _ in range(63):
        table.append(_multmodp(table[-1], table[-1]))
    return table


_X2N = _x2n_table()                 # x^(2^k) mod P, k = 0..63
_SHIFTS = {}                        # len -> x^(8*len) mod P (parts share sizes)


def _x8n(length):
    op = _SHIFTS.get(length)
    if op is None:
        op, n, k = 1 << 63, length, 3
        while n:
            if n & 1:
                op = _multmodp(_X2N[k & 63], op)
            n >>= 1
            k += 1
        if len(_SHIFTS) < 4096:
            _SHIFTS[length] = op
    return op


def combine(crc_a, crc_b, len_b):
    """CRC of a+b from crc(a), crc(b) and len(b)."""
    if len_b == 0:
        return crc_a
    return _multmodp(_x8n(len_b), crc_a) ^ crc_b


def self_check():
    """Raise unless the check value and a combination come out right."""
    if crc64(b"123456789") != CHECK:
        raise RuntimeError("CRC-64 check value wrong with %s" % IMPLEMENTATION)
    if combine(crc64(b"1234"), crc64(b"56789"), 5) != CHECK:
        raise RuntimeError("CRC-64 combine wrong")
