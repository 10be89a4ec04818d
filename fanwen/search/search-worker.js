/*
 * 范文库 search worker.
 *
 * Material for MkDocs lets a site replace its search engine by pointing `__config.search` at
 * another worker that speaks the same messages (SETUP → READY, QUERY → RESULT). This worker
 * keeps Material's search box and result list and answers from the chunked character n-gram
 * index written by fanwen/search/index.py:
 *
 *   search/fanwen/manifest.js   sizes and the index version (plain JSON)
 *   search/fanwen/fold.js       traditional → simplified character pairs
 *   search/fanwen/docs.js       text length of every page: pages are one text stream, page d
 *                               starting after the pages before it and a newline each
 *   search/fanwen/s/<p>-<n>.js  shards of part p: the codes and the grams, then the postings
 *                               (a trigram with its first bigram; shardOf); a list marked as
 *                               external is x/<p>-<k>.js; a shard cut in k is s/<p>-<n>-<j>.js
 *   search/fanwen/x/<p>-<k>.js  one large posting list
 *   search/fanwen/b/<p>-<n>.js  the documents and fields of bigrams without their counts, by
 *                               FNV hash (the "missing" answer: bigramOf)
 *   search/fanwen/m/<n>.js      location, title, label of manifest.meta pages (loadMeta)
 *   search/fanwen/m/all.js      the same of every page, read instead of many m/ files
 *   search/fanwen/tags.js       the label of every page (narrowing by type and level)
 *   search/fanwen/t/<n>.js      the n-th piece of the text stream (chunks.js: the length of each)
 *   search/fanwen/o/<n>.js      the openings (manifest.open code points) of manifest.open_pages[n] pages
 *   search/fanwen/delta/…       after edits in `make serve`, or when `fanwen build` reused the
 *                               previous site's index: the edited pages' own index, of the
 *                               same files (manifest.delta: its sizes, the pages of the site's
 *                               index it replaces, and where its pages rank among them)
 *
 * Every file but the manifest is raw deflate in Z85 (DecompressionStream inflates it): the
 * index of 10,000 pages is a few hundred files, smaller than their Markdown. Trigram postings
 * are positions in the text stream, so the position names the page as well.
 *
 * A page matches when its text contains the query string (each space-separated word of it);
 * such pages come first, title matches before heading matches before body matches. Pages
 * that contain only the parts of a word (all its two-character pieces) follow, marked with
 * Material's "missing" line.
 */
"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3, DONE = "fanwen-done", FIRST_READ = "fanwen-first"
// Not one of Material's messages: the page asks for the rows of results about to be seen, and
// gets them back (fanwen-search.js).
const ROWS = "fanwen-rows", SCREEN = "fanwen-screen"
const TITLE = 2, HEADING = 1
const FIRST = 10      // results sent with their rows in the first answer (Material shows ten)
// Results past the tenth have no snippet (titles and labels only): a snippet reads the text
// chunk (~20 KB) around the match, and each result lies in another chunk.
// Of the first ten, those that fit on the first screen of the result list get their snippets
// before the answer; the others a placeholder the page asks the snippet for when the list is
// scrolled towards it (fanwen-search.js says how many fit: the "fanwen-screen" message). At
// 1280 × 900 four results are in view, and six more snippets were up to a third of what the
// complete answer to a first query read. Until the page says, all ten.
let screen = FIRST
const BEFORE = 24, AFTER = 96

/* In Material's iframe-worker shim (file://) this script runs in an iframe and importScripts
 * returns a promise; its own URL is then the src of the first script element. */
const IN_IFRAME = typeof parent !== "undefined" && typeof window !== "undefined" && "IFrameWorker" in parent
const SCRIPT = IN_IFRAME ? document.querySelector("script[src]").src : self.location.href
const ROOT = new URL("../../", SCRIPT)
const INDEX = new URL("search/fanwen/", ROOT)
const USE_FETCH = ROOT.protocol !== "file:" && typeof fetch === "function"

let manifest = null
/* The site's index, and after edits in `make serve` the edited pages' own small index in
 * delta/ (manifest.delta), searched together: a space is {prefix, info (its manifest), starts
 * (where each page begins in its text stream, one more: the end), base (number of its first
 * page), skip (pages of the site's index replaced by the delta)}. */
let spaces = []
let foldMap = new Map()
const raw = new Map()        // key → payload as written, from importScripts
const files = new Map()      // key → decoded payload
const postings = new Map()   // gram → decoded posting list
let generation = 0
// The last answer with placeholders: {gen, entries ([doc, info, needles, terms] of every
// result in order: the first ten until the complete answer), shown (results given their
// snippets in the answer), sent (results whose rows the page has been sent)}.
let answer = null

/* ------------------------------------------------------------------------- loading */

self.fanwenData = (key, payload) => { raw.set(key, payload) }

function url(key) {
  const version = !manifest ? "" : key.startsWith("delta/") ? manifest.delta.v : manifest.v
  return new URL(`${key}.js${version ? `?v=${version}` : ""}`, INDEX).href
}

