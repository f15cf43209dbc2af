import ArgumentParser
import Foundation
import ReID
import ReIDGallery
import Torch

/// Gallery search latency on a synthetic gallery: `--items` clustered random features stored in
/// a real gallery database, searched through faiss + SQLite as `reid search` and the service do.
struct BenchSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Time gallery search (faiss + database) on synthetic features, and image decoding/embedding.",
        discussion: """
            Writes (or reuses) --db holding --items synthetic L2-normalised features
            of --dims (groups of 10 near-duplicates around random centres, like
            crops of one person), recorded as features of --model so `reid serve`
            can serve the same file. Queries are noisy copies of gallery features.
            Search time excludes image decoding and the model; with --image the
            decode and embedding times of that file are measured separately.

            Example:
              reid bench search --items 100000 --db bench/work/g100k.sqlite \\
                  --model onnx:osnet.onnx --image crop.jpg --json
            """
    )

    @Option(help: "Gallery size.") var items: Int = 10000
    @Option(help: "Feature length.") var dims: Int = 512
    @Option(help: "Gallery database to write or reuse.") var db: String
    @Option(help: "Model recorded as the gallery's (what `reid serve` will load).") var model: String = "color-histogram"
    @Option(help: "Model input size HEIGHTxWIDTH recorded with it.", transform: ImageSize.parse) var size: ImageSize = ImageSize(height: 256, width: 128)
    @Option(help: "Timed queries.") var queries: Int = 1000
    @Option(help: "Results per query.") var top: Int = 10
    @Option(help: "An image file whose decoding and embedding are timed too.") var image: String?
    @Option(help: "Items from which the index is approximate (an inverted file).") var approximateFrom: Int = ApproximateSearchPlan.defaultThreshold
    @Option(help: "Cells an approximate index scans per query (default: the plan's).") var probes: Int?
    @Option(help: "Queries whose top --top is compared with exact search (recall).") var recallQueries: Int = 1000
    @Flag(help: "Build the faiss index again even if its file is current, so that the build is timed.") var rebuildIndex = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        Runtime.configure()
        let identity = try GalleryModelIdentity.fingerprint(model: model, weights: nil, height: size.height, width: size.width)
        let buildStarted = Date()
        if let store = try? GalleryStore(path: db), (try? store.count()) != items || (try? store.identity()) == nil {
            for suffix in ["", "-wal", "-shm", ".faiss", ".faiss.json"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        let store = try GalleryStore(path: db, create: true)
        if try store.count() != items {
            var id = identity
            id.dimension = dims
            try store.setIdentity(id)
            try fill(store)
        }
        if rebuildIndex { for suffix in [".faiss", ".faiss.json"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        let indexStarted = Date()
        let index = try GalleryIndex(store: store, approximateFrom: approximateFrom)
        let indexSeconds = Date().timeIntervalSince(indexStarted)
        if let probes { index.setProbes(probes) }
        let buildSeconds = Date().timeIntervalSince(buildStarted)
        let ids = try (0..<queries).map { _ in Int64.random(in: 1...Int64(items)) }
        let stored = try store.items(ids: Array(Set(ids)))
        let noisy: [[Float]] = ids.map { id in stored[id]!.feature.map { $0 + Float.random(in: -0.02...0.02) } }

        // Warm-up, then timed runs.
        for q in noisy.prefix(20) { _ = try GallerySearch.search(index, feature: q, options: SearchOptions(top: top)) }
        var total: [Double] = [], faissOnly: [Double] = []
        var hitsSelf = 0
        for (q, id) in zip(noisy, ids) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try index.nearest(q, k: top)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let hits = try GallerySearch.search(index, feature: q, options: SearchOptions(top: top))
            let t2 = DispatchTime.now().uptimeNanoseconds
            faissOnly.append(Double(t1 - t0) / 1e6)
            total.append(Double(t2 - t1) / 1e6)
            if hits.first?.id == id { hitsSelf += 1 }
        }
        var rerank: [Double] = []
        for q in noisy.prefix(50) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try GallerySearch.search(index, feature: q, options: SearchOptions(top: top, rerank: true))
            rerank.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let kind = index.searchKind
        var result: [String: Any] = [
            "items": items, "dims": dims, "queries": queries, "top": top, "db": db,
            "build_seconds": buildSeconds, "index_seconds": indexSeconds, "threads": Runtime.threadCount,
            "index": kind.approximate ? "IndexIVFFlat" : "IndexFlatIP (exact)", "lists": kind.lists, "probes": kind.probes,
            "recall_at_top": try recall(index: index, store: store, queries: Array(noisy.prefix(recallQueries))),
            "search_ms": summary(total), "faiss_only_ms": summary(faissOnly), "rerank_100_candidates_ms": summary(rerank),
            "query_found_itself_first": Double(hitsSelf) / Double(queries),
        ]
        if let image {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: image))
            var decode: [Double] = []
            for _ in 0..<200 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try GalleryEmbedder.decode(bytes)
                decode.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            let embedder = try GalleryEmbedder(identity: index.identity)
            let decoded = try GalleryEmbedder.decode(bytes)
            try embedder.warmUp()
            var embed: [Double] = []
            for _ in 0..<50 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let f = try embedder.feature(of: decoded)
                precondition(f.count == dims, "the model's features have \(f.count) values, the synthetic gallery \(dims)")
                embed.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            result["image_bytes"] = bytes.count
            result["decode_ms"] = summary(decode)
            result["embed_ms"] = summary(embed)
        }
        if json {
            try printJSON(result)
        } else {
            let s = result["search_ms"] as! [String: Double]
            print(String(format: "%d items × %d: search p50 %.2f ms, p99 %.2f ms (faiss + database, top %d)",
                         items, dims, s["p50"]!, s["p99"]!, top))
        }
    }

    /// The share of each query's exact top --top (one matrix product over every stored feature)
    /// that the index returns, averaged over the queries.
    func recall(index: GalleryIndex, store: GalleryStore, queries: [[Float]]) throws -> Double {
        guard !queries.isEmpty else { return .nan }
        var flat: [Float] = [], ids: [Int64] = []
        flat.reserveCapacity(items * dims)
        _ = try store.forEachItem { item in
            flat += item.feature
            ids.append(item.id!)
        }
        let gallery = try Tensor(flat, shape: [ids.count, dims]).normalized(dim: 1)
        flat = []
        let q = try Tensor(queries.flatMap { $0 }, shape: [queries.count, dims]).normalized(dim: 1)
        let exact = try withNoGrad { try q.matmul(gallery.t()).topk(top, dim: 1).indices.ints() }
        var found = 0.0
        for (i, query) in queries.enumerated() {
            let truth = Set(exact[(i * top)..<((i + 1) * top)].map { ids[$0] })
            let got = Set(try index.nearest(query, k: top).map(\.id))
            found += Double(truth.intersection(got).count) / Double(top)
        }
        return found / Double(queries.count)
    }

    /// Clustered features: groups of 10 around random centres, inserted 5,000 per transaction.
    func fill(_ store: GalleryStore) throws {
        let centres = try Tensor.randn([max(1, items / 10), dims])
        var start = 0
        let progress = ReID.Progress(total: items, label: "gallery")
        while start < items {
            let n = min(5000, items - start)
            let which = try Tensor(Array((start..<(start + n)).map { Int64($0 / 10) }))
            let features = try (centres.indexSelect(dim: 0, index: which) + Tensor.randn([n, dims]) * 0.35).normalized(dim: 1)
            let flat = try features.contiguous().floats()
            let batch = (0..<n).map { i in
                GalleryItem(path: String(format: "synthetic/%07d.jpg", start + i), camera: (start + i) % 6,
                            time: Double(start + i), trackID: nil, pid: (start + i) / 10,
                            feature: Array(flat[(i * dims)..<((i + 1) * dims)]))
            }
            try store.insert(batch)
            progress.advance(n)
            start += n
        }
    }

    func summary(_ ms: [Double]) -> [String: Double] {
        let sorted = ms.sorted()
        func pct(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)] }
        return ["p50": pct(50), "p90": pct(90), "p99": pct(99), "mean": ms.reduce(0, +) / Double(ms.count), "max": sorted.last!]
    }
}
