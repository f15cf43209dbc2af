import Foundation
import Torch

/// Features → pseudo-labels: optional camera-guided normalisation, the k-reciprocal Jaccard
/// distance (optionally camera-aware, see `CameraAwareNeighbours`), then DBSCAN. Outliers are
/// labelled −1 (and left out of training by the methods).
public struct PseudoLabeling: Sendable {
    public var jaccard: JaccardDistance
    public var dbscan: DBSCAN
    public var cameraNormalization: Bool

    public init(k1: Int = 30, k2: Int = 6, eps: Float = 0.6, minSamples: Int = 4, cameraNormalization: Bool = false,
                cameraPenalty: Float = 0) {
        jaccard = JaccardDistance(k1: k1, k2: k2, cameraPenalty: cameraPenalty)
        dbscan = DBSCAN(eps: eps, minSamples: minSamples)
        self.cameraNormalization = cameraNormalization
    }

    public struct Result: Sendable {
        public var labels: [Int]
        public var statistics: ClusterStatistics
        public var seconds: Double
        /// Seconds per phase: knn, encodings, expansion, jaccard (the Jaccard distance) and dbscan.
        public var phaseSeconds: [String: Double] = [:]
    }

    public func run(features: Tensor, cameras: [Int]? = nil, truth: [Int]? = nil) throws -> Result {
        let start = Date()
        var x = features
        if cameraNormalization {
            guard let cameras else {
                throw ReIDError.invalidOption("camera normalisation needs the camera of each image")
            }
            x = try CameraNormalization.apply(x, cameras: cameras)
        }
        let neighbourhoods = try jaccard.neighbourhoods(x, cameras: cameras)
        let dbscanStart = Date()
        let labels = dbscan.labels(neighbourhoods.rows)
        var phases = neighbourhoods.phaseSeconds
        phases["dbscan"] = Date().timeIntervalSince(dbscanStart)
        return Result(labels: labels, statistics: ClusterStatistics(labels: labels, truth: truth),
                      seconds: Date().timeIntervalSince(start), phaseSeconds: phases)
    }
}
