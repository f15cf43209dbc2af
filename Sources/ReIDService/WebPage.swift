/// The page served at `/`: paste the bearer token, pick a query crop, see the top-k gallery crops
/// with their distances. Plain HTML and fetch(); images come through the authenticated API as blobs.
///
/// Hostile input is kept away from the HTML parser: the page has no inline script or style (both
/// are served from their own paths, so the Content-Security-Policy can forbid inline code), and
/// everything that comes from the URL, an upload, the API or an error message is put into the
/// page with `textContent` only. The token lives in the page's memory (the password field), not
/// in `localStorage`, so a script that did get in would find nothing stored to steal.
enum WebPage {
    /// Sent with the page: scripts and styles only from this origin, images also from blob: URLs
    /// (the crops fetched with the token), requests only to this origin, no framing, no forms.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>SwiftReID gallery search</title>
    <link rel="stylesheet" href="/app.css">
    <script src="/app.js" defer></script>
    </head>
    <body><main>
    <h1>Gallery search</h1>
    <p class="muted" id="health">SwiftReID</p>
    <form id="search">
      <p><label>Token <input type="password" id="token" autocomplete="off" placeholder="bearer token"></label></p>
      <p><label>Query crop <input type="file" id="image" accept="image/*"></label>
         <label>top-k <input type="number" id="top" value="10" min="1" max="100"></label>
         <label><input type="checkbox" id="rerank"> re-rank</label>
         <button type="submit">Search</button></p>
      <div id="status"></div>
    </form>
    <section><div id="results"><span class="muted">Results appear here.</span></div></section>
    </main>
    </body></html>
    """#

    static let css = #"""
    body { margin: 0; background: #f3f4f6; color: #1f2937; font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; }
    main { max-width: 1000px; margin: 0 auto; padding: 24px; }
    h1 { font-size: 1.5rem; margin: 0 0 4px; }
    .muted { color: #6b7280; }
    form, section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 20px; margin-top: 16px; }
    label { margin-right: 14px; }
    input[type=number] { width: 4em; }
    input[type=password] { width: 18em; }
    button { background: #2563eb; color: #fff; border: 0; border-radius: 6px; padding: 6px 16px; font-size: 15px; cursor: pointer; }
    #results { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
    figure { margin: 0; text-align: center; font-size: 13px; }
    figure img { width: 64px; height: 128px; object-fit: cover; border: 3px solid #9ca3af; border-radius: 4px; display: block; }
    figure.query img { border-color: #2563eb; }
    figcaption b { display: block; }
    #status { margin-top: 10px; min-height: 1.5em; }
    .error { color: #b91c1c; }
    """#

    static let javascript = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    // Untrusted text only ever goes in as text (textContent), never parsed as HTML.
    function showError(text) {
      const span = document.createElement("span");
      span.className = "error";
      span.textContent = text;
      $("status").replaceChildren(span);
    }
    fetch("/v1/health").then(r => r.json()).then(h => {
      $("health").textContent = `${h.items} gallery items · model ${h.model} · ${h.dimension}-d features`;
    }).catch(() => {});
    async function authorizedImage(url, token) {
      const r = await fetch(url, { headers: { Authorization: "Bearer " + token } });
      if (!r.ok) return "";
      return URL.createObjectURL(await r.blob());
    }
    // A figure: the crop and caption lines; the first line is bold.
    function figure(src, lines, cls) {
      const f = document.createElement("figure");
      if (cls) f.className = cls;
      const img = document.createElement("img");
      img.src = src; img.alt = lines[0];
      const c = document.createElement("figcaption");
      lines.forEach((line, i) => {
        const node = document.createElement(i === 0 ? "b" : "div");
        node.textContent = line;
        c.append(node);
      });
      f.append(img, c);
      return f;
    }
    async function runSearch(query) {
      const token = $("token").value.trim();
      const form = new FormData();
      form.append("image", query, "query.jpg");
      form.append("top", $("top").value);
      if ($("rerank").checked) form.append("rerank", "true");
      $("status").textContent = "Searching…";
      const r = await fetch("/v1/search", { method: "POST", body: form, headers: { Authorization: "Bearer " + token } });
      let body = null;
      try { body = await r.json(); } catch (e) { body = null; }
      if (!r.ok || !body) {
        const message = body && body.error && typeof body.error.message === "string" ? body.error.message : r.statusText;
        showError(`${r.status}: ${message}`);
        return;
      }
      const t = body.timings_ms;
      $("status").textContent = `${body.results.length} results from ${body.gallery_items} items · decode ${t.decode} ms, embed ${t.embed} ms, search ${t.search} ms`;
      const list = $("results");
      list.replaceChildren(figure(URL.createObjectURL(query), ["query"], "query"));
      for (const hit of body.results) {
        const src = await authorizedImage(hit.image_url, token);
        const lines = [`#${hit.rank}`, `d ${Number(hit.distance).toFixed(3)}`, `score ${Number(hit.similarity).toFixed(3)}`,
                       `cam ${hit.camera}` + (hit.track_id == null ? "" : ` · track ${hit.track_id}`)];
        list.append(figure(src, lines));
      }
      list.dataset.done = "true";
    }
    $("search").addEventListener("submit", async (e) => {
      e.preventDefault();
      const file = $("image").files[0];
      if (!file) { showError("Choose a query image first."); return; }
      await runSearch(file);
    });
    // Links: /?item=ID searches with gallery item ID as the query; #token=… fills the token (a
    // fragment never reaches the server or its logs) and is then removed from the address bar.
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("token")) {
      $("token").value = fragment.get("token");
      history.replaceState(null, "", location.pathname + location.search);
    }
    const item = new URLSearchParams(location.search).get("item");
    if (item !== null) {
      if (!/^[0-9]{1,18}$/.test(item)) {
        showError("?item= must be a gallery item id (digits only)");
      } else {
        fetch(`/v1/gallery/${item}/image`, { headers: { Authorization: "Bearer " + $("token").value.trim() } })
          .then(async (r) => {
            if (!r.ok) { showError(`item ${item}: ${r.status}`); return; }
            await runSearch(await r.blob());
          });
      }
    }
    """#
}
