import Foundation
import Torch

/// Pseudo-labels for single-camera data, one video at a time: each video's features are
/// clustered on their own (Jaccard + DBSCAN), and cluster numbers are then offset so that they
/// are unique over all videos. A pseudo-identity therefore never spans two videos: the same
/// person filmed by two cameras stays two pseudo-identities, as nothing says they are one.
public struct PerVideoClustering: Sendable {
    public var clustering: PseudoLabeling

    public init(_ clustering: PseudoLabeling) { self.clustering = clustering }

    public struct Result: Sendable {
        /// One label per row (−1: outlier or a video too small to cluster).
        public var labels: [Int]
        /// The video of each pseudo-identity (indexed by label).
        public var clusterVideos: [Int]
        public var outliers: Int
        public var seconds: Double
    }

    /// `features` [N, D] and the video of each row.
    public func run(features: Tensor, videos: [Int]) throws -> Result {
        guard features.rank == 2, features.size(0) == videos.count else {
            throw ReIDError.invalidOption("per-video clustering needs one video per feature row")
        }
        let started = Date()
        var labels = [Int](repeating: -1, count: videos.count)
        var clusterVideos: [Int] = []
        for video in Set(videos).sorted() {
            let rows = videos.indices.filter { videos[$0] == video }
            guard rows.count > max(2, clustering.dbscan.minSamples) else { continue }
            var local = clustering
            // Neighbourhoods cannot be larger than the video.
            local.jaccard.k1 = min(clustering.jaccard.k1, rows.count - 1)
            local.jaccard.k2 = min(clustering.jaccard.k2, local.jaccard.k1)
            let found = try local.run(features: try features.rows(rows)).labels
            let offset = clusterVideos.count
            let count = (found.max() ?? -1) + 1
            for (r, label) in zip(rows, found) where label >= 0 { labels[r] = offset + label }
            clusterVideos += [Int](repeating: video, count: count)
        }
        return Result(labels: labels, clusterVideos: clusterVideos, outliers: labels.filter { $0 < 0 }.count,
                      seconds: Date().timeIntervalSince(started))
    }
}
