"""`fanwen build` after an edit: the search index of the site being replaced is reused.

Why: indexing 10,000 pages takes some 25 s of CPU (counting every n-gram of the whole text),
and after a one-page edit all but one page would be counted again to the same result. The
index cannot be patched in place (trigram positions run through the whole text, shards mix
every page: bench/build-benchmark.md, third round), but the worker already searches a second,
small index beside the first (delta/, written by index.write_delta for `mkdocs serve`). So a
build whose pages mostly match those of the previous site's index takes that index's files
as they are (hard links into the new site, copies where links cannot be made) and indexes only
the pages that differ into delta/; the old versions of edited and deleted pages are listed in
the delta's `replaced` and never shown.

What makes it safe:

* Every full index records what each of its pages was (RECORD: a fingerprint of location,
  title, label and article HTML per document, in index order, with the index's format and the
  name and size of every file). A page is unchanged only when its fingerprint is the same.
* The delta is always made against that full index (never on top of an earlier delta), so it
  holds every page changed since the last full build, and it is the same whichever builds
  came in between.
* When the changes pass LIMIT (of the pages or of the text), the order of the unchanged pages
  differs, the format differs (another index.py, reuse.py, worker or OpenCC) or anything of
  the old index is missing, the index is built from scratch as before.
* Results rank equal pages by their place in the build; `order` gives each delta page the
  place it has in this build among the reused ones, so results come in the same order as
  from an index built from scratch (tests/test_build_reuse.py compares them).
* Nothing is written into a linked file: the manifest is written fresh, and a failed build
  deletes only its own folder (the links), never the old site's files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fanwen.search import index as ix

RECORD = "record.json"   # in the index folder; never read by the worker
LIMIT = 0.05             # changed pages or text beyond which the index is built again
FEW = 20                 # …but never for this many pages or fewer (a small library's few edits)
FINGERPRINT = 8          # bytes of blake2b per page


def fingerprint(location: str, title: str, html: str, label: str) -> bytes:
    """What a page gives the index, in 8 bytes: the index holds nothing else of it."""
    digest = hashlib.blake2b(digest_size=FINGERPRINT)
    for part in (location, title, label):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    digest.update(html.encode("utf-8", "surrogatepass"))
    return digest.digest()


@lru_cache(maxsize=1)
def index_format() -> str:
    """The code that writes and reads the index: another version of it, another format."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        opencc = version("opencc")
    except PackageNotFoundError:
        opencc = "?"
    source = (Path(ix.__file__).read_bytes() + Path(__file__).read_bytes() + ix.compact_worker().encode("utf-8")
              + opencc.encode("ascii"))
    return hashlib.sha1(source).hexdigest()[:12]


def write_record(root: Path, manifest: dict, prints: bytes) -> None:
    """The record of a full index just written under `root` (see the module's comment): `prints`
    the fingerprints of its pages one after the other."""
    files = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            key = path.relative_to(root).as_posix()
            if key not in ("manifest.js", RECORD):
                files[key] = path.stat().st_size
    record = {"format": index_format(), "v": manifest["v"], "docs": manifest["docs"], "files": files,
              "pages": base64.b64encode(prints).decode("ascii")}
    (root / RECORD).write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")


@dataclass
class Page:
    location: str
    title: str
    html: str | None      # the article HTML, dropped once the page is known to be unchanged
    label: str
    print: bytes


@dataclass
class Plan:
    """Which index this build writes: `reuse` true when the old one is kept (then `changed`
    pages go into delta/ with the old numbers `replaced` left out), else `reason` says why the
    whole index is built again."""
    reuse: bool
    reason: str = ""
    changed: list[Page] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    order: list[float] = field(default_factory=list)
    deleted: int = 0

    def note(self) -> str:
        """One line for the person building (fanwen build prints it)."""
        if not self.reuse:
            return rebuilt(self.reason)
        if not self.changed and not self.replaced:
            return "搜索索引：沿用上次的索引（页面没有改动）"
        return (f"搜索索引：沿用上次的索引，只重新索引了改动和新增的 {len(self.changed)} 页"
                + (f"，去掉了删除的 {self.deleted} 页" if self.deleted else ""))


def rebuilt(reason: str) -> str:
    return f"搜索索引：全部重建（{reason}）"


