//! The service worker (`public/sw.js`) drops cached content the current catalogue no longer reaches:
//! run in Node with an in-memory Cache API (skipped, saying so, where Node is not installed).
use std::path::Path;
use std::process::Command;

/// Loads sw.js in a Node `vm` context with a Map-backed `caches` and a `fetch` that fails (offline;
/// a scenario may replace `context.fetch`), then runs the scenario appended to it.
const PRELUDE: &str = r#"
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
"#;

/// Fills the runtime cache, calls `canonicaliseContent()` and `pruneContent()` as activation does,
/// and prints the URLs left, sorted, one per line.
const ACTIVATION: &str = r#"
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
  ]) await put(url, 'bytes');
  await put('/content/packs/gone.vi.json?v=g1', { lessons: [] });
  await put('/content/packs/safe.vi.json?v=s1', { lessons: [{ lesson: { steps: [{ blocks: [{ src: media('safe/otp/otp.svg?v=o1') }] }] } }] });
  await put('/content/packs/safe.en.json?v=e1', 'cut off by a full disk');
  // What the worker's activation does: old keys moved to theirs, then pruning.
  await context.canonicaliseContent(cache);
  await context.pruneContent();
  console.log((await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search).sort().join('\n'));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn a_new_catalogue_drops_old_packs_and_pictures_and_keeps_what_it_reaches_under_one_key() {
    let Some(kept) = run_in_node(ACTIVATION) else { return };
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
            // Its current pack (s2) is not stored yet: the older one stays, for offline use.
            "/content/packs/safe.vi.json?v=s1",
        ],
        "dropped: the old pack, topic icon and pictures of `pay`, its removed and unversioned pictures, topic `gone`, a pack \
         that is not JSON; copies stored as `…?v=1&` kept under `…?v=1` when still reached"
    );
}

/// The phone saw a new catalogue (p2) but went offline before downloading its packs: the older
/// pack (p1) and its picture stay and answer for p2 offline; once p2 is stored, p1 goes.
const NEW_CATALOGUE_THEN_OFFLINE: &str = r#"
(async () => {
  const cache = await caches.open('hocso-runtime');
  const put = (url, body) => cache.put(url, new Response(JSON.stringify(body)));
  const pack = (picture) => ({ lessons: [{ lesson: { steps: [{ blocks: [{ src: `/content/media/pay/qr/${picture}` }] }] } }] });
  await put('/content/catalogue.json', { format: 1, topics: [
    { id: 'pay', packs: { vi: { url: '/content/packs/pay.vi.json', version: 'p2', bytes: 1 } }, lessons: [] } ] });
  await put('/content/packs/pay.vi.json?v=p1', pack('q1.svg?v=q1'));
  await put('/content/media/pay/qr/q1.svg?v=q1', 'picture');
  await context.pruneContent();
  const list = async () => (await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search).sort().join(' ');
  console.log('kept: ' + await list());
  const offline = await context.cacheFirst(new Request(ORIGIN + '/content/packs/pay.vi.json?v=p2'));
  console.log('offline p2: ' + await offline.text());
  context.fetch = async () => new Response(JSON.stringify(pack('q2.svg?v=q2')));
  const online = await context.cacheFirst(new Request(ORIGIN + '/content/packs/pay.vi.json?v=p2'));
  console.log('online p2: ' + await online.text());
  await put('/content/media/pay/qr/q2.svg?v=q2', 'picture');
  await context.pruneContent();
  console.log('after: ' + await list());
})().catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn an_older_pack_answers_offline_until_the_current_one_is_downloaded() {
    let Some(output) = run_in_node(NEW_CATALOGUE_THEN_OFFLINE) else { return };
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines[0], "kept: /content/catalogue.json /content/media/pay/qr/q1.svg?v=q1 /content/packs/pay.vi.json?v=p1");
    assert!(lines[1].starts_with("offline p2: ") && lines[1].contains("q1.svg"), "{}", lines[1]);
    assert!(lines[2].starts_with("online p2: ") && lines[2].contains("q2.svg"), "{}", lines[2]);
    assert_eq!(lines[3], "after: /content/catalogue.json /content/media/pay/qr/q2.svg?v=q2 /content/packs/pay.vi.json?v=p2");
}

/// Runs sw.js with [`PRELUDE`] and `scenario` in Node; `None` (saying so) where Node is not installed.
fn run_in_node(scenario: &str) -> Option<String> {
    let sw = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/sw.js");
    let output = match Command::new("node").arg("-e").arg(format!("{PRELUDE}{scenario}")).arg(&sw).output() {
        Ok(output) => output,
        Err(error) => {
            eprintln!("skipped: Node.js is not installed ({error})");
            return None;
        }
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    Some(String::from_utf8(output.stdout).unwrap())
}
