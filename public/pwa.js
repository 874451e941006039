// HocSo's offline shell, browser side. Runs before the WASM app loads so the service worker is
// registered even if the app fails. It asks for persistent storage (so the browser does not evict a
// learner's progress) and tells the app, via window.hocsoPwa and the `hocso-update-ready` event, when a
// newer build is installed and waiting; the app's banner calls hocsoPwa.applyUpdate().
(function () {
  'use strict';
  var state = { waiting: null, updating: false, reloading: false };
  function reloadOnce() {
    if (state.reloading) return;
    state.reloading = true;
    window.location.reload();
  }
  window.hocsoPwa = {
    isUpdateReady: function () { return state.waiting !== null; },
    // True once the learner tapped "reload" for a new version: background downloads stop.
    isUpdating: function () { return state.updating; },
    applyUpdate: function () {
      if (!state.waiting) return;
      state.updating = true;
      // Chromium lets the new worker take over only once the old one has no work: tapped while
      // the background download ran, the tap did nothing for minutes (seen in the end-to-end
      // tests). The app asks isUpdating() before each download (content.rs) and stops.
      state.waiting.postMessage({ type: 'SKIP_WAITING' });
    },
    // Resolves true once the service worker holds the team tools (the app under /team/) for
    // offline use; false without a worker, on a failed download, or after two minutes.
    prepareTeamTools: function () {
      if (!('serviceWorker' in navigator)) return Promise.resolve(false);
      return navigator.serviceWorker.ready.then(function (registration) {
        return new Promise(function (resolve) {
          var channel = new MessageChannel();
          var timer = setTimeout(function () { resolve(false); }, 120000);
          channel.port1.onmessage = function (event) {
            clearTimeout(timer);
            resolve(!!(event.data && event.data.ok));
          };
          registration.active.postMessage({ type: 'CACHE_TEAM_TOOLS' }, [channel.port2]);
        });
      }).catch(function () { return false; });
    },
    // Resolves true once a service worker controls this page (its fetches are kept for offline use):
    // on a first visit that is a moment after the worker activates and claims the page. False
    // without a worker (plain http on a LAN address) or after a minute.
    whenControlled: function () {
      if (!('serviceWorker' in navigator)) return Promise.resolve(false);
      if (navigator.serviceWorker.controller) return Promise.resolve(true);
      return new Promise(function (resolve) {
        var timer = setTimeout(function () { resolve(false); }, 60000);
        navigator.serviceWorker.addEventListener('controllerchange', function () {
          clearTimeout(timer);
          resolve(!!navigator.serviceWorker.controller);
        });
      });
    },
  };
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (granted) {
      return granted || navigator.storage.persist();
    }).catch(function () {});
  }
  if (!('serviceWorker' in navigator)) return;

  function announce(worker) {
    state.waiting = worker;
    window.dispatchEvent(new Event('hocso-update-ready'));
  }
  function announceIfWaiting(worker) {
    // Only an update waits: the very first install has no controller and activates at once.
    if (worker.state === 'installed' && navigator.serviceWorker.controller && state.waiting !== worker) {
      announce(worker);
    }
  }
  function watch(worker) {
    if (!worker) return;
    worker.addEventListener('statechange', function () { announceIfWaiting(worker); });
    // The worker's state and the registration's `updatefound` reach the page separately: on a busy
    // phone the new worker may already be installed when we get here, and no statechange would follow.
    announceIfWaiting(worker);
  }
  navigator.serviceWorker.addEventListener('controllerchange', function () {
    if (state.updating) reloadOnce();
  });
  // A page can miss the first worker's `clients.claim()`: a tap on a link before the app has
  // started is a real navigation, and a page whose navigation began while the worker was still
  // installing is created without a worker, possibly just after the claim. It would then stay
  // uncontrolled (nothing kept offline, the background download never starting) until the next
  // visit: about 1 first visit in 25 in the end-to-end tests. Such a page asks the active worker
  // to claim it, a few times, since a message can also arrive while the worker is still activating.
  var claimRequests = 0;
  function claimIfUncontrolled() {
    navigator.serviceWorker.ready.then(function (registration) {
      if (navigator.serviceWorker.controller || !registration.active || claimRequests >= 5) return;
      claimRequests += 1;
      registration.active.postMessage({ type: 'CLAIM' });
      setTimeout(claimIfUncontrolled, 2000);
    });
  }
  navigator.serviceWorker.register('/sw.js').then(function (registration) {
    claimIfUncontrolled();
    if (registration.waiting) announceIfWaiting(registration.waiting);
    watch(registration.installing);
    registration.addEventListener('updatefound', function () {
      watch(registration.installing || registration.waiting);
    });
    function check() { registration.update().catch(function () {}); }
    window.addEventListener('online', check);
    setInterval(check, 30 * 60 * 1000);
  }).catch(function (error) {
    console.warn('HocSo: service worker not registered, offline use unavailable:', error);
  });
})();
