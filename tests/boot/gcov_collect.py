"""gcov_collect.py - turn the coverage dump of a monovisor run (kernel/gcov.c:
"gcov.file NAME", "gcov.data HEX" lines on Bochs's port 0xE9, so in its
standard output) back into .gcda files, one directory per run, each file
beside a link to its .gcno, so that `lcov --capture` over all the runs
sums them."""
import os


def collect(stdout_path, run_dir, build_dir):
    """Write the .gcda files of one run under run_dir, mirroring build_dir.
    Returns the number of files (0 when the run never dumped)."""
    build_dir = os.path.abspath(build_dir)
    files = {}
    name = None
    try:
        with open(stdout_path, errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("gcov.file "):
                    name = line[len("gcov.file "):]
                    files[name] = bytearray()     # the last dump of a run wins
                elif line.startswith("gcov.data ") and name:
                    files[name] += bytes.fromhex(line[len("gcov.data "):])
                elif line == "gcov.end":
                    name = None
    except FileNotFoundError:
        return 0
    written = 0
    for gcda, data in files.items():
        gcda = os.path.abspath(gcda)
        if not gcda.startswith(build_dir + os.sep):
            continue
        rel = os.path.relpath(gcda, build_dir)
        out = os.path.join(run_dir, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)
        gcno = os.path.join(build_dir, rel[:-len(".gcda")] + ".gcno")
        link = out[:-len(".gcda")] + ".gcno"
        if os.path.exists(gcno) and not os.path.lexists(link):
            os.symlink(gcno, link)
        written += 1
    return written