class Reuse:
    """The previous site's index, when it can be reused, and this build's pages."""

    def __init__(self, previous: Path, record: dict, locations: list[str]):
        self.previous = previous
        self.record = record
        self.locations = locations
        prints = base64.b64decode(record["pages"])
        self.base = {loc: (n, prints[n * FINGERPRINT:(n + 1) * FINGERPRINT]) for n, loc in enumerate(locations)}
        self.pages: list[Page] = []
        self.plan: Plan | None = None

    @classmethod
    def open(cls, previous_site: str | Path | None) -> tuple[Reuse | None, str]:
        """(the reusable index of the site at `previous_site`, "") or (None, why not)."""
        if previous_site is None or not (Path(previous_site) / "index.html").is_file():
            return None, "没有上次构建的站点"
        root = Path(previous_site) / ix.INDEX_DIR
        try:
            record = json.loads((root / RECORD).read_text(encoding="utf-8"))
            manifest = ix.read_manifest(root)
        except (OSError, ValueError):
            return None, "上次的站点里没有可沿用的搜索索引"
        if not isinstance(record, dict) or record.get("format") != index_format():
            return None, "搜索索引的格式已更新"
        try:  # a record or manifest of the wrong shape (edited by hand) is as good as none
            if record["v"] != manifest["v"] or record["docs"] != manifest["docs"]:
                return None, "上次的搜索索引与记录不符"
            for key, size in record["files"].items():
                try:
                    if (root / key).stat().st_size != size:
                        return None, "上次的搜索索引文件有改动"
                except OSError:
                    return None, "上次的搜索索引不完整"
            try:
                locations = ix.read_locations(previous_site)
            except OSError:
                return None, "上次的搜索索引不完整"
            if len(locations) != record["docs"] or len(set(locations)) != len(locations) \
                    or len(base64.b64decode(record["pages"])) != FINGERPRINT * len(locations):
                return None, "上次的搜索索引与记录不符"
        except (KeyError, TypeError, ValueError, AttributeError):
            return None, "上次的搜索索引与记录不符"
        return cls(Path(previous_site), record, locations), ""

    def add(self, location: str, title: str, html: str, label: str = "") -> None:
        """One page of this build, in index order (the order pages are rendered)."""
        self.pages.append(Page(location, title, html, label, fingerprint(location, title, html, label)))

    def decide(self) -> Plan:
        """Reuse or not, once every page is in (MkDocs renders all Markdown before any template)."""
        kept, changed = [], []
        for page in self.pages:
            number, before = self.base.get(page.location, (None, None))
            if before == page.print:
                kept.append(number)
            else:
                changed.append(page)
        replaced = sorted(set(range(len(self.locations))) - set(kept))
        # Past LIMIT the delta would weigh on every query and the old index carry much that is
        # never shown: better built again. A few pages are indexed in no time whatever the share.
        most = max(LIMIT * max(len(self.pages), len(self.locations)), FEW)
        total = sum(len(p.html) for p in self.pages) or 1
        if len(changed) > most or len(replaced) > most \
                or len(changed) > FEW and sum(len(p.html) for p in changed) > LIMIT * total:
            self.plan = Plan(False, f"改动超过全部页面的 {LIMIT:.0%}")
        elif any(b <= a for a, b in zip(kept, kept[1:])):
            self.plan = Plan(False, "页面的先后顺序有变")
        else:
            self.plan = Plan(True, changed=changed, replaced=replaced, order=self._order(kept),
                             deleted=len(replaced) - sum(p.location in self.base for p in changed))
            moved = {id(p) for p in changed}
            for page in self.pages:
                if id(page) not in moved:
                    page.html = None  # not needed any more
        return self.plan

    def _order(self, kept: list[int]) -> list[float]:
        """Each changed page's place among the reused ones: between the numbers of the
        unchanged pages before and after it in this build (results of equal rank are listed
        in that order, as by an index built from scratch)."""
        keys, gap, last = [], [], -1
        kept_at = iter(kept)
        for page in self.pages:
            number, before = self.base.get(page.location, (None, None))
            if before == page.print:
                keys += [last + (j + 1) / (len(gap) + 1) for j in range(len(gap))]
                gap, last = [], next(kept_at)
            else:
                gap.append(page)
        keys += [last + (j + 1) / (len(gap) + 1) for j in range(len(gap))]
        return keys

    def write(self, site_dir: str | Path) -> dict:
        """The old index's files in the new site, the changed pages in delta/; the manifest."""
        plan = self.plan
        old = self.previous / ix.INDEX_DIR
        root = ix.prepare_index_dir(site_dir)
        for key in [*self.record["files"], RECORD]:
            link(old / key, root / key)
        manifest = ix.read_manifest(old)
        manifest.pop("delta", None)
        if plan.changed or plan.replaced:
            pages = [(p.location, p.title, ix.html_blocks(p.html), p.label) for p in plan.changed]
            manifest["delta"] = ix.write_delta_part(root, pages, plan.replaced, plan.order)
        return ix.write_manifest(root, manifest)


def link(source: Path, target: Path) -> None:
    """`target` the same file as `source` (a hard link: no bytes copied), or a copy where the
    file system has no hard links or they cross devices."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
