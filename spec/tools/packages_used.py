#!/usr/bin/env python3
"""Which Debian packages a process tree used, against the list it should need.

    python3 spec/tools/packages_used.py PATHS PACKAGE...

PATHS holds one absolute path a line: the files a run opened or executed
(from strace). Each regular file is mapped to the installed packages that own
it (or own the file its symlinks lead to), with /bin, /sbin and /lib* folded
into /usr as in Debian 12's merged /usr. Directories do not count (cmake
lists many while it searches).

The run may use files of PACKAGE... and of everything they depend on
(Depends, Pre-Depends, recursively, any installed alternative or provider),
and of the base system (Essential: yes or Priority: required, and what those
depend on). Files of what those packages recommend (apt installs it by
default; luarocks recommends LuaSec, which it loads when installed) and of
a few packages tools use when they are there (INCIDENTAL below: pkg-config,
ld's plugins...), with what they depend on, are optional: used, not needed.
That nothing optional is needed is shown by a build with the list alone
(apt-get install --no-install-recommends, in a debootstrap'd chroot).
A file under /usr/local or /opt is not from a Debian package at all. Files
no package owns (the build's own, /etc/ld.so.cache, /proc...) do not count.

Prints the packages needed and the optional ones used, then either "all N
packages used are PACKAGE... or their dependencies" (exit 0) or each package
outside, with one of its files (exit 1). Reads /var/lib/dpkg only.
"""
import glob
import os
import re
import sys

DPKG = "/var/lib/dpkg"


def fold(path):
    m = re.match(r"^/(bin|sbin|lib|lib32|lib64|libx32)(/.*)?$", path)
    return "/usr" + path if m else path


def installed():
    """{name: fields} of the installed packages, from dpkg's status file."""
    pkgs = {}
    with open(os.path.join(DPKG, "status"), encoding="utf-8", errors="replace") as f:
        for stanza in f.read().split("\n\n"):
            fields, last = {}, None
            for line in stanza.split("\n"):
                if line[:1] in (" ", "\t") and last:
                    fields[last] += " " + line.strip()
                elif ":" in line:
                    last, _, value = line.partition(":")
                    fields[last] = value.strip()
            if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
                pkgs[fields["Package"]] = fields
    return pkgs


def names(relation):
    """'a (>= 1) | b:any, c' -> [['a', 'b'], ['c']]"""
    groups = []
    for group in relation.split(","):
        alts = [re.sub(r"[\s(\[].*$", "", a.strip()).split(":")[0] for a in group.split("|")]
        alts = [a for a in alts if a]
        if alts:
            groups.append(alts)
    return groups


def closure(pkgs, start, fields=("Depends", "Pre-Depends")):
    providers = {}
    for name, f in pkgs.items():
        providers.setdefault(name, set()).add(name)
        for group in names(f.get("Provides", "")):
            for p in group:
                providers.setdefault(p, set()).add(name)
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in pkgs:
            continue
        seen.add(name)
        f = pkgs[name]
        for group in names(",".join(f.get(k, "") for k in fields)):
            for alt in group:
                todo.extend(providers.get(alt, ()))
    return seen


def optional(pkgs, needed):
    """What the needed packages recommend (what apt installs by default, by
    name or by a virtual name it provides), and what that depends on."""
    wanted = set()
    for name in needed:
        for group in names(pkgs[name].get("Recommends", "")):
            wanted.update(group)
    start = [p for p, f in pkgs.items()
             if p in wanted or any(v in wanted for group in names(f.get("Provides", "")) for v in group)]
    return closure(pkgs, start)


# Used when installed, never needed (with what they depend on):
INCIDENTAL = {
    "llvm-14-linker-tools": "GNU ld loads every plugin in /usr/lib/bfd-plugins, LLVM's too",
    "pkgconf": "cmake's FindCURL and FindOpenSSL run pkg-config when there is one",
    "locales": "programs read /usr/share/locale/locale.alias when there is one",
    "lua-filesystem": "luarocks loads LuaFileSystem when there is one",
}


def owners():
    """{folded path: {package}} from dpkg's file lists."""
    own = {}
    for lst in glob.glob(os.path.join(DPKG, "info", "*.list")):
        pkg = os.path.basename(lst)[:-len(".list")].split(":")[0]
        with open(lst, encoding="utf-8", errors="replace") as f:
            for line in f:
                own.setdefault(fold(line.rstrip("\n")), set()).add(pkg)
    return own


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: packages_used.py PATHS PACKAGE...")
    listed = sys.argv[2:]
    pkgs = installed()
    missing = [p for p in listed if p not in pkgs]
    if missing:
        print("not installed: " + " ".join(missing))
        return 1
    base = [n for n, f in pkgs.items() if f.get("Essential") == "yes" or f.get("Priority") == "required"]
    needed = closure(pkgs, listed) | closure(pkgs, base)
    optional_ok = optional(pkgs, needed) | closure(pkgs, INCIDENTAL)
    own = owners()
    used, extra, outside, foreign = {}, {}, {}, set()
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        paths = sorted({line.rstrip("\n") for line in f if line.startswith("/")})
    for path in paths:
        if os.path.isdir(path):
            continue
        # the path itself and where its symlinks lead: each owned file must
        # belong to an allowed package (several packages may own one file)
        for p in {path, os.path.realpath(path)}:
            if re.match(r"^/(usr/local|opt)/", p):
                foreign.add(p)
            found = own.get(fold(p), set())
            if not found:
                continue
            if found & needed:
                for pkg in found & needed:
                    used.setdefault(pkg, p)
            elif found & optional_ok:
                for pkg in found:
                    extra.setdefault(pkg, p)
            else:
                for pkg in found:
                    outside.setdefault(pkg, p)
    print("needed (%d): %s" % (len(used), " ".join(sorted(used))))
    print("optional, used because installed (%d): %s" % (len(extra), " ".join(sorted(extra))))
    for pkg in sorted(outside):
        print("outside the list: %s (%s)" % (pkg, outside[pkg]))
    for p in sorted(foreign):
        print("not from a Debian package: %s" % p)
    if outside or foreign:
        return 1
    print("every file used is of %s, their dependencies or the base system (or optional)"
          % " ".join(listed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
