// Lapse Authenticator: a push factor kept in this browser, speaking exactly the requests of
// Twilio's Verify mobile SDKs (decision 0024). Plain script, no dependencies, no build step.
//
// The private key is a non-extractable WebCrypto ECDSA P-256 key stored in IndexedDB: script on
// this origin can ask the browser to sign with it, but nothing can read it out.
'use strict';

(() => {
  const FORM = 'application/x-www-form-urlencoded';
  const APP_ID = 'io.lapse.authenticator';
  const VERSION = '1.0.0';
  const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' };
  const ES256 = { name: 'ECDSA', hash: 'SHA-256' };
  // As the SDKs: every device token lives ten minutes from now.
  const DEVICE_TOKEN_SECONDS = 600;
  const POLL_MS = 2000;
  // Twilio's own words for error 60323, shown when the answer comes too late.
  const EXPIRED = { code: 60323, message: 'Challenge expired' };

  const $ = (id) => document.getElementById(id);
  let factor = null; // the stored record, see enrol()
  let skewSeconds = 0; // server time minus ours, learnt from a 401's Date header as the SDKs do
  let pollTimer = null;
  const cards = new Map(); // challenge SID -> { element, expiresAt, done }

  // ---- encodings -------------------------------------------------------------------------------

  const utf8 = (s) => new TextEncoder().encode(s);
  const base64 = (bytes) => {
    let s = '';
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s);
  };
  const base64url = (bytes) =>
    base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  function jwtClaims(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
      const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    } catch (e) {
      return null;
    }
  }

  // WebCrypto signs ECDSA as raw r||s (32 + 32 bytes): exactly what JWS ES256 wants. The factor's
  // enrolment proof is a DER ECDSA signature instead, as Java's SHA256withECDSA and the SDKs make.
  function derFromRaw(raw) {
    const integer = (bytes) => {
      let i = 0;
      while (i < bytes.length - 1 && bytes[i] === 0) i++;
      let v = Array.from(bytes.slice(i));
      if (v[0] & 0x80) v = [0].concat(v);
      return [0x02, v.length].concat(v);
    };
    const r = new Uint8Array(raw);
    const body = integer(r.slice(0, 32)).concat(integer(r.slice(32)));
    return new Uint8Array([0x30, body.length].concat(body));
  }

  const sign = async (key, bytes) => new Uint8Array(await crypto.subtle.sign(ES256, key, bytes));

  async function compactJws(key, header, payload) {
    const input =
      base64url(utf8(JSON.stringify(header))) + '.' + base64url(utf8(JSON.stringify(payload)));
    return input + '.' + base64url(await sign(key, utf8(input)));
  }

  // ---- IndexedDB: one record, the factor with its CryptoKey objects ----------------------------

  function database() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open('lapse-authenticator', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('factor');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }

  async function stored(mode, act) {
    const db = await database();
    try {
      return await new Promise((resolve, reject) => {
        const request = act(db.transaction('factor', mode).objectStore('factor'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }

  const loadFactor = () => stored('readonly', (s) => s.get('current'));
  const saveFactor = (f) => stored('readwrite', (s) => s.put(f, 'current'));
  const dropFactor = () => stored('readwrite', (s) => s.delete('current'));

  // ---- the API, as the SDKs call it ------------------------------------------------------------

  async function call(method, path, form, credentials) {
    const headers = { Authorization: 'Basic ' + btoa(credentials) };
    let body;
    if (method === 'GET') {
      // The Android SDK's RequestHelper sends these two on a GET.
      headers.Accept = FORM;
      headers['Content-Type'] = FORM;
    } else {
      headers.Accept = 'application/json';
      headers['Content-Type'] = FORM;
      body = form ? new URLSearchParams(form).toString() : undefined;
    }
    // credentials 'omit': no cookies, and no browser login prompt on a 401.
    const r = await fetch('/v2/' + path, {
      method,
      headers,
      body,
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await r.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    return {
      status: r.status,
      json,
      signatureFields: r.headers.get('Twilio-Verify-Signature-Fields'),
      date: r.headers.get('Date'),
    };
  }

  const now = () => Math.floor(Date.now() / 1000) + skewSeconds;

  // The SDKs' device token: ES256, kid = the factor's credential SID, sub = the account SID.
  function deviceToken(f) {
    const t = now();
    return compactJws(
      f.privateKey,
      { alg: 'ES256', typ: 'JWT', cty: 'twilio-pba;v=1', kid: f.credentialSid },
      { sub: f.accountSid, nbf: t, exp: t + DEVICE_TOKEN_SECONDS }
    );
  }

  async function deviceCall(method, path, form) {
    let r = await call(method, path, form, 'token:' + (await deviceToken(factor)));
    if (r.status === 401 && r.date) {
      // A refused token may only be our clock: resync from the Date header and try once more.
      const skew = Math.round((Date.parse(r.date) - Date.now()) / 1000);
      if (Number.isFinite(skew) && Math.abs(skew - skewSeconds) > 30) {
        skewSeconds = skew;
        r = await call(method, path, form, 'token:' + (await deviceToken(factor)));
      }
    }
    return r;
  }

  const entityPath = (f) =>
    'Services/' + encodeURIComponent(f.serviceSid) + '/Entities/' + encodeURIComponent(f.identity);
  const factorPath = (f) => entityPath(f) + '/Factors/' + encodeURIComponent(f.factorSid);
  const challengePath = (f, sid) => entityPath(f) + '/Challenges/' + encodeURIComponent(sid);

  const problem = (r) =>
    r.json && r.json.code
      ? r.json.message + ' (' + r.json.code + ')'
      : 'HTTP ' + r.status + ' from the service';

  // ---- enrolment -------------------------------------------------------------------------------

  async function enrol(accessToken) {
    const claims = jwtClaims(accessToken);
    const grant = claims && claims.grants && claims.grants.verify;
    if (!grant || !grant.service_sid || !grant.identity) {
      throw new Error('This is not a Verify access token (no grants.verify in it).');
    }
    const keys = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
    const spki = await crypto.subtle.exportKey('spki', keys.publicKey);
    const pending = {
      serviceSid: grant.service_sid,
      identity: grant.identity,
    };
    // PushFactory.create's form, with platform "none": a browser has no FCM or APNs token, it
    // polls for its challenges instead.
    const r = await call(
      'POST',
      entityPath(pending) + '/Factors',
      {
        FriendlyName: grant.factor_friendly_name || 'Lapse Authenticator',
        FactorType: 'push',
        'Binding.PublicKey': base64(spki),
        'Binding.Alg': 'ES256',
        'Config.SdkVersion': VERSION,
        'Config.AppId': APP_ID,
        'Config.NotificationPlatform': 'none',
      },
      'token:' + accessToken
    );
    if (r.status !== 201) throw new Error(problem(r));
    factor = {
      accountSid: r.json.account_sid,
      serviceSid: r.json.service_sid,
      identity: r.json.identity,
      factorSid: r.json.sid,
      credentialSid: r.json.config.credential_sid,
      friendlyName: r.json.friendly_name,
      status: r.json.status,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
    };
    await saveFactor(factor);
    await verify();
  }

  // PushFactory.verify: the DER signature over the factor SID, as AuthPayload.
  async function verify() {
    const proof = derFromRaw(await sign(factor.privateKey, utf8(factor.factorSid)));
    const r = await deviceCall('POST', factorPath(factor), { AuthPayload: base64(proof) });
    if (r.status !== 200) throw new Error('Verifying the factor failed: ' + problem(r));
    factor.status = r.json.status;
    await saveFactor(factor);
  }

  async function forget() {
    const r = await deviceCall('DELETE', factorPath(factor));
    // 404: already gone on the server; either way this browser forgets its key.
    if (r.status !== 204 && r.status !== 404) throw new Error(problem(r));
    await dropFactor();
    factor = null;
  }

  // ---- challenges ------------------------------------------------------------------------------

  // One poll at a time: a slow answer must not let two polls add the same card.
  let polling = false;

  async function poll() {
    if (polling || !factor || factor.status !== 'verified') return;
    polling = true;
    try {
      await listPending();
    } catch (e) {
      // fetch throws only when no answer came at all; the next poll tries again.
      showProblem('The service does not answer (' + e.message + '); trying again.');
    } finally {
      polling = false;
    }
  }

  async function listPending() {
    // ChallengeAPIClient.getAll's query.
    const q = new URLSearchParams({
      PageSize: '10',
      FactorSid: factor.factorSid,
      Order: 'asc',
      Status: 'pending',
    });
    const r = await deviceCall('GET', entityPath(factor) + '/Challenges?' + q.toString());
    if (r.status !== 200) {
      showProblem('Listing challenges failed: ' + problem(r));
      return;
    }
    showProblem(null);
    for (const c of r.json.challenges) {
      if (!cards.has(c.sid)) addCard(c);
    }
    $('no-challenges').hidden = cards.size > 0;
  }

  function addCard(c) {
    const element = $('challenge-template').content.firstElementChild.cloneNode(true);
    element.dataset.sid = c.sid;
    const details = c.details || {};
    // textContent only: a challenge's details are the backend's text, never markup.
    element.querySelector('.message').textContent = details.message || c.sid;
    const fields = element.querySelector('.fields');
    for (const f of details.fields || []) {
      const dt = document.createElement('dt');
      dt.textContent = f.label;
      const dd = document.createElement('dd');
      dd.textContent = f.value;
      fields.append(dt, dd);
    }
    const card = { element, expiresAt: Date.parse(c.expiration_date), done: false };
    element.querySelector('.approve').addEventListener('click', () => answer(c.sid, 'approved'));
    element.querySelector('.deny').addEventListener('click', () => answer(c.sid, 'denied'));
    cards.set(c.sid, card);
    $('challenges').append(element);
    tick();
  }

  function finish(sid, text, kind) {
    const card = cards.get(sid);
    card.done = true;
    card.element.classList.add(kind);
    card.element.dataset.outcome = kind;
    card.element.querySelector('.countdown').textContent = '';
    card.element.querySelector('.outcome').textContent = text;
    for (const b of card.element.querySelectorAll('button')) b.disabled = true;
  }

  const TOO_LATE = EXPIRED.message + ' (' + EXPIRED.code + '): the answer came too late.';

  // PushChallengeProcessor: fetch, refuse what is no longer pending, sign the fields the
  // Twilio-Verify-Signature-Fields header names as read plus the chosen status, post the JWS.
  async function answer(sid, status) {
    const card = cards.get(sid);
    for (const b of card.element.querySelectorAll('button')) b.disabled = true;
    const outcome = card.element.querySelector('.outcome');
    outcome.textContent = status === 'approved' ? 'Approving…' : 'Denying…';
    try {
      const fetched = await deviceCall('GET', challengePath(factor, sid));
      if (fetched.status !== 200) throw new Error(problem(fetched));
      if (fetched.json.status === 'expired') return finish(sid, TOO_LATE, 'expired');
      if (fetched.json.status !== 'pending' || !fetched.signatureFields) {
        return finish(sid, 'Already ' + fetched.json.status + '.', fetched.json.status);
      }
      const payload = {};
      for (const field of fetched.signatureFields.split(',')) payload[field] = fetched.json[field];
      payload.status = status;
      const jws = await compactJws(factor.privateKey, { alg: 'ES256', typ: 'JWT' }, payload);
      const r = await deviceCall('POST', challengePath(factor, sid), { AuthPayload: jws });
      if (r.status === 200) {
        return finish(sid, r.json.status === 'approved' ? 'Approved.' : 'Denied.', r.json.status);
      }
      if (r.json && r.json.code === EXPIRED.code) return finish(sid, TOO_LATE, 'expired');
      throw new Error(problem(r));
    } catch (e) {
      outcome.textContent = e.message;
      for (const b of card.element.querySelectorAll('button')) b.disabled = false;
    }
  }

  // The live countdown to each challenge's expiration_date (on the server's clock, as far as
  // we know it). At zero the buttons stay: the service, not this page, decides what is late.
  function tick() {
    const t = Date.now() + skewSeconds * 1000;
    for (const card of cards.values()) {
      if (card.done) continue;
      const left = Math.max(0, Math.ceil((card.expiresAt - t) / 1000));
      const text =
        left > 0
          ? 'Expires in ' + Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0')
          : 'Time is up';
      const el = card.element.querySelector('.countdown');
      el.textContent = text;
      el.classList.toggle('urgent', left <= 10);
    }
  }

  // ---- the page --------------------------------------------------------------------------------

  function showProblem(text) {
    $('problem').hidden = !text;
    $('problem').textContent = text || '';
  }

  function render() {
    $('enrol-section').hidden = !!factor;
    $('factor-section').hidden = !factor;
    $('challenges-section').hidden = !factor || factor.status !== 'verified';
    if (factor) {
      $('factor-identity').textContent = factor.identity;
      $('factor-service').textContent = factor.serviceSid;
      $('factor-sid').textContent = factor.factorSid;
      $('factor-status').textContent = factor.status;
    }
    clearInterval(pollTimer);
    pollTimer = null;
    if (factor && factor.status === 'verified') {
      poll();
      pollTimer = setInterval(poll, POLL_MS);
    }
  }

  async function start() {
    if (!window.isSecureContext || !window.crypto || !crypto.subtle || !window.indexedDB) {
      showProblem(
        'This page needs WebCrypto and IndexedDB: open it over HTTPS or on localhost/127.0.0.1.'
      );
      return;
    }
    factor = (await loadFactor()) || null;
    if (factor && factor.status !== 'verified') {
      try {
        await verify();
      } catch (e) {
        showProblem(e.message);
      }
    }
    render();
    document.body.dataset.ready = 'true';

    $('enrol-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = $('enrol');
      button.disabled = true;
      $('enrol-result').textContent = 'Enrolling…';
      try {
        await enrol($('token').value.trim());
        $('enrol-result').textContent = '';
        $('token').value = '';
      } catch (e) {
        // Enrolled but not verified: the factor section shows, so say it there.
        if (factor) showProblem(e.message);
        else $('enrol-result').textContent = e.message;
      } finally {
        button.disabled = false;
        render();
      }
    });
    $('forget').addEventListener('click', async () => {
      try {
        await forget();
        for (const card of cards.values()) card.element.remove();
        cards.clear();
        render();
      } catch (e) {
        showProblem(e.message);
      }
    });
    setInterval(tick, 250);
  }

  start().catch((e) => showProblem(e.message));
})();