async function fetchOne(key) {
  const response = await fetch(url(key), manifest ? {} : { cache: "no-cache" })
  if (!response.ok)
    throw new Error(`${key}: HTTP ${response.status}`)
  const text = await response.text()
  // The file is `fanwenData("<key>",<json>)\n`: parse the JSON part, run no code.
  const start = text.indexOf(",") + 1
  return JSON.parse(text.slice(start, text.lastIndexOf(")")))
}

/* Z85 (fanwen/search/index.py z85): 4 bytes in 5 characters; the first character says how many zero
 * bytes were added at the end. */
const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
const Z85_VALUE = new Uint8Array(128)
for (let i = 0; i < Z85.length; i++) Z85_VALUE[Z85.charCodeAt(i)] = i

function bytes(text) {
  const words = (text.length - 1) / 5, out = new Uint8Array(words * 4)
  for (let i = 0, at = 1; i < words; i++) {
    let value = 0
    for (let k = 0; k < 5; k++) value = value * 85 + Z85_VALUE[text.charCodeAt(at++)]
    out[4 * i] = value >>> 24
    out[4 * i + 1] = (value >>> 16) & 255
    out[4 * i + 2] = (value >>> 8) & 255
    out[4 * i + 3] = value & 255
  }
  return out.subarray(0, out.length - (text.charCodeAt(0) - 48))
}

