// HocSo service worker: the app shell works offline.
// `cargo xtask build` replaces the BUILD line below with this build's version and precache list
// (Trunk's hashed file names change with every build, so the list is generated from dist/).
const BUILD = { "version": "dev", "precache": ["/", "/index.html"], "team": [] };
const SHELL_CACHE = 'hocso-shell-' + BUILD.version;
// The team tools (a second app under /team/) are kept only on phones that use them: a villager's
// first visit does not download screens only a team leader needs.
const TEAM_CACHE = 'hocso-team-' + BUILD.version;
const RUNTIME_CACHE = 'hocso-runtime';

self.addEventListener('install', (event) => {
  // The default cache mode lets the files the page just loaded come from the HTTP cache (hashed
  // files are immutable; the others are `no-cache`, so they are revalidated, not downloaded twice).
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(BUILD.precache)).then(async () => {
    // A phone that kept the previous team tools keeps the new ones too (failing here would also
    // hold back the learner's update, so a failure is retried when the app asks again).
    const hadTeamTools = (await caches.keys()).some((name) => name.startsWith('hocso-team-'));
    if (hadTeamTools) await cacheTeamTools().catch(() => {});
    // The home screen's topics come from the catalogue: keep it (and the topics' icons) before this
    // worker takes the page, so the first screen works offline even after a very short first visit.
    // Content may be missing (a dev server): that must not stop the app itself from installing.
    await keepCatalogue().catch(() => {});
  }));
  // No skipWaiting here: an update waits until the learner taps "reload" (see pwa.js).
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => (name.startsWith('hocso-shell-') && name !== SHELL_CACHE)
          || (name.startsWith('hocso-team-') && name !== TEAM_CACHE))
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
      // Content a previous worker kept under another key, or no longer reachable, is sorted out.
      .then(() => caches.open(RUNTIME_CACHE).then(canonicaliseContent).then(pruneContent).catch(() => {}))
  );
});

// The catalogue and every topic's icon, into the runtime cache under their content keys (as the
// fetch handler would store them).
async function keepCatalogue() {
  const cache = await caches.open(RUNTIME_CACHE);
  const response = await fetch('/content/catalogue.json');
  if (!response.ok) return;
  const catalogue = await response.clone().json();
  await cache.put(new Request(contentKey(new URL('/content/catalogue.json', self.location.origin))), response);
  await Promise.all(catalogue.topics.filter((topic) => topic.icon).map(async (topic) => {
    const key = new Request(contentKey(new URL(topic.icon, self.location.origin)));
    if (await cache.match(key)) return;
    const icon = await fetch(key);
    if (icon.ok) await cache.put(key, icon);
  }));
}

// Stores this build's team tools unless they are already all there (the app asks on every start
// of a leader's phone, often offline). `addAll` is all or nothing: a failed download leaves the
// cache as it was.
async function cacheTeamTools() {
  const cache = await caches.open(TEAM_CACHE);
  const stored = await Promise.all(BUILD.team.map((url) => cache.match(url)));
  if (stored.every(Boolean)) return;
  await cache.addAll(BUILD.team);
}

self.addEventListener('message', (event) => {
  if (!event.data) return;
  if (event.data.type === 'SKIP_WAITING') self.skipWaiting();
  // A page that missed this worker's claim at activation asks again (see pwa.js).
  if (event.data.type === 'CLAIM') {
    event.waitUntil(self.clients.claim().catch((error) => console.warn('HocSo: clients.claim() failed:', error)));
  }
  if (event.data.type === 'CACHE_TEAM_TOOLS') {
    const reply = (ok) => event.ports[0] && event.ports[0].postMessage({ ok });
    event.waitUntil(cacheTeamTools().then(() => reply(true), () => reply(false)));
  }
});

// App routes of the team tools: /team, /team/…, /province (files under /team/ have a dot).
function isTeamRoute(pathname) {
  if (pathname === '/province') return true;
  if (pathname !== '/team' && !pathname.startsWith('/team/')) return false;
  return !pathname.split('/').pop().includes('.');
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return; // the network handles sync calls and anything foreign
  }
  if (request.mode === 'navigate' && isTeamRoute(url.pathname)) {
    // The team tools' shell when stored, else the network; offline without them, the learner
    // app explains that they need a network once.
    event.respondWith(caches.match('/team/index.html', { cacheName: TEAM_CACHE })
      .then((cached) => cached || fetch(request))
      .catch(() => caches.match('/index.html', { cacheName: SHELL_CACHE })));
    return;
  }
  if (request.mode === 'navigate') {
    // Every other app route is the same single-page shell.
    event.respondWith(caches.match('/index.html', { cacheName: SHELL_CACHE })
      .then((cached) => cached || fetch(request)));
    return;
  }
  if (url.pathname.startsWith('/team/')) {
    event.respondWith(caches.match(request, { cacheName: TEAM_CACHE }).then((cached) => cached || fetch(request)));
    return;
  }
  if (url.pathname === '/content/catalogue.json') {
    event.respondWith(staleWhileRevalidate(new Request(contentKey(url))));
    return;
  }
  if (url.pathname.startsWith('/content/')) {
    // Packs and media are requested with ?v=<version>, so a kept copy is never stale.
    event.respondWith(cacheFirst(new Request(contentKey(url))));
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: SHELL_CACHE }).then((cached) => cached || networkThenCache(request))
  );
});

