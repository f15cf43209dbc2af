import Foundation
import ReID
import Torch

/// A self-contained HTML page of one search: the query crop, then each result with its rank,
/// distance, camera and track (crops inlined as JPEG data URIs, so the page can be mailed).
public enum SearchPage {
    public static func html(queryPath: String, hits: [SearchHit], gallery: String, model: String) -> String {
        var cards = ""
        for hit in hits {
            let track = hit.trackID.map { " · track \($0)" } ?? ""
            cards += """
                <figure><img src="\(thumbnail(hit.path))" alt="result \(hit.rank)" width="64" height="128">
                <figcaption><b>#\(hit.rank)</b> d = \(String(format: "%.3f", hit.distance))<br>cam \(hit.camera)\(track)<br>id \(hit.id)</figcaption></figure>

                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SwiftReID search</title>
            <style>\(HTML.style)
            .row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
            .row figure { margin: 0; padding: 0; border: none; text-align: center; }
            .row figure + figure { margin-top: 0; padding-top: 0; border-top: none; }
            .row img { border: 3px solid #9ca3af; border-radius: 4px; image-rendering: auto; }
            .query img { border-color: #2563eb; }
            </style></head>
            <body><main>
            <header><h1>Search results</h1><p>\(HTML.escape(gallery)) · model <code>\(HTML.escape(model))</code></p></header>
            <section><h2>Query and top \(hits.count)</h2><div class="row">
            <figure class="query"><img src="\(thumbnail(queryPath))" alt="query" width="64" height="128"><figcaption><b>query</b><br>\(HTML.escape((queryPath as NSString).lastPathComponent))</figcaption></figure>
            \(cards)</div>
            <p class="definitions">d: cosine distance 1 − similarity (re-ranked distance with --rerank); smaller is closer.</p>
            </section></main></body></html>

            """
    }

    /// A 128×64 JPEG data URI of an image file, or an empty grey pixel when it cannot be read.
    static func thumbnail(_ path: String) -> String {
        guard let image = try? Image(contentsOf: path), let small = try? image.resized(height: 128, width: 64),
              let jpeg = try? small.encoded(as: ".jpg") else {
            return "data:image/gif;base64,R0lGODlhAQABAIAAAMzMzAAAACwAAAAAAQABAAACAkQBADs="
        }
        return "data:image/jpeg;base64," + jpeg.base64EncodedString()
    }
}
