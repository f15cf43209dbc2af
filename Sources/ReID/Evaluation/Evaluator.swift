import Foundation
import Torch

/// One evaluation: distances between query and gallery features, optional camera-guided
/// normalisation and k-reciprocal re-ranking, then the Market-1501 metrics.
public struct Evaluator: Sendable {
    public var metric: DistanceMetric = .cosine
    public var cameraNormalization = false
    public var reranking: KReciprocalReranking? = nil

    public init(metric: DistanceMetric = .cosine, cameraNormalization: Bool = false,
                reranking: KReciprocalReranking? = nil) {
        self.metric = metric
        self.cameraNormalization = cameraNormalization
        self.reranking = reranking
    }

    public struct Result: Sendable {
        public var metrics: RankingMetrics
        /// The distances the metrics were computed from, row-major [Q, G].
        public var distances: [Float]
        public var seconds: Double
    }

    public func evaluate(query: Tensor, gallery: Tensor, labels: EvaluationLabels) throws -> Result {
        guard query.size(0) == labels.queryPids.count, gallery.size(0) == labels.galleryPids.count else {
            throw ReIDError.invalidOption("\(query.size(0)) query and \(gallery.size(0)) gallery features, but "
                + "\(labels.queryPids.count) query and \(labels.galleryPids.count) gallery labels")
        }
        let start = Date()
        var q = query, g = gallery
        if cameraNormalization {
            let both = try CameraNormalization.apply(Tensor.cat([q, g], dim: 0),
                                                     cameras: labels.queryCams + labels.galleryCams)
            q = try both.narrow(dim: 0, start: 0, length: query.size(0))
            g = try both.narrow(dim: 0, start: query.size(0), length: gallery.size(0))
        }
        let distances: [Float]
        if var rerank = reranking {
            rerank.metric = metric
            distances = try rerank.distances(query: q, gallery: g)
        } else {
            distances = try withNoGrad { try metric.matrix(query: q, gallery: g).contiguous().floats() }
        }
        let metrics = try RankingMetrics.evaluate(distances: distances, labels: labels)
        return Result(metrics: metrics, distances: distances, seconds: Date().timeIntervalSince(start))
    }
}
