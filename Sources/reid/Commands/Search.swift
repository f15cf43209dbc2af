import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import ReIDGallery
import Torch

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the gallery crops most like a query image.",
        discussion: """
            The query is embedded with the gallery's own model (recorded by `reid
            index build`) and compared by cosine distance through the faiss index.
            Giving --model/--weights checks them against the gallery: a different
            model is refused, since its features are not comparable.

            --rerank re-orders the best --candidates results by k-reciprocal
            re-ranking. --camera-exclude leaves out the query's own camera (taken
            from a Market-1501 style name, or --query-camera).

            Examples:
              reid search --db gallery.sqlite --query person.jpg --top 10
              reid search --db gallery.sqlite --query 0001_c1s1_000151_00.jpg \\
                  --camera-exclude --rerank --json
              reid search --db gallery.sqlite --query person.jpg --html out/search.html
            """
    )

    @Option(help: "Gallery database (made by `reid index build`).") var db: String
    @Option(help: "Query image (jpg, png, bmp).") var query: String
    @Option(help: "Results to show.") var top: Int = 10
    @Flag(help: "Re-rank the best candidates by k-reciprocal re-ranking.") var rerank = false
    @Option(help: "Faiss results that --rerank re-orders.") var candidates: Int = 100
    @Flag(help: "Leave out gallery items from the query's camera.") var cameraExclude = false
    @Option(help: "The query's camera when its file name does not carry it: 0-based, so c1/cam1 is 0 (see `reid --help`).") var queryCamera: Int?
    @Option(help: "Check this model against the gallery's (optional).") var model: String?
    @Option(help: "Check these weights against the gallery's (optional).") var weights: String?
    @OptionGroup var runCheck: RunCheckOption
    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption
    @Option(help: "Write an HTML page of the results here.") var html: String?
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard candidates >= 1 else { throw ValidationError("--candidates must be at least 1") }
    }

    func run() throws {
        Runtime.configure()
        let started = Date()
        let index = try GalleryIndex(store: GalleryStore(path: db))
        if model != nil || weights != nil {
            let asked = try GalleryModelIdentity.fingerprint(
                model: model ?? index.identity.model, weights: weights ?? (model == nil ? index.identity.weightsPath : nil),
                height: index.identity.height, width: index.identity.width)
            try index.identity.requireSameModel(as: asked, gallery: db)
        }
        try runCheck.check(index.identity, db: db)
        guard FileManager.default.fileExists(atPath: query) else { throw ValidationError("\(query): no such query image") }
        let device = try deviceOption.resolve()
        let embedder = try GalleryEmbedder(identity: index.identity, device: device,
                                           precision: precisionOption.resolve(on: device))
        let image: Image
        do { image = try Image(contentsOf: query) } catch {
            throw ValidationError("\(query): not a decodable image (\(error)); give a JPEG, PNG or BMP file")
        }
        let feature = try embedder.feature(of: image)
        var excluded: Int? = nil
        if cameraExclude {
            guard let camera = queryCamera ?? GalleryScanner.describe(query).camera.nonNegative else {
                throw ValidationError("--camera-exclude: the camera of \(query) is unknown; give --query-camera N")
            }
            excluded = camera
        }
        let hits = try GallerySearch.search(index, feature: feature, options: SearchOptions(
            top: top, rerank: rerank, excludeCamera: excluded, candidates: candidates))
        let seconds = Date().timeIntervalSince(started)
        if let html {
            try AtomicWrite.write(Data(SearchPage.html(queryPath: query, hits: hits, gallery: db,
                                                         model: index.identity.model).utf8), to: html)
        }
        if json {
            let data = try JSONEncoder().encode(hits)
            let results = try JSONSerialization.jsonObject(with: data)
            try printJSON(["query": query, "db": db, "model": index.identity.model, "gallery_items": index.count,
                           "reranked": rerank, "excluded_camera": excluded ?? NSNull(), "results": results,
                           "seconds": seconds])
        } else {
            print("query \(query) · \(index.count) gallery items · \(index.identity.model)"
                  + (rerank ? " · re-ranked" : "") + (excluded.map { " · camera \($0) excluded" } ?? ""))
            print(" rank  distance  camera  track      id  path")
            for hit in hits {
                print(String(format: "%5d  %8.4f  %6d  %5@  %6lld  %@", hit.rank, hit.distance, hit.camera,
                             hit.trackID.map(String.init) ?? "-", hit.id, hit.path))
            }
            if let html { print("page → \(html)") }
        }
    }
}

extension Int {
    /// nil for the −1 "unknown" marker.
    var nonNegative: Int? { self >= 0 ? self : nil }
}