// One cache key per piece of content, whoever asks: `<path>?v=<version>` (or the bare path). An
// `<img>` asks for `…?v=1`, a download through gloo-net for `…?v=1&`, and pruning below compares
// keys with the catalogue's: without one form, a downloaded topic was not found offline.
function contentKey(url) {
  const version = url.searchParams.get('v');
  return url.origin + url.pathname + (version ? '?v=' + encodeURIComponent(version) : '');
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: RUNTIME_CACHE });
  if (cached) return cached;
  let response;
  try {
    response = await networkThenCache(request);
  } catch (error) {
    // Offline, and this pack's current version was never downloaded (a new catalogue arrived
    // after the last download): the older version pruneContent keeps for that case, so the
    // learner still has her lessons; the next download online replaces it.
    const older = new URL(request.url).pathname.startsWith('/content/packs/')
      && await caches.match(request, { cacheName: RUNTIME_CACHE, ignoreSearch: true });
    if (older) return older;
    throw error;
  }
  // A new pack makes older versions of its pictures unreachable.
  if (response.ok && new URL(request.url).pathname.startsWith('/content/packs/')) pruneContent().catch(() => {});
  return response;
}

// The catalogue: answer at once from the copy (slow 3G must not block the home screen), and fetch
// the newest in the background so newly published lessons appear on the next visit.
async function staleWhileRevalidate(request) {
  const cache = await caches.open(RUNTIME_CACHE);
  const cached = await cache.match(request);
  const before = cached ? cached.clone().text() : Promise.resolve(null);
  const fresh = fetch(request).then((response) => {
    if (response.ok) {
      // Once a different catalogue is stored, what it no longer reaches is dropped.
      const copy = response.clone();
      Promise.all([copy.clone().text(), before])
        .then(([now, old]) => cache.put(request, copy).then(() => now !== old && pruneContent()))
        .catch(() => {});
    }
    return response;
  });
  if (cached) {
    fresh.catch(() => {});
    return cached;
  }
  return fresh;
}

// Not in the shell (lesson packs, media): use the network and keep a copy for offline use;
// offline, answer from that copy.
async function networkThenCache(request) {
  const cache = await caches.open(RUNTIME_CACHE);
  try {
    const response = await fetch(request);
    // Stored before answering, so that pruning (below) sees a pack as soon as the app has it.
    if (response.ok) await cache.put(request, response.clone()).catch(() => {});
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

// Keeps in the runtime cache only the content the stored catalogue still reaches:
// - packs at the versions it lists (`<url>?v=<version>`), and an older version of a pack until
//   its listed version is stored (with the pictures that older pack shows);
// - pictures and sounds (`/content/media/…?v=<hash>`) that it (topic and lesson icons) or a stored current pack
//   refers to. A topic with no current pack stored yet keeps its media until one arrives (a new
//   pack often keeps most pictures); a topic no longer in the catalogue loses them.
async function pruneContent() {
  const cache = await caches.open(RUNTIME_CACHE);
  const stored = await cache.match('/content/catalogue.json', { ignoreSearch: true });
  if (!stored) return;
  const catalogue = await stored.json();
  const wanted = new Set();
  for (const topic of catalogue.topics) {
    // A topic's own picture (its topic.md icon), shown on the home screen.
    if (topic.icon) wanted.add(contentKey(new URL(topic.icon, self.location.origin)));
    for (const pack of Object.values(topic.packs)) wanted.add(contentKey(new URL(pack.url + '?v=' + pack.version, self.location.origin)));
    for (const lesson of topic.lessons) if (lesson.icon) wanted.add(contentKey(new URL(lesson.icon, self.location.origin)));
  }
  const topics = new Set(catalogue.topics.map((topic) => topic.id));
  const withPack = new Set();
  const requests = await cache.keys();
  const drop = [];
  // A pack at an older version stays until its current version is stored: a phone that fetched a
  // new catalogue but not yet its packs (it went offline, or the app still showed the old one)
  // must keep the lessons it has, not lose them to the new list.
  const isPack = (url) => url.pathname.startsWith('/content/packs/');
  const currentPaths = new Set([...wanted].map((key) => new URL(key)).filter(isPack).map((url) => url.pathname));
  const storedCurrent = new Set(requests.map((r) => new URL(r.url)).filter((url) => isPack(url) && wanted.has(contentKey(url))).map((url) => url.pathname));
  for (const request of requests) {
    const url = new URL(request.url);
    if (!isPack(url)) continue;
    const current = wanted.has(contentKey(url));
    if (!current && (!currentPaths.has(url.pathname) || storedCurrent.has(url.pathname))) { drop.push(request); continue; }
    if (current) withPack.add(url.pathname.split('/').pop().split('.')[0]);
    // Every media URL in the pack, found as JSON.parse visits each string (a copy that is not
    // JSON, e.g. cut off by a full disk, is useless to the app: dropped, it is fetched again).
    const text = await (await cache.match(request)).text();
    try {
      JSON.parse(text, (_, value) => {
        if (typeof value === 'string' && value.startsWith('/content/media/')) wanted.add(contentKey(new URL(value, self.location.origin)));
        return value;
      });
    } catch (notJson) {
      drop.push(request);
    }
  }
  for (const request of requests) {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/content/media/') || wanted.has(contentKey(url))) continue;
    const topic = decodeURIComponent(url.pathname.split('/')[3]);
    if (!topics.has(topic) || withPack.has(topic) || !url.searchParams.has('v')) drop.push(request);
  }
  await Promise.all(drop.map((request) => cache.delete(request)));
}

// Workers before `contentKey` stored downloads under the URL as asked (`…?v=1&`), where the fetch
// handler no longer looks: each such copy moves to its one key, so a phone keeps what it downloaded.
// Only the first activation of this worker can find such copies (it keys all it stores itself).
async function canonicaliseContent(cache) {
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    const key = contentKey(url);
    if (!url.pathname.startsWith('/content/') || request.url === key) continue;
    if (!(await cache.match(key))) await cache.put(key, await cache.match(request));
    await cache.delete(request);
  }
}
