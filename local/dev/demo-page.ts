/**
 * The local demo page at GET /, for people on phones and desktops: the face photo from the camera
 * (getUserMedia preview and a capture button; a file picker with capture="user" when there is no camera), the ID
 * photo from a file or the camera, the verdict in words with the score on a gauge and the pass mark on it, which
 * photo had a problem and what to do, the raw reply folded away. The key lives in sessionStorage only.
 * No external assets: one HTML document with its CSS and script inline.
 */
import { DEFAULT_THRESHOLD } from '../engine/calibration.ts';

interface DemoPageOptions {
  /** The pass mark drawn on the score gauge (the local engine's threshold). */
  threshold: number;
}

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: .75rem; color: #1d1d1f; }
  h1 { font-size: 1.4rem; margin: .3rem 0 .5rem; }
  p { margin: .4rem 0; }
  a { color: #0b57d0; overflow-wrap: anywhere; }
  fieldset { border: 1px solid #ccc; border-radius: 8px; margin: 0 0 1rem; padding: .6rem .8rem; min-width: 0; }
  legend { font-weight: 600; padding: 0 .3rem; }
  label.key { display: block; }
  input[type=password] { width: 100%; font: 15px monospace; padding: .45rem; border: 1px solid #aaa; border-radius: 6px; }
  .photos { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
  .photo { border: 2px solid transparent; border-radius: 8px; padding: .4rem; min-width: 0; }
  .photo.problem { border-color: #b3261e; background: #fdf0ef; }
  .photo h3 { margin: 0 0 .3rem; font-size: 1.05rem; }
  .frame { width: 100%; aspect-ratio: 4 / 3; background: #eef0f3; border-radius: 6px; overflow: hidden;
    display: flex; align-items: center; justify-content: center; color: #666; font-size: .9rem; text-align: center; }
  .frame video, .frame img { width: 100%; height: 100%; object-fit: contain; display: block; }
  .row { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .4rem; }
  button, .file { font: inherit; font-size: .95rem; padding: .45rem .8rem; border-radius: 6px; border: 1px solid #888;
    background: #f7f7f7; color: inherit; cursor: pointer; }
  .file { position: relative; overflow: hidden; display: inline-block; }
  .file input { position: absolute; inset: 0; opacity: 0; cursor: pointer; width: 100%; }
  button[type=submit] { background: #0b57d0; border-color: #0b57d0; color: #fff; font-size: 1.05rem; padding: .6rem 1.4rem; }
  button:disabled { opacity: .55; cursor: progress; }
  .note { font-size: .85rem; color: #555; min-height: 1.2em; }
  #result { margin-top: 1rem; }
  #verdict { font-size: 1.35rem; margin: .2rem 0; }
  .pass { color: #0a7a28; } .fail { color: #b3261e; } .busy { color: #555; }
  .gauge { margin: .6rem 0; max-width: 30rem; }
  .bar { position: relative; height: 1.1rem; background: #e4e6ea; border-radius: 999px; }
  .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 999px; background: #b3261e; }
  .fill.pass { background: #0a7a28; }
  .mark { position: absolute; top: -.35rem; bottom: -.35rem; width: 3px; background: #1d1d1f; }
  .scale { display: flex; justify-content: space-between; font-size: .85rem; color: #444; gap: .5rem; flex-wrap: wrap; }
  #problems { padding-left: 1.2rem; }
  #problems li { margin: .3rem 0; }
  details { margin-top: .8rem; }
  pre { background: #f5f5f5; padding: .8rem; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; }
`;

// The browser script: plain JavaScript, no modules, nothing fetched but /verify.
const SCRIPT = `
(() => {
  const PHOTO_NAMES = { ref: 'the ID photo', refFaceContent: 'the ID photo', auth: 'the face photo', authFaceContent: 'the face photo' };
  const SLOT = { ref: 'ref', refFaceContent: 'ref', auth: 'auth', authFaceContent: 'auth' };
  const photos = { ref: null, auth: null };
  const streams = { ref: null, auth: null };
  const $ = (sel, root = document) => root.querySelector(sel);
  const form = $('#f');
  const key = $('#key');
  const go = $('#go');
  key.value = sessionStorage.getItem('idv-key') || '';
  key.addEventListener('input', () => sessionStorage.setItem('idv-key', key.value));

  function show(name, blob) {
    photos[name] = blob;
    const slot = $('#slot-' + name);
    const frame = $('.frame', slot);
    stopCamera(name);
    frame.textContent = '';
    const img = document.createElement('img');
    img.alt = name === 'ref' ? 'ID photo' : 'Face photo';
    img.src = URL.createObjectURL(blob);
    frame.appendChild(img);
    slot.classList.remove('problem');
    $('.note', slot).textContent = (blob.name ? blob.name + ', ' : 'camera capture, ') + Math.round(blob.size / 1024) + ' KB';
  }

  function stopCamera(name) {
    const s = streams[name];
    if (s) for (const t of s.getTracks()) t.stop();
    streams[name] = null;
    const slot = $('#slot-' + name);
    $('.shot', slot).hidden = true;
    $('.cam', slot).hidden = false;
  }

  async function startCamera(name) {
    const slot = $('#slot-' + name);
    const note = $('.note', slot);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.textContent = 'No camera access in this browser (it needs https or localhost): choose a file instead.';
      return;
    }
    for (const other of Object.keys(streams)) if (other !== name) stopCamera(other);
    try {
      const facingMode = name === 'auth' ? 'user' : 'environment';
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode, width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false });
      streams[name] = stream;
      const frame = $('.frame', slot);
      frame.textContent = '';
      const video = document.createElement('video');
      video.autoplay = true; video.muted = true; video.playsInline = true;
      video.srcObject = stream;
      frame.appendChild(video);
      await video.play().catch(() => {});
      $('.shot', slot).hidden = false;
      $('.cam', slot).hidden = true;
      note.textContent = name === 'auth' ? 'Look straight at the camera, face in good light, then take the photo.' : 'Hold the ID document flat and fill the frame, then take the photo.';
    } catch (err) {
      note.textContent = 'The camera could not be opened (' + (err && err.name || err) + '): choose a file instead.';
    }
  }

  function capture(name) {
    const slot = $('#slot-' + name);
    const video = $('video', slot);
    if (!video || !video.videoWidth) { $('.note', slot).textContent = 'The camera is not ready yet: try again in a moment.'; return; }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.toBlob((blob) => { if (blob) show(name, blob); }, 'image/jpeg', 0.92);
  }

  for (const name of ['ref', 'auth']) {
    const slot = $('#slot-' + name);
    $('.cam', slot).addEventListener('click', () => startCamera(name));
    $('.shot', slot).addEventListener('click', () => capture(name));
    $('input[type=file]', slot).addEventListener('change', (e) => { const f = e.target.files[0]; if (f) show(name, f); });
  }

  const HELP = {
    unauthorized: () => 'The API key was not accepted: paste the key that npm start printed.',
    photo_missing: (p) => p + ' is missing: add it.',
    photo_empty: (p) => p + ' is empty: take or choose it again.',
    photo_not_base64: (p) => p + ' is not valid base64: send the image bytes.',
    photo_unsupported_type: (p) => p + ' is not a JPEG, PNG or WebP image: choose a photo in one of those formats.',
    photo_undecodable: (p) => p + ' could not be decoded (a damaged file?): take or choose it again.',
    photo_truncated: (p) => p + ' is incomplete (the file was cut off): take or choose it again.',
    photo_too_small: (p) => p + ' is too small to find a face in: use a larger photo (at least 640x480).',
    photo_too_large: (p) => p + ' is too large: use a smaller photo.',
    photo_too_many_pixels: (p) => p + ' has too many pixels: use a smaller photo.',
    payload_too_large: () => 'The photos are too large together: use smaller photos.',
    upstream_unable_get_image: (p, field) => field
      ? 'No face could be found in ' + p + ': ' + (SLOT[field] === 'auth' ? 'take it again, facing the camera, in good light.' : 'use a sharp, well-lit photo of the ID with the face visible.')
      : 'The service could not read one of the photos (no face found?): take the face photo again facing the camera, and use a sharp photo of the ID.',
    upstream_quota_exceeded: () => 'The daily verification quota is spent: try again tomorrow.',
    upstream_throttled: () => 'The verification service is busy: wait a moment and try again.',
    upstream_timeout: () => 'The verification service did not answer in time: try again in a minute.',
    upstream_unavailable: () => 'The verification service failed: try again in a minute.',
    request_aborted: () => 'The request was cut off before the verification finished: try again.',
    resource_code_required: () => 'The server has no default resourceCode: ask its operator to set IDV_RESOURCE_CODE.',
  };

  function problem(code, field, message) {
    const p = PHOTO_NAMES[field];
    const help = HELP[code];
    const text = help ? help(p || 'a photo', field) : 'Something went wrong (' + code + '): ' + message;
    return { text: text.charAt(0).toUpperCase() + text.slice(1), slot: SLOT[field] };
  }

  function setVerdict(text, cls) { const v = $('#verdict'); v.textContent = text; v.className = cls; }

  function showScore(score, passed) {
    const threshold = Number($('#result').dataset.threshold);
    $('.gauge').hidden = false;
    const fill = $('.fill');
    fill.style.width = Math.max(0, Math.min(100, score)) + '%';
    fill.className = 'fill' + (passed ? ' pass' : '');
    $('.mark').style.left = 'calc(' + threshold + '% - 1px)';
    $('#score-text').textContent = 'Score ' + score.toFixed(1) + ' of 100';
    $('#threshold-text').textContent = 'pass mark ' + threshold;
    $('.bar').setAttribute('aria-label', 'score ' + score.toFixed(1) + ' of 100, pass mark ' + threshold);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const list = $('#problems');
    list.textContent = '';
    for (const s of document.querySelectorAll('.photo')) s.classList.remove('problem');
    $('#result').hidden = false;
    $('.gauge').hidden = true;
    $('#explain').textContent = '';
    $('#out').textContent = '';
    const missing = [];
    if (!key.value.trim()) missing.push({ text: 'Paste the API key that npm start printed.' });
    if (!photos.ref) missing.push({ text: 'Add the ID photo: choose a file or use the camera.', slot: 'ref' });
    if (!photos.auth) missing.push({ text: 'Add the face photo: use the camera or choose a file.', slot: 'auth' });
    if (missing.length) { setVerdict('Not sent yet', 'fail'); return report(missing); }
    sessionStorage.setItem('idv-key', key.value);
    const body = new FormData();
    body.append('ref', photos.ref, photos.ref.name || 'ref.jpg');
    body.append('auth', photos.auth, photos.auth.name || 'auth.jpg');
    go.disabled = true; go.textContent = 'Verifying...';
    form.setAttribute('aria-busy', 'true');
    setVerdict('Verifying...', 'busy');
    try {
      const res = await fetch('/verify', { method: 'POST', headers: { authorization: 'Bearer ' + key.value.trim() }, body });
      const reply = await res.json().catch(() => ({}));
      $('#out').textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(reply, null, 2);
      if (res.ok) {
        if (reply.result) {
          setVerdict('Verified: the same person', 'pass');
          $('#explain').textContent = 'The face photo matches the ID photo.';
        } else if (reply.faceAttack === true) {
          setVerdict('Not verified: spoofing suspected', 'fail');
          $('#explain').textContent = 'The face photo looks like a photo of a photo or of a screen: take a live photo of the person.';
        } else {
          setVerdict('Not verified: not the same person', 'fail');
          $('#explain').textContent = 'The faces in the two photos differ. If they are the same person, take the face photo again, facing the camera, in good light.';
        }
        showScore(Number(reply.score), !!reply.result);
      } else {
        const err = reply.error || { code: 'http_' + res.status, message: res.statusText };
        setVerdict('Could not verify', 'fail');
        report([problem(err.code, err.field, err.message)]);
      }
    } catch (err) {
      setVerdict('Could not verify', 'fail');
      report([{ text: 'The request failed (' + err + '): check that npm start is still running, then try again.' }]);
    } finally {
      go.disabled = false; go.textContent = 'Verify';
      form.removeAttribute('aria-busy');
    }
  });

  function report(problems) {
    const list = $('#problems');
    for (const p of problems) {
      const li = document.createElement('li');
      li.textContent = p.text;
      list.appendChild(li);
      if (p.slot) $('#slot-' + p.slot).classList.add('problem');
    }
  }
})();
`;

const photoSlot = (name: 'ref' | 'auth', title: string, fileAttributes: string, empty: string) => `
    <section class="photo" id="slot-${name}">
      <h3>${title}</h3>
      <div class="frame">${empty}</div>
      <div class="row">
        <button type="button" class="cam">Use camera</button>
        <button type="button" class="shot" hidden>Take photo</button>
        <label class="file">Choose file<input type="file" name="${name}" accept="image/jpeg,image/png,image/webp" ${fileAttributes}></label>
      </div>
      <p class="note" aria-live="polite"></p>
    </section>`;

function demoPage(options: DemoPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ID Verification - local demo</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ID Verification - local demo</h1>
<p>Compares a face photo with an ID photo through <code>POST /verify</code>, the function that runs on Function Compute.
API description: <a href="/openapi.json">/openapi.json</a>.</p>
<form id="f" novalidate>
  <fieldset>
    <legend>API key</legend>
    <label class="key">The key <code>npm start</code> printed (kept in this tab only)
      <input type="password" id="key" autocomplete="off" spellcheck="false"></label>
  </fieldset>
  <div class="photos">${photoSlot('auth', 'Face photo', 'capture="user"', 'Use the camera to take a photo of the face, or choose a file.')}${photoSlot('ref', 'ID photo', '', 'Choose a photo of the ID document, or use the camera.')}
  </div>
  <p><button type="submit" id="go">Verify</button></p>
</form>
<section id="result" data-threshold="${options.threshold}" hidden aria-live="polite">
  <h2 id="verdict"></h2>
  <p id="explain"></p>
  <div class="gauge" hidden>
    <div class="bar" role="img"><span class="fill"></span><span class="mark" title="pass mark"></span></div>
    <div class="scale"><span id="score-text"></span><span id="threshold-text"></span></div>
  </div>
  <ul id="problems"></ul>
  <details><summary>Raw reply (JSON)</summary><pre id="out"></pre></details>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The page with the local engine's pass mark. */
export const DEMO_PAGE = demoPage({ threshold: DEFAULT_THRESHOLD });
