/** The local demo page at GET /: pick two photos, paste the API key, see the verdict. No external assets. */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ID Verification - local demo</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin-bottom: 1rem; }
  label { display: block; margin: .4rem 0; }
  input[type=text] { width: 100%; box-sizing: border-box; font-family: monospace; }
  .photos { display: flex; gap: 1rem; }
  .photos img { max-width: 100%; max-height: 200px; display: block; margin-top: .3rem; }
  .photos > label { flex: 1; }
  button { font-size: 1rem; padding: .4rem 1.2rem; }
  pre { background: #f5f5f5; padding: .8rem; border-radius: 6px; overflow: auto; }
  .pass { color: #0a7a28; } .fail { color: #b3261e; }
</style>
</head>
<body>
<h1>ID Verification - local demo</h1>
<p>Compares a face photo with an ID photo through <code>POST /verify</code> (the same function that runs on Function Compute).
The API key was printed by <code>npm start</code>. API description: <a href="/openapi.json">/openapi.json</a>.</p>
<form id="f">
  <fieldset>
    <label>API key <input type="text" id="key" autocomplete="off" required></label>
    <div class="photos">
      <label>ID photo <input type="file" name="ref" accept="image/jpeg,image/png,image/webp" required><img id="ref-preview" alt=""></label>
      <label>Face photo <input type="file" name="auth" accept="image/jpeg,image/png,image/webp" required><img id="auth-preview" alt=""></label>
    </div>
  </fieldset>
  <button type="submit">Verify</button>
</form>
<h2 id="verdict"></h2>
<pre id="out"></pre>
<script>
  const form = document.getElementById('f');
  const key = document.getElementById('key');
  key.value = sessionStorage.getItem('idv-key') || '';
  for (const name of ['ref', 'auth']) {
    form.elements[name].addEventListener('change', (e) => {
      const file = e.target.files[0];
      document.getElementById(name + '-preview').src = file ? URL.createObjectURL(file) : '';
    });
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    sessionStorage.setItem('idv-key', key.value);
    const verdict = document.getElementById('verdict');
    const out = document.getElementById('out');
    verdict.textContent = 'Verifying...';
    verdict.className = '';
    out.textContent = '';
    try {
      const res = await fetch('/verify', { method: 'POST', headers: { authorization: 'Bearer ' + key.value.trim() }, body: new FormData(form) });
      const body = await res.json();
      out.textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(body, null, 2);
      if (res.ok) {
        verdict.textContent = body.result ? 'Same person: verified' : body.faceAttack ? 'Rejected: face attack suspected' : 'Rejected: not the same person';
        verdict.className = body.result ? 'pass' : 'fail';
      } else {
        verdict.textContent = 'Error: ' + body.error.code;
        verdict.className = 'fail';
      }
    } catch (err) {
      verdict.textContent = 'Request failed: ' + err;
      verdict.className = 'fail';
    }
  });
</script>
</body>
</html>
`;
