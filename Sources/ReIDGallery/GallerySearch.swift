import Foundation
import ReID
import Torch

/// How one search is run.
public struct SearchOptions: Sendable {
    /// Results wanted.
    public var top: Int = 10
    /// k-reciprocal re-ranking (Zhong et al. 2017) of the first `candidates` faiss results.
    public var rerank = false
    /// Leave out gallery items of this camera (the query's own camera).
    public var excludeCamera: Int? = nil
    /// How many faiss results re-ranking re-orders (at least `top`).
    public var candidates = 100

    public init(top: Int = 10, rerank: Bool = false, excludeCamera: Int? = nil, candidates: Int = 100) {
        self.top = top
        self.rerank = rerank
        self.excludeCamera = excludeCamera
        self.candidates = candidates
    }
}

/// One result: a gallery item and its distance to the query.
public struct SearchHit: Codable, Sendable, Equatable {
    public var rank: Int
    public var id: Int64
    /// Cosine distance 1 − similarity, or the re-ranked distance with re-ranking.
    public var distance: Float
    /// Cosine similarity of the features.
    public var similarity: Float
    public var camera: Int
    public var time: Double
    public var trackID: Int?
    public var pid: Int
    public var path: String

    enum CodingKeys: String, CodingKey { case rank, id, distance, similarity, camera, time, trackID = "track_id", pid, path }
}

public enum GallerySearch {
    /// The ranked gallery items closest to a query feature.
    public static func search(_ index: GalleryIndex, feature: [Float], options: SearchOptions) throws -> [SearchHit] {
        guard options.top >= 1 else { throw GalleryError.invalid("top must be at least 1, not \(options.top)") }
        let total = index.count
        guard total > 0 else { return [] }
        let wanted = options.rerank ? max(options.top, options.candidates) : options.top
        var k = min(total, options.excludeCamera == nil ? wanted : wanted * 2 + 32)
        var kept: [(id: Int64, score: Float, item: GalleryItem)] = []
        while true {
            let found = try index.nearest(feature, k: k)
            let items = try index.store.items(ids: found.map(\.id))
            // An id missing from the database was removed after the faiss search: skip it.
            kept = found.compactMap { hit in
                guard let item = items[hit.id] else { return nil }
                if let excluded = options.excludeCamera, item.camera == excluded { return nil }
                return (hit.id, hit.score, item)
            }
            if kept.count >= wanted || k >= total { break }
            k = min(total, k * 4)
        }
        kept = Array(kept.prefix(wanted))
        var distances = kept.map { 1 - $0.score }
        if options.rerank && kept.count > 1 {
            distances = try rerank(query: feature, candidates: kept.map(\.item.feature))
        }
        let order = kept.indices.sorted { (distances[$0], $0) < (distances[$1], $1) }
        return order.prefix(options.top).enumerated().map { rank, i in
            let item = kept[i].item
            return SearchHit(rank: rank + 1, id: kept[i].id, distance: distances[i], similarity: kept[i].score,
                             camera: item.camera, time: item.time, trackID: item.trackID, pid: item.pid, path: item.path)
        }
    }

    /// Re-ranked distances of the query to each candidate (k1, k2 shrunk for short lists).
    static func rerank(query: [Float], candidates: [[Float]]) throws -> [Float] {
        let n = candidates.count, d = query.count
        let q = try Tensor(query, shape: [1, d])
        let g = try Tensor(candidates.flatMap { $0 }, shape: [n, d])
        let reranking = KReciprocalReranking(k1: min(20, n), k2: min(6, n + 1), lambda: 0.3)
        return try reranking.distances(query: q, gallery: g)
    }
}
