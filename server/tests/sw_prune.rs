//! The service worker (`public/sw.js`) drops cached content the current catalogue no longer reaches:
//! run in Node with an in-memory Cache API (skipped, saying so, where Node is not installed).
use std::path::Path;
use std::process::Command;

/// Loads sw.js in a Node `vm` context with a Map-backed `caches`, fills the runtime cache, calls
/// `canonicaliseContent()` and `pruneContent()` as activation does, and prints the URLs left, sorted, one per line.
const HARNESS: &str = r#"
const vm = require('vm');
const fs = require('fs');
const ORIGIN = 'http://hocso.test';
const stores = new Map();
const keyOf = (r, ignoreSearch) => { const u = new URL(typeof r === 'string' ? r : r.url, ORIGIN); return u.pathname + (ignoreSearch ? '' : u.search); };
class FakeCache {
  constructor() { this.entries = new Map(); }
  async put(request, response) { this.entries.set(keyOf(request), { request: new Request(ORIGIN + keyOf(request)), body: await response.text() }); }
  async match(request, options = {}) {
    for (const [key, entry] of this.entries) {
      if (keyOf(key, options.ignoreSearch) === keyOf(request, options.ignoreSearch)) return new Response(entry.body);
    }
    return undefined;
  }
  async keys() { return [...this.entries.values()].map((e) => e.request); }
  async delete(request) { return this.entries.delete(keyOf(request)); }
}
const caches = {
  async open(name) { if (!stores.has(name)) stores.set(name, new FakeCache()); return stores.get(name); },
  async keys() { return [...stores.keys()]; },
  async match(request, options = {}) { return stores.get(options.cacheName)?.match(request, options); },
};
const context = vm.createContext({
  self: { addEventListener() {}, location: { origin: ORIGIN } },
  caches, Request, Response, URL, console, fetch: async () => { throw new Error('offline'); },
});
vm.runInContext(fs.readFileSync(process.argv[1], 'utf8'), context);
(async () => {
  const cache = await caches.open('hocso-runtime');
  const put = (url, body) => cache.put(url, new Response(typeof body === 'string' ? body : JSON.stringify(body)));
  const media = (path) => `/content/media/${path}`;
  await put('/content/catalogue.json', { format: 1, topics: [
    { id: 'pay', icon: media('pay/icon.svg?v=t2'), packs: { vi: { url: '/content/packs/pay.vi.json', version: 'p2', bytes: 1 } },
      lessons: [{ id: 'qr', order: 1, minutes: 5, icon: media('pay/qr/icon.svg?v=i2'), locales: {} }] },
    { id: 'safe', packs: { vi: { url: '/content/packs/safe.vi.json', version: 's2', bytes: 1 } }, lessons: [] },
  ] });
  await put('/content/packs/pay.vi.json?v=p1', { lessons: [{ lesson: { steps: [{ blocks: [{ src: media('pay/qr/qr.svg?v=q1') }] }] } }] });
  // Stored by an older worker under the URL gloo-net asks for (a trailing `&`).
  await put('/content/packs/pay.vi.json?v=p2&', { lessons: [{ lesson: { steps: [{ blocks: [
    { src: media('pay/qr/qr.svg?v=q2') }, { src: media('pay/qr/kept.svg?v=k1') }, { src: media('pay/qr/%E1%BA%A3nh%201.png?v=a1') }, { src: media('pay/qr/ảnh 2.png?v=a2') }] }] } }] });
  for (const url of [
    media('pay/icon.svg?v=t1'), media('pay/icon.svg?v=t2'), media('pay/qr/icon.svg?v=i1'), media('pay/qr/icon.svg?v=i2'), media('pay/qr/qr.svg?v=q1'), media('pay/qr/qr.svg?v=q2'),
    media('pay/qr/%E1%BA%A3nh%201.png?v=a1'), media('pay/qr/%E1%BA%A3nh%202.png?v=a2'), media('pay/qr/removed.png?v=r1'),
    media('safe/otp/otp.svg?v=o1'), media('gone/x/x.svg?v=g1'), media('pay/qr/unversioned.svg'),
    media('pay/qr/kept.svg?v=k1&'), media('pay/qr/removed.png?v=r2&'),
    '/content/packs/gone.vi.json?v=g1', '/content/packs/safe.vi.json?v=s1',
  ]) await put(url, 'bytes');
  // What the worker's activation does: old keys moved to theirs, then pruning.
  await context.canonicaliseContent(cache);
  await context.pruneContent();
  console.log((await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search).sort().join('\n'));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn a_new_catalogue_drops_old_packs_and_pictures_and_keeps_what_it_reaches_under_one_key() {
    let sw = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/sw.js");
    let output = match Command::new("node").arg("-e").arg(HARNESS).arg(&sw).output() {
        Ok(output) => output,
        Err(error) => {
            eprintln!("skipped: Node.js is not installed ({error})");
            return;
        }
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let kept = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        kept.lines().collect::<Vec<_>>(),
        [
            "/content/catalogue.json",
            // The topic's own icon (topic.md), at the catalogue's version.
            "/content/media/pay/icon.svg?v=t2",
            "/content/media/pay/qr/%E1%BA%A3nh%201.png?v=a1",
            "/content/media/pay/qr/%E1%BA%A3nh%202.png?v=a2",
            "/content/media/pay/qr/icon.svg?v=i2",
            "/content/media/pay/qr/kept.svg?v=k1",
            "/content/media/pay/qr/qr.svg?v=q2",
            // `safe` has no current pack stored yet: its pictures wait for the new pack.
            "/content/media/safe/otp/otp.svg?v=o1",
            "/content/packs/pay.vi.json?v=p2",
        ],
        "dropped: the old pack, topic icon and pictures of `pay`, its removed and unversioned pictures, topic `gone`, safe's old pack; \
         copies stored as `…?v=1&` kept under `…?v=1` when still reached"
    );
}
