// HocSo service worker: the app shell works offline.
// `cargo xtask build` replaces the BUILD line below with this build's version and precache list
// (Trunk's hashed file names change with every build, so the list is generated from dist/).
const BUILD = { "version": "dev", "precache": ["/", "/index.html"] };
const SHELL_CACHE = 'hocso-shell-' + BUILD.version;
const RUNTIME_CACHE = 'hocso-runtime';

self.addEventListener('install', (event) => {
  // The default cache mode lets the files the page just loaded come from the HTTP cache (hashed
  // files are immutable; the others are `no-cache`, so they are revalidated, not downloaded twice).
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(BUILD.precache)));
  // No skipWaiting here: an update waits until the learner taps "reload" (see pwa.js).
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith('hocso-shell-') && name !== SHELL_CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return; // the network handles sync calls and anything foreign
  }
  if (request.mode === 'navigate') {
    // Every app route is the same single-page shell.
    event.respondWith(caches.match('/index.html', { cacheName: SHELL_CACHE })
      .then((cached) => cached || fetch(request)));
    return;
  }
  if (url.pathname === '/content/catalogue.json') {
    event.respondWith(staleWhileRevalidate(request));
    return;
  }
  if (url.pathname.startsWith('/content/')) {
    // Packs are requested with ?v=<version>, so a kept copy is never stale.
    event.respondWith(cacheFirst(request));
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: SHELL_CACHE }).then((cached) => cached || networkThenCache(request))
  );
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: RUNTIME_CACHE });
  return cached || networkThenCache(request);
}

// The catalogue: answer at once from the copy (slow 3G must not block the home screen), and fetch
// the newest in the background so newly published lessons appear on the next visit.
async function staleWhileRevalidate(request) {
  const cache = await caches.open(RUNTIME_CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
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
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}