async function inflate(payload) {
  const stream = new Blob([bytes(payload)]).stream().pipeThrough(new DecompressionStream("deflate-raw"))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

const utf8 = new TextDecoder()

/* A file's payload as the search uses it. */
async function decode(key, payload) {
  key = key.replace(/^delta\//, "")
  if (key === "manifest") return payload
  const data = await inflate(payload)
  if (key === "docs" || key === "chunks") {
    // Page lengths (each page is followed by "\n" in the stream) or the code points of each t/
    // file, as four byte planes (fanwen/search/index.py planes_u32): where each one begins.
    const n = data.length / 4, out = new Float64Array(n + 1), gap = key === "docs" ? 1 : 0
    for (let i = 0; i < n; i++)
      out[i + 1] = out[i] + data[i] + data[n + i] * 256 + data[2 * n + i] * 65536 + data[3 * n + i] * 16777216 + gap
    return out
  }
  if (key === "tags") {
    // Each page's label (index.py labels_column): the distinct labels after their byte length,
    // then each page's number among them as four byte planes.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    const size = view.getUint32(0, true), names = utf8.decode(data.subarray(4, 4 + size)).split("\n")
    const body = data.subarray(4 + size), n = body.length / 4, out = new Array(n)
    for (let i = 0; i < n; i++)
      out[i] = names[body[i] + body[n + i] * 256 + body[2 * n + i] * 65536 + body[3 * n + i] * 16777216]
    return out
  }
  if (key === "fold") {
    // Varints: a traditional character's code point from the one before, then its simplified
    // one's from it + 65,536 (index.py read_fold). Returned as pairs of characters.
    const r = reader(data), pairs = []
    let before = 0
    while (r.more()) {
      before += r.next()
      pairs.push([String.fromCodePoint(before), String.fromCodePoint(before + r.next() - 65536)])
    }
    return pairs
  }
  const kind = key[0]
  if (kind === "m") {
    // [location, title, label] of each page: the file holds the locations (front-coded: "<k>
    // <rest>", the first k characters those of the location before), the titles, the labels,
    // one a line (fanwen/search/index.py meta_text).
    const lines = utf8.decode(data).split("\n"), count = Math.floor(lines.length / 3), rows = []
    let before = ""
    for (let n = 0; n < count; n++) {
      const line = lines[n], space = line.indexOf(" ")
      before = before.slice(0, Number(line.slice(0, space))) + line.slice(space + 1)
      rows.push([before, lines[count + n], lines[2 * count + n]])
    }
    return rows
  }
  if (kind === "t" || kind === "o") {
    // Code points of the chunk, sliced on demand: a chunk is tens of thousands of characters
    // and a snippet needs a hundred. Without surrogate pairs (nearly always) string indices
    // are code point indices and no array is made at all.
    const text = utf8.decode(data)
    if (!/[\uD800-\uDFFF]/.test(text)) return (from, to) => Array.from(text.slice(from, to))
    const chars = Array.from(text)
    return (from, to) => chars.slice(from, to)
  }
  // One long list: a 1-2-gram's bytes, or a trigram's number of positions and its planes.
  if (kind === "x") return data
  // A shard: {map: Map(gram → its bytes (1-2 characters), {planes, count, from} (a trigram: its
  // positions are values from..from+count of the shard's planes), or the number of its x/
  // file), spread: the bigrams whose trigrams are hashed by themselves}. Layout: three uint32
  // (grams, bytes of the code varints, bytes of the gram text), the codes (size << 2, for a
  // trigram number of positions << 2, or x-file number << 2 | 1; | 2 for a spread bigram), the
  // grams each followed by "\n", the 1-2-gram lists, then the trigram positions (planes).
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const count = view.getUint32(0, true), sizeBytes = view.getUint32(4, true), textBytes = view.getUint32(8, true)
  const r = reader(data.subarray(12, 12 + sizeBytes))
  const grams = gramLines(utf8.decode(data.subarray(12 + sizeBytes, 12 + sizeBytes + textBytes)), count)
  if (kind === "b") {
    // A b/ file (index.py _write_bigrams): the same header (each gram's number of postings
    // for the codes), then the document gaps of all postings as four byte planes, then their
    // fields. {map: Map(gram → {from, count}), data (the planes and fields), total}.
    const map = new Map()
    let total = 0
    for (const gram of grams) {
      const n = r.next()
      map.set(gram, { from: total, count: n })
      total += n
    }
    return { map, data: data.subarray(12 + sizeBytes + textBytes), total }
  }
  const isTri = grams.map(gram => Array.from(gram).length === 3)
  const codes = []
  let shortBytes = 0, positions = 0
  for (let i = 0; i < count; i++) {
    const code = r.next()
    codes.push(code)
    if (!(code & 1)) isTri[i] ? positions += Math.floor(code / 4) : shortBytes += Math.floor(code / 4)
  }
  const start = 12 + sizeBytes + textBytes
  const planes = { data: data.subarray(start + shortBytes), count: positions }
  const map = new Map(), spread = new Set()
  for (let i = 0, at = start, from = 0; i < count; i++) {
    const code = codes[i], value = Math.floor(code / 4)
    if (code & 2) spread.add(grams[i])
    if (code & 1) map.set(grams[i], value)
    else if (isTri[i]) { map.set(grams[i], { planes, from, count: value }); from += value }
    else { map.set(grams[i], data.subarray(at, at + value)); at += value }
  }
  return { map, spread }
}

/* The grams of a shard or b/ file, front-coded: how many first characters are the gram
 * before's ("0"-"2"), then the rest, each followed by "\n" (index.py _gram_text). */
function gramLines(text, count) {
  // Without surrogate pairs (nearly always) string indices are code point indices.
  const plain = !/[\uD800-\uDFFF]/.test(text), grams = []
  let previous = ""
  for (const line of text.split("\n", count)) {
    const k = line.charCodeAt(0) - 48
    previous = (plain ? previous.slice(0, k) : Array.from(previous).slice(0, k).join("")) + line.slice(1)
    grams.push(previous)
  }
  return grams
}

/* Positions and fields of trigram positions from..from+count of planes {data, count} (as
 * fanwen/search/index.py _planes writes them: four byte planes of the gaps, then the fields
 * four to a byte). */
function trigramList({ planes: { data, count: n }, from, count }) {
  const pos = new Array(count), kind = new Array(count)
  let at = 0
  for (let k = 0, i = from; k < count; k++, i++) {
    at += data[i] + data[n + i] * 256 + data[2 * n + i] * 65536 + data[3 * n + i] * 16777216
    pos[k] = at
    kind[k] = (data[4 * n + (i >> 2)] >> ((i & 3) * 2)) & 3
  }
  return { pos, kind }
}

/* Load files not loaded yet. A file asked for by several results at once is fetched once,
 * and at most MAX_IN_FLIGHT requests run at a time: a broad query over a large library needs
 * many files, and thousands of parallel requests fail in the browser. */
const MAX_IN_FLIGHT = 6
const pending = new Map()    // key → promise of its load
const requested = []         // every key ever asked for, in order (bench/search.py reads it)
let firstReported = false
const waiting = []           // resolvers of loads waiting for a free slot
let inFlight = 0

async function slot() {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise(resolve => waiting.push(resolve))
  inFlight++
}

function release() {
  inFlight--
  const next = waiting.shift()
  if (next) next()
}

function loadOne(key) {
  let promise = pending.get(key)
  if (!promise) {
    requested.push(key)
    promise = (async () => {
      await slot()
      let payload
      try {
        if (USE_FETCH) payload = await fetchOne(key)
        else {
          await importScripts(url(key))
          payload = raw.get(key)
          raw.delete(key)
        }
      } finally {
        release()
      }
      if (payload === undefined) throw new Error(`${key}: 文件内容不完整`)
      files.set(key, await decode(key, payload))
    })()
    pending.set(key, promise)
    promise.catch(() => pending.delete(key))  // a later query may try again
  }
  return promise
}

async function load(keys) {
  const missing = [...new Set(keys)].filter(key => !files.has(key))
  if (missing.length) await Promise.all(missing.map(loadOne))
  return keys.map(key => files.get(key))
}

/* ------------------------------------------------------------------------- text */

/* Fold one code point the way fanwen/search/index.py folds page text: lower case (only when that
 * keeps it one code point) and traditional → simplified. Lengths never change, so positions
 * in folded text are positions in the page text. */
function foldChar(ch) {
  const lower = ch.toLowerCase()
  const c = lower.length === ch.length ? lower : ch
  return foldMap.get(c) || c
}

function fold(text) {
  return Array.from(text, foldChar).join("")
}

function escapeHTML(text) {
  return text.replace(/[&<>"']/g, ch => `&#${ch.charCodeAt(0)};`)
}

/* Offsets (in code points) where `needle` occurs in `chars`, both arrays of code points. */
function occurrences(chars, needle) {
  const out = []
  outer: for (let i = 0; i + needle.length <= chars.length; i++) {
    for (let j = 0; j < needle.length; j++)
      if (chars[i + j] !== needle[j]) continue outer
    out.push(i)
  }
  return out
}

/* HTML of code points `chars` with every occurrence of any of `needles` marked. */
function highlight(chars, needles) {
  const folded = chars.map(foldChar)
  const flags = new Uint8Array(chars.length)
  for (const needle of needles) {
    const n = Array.from(needle)
    if (n.length)
      for (const at of occurrences(folded, n)) flags.fill(1, at, at + n.length)
  }
  let html = "", open = false
  for (let i = 0; i < chars.length; i++) {
    if (flags[i] && !open) { html += "<mark>"; open = true }
    if (!flags[i] && open) { html += "</mark>"; open = false }
    html += escapeHTML(chars[i])
  }
  return open ? `${html}</mark>` : html
}

/* ------------------------------------------------------------------------- postings */

function reader(data) {
  let at = 0
  return {
    more: () => at < data.length,
    at: () => at,
    next() {
      let n = 0, shift = 0, b
      do { b = data[at++]; n += (b & 0x7f) * 2 ** shift; shift += 7 } while (b & 0x80)
      return n
    }
  }
}

function hash(key) {
  let h = 0x811c9dc5
  for (const ch of key) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0
  return h
}

/* The index is in parts, each with its own shards (manifest.shards: how many per part): a
 * gram's part is the code point of its last character (a trigram's: of its middle character)
 * modulo the number of parts, and its shard the FNV hash of the gram, or of a trigram's first
 * bigram unless `spread`, modulo the part's count, as in fanwen/search/index.py gram_part and
 * shard_hash_key. Returns the file prefix of the gram's part and its shard. */
function shardOf(space, gram, spread) {
  const counts = space.info.shards, chars = Array.from(gram), tri = chars.length === 3
  const part = chars[tri ? 1 : chars.length - 1].codePointAt(0) % counts.length
  const h = hash(tri && !spread ? chars[0] + chars[1] : gram), n = h % counts[part]
  // A shard cut into k files (manifest.split): the file is the hash / count modulo k.
  const k = ((space.info.split || {})[part] || {})[n]
  return [`${space.prefix}${part}-`, `${space.prefix}s/${part}-${n}${k ? `-${Math.floor(h / counts[part]) % k}` : ""}`]
}

/* The bigrams marked spread (manifest.spread: two characters each, one after the other). */
function spreadOf(space) {
  if (!space.spread) {
    const chars = Array.from(space.info.spread || "")
    space.spread = new Set()
    for (let i = 0; i + 1 < chars.length; i += 2) space.spread.add(chars[i] + chars[i + 1])
  }
  return space.spread
}

/* Decoded posting lists of the given grams: Map(doc → {tf, mask}) for 1-2 characters,
 * {pos, kind} (ascending positions in the text stream and their fields) for trigrams.
 * Unknown grams give empty lists. */
async function getPostings(space, grams) {
  grams = [...new Set(grams)].filter(gram => !postings.has(space.prefix + gram))
  // A trigram lies in its first bigram's shard (with the bigram, which the "missing" answer
  // reads anyway), unless the manifest lists the bigram as spread (its shard marks it too):
  // then in a shard of its own hash.
  const spread = spreadOf(space)
  const where = grams.map(gram => {
    const chars = Array.from(gram)
    return shardOf(space, gram, chars.length === 3 && spread.has(chars[0] + chars[1]))
  })
  const shards = await load(where.map(([, shard]) => shard))
  const xKey = i => `${space.prefix}x/${where[i][0].slice(space.prefix.length)}${shards[i].map.get(grams[i])}`
  await load(grams.flatMap((gram, i) => typeof shards[i].map.get(gram) === "number" ? [xKey(i)] : []))
  for (const [i, gram] of grams.entries()) {
    let value = shards[i].map.get(gram)
    if (typeof value === "number") value = files.get(xKey(i))
    if (Array.from(gram).length < 3) {
      const r = reader(value || new Uint8Array(0)), map = new Map()
      let doc = -1
      while (r.more()) {
        doc += r.next() + 1
        const v = r.next()
        map.set(doc, { tf: Math.floor(v / 8), mask: v & 7 })
      }
      postings.set(space.prefix + gram, map)
    } else if (!value) {
      postings.set(space.prefix + gram, { pos: [], kind: [] })
    } else if (value instanceof Uint8Array) {  // an x/ file: the number of positions, the planes
      const r = reader(value), count = r.next()
      postings.set(space.prefix + gram, trigramList({ planes: { data: value.subarray(r.at()), count }, from: 0, count }))
    } else {
      postings.set(space.prefix + gram, trigramList(value))
    }
  }
}

function kindOfMask(mask) {
  return mask & 4 ? TITLE : mask & 2 ? HEADING : 0
}

/* Trigram offsets covering a word of `n` ≥ 3 characters. */
function cover(n) {
  const offsets = []
  for (let k = 0; k + 3 <= n; k += 3) offsets.push(k)
  if (offsets[offsets.length - 1] !== n - 3) offsets.push(n - 3)
  return offsets
}

/* The page holding stream position `pos` (or, given the chunks' starts, the t/ file). */
function docAt(starts, pos) {
  let lo = 0, hi = starts.length - 2
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid] <= pos) lo = mid
    else hi = mid - 1
  }
  return lo
}

/* The same over every space, with the pages of all of them numbered one after the other. */
async function inSpaces(find, word) {
  const out = new Map()
  for (const space of spaces)
    for (const [doc, value] of await find(space, word))
      if (!space.skip.has(doc)) out.set(space.base + doc, value)
  return out
}

const exact = word => inSpaces(exactIn, word)
const partial = word => inSpaces(partialIn, word)

/* Pages of one space containing `word` exactly: Map(doc → {tf, kind, first}) where `first`
 * is the first position outside the title (in the page), when known. */
async function exactIn(space, word) {
  const chars = Array.from(word)
  const hits = new Map()
  if (chars.length < 3) {
    await getPostings(space, [word])
    for (const [doc, { tf, mask }] of postings.get(space.prefix + word))
      hits.set(doc, { tf, kind: kindOfMask(mask), first: -1 })
    return hits
  }
  const offsets = cover(chars.length)
  const grams = offsets.map(k => chars.slice(k, k + 3).join(""))
  await getPostings(space, grams)
  const lists = grams.map(gram => postings.get(space.prefix + gram))
  const starts = space.starts
  // The word starts at p when every covering trigram k occurs at p + offsets[k]: walk the
  // shortest list and the others alongside it (all ascending).
  let driver = 0
  lists.forEach((list, k) => { if (list.pos.length < lists[driver].pos.length) driver = k })
  const at = lists.map(() => 0)
  for (const q of lists[driver].pos) {
    const p = q - offsets[driver]
    let all = true
    for (let k = 0; k < lists.length && all; k++) {
      const want = p + offsets[k], pos = lists[k].pos
      while (at[k] < pos.length && pos[at[k]] < want) at[k]++
      all = at[k] < pos.length && pos[at[k]] === want
    }
    if (!all) continue
    const doc = docAt(starts, p)
    const kind = lists[0].kind[at[0]]
    let hit = hits.get(doc)
    if (!hit) hits.set(doc, hit = { tf: 0, kind: 0, first: -1 })
    hit.tf++
    hit.kind = Math.max(hit.kind, kind)
    if (hit.first < 0 && kind !== TITLE) hit.first = p - starts[doc]
  }
  return hits
}

/* Pages of one space containing every two-character piece of `word` (a superset of exact
 * matches). */
async function partialIn(space, word) {
  const chars = Array.from(word)
  const grams = chars.length < 2 ? chars : chars.slice(1).map((ch, i) => chars[i] + ch)
  const maps = await presenceOf(space, grams)
  const [smallest] = [...maps].sort((a, b) => a.size - b.size)
  const docs = new Map()
  for (const [doc] of smallest)
    if (maps.every(map => map.has(doc)))
      docs.set(doc, Math.max(...maps.map(map => kindOfMask(map.get(doc).mask))))
  return docs
}

/* Map(doc → {mask}) (or {tf, mask}) of each of `grams` in one space: from its shard when that
 * is loaded already (a bigram that begins a covering trigram of the word) and holds the list
 * itself, else from its b/ file (manifest.bigrams: how many per part), a tenth of the bytes. */
const presences = new Map()  // gram → Map(doc → {mask}) from a b/ file

async function presenceOf(space, grams) {
  const fromShard = gram => {
    if (postings.has(space.prefix + gram)) return true
    if (!space.info.bigrams || Array.from(gram).length !== 2) return true  // b/ holds bigrams only
    const [, key] = shardOf(space, gram, false), shard = files.get(key)
    return !!shard && typeof shard.map.get(gram) !== "number"  // a number: an x/ file to read
  }
  const own = grams.filter(fromShard), rest = grams.filter(gram => !fromShard(gram) && !presences.has(space.prefix + gram))
  await getPostings(space, own)
  const keys = rest.map(gram => bigramOf(space, gram))
  const found = await load(keys)
  rest.forEach((gram, i) => {
    const { map: grams, data: d, total: n } = found[i], { from, count } = grams.get(gram) || { from: 0, count: 0 }
    const map = new Map()
    let doc = -1
    for (let k = from; k < from + count; k++) {
      doc += d[k] + d[n + k] * 256 + d[2 * n + k] * 65536 + d[3 * n + k] * 16777216 + 1
      map.set(doc, { mask: d[4 * n + k] })
    }
    presences.set(space.prefix + gram, map)
  })
  return grams.map(gram => postings.get(space.prefix + gram) || presences.get(space.prefix + gram))
}

/* The b/ file of a bigram (index.py bigram_file): the gram's part as for shards, then its
 * FNV hash modulo the part's count. */
function bigramOf(space, gram) {
  const counts = space.info.bigrams, chars = Array.from(gram)
  const part = chars[chars.length - 1].codePointAt(0) % counts.length
  return `${space.prefix}b/${part}-${hash(gram) % counts[part]}`
}

function parts(word) {
  const chars = Array.from(word)
  return chars.length < 2 ? chars : chars.slice(1).map((ch, i) => chars[i] + ch)
}

/* ------------------------------------------------------------------------- snippets */

/* [space, number of the page in it] of a page. */
function locate(doc) {
  const space = spaces.findLast(space => doc >= space.base)
  return [space, doc - space.base]
}

function metaKey(doc) {
  const [space, local] = locate(doc)
  return `${space.prefix}m/${Math.floor(local / space.info.meta)}`
}

/* Load the rows of `docs`: their m/ files, or m/all (every page's row in one file) when the
 * m/ files not loaded yet are at least manifest.meta_all of them, which is more bytes. */
async function loadMeta(docs) {
  const keys = new Map()   // space → m/ files of its pages not loaded yet
  for (const doc of docs) {
    const [space] = locate(doc)
    if (files.has(`${space.prefix}m/all`)) continue
    const key = metaKey(doc)
    if (!files.has(key)) {
      if (!keys.has(space)) keys.set(space, new Set())
      keys.get(space).add(key)
    }
  }
  await load([...keys].flatMap(([space, set]) =>
    space.info.meta_all && set.size >= space.info.meta_all ? [`${space.prefix}m/all`] : [...set]))
}

function metaRow(doc) {
  const [space, local] = locate(doc)
  const all = files.get(`${space.prefix}m/all`)
  return all ? all[local] : files.get(metaKey(doc))[local % space.info.meta]
}

async function meta(docs) {
  await loadMeta(docs)
  return docs.map(metaRow)
}

function docLength(doc) {
  const [{ starts }, local] = locate(doc)
  return starts[local + 1] - starts[local] - 1
}

/* Code points [from, to) of a page's text: from the o/ file of its opening when they lie in
 * it (many pages' openings to a file), else from the chunks of the stream that hold them. */
async function textRange(doc, from, to) {
  const [space, local] = locate(doc)
  const length = docLength(doc), open = space.info.open || 0
  from = Math.max(0, from)
  to = Math.min(length, to)
  if (to <= from) return []
  if (to <= Math.min(open, length)) {
    // The o/ file of the page's group (space.groups: the first page of each file).
    const file = docAt(space.groups, local), first = space.groups[file]
    let at = 0
    for (let d = first; d < local; d++) at += Math.min(open, space.starts[d + 1] - space.starts[d] - 1)
    const [slice] = await load([`${space.prefix}o/${file}`])
    return slice(at + from, at + to)
  }
  from += space.starts[local]
  to += space.starts[local]
  // The t/ files holding [from, to): each has a length of its own (space.chunks: where each begins).
  const bounds = space.chunks, first = docAt(bounds, from), last = docAt(bounds, to - 1)
  const keys = []
  for (let k = first; k <= last; k++) keys.push(`${space.prefix}t/${k}`)
  const chunks = await load(keys)
  return [].concat(...chunks.map((slice, i) => {
    const base = bounds[first + i]
    return slice(Math.max(0, from - base), Math.min(bounds[first + i + 1], to) - base)
  }))
}

/* Position of the first occurrence of any needle outside the title. */
async function scan(doc, titleLength, needles) {
  const chars = (await textRange(doc, 0, docLength(doc))).map(foldChar)
  let best = -1
  for (const needle of needles) {
    const at = occurrences(chars, Array.from(needle)).find(pos => pos > titleLength)
    if (at !== undefined && (best < 0 || at < best)) best = at
  }
  return best
}

/* Title and snippet HTML for one result: {location, title, text (label and snippet), snippet}.
 * `withSnippet`: true, false, or the HTML to put where the snippet will be. */
async function render(doc, info, needles, withSnippet) {
  const [[location, title, label]] = await meta([doc])
  const titleChars = Array.from(title)
  // The label (方案 · 村, 写作模板) goes first in the text: the page narrows the results by it.
  const tags = label ? `<p class="fw-result-tags">${escapeHTML(label)}</p>` : ""
  const item = { location, title: highlight(titleChars, needles), text: tags }
  if (typeof withSnippet === "string") item.text = tags + withSnippet
  if (withSnippet !== true) return item
  let pos = info.first
  if (pos < 0) pos = await scan(doc, titleChars.length, needles)
  if (pos < 0) pos = titleChars.length + 1   // match only in the title: show the opening
  const from = Math.max(titleChars.length + 1, pos - BEFORE)
  const span = await textRange(doc, from, pos + AFTER)
  // Keep to the block (paragraph or heading) that holds the match.
  const rel = pos - from
  const start = rel > 0 ? span.lastIndexOf("\n", rel - 1) + 1 : 0
  let end = span.indexOf("\n", rel)
  if (end < 0) end = span.length
  const chars = span.slice(start, end)
  const clippedStart = start === 0 && from > titleChars.length + 1 &&
    (await textRange(doc, from - 1, from))[0] !== "\n"
  const clippedEnd = end === span.length && span.length === pos + AFTER - from
  item.snippet = `<p>${clippedStart ? "…" : ""}${highlight(chars, needles)}${clippedEnd ? "…" : ""}</p>`
  item.text = tags + item.snippet
  return item
}

/* ------------------------------------------------------------------------- search */

/* Where a page stands among equal results: its place in the build. A page of the delta index
 * has the place it would have in the site's index (manifest.delta.order: between the pages
 * before and after it), so that equal results come in the same order as from an index built
 * from scratch. */
function tieKey(doc) {
  const last = spaces[spaces.length - 1]
  return last.info.order && doc >= last.base ? last.info.order[doc - last.base] : doc
}

function rank(hits) {
  return [...hits].sort(([a, x], [b, y]) => (y.kind - x.kind) || (y.tf - x.tf) || (tieKey(a) - tieKey(b)))
}

/* Facets typed into the query, or set by the page's buttons under the search box (fanwen.js):
 * 文种:方案 and 层级:村 keep the results whose label (方案 · 村, 写作模板) says so. */
const FACET = /^(文种|层级)[:：](.+)$/

function parseQuery(query) {
  const facets = {}, rest = []
  for (const token of query.split(/\s+/).filter(Boolean)) {
    const match = FACET.exec(token)
    if (match) facets[match[1]] = match[2]
    else rest.push(token)
  }
  return { text: rest.join(" "), facets }
}

/* The labels of `docs` (方案 · 村, 写作模板), from each space's tags file. */
async function labels(docs) {
  const located = docs.map(locate)
  await load([...new Set(located.map(([space]) => `${space.prefix}tags`))])
  return located.map(([space, local]) => files.get(`${space.prefix}tags`)[local])
}

async function keepFacets(list, facets) {
  if (!Object.keys(facets).length || !list.length) return list
  const found = await labels(list.map(([doc]) => doc))
  return list.filter((_, i) => {
    const [type, level] = (found[i] || "").split(" · ")
    return (!facets["文种"] || facets["文种"] === type) && (!facets["层级"] || facets["层级"] === level)
  })
}

async function search(query, gen, post) {
  const { text, facets } = parseQuery(query)
  const words = [...new Set(fold(text).split(/\s+/).filter(Boolean))]
  if (!words.length) return post({ items: [] })

  // Pages containing every word exactly.
  const perWord = []
  for (const word of words) perWord.push(await exact(word))
  if (gen !== generation) return
  const [smallest] = [...perWord].sort((a, b) => a.size - b.size)
  const hits = new Map()
  for (const [doc] of smallest) {
    if (!perWord.every(map => map.has(doc))) continue
    const infos = perWord.map(map => map.get(doc))
    hits.set(doc, {
      tf: infos.reduce((sum, info) => sum + info.tf, 0),
      kind: Math.max(...infos.map(info => info.kind)),
      first: words.length === 1 ? infos[0].first : -1
    })
  }
  const ranked = await keepFacets(rank(hits), facets)
  if (gen !== generation) return
  const terms = Object.fromEntries(words.map(word => [word, true]))
  const total = ranked.length

  // Results on the first screen (`shown`) with their snippets, the rest of the first ten with
  // a placeholder for it.
  const shown = screen
  const item = async ([doc, info], i, needles, termFlags) => {
    const { location, title, text } = await render(doc, info, needles,
      i < shown || `<span class="fw-snippet" data-fw-answer="${gen}" data-fw-row="${i}"></span>`)
    return { location, title, text, score: total + 1000 - i, terms: termFlags }
  }

  // First answer: the best exact matches, as soon as they are known.
  const top = await Promise.all(ranked.slice(0, FIRST).map((hit, i) => item(hit, i, words, terms)))
  if (gen !== generation) return
  answer = { gen, entries: ranked.slice(0, FIRST).map(([doc, info]) => [doc, info, words, terms]), shown, sent: new Set() }
  if (top.length) post({ items: top.map(x => [x]) })
  // Not one of Material's messages (it ignores it): after the first query only, the files read
  // so far, for bench/search.py to count what the first answer cost.
  if (!firstReported) {
    firstReported = true
    postMessage({ type: FIRST_READ, query, files: requested.slice() })
  }

  // Complete answer: every exact match, then pages with only the parts of the words.
  const loose = []
  for (const word of words) {
    const exactDocs = perWord[words.indexOf(word)]
    loose.push(Array.from(word).length >= 3 ? await partial(word) : exactDocs)
  }
  if (gen !== generation) return
  const partsOnly = []
  const [base] = [...loose].sort((a, b) => a.size - b.size)
  for (const [doc] of base) {
    if (hits.has(doc) || !loose.every(map => map.has(doc))) continue
    const present = words.filter((word, i) => perWord[i].has(doc))
    const kind = Math.max(...loose.map(map => { const v = map.get(doc); return typeof v === "number" ? v : v.kind }))
    partsOnly.push([doc, { tf: present.length, kind, first: -1, present }])
  }
  partsOnly.sort(([a, x], [b, y]) => (y.tf - x.tf) || (y.kind - x.kind) || (tieKey(a) - tieKey(b)))
  partsOnly.splice(0, partsOnly.length, ...await keepFacets(partsOnly, facets))
  if (gen !== generation) return
  if (!ranked.length && !partsOnly.length) { answer = null; return post({ items: [] }) }
  if (ranked.length <= FIRST && !partsOnly.length) return  // the first answer was complete

  // Every result in order, with what its item needs; the first FIRST rendered now (they are
  // on the first screen), the others as placeholders the page asks rows for as they are about
  // to be seen (fanwen-search.js, ROWS): a broad query has a thousand results and the rows of all of
  // them were a fifth of what the complete answer to a first query read.
  const needlesParts = [...words, ...words.flatMap(parts)]
  const entries = [
    ...ranked.map(([doc, info]) => [doc, info, words, terms]),
    ...partsOnly.map(([doc, info]) => [doc, info, needlesParts,
      Object.fromEntries(words.map(word => [word, info.present.includes(word)]))])
  ]
  answer.entries = entries
  await loadMeta(entries.slice(top.length, FIRST).map(([doc]) => doc))
  if (gen !== generation) return
  const rest = await Promise.all(entries.slice(top.length, FIRST).map(([doc, info, needles, termFlags], i) =>
    item([doc, info], top.length + i, needles, termFlags)))
  if (gen !== generation) return
  const all = [...top, ...rest].concat(entries.slice(FIRST).map(([, , , termFlags], k) => ({
    location: "",
    title: `<span class="fw-row" data-fw-answer="${gen}" data-fw-row="${FIRST + k}"></span>`,
    text: "",
    score: total + 1000 - FIRST - k,
    terms: termFlags
  })))
  post({ items: all.map(x => [x]) })
}

/* The rows of results from..to of the last answer, for the page to put in place of their
 * placeholders (fanwen-search.js): {i, location, title, text}, and the snippet of a result
 * of the first ten (`snippet`). */
async function rows(gen, from, to) {
  if (!answer || answer.gen !== gen) return null
  const wanted = []
  for (let i = Math.max(answer.shown, from); i < Math.min(to, answer.entries.length); i++)
    if (!answer.sent.has(i)) wanted.push(i)
  if (!wanted.length) return null
  const sent = answer.sent
  wanted.forEach(i => sent.add(i))
  const entries = wanted.map(i => answer.entries[i])
  try {
    await loadMeta(entries.map(([doc]) => doc))
    return await Promise.all(entries.map(async ([doc, info, needles], k) => {
      const { location, title, text, snippet } = await render(doc, info, needles, wanted[k] < FIRST)
      return { i: wanted[k], location, title, text, snippet }
    }))
  } catch (err) {
    wanted.forEach(i => sent.delete(i))  // sent when the page asks again
    throw err
  }
}

/* What the page shows when the index cannot be read: one result that says so, instead of
 * "没有找到" or an endless "正在初始化". */
let broken = null

function brokenAnswer() {
  return {
    items: [[{
      location: "",
      title: "搜索索引不完整，请重新构建",
      text: `<p>${escapeHTML(broken)}。请管理员重新构建并发布网站（fanwen build）；在此之前可以按主题浏览。</p>`,
      score: 1,
      terms: {}
    }]]
  }
}

/* Where each group begins, from the size of each (manifest.open_pages: pages per o/ file). */
function firsts(counts) {
  const out = [0]
  for (const count of counts) out.push(out[out.length - 1] + count)
  return out
}

async function setup() {
  try {
    await load(["manifest"])
    manifest = files.get("manifest")
    const delta = manifest.delta
    const [pairs, docs, chunks, deltaPairs, deltaDocs, deltaChunks] =
      await load(["fold", "docs", "chunks", ...(delta ? ["delta/fold", "delta/docs", "delta/chunks"] : [])])
    spaces = [{ prefix: "", info: manifest, starts: docs, chunks, groups: firsts(manifest.open_pages), base: 0,
                skip: new Set(delta ? delta.replaced : []) }]
    if (delta)
      spaces.push({ prefix: "delta/", info: delta, starts: deltaDocs, chunks: deltaChunks, groups: firsts(delta.open_pages),
                    base: manifest.docs, skip: new Set() })
    foldMap = new Map()
    for (const [traditional, simplified] of [...pairs, ...(deltaPairs || [])]) foldMap.set(traditional, simplified)
  } catch (err) {
    broken = `读取索引文件失败（${err && err.message ? err.message : err}）`
  }
}

addEventListener("message", async ev => {
  const message = ev.data
  if (message.type === SETUP) {
    await setup()
    postMessage({ type: READY })
  } else if (message.type === SCREEN) {
    screen = Math.max(1, Math.min(FIRST, Math.floor(message.results) || FIRST))
  } else if (message.type === ROWS) {
    try {
      const found = await rows(message.answer, message.from, message.to)
      if (found) postMessage({ type: ROWS, answer: message.answer, rows: found })
    } catch (err) {
      console.warn("范文库搜索出错：", err)
    }
  } else if (message.type === QUERY) {
    const gen = ++generation
    answer = null
    if (broken) {
      postMessage({ type: RESULT, data: brokenAnswer() })
    } else {
      try {
        await search(message.data, gen, data => postMessage({ type: RESULT, data }))
      } catch (err) {
        console.warn("范文库搜索出错：", err)
        broken = `读取索引文件失败（${err && err.message ? err.message : err}）`
        if (gen === generation) postMessage({ type: RESULT, data: brokenAnswer() })
        broken = null  // a file missing now may be there after a rebuild: try again next time
      }
    }
    // Not one of Material's messages (it ignores it): tells tests and bench/search.py that the
    // answer to this query is complete.
    if (gen === generation) postMessage({ type: DONE, query: message.data })
  }
})
