"""Loading an extension module whose C-API calls were renamed by a newer CPython (Linux, ELF).

Why: pylibremidi's Linux wheels for CPython 3.12 and newer (5.4.3, the newest
release) are one ``cp312-abi3`` build for every later Python too. It is not
really limited-API: it calls ``_PyObject_LookupAttr``, a private function that
CPython 3.13 removed when it published it as ``PyObject_GetOptionalAttr``,
with the same arguments and the same results. On 3.13 and 3.14 the import
fails with "undefined symbol: _PyObject_LookupAttr", and pip installed it
without a word, because the wheel's tags say it fits.

How: the file is opened with lazy binding (``RTLD_LAZY``), so a function it
calls is looked up only on its first call, through its own slot in the
global offset table (named by a ``.rela.plt`` relocation). Before the
module's init function runs, the slot of each renamed function gets the
address of the function's new name. Then Python imports the file, already
in memory, as usual. Nothing else in the file changes.

This is done only when every other symbol the extension needs from Python is
there, when each missing one is called through a lazy slot and only so, and
when its new name exists: anything else raises ImportError saying what is
missing, and the file is never loaded. ``LD_BIND_NOW`` in the environment
forces eager binding, so the load fails cleanly, and the error says so.

Only 64-bit little-endian ELF (x86_64, aarch64 Linux) is read.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
import os
import struct
import sys
import threading
from pathlib import Path
from types import ModuleType

__all__ = ["RENAMED_IN_3_13", "ElfSymbols", "load_extension", "loaded_from", "plan"]

# Private C-API functions removed in CPython 3.13, and their public names with the same contract.
RENAMED_IN_3_13 = {"_PyObject_LookupAttr": "PyObject_GetOptionalAttr"}

_SHT_RELA = 4
_SHN_UNDEF = 0
_RELA = struct.Struct("<QQq")  # r_offset, r_info, r_addend
_SYM = struct.Struct("<IBBHQQ")  # st_name, st_info, st_other, st_shndx, st_value, st_size
_SECTION = struct.Struct("<IIQQQQIIQQ")
_flags_lock = threading.Lock()


class ElfSymbols:
    """What an ELF shared object needs from others: its undefined symbols, and its lazy call slots."""

    def __init__(self, data: bytes, path: str = "<data>") -> None:
        if data[:4] != b"\x7fELF":
            raise ImportError(f"{path} is not an ELF file")
        if data[4] != 2 or data[5] != 1:
            raise ImportError(f"{path} is not a 64-bit little-endian ELF file (only those are read)")
        self.path = path
        self._data = data
        sections = self._sections()
        dynsym, dynstr = sections.get(".dynsym"), sections.get(".dynstr")
        if dynsym is None or dynstr is None:
            raise ImportError(f"{path} has no dynamic symbol table")
        self._dynstr = dynstr
        symbols = []
        for offset in range(dynsym[2], dynsym[2] + dynsym[3], _SYM.size):
            st_name, _info, _other, st_shndx, _value, _size = _SYM.unpack_from(data, offset)
            symbols.append((self._string(st_name), st_shndx))
        self.undefined = [name for name, shndx in symbols if name and shndx == _SHN_UNDEF]
        # name -> offset (from the load address) of its lazy call slot
        self.plt_slots: dict[str, int] = {}
        # names some other relocation (data, address taken) needs at load time
        self.eager: set[str] = set()
        for name, (kind, _addr, offset, size, link) in sections.items():
            if kind != _SHT_RELA or link != dynsym[4]:
                continue
            for entry in range(offset, offset + size, _RELA.size):
                r_offset, r_info, _addend = _RELA.unpack_from(data, entry)
                symbol = symbols[r_info >> 32][0] if r_info >> 32 < len(symbols) else ""
                if not symbol:
                    continue
                if name == ".rela.plt":
                    self.plt_slots[symbol] = r_offset
                else:
                    self.eager.add(symbol)

    def _sections(self) -> dict[str, tuple[int, int, int, int, int]]:
        """name -> (type, address, file offset, size, index) of each section."""
        data = self._data
        e_shoff = struct.unpack_from("<Q", data, 0x28)[0]
        e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        if not e_shoff or e_shentsize < _SECTION.size or e_shstrndx >= e_shnum:
            raise ImportError(f"{self.path} has no section headers")
        raw = [_SECTION.unpack_from(data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
        names_at = raw[e_shstrndx][4]
        sections = {}
        for index, (sh_name, sh_type, _flags, sh_addr, sh_offset, sh_size, sh_link, *_rest) in enumerate(raw):
            end = data.index(b"\0", names_at + sh_name)
            name = data[names_at + sh_name : end].decode("ascii", "replace")
            # for a relocation section, `index` is replaced by the symbol table it refers to
            sections[name] = (sh_type, sh_addr, sh_offset, sh_size, sh_link if sh_type == _SHT_RELA else index)
        return sections

    def _string(self, offset: int) -> str:
        start = self._dynstr[2] + offset
        return self._data[start : self._data.index(b"\0", start)].decode("ascii", "replace")


def _python_has(name: str) -> bool:
    try:
        getattr(ctypes.pythonapi, name)
    except AttributeError:
        return False
    return True


def plan(symbols: ElfSymbols, renames: dict[str, str]) -> dict[str, str]:
    """The slots to rebind (old name -> new name); ImportError if the file cannot load here.

    Only symbols the file takes from Python (``Py...``, ``_Py...``) are
    checked: the rest come from the C libraries it links.
    """
    missing = [name for name in symbols.undefined if name.startswith(("Py", "_Py")) and not _python_has(name)]
    unfixable = [
        name
        for name in missing
        if name not in renames or name not in symbols.plt_slots or name in symbols.eager or not _python_has(renames[name])
    ]
    if unfixable:
        raise ImportError(
            f"{Path(symbols.path).name} needs {', '.join(unfixable)} from Python, which Python "
            f"{sys.version_info[0]}.{sys.version_info[1]} does not have: it was built for an older Python"
        )
    return {name: renames[name] for name in missing}


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def loaded_from(library: ctypes.CDLL, symbol: str) -> tuple[str, int] | None:
    """(the file, its load address) of the shared object that defines `symbol` for `library`."""
    info = _DlInfo()
    address = ctypes.cast(getattr(library, symbol), ctypes.c_void_p).value
    if not ctypes.CDLL(None).dladdr(ctypes.c_void_p(address), ctypes.byref(info)) or not info.dli_fbase:
        return None
    return os.fsdecode(info.dli_fname or b""), info.dli_fbase


_kept: list[ctypes.CDLL] = []  # never closed: the module lives in them


def load_extension(name: str, path: str | os.PathLike, renames: dict[str, str] = RENAMED_IN_3_13) -> ModuleType:
    """Import the extension module `name` from `path`, rebinding the calls in `renames` first.

    With nothing to rebind, this is a plain import of that file. The module
    is put in ``sys.modules``.
    """
    path = os.fspath(path)
    symbols = ElfSymbols(Path(path).read_bytes(), path)
    rebind = plan(symbols, renames)
    if rebind:
        if os.environ.get("LD_BIND_NOW"):
            raise ImportError(
                f"{Path(path).name} needs {', '.join(rebind)}, which this Python renamed; livemidi can bind "
                "the new names only with lazy binding, and LD_BIND_NOW is set: unset it"
            )
        try:
            library = ctypes.CDLL(path, mode=os.RTLD_LAZY | os.RTLD_LOCAL)
        except OSError as error:
            raise ImportError(f"could not load {path}: {error}") from error
        _kept.append(library)
        where = loaded_from(library, f"PyInit_{name}")
        if where is None:
            raise ImportError(f"could not find where {path} was loaded")
        base = where[1]
        for old, new in rebind.items():
            target = ctypes.cast(getattr(ctypes.pythonapi, new), ctypes.c_void_p).value
            ctypes.c_void_p.from_address(base + symbols.plt_slots[old]).value = target
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec) if not rebind else _create_lazily(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _create_lazily(spec) -> ModuleType:
    """Create the module with Python's dlopen also lazy: an eager reopen would look the old names up."""
    with _flags_lock:
        saved = sys.getdlopenflags()
        sys.setdlopenflags(os.RTLD_LAZY | os.RTLD_LOCAL)
        try:
            return importlib.util.module_from_spec(spec)
        finally:
            sys.setdlopenflags(saved)
