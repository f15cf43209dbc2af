/// The page served at `/`: paste the bearer token, pick a query crop, see the top-k gallery crops
/// with their distances. Plain HTML and fetch(); images come through the authenticated API as blobs.
enum WebPage {
    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>SwiftReID gallery search</title>
    <style>
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
      #status { margin-top: 10px; min-height: 1.5em; }
      .error { color: #b91c1c; }
    </style></head>
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
    <script>
    const $ = (id) => document.getElementById(id);
    $("token").value = localStorage.getItem("reidToken") || "";
    fetch("/v1/health").then(r => r.json()).then(h => {
      $("health").textContent = `${h.items} gallery items · model ${h.model} · ${h.dimension}-d features`;
    }).catch(() => {});
    async function authorizedImage(url, token) {
      const r = await fetch(url, { headers: { Authorization: "Bearer " + token } });
      if (!r.ok) return "";
      return URL.createObjectURL(await r.blob());
    }
    function figure(src, caption, cls) {
      const f = document.createElement("figure");
      if (cls) f.className = cls;
      const img = document.createElement("img");
      img.src = src; img.alt = caption;
      const c = document.createElement("figcaption");
      c.innerHTML = caption;
      f.append(img, c);
      return f;
    }
    async function runSearch(query) {
      const token = $("token").value.trim();
      localStorage.setItem("reidToken", token);
      const form = new FormData();
      form.append("image", query, "query.jpg");
      form.append("top", $("top").value);
      if ($("rerank").checked) form.append("rerank", "true");
      $("status").textContent = "Searching…";
      const r = await fetch("/v1/search", { method: "POST", body: form, headers: { Authorization: "Bearer " + token } });
      const body = await r.json();
      if (!r.ok) { $("status").innerHTML = `<span class="error">${r.status}: ${body.error.message}</span>`; return; }
      const t = body.timings_ms;
      $("status").textContent = `${body.results.length} results from ${body.gallery_items} items · decode ${t.decode} ms, embed ${t.embed} ms, search ${t.search} ms`;
      const list = $("results");
      list.replaceChildren(figure(URL.createObjectURL(query), "<b>query</b>", "query"));
      for (const hit of body.results) {
        const src = await authorizedImage(hit.image_url, token);
        const track = hit.track_id == null ? "" : ` · track ${hit.track_id}`;
        list.append(figure(src, `<b>#${hit.rank}</b> d ${hit.distance.toFixed(3)}<br>score ${hit.similarity.toFixed(3)}<br>cam ${hit.camera}${track}`));
      }
      list.dataset.done = "true";
    }
    $("search").addEventListener("submit", async (e) => {
      e.preventDefault();
      const file = $("image").files[0];
      if (!file) { $("status").innerHTML = '<span class="error">Choose a query image first.</span>'; return; }
      await runSearch(file);
    });
    // Links: /?item=ID searches with gallery item ID as the query; #token=… fills the token
    // (a fragment never reaches the server or its logs).
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("token")) $("token").value = fragment.get("token");
    const item = new URLSearchParams(location.search).get("item");
    if (item) {
      fetch(`/v1/gallery/${encodeURIComponent(item)}/image`, { headers: { Authorization: "Bearer " + $("token").value.trim() } })
        .then(async (r) => {
          if (!r.ok) { $("status").innerHTML = `<span class="error">item ${item}: ${r.status}</span>`; return; }
          await runSearch(await r.blob());
        });
    }
    </script>
    </body></html>
    """#
}
