import Foundation
import Torch

/// Pseudo-identities of unlabeled training images (the encoder's features → Jaccard + DBSCAN) and,
/// per image, its partners: other images of the same pseudo-identity, other cameras first.
/// The generator's cross-reconstruction uses the partners. Generated views take their structure
/// (pose, background) from `poseDonors`: images of OTHER people. A partner's structure would
/// just redraw that partner (cross-reconstruction trains exactly that), an image that already
/// exists; another person's pose and scene, with this person's appearance, is a new view, and it
/// is what the generator's swapped decoding learns.
public struct PseudoIdentities: Codable, Sendable {
    public var labels: [Int]
    public var partners: [[Int]]
    /// Up to `neighbourCount` nearest other images per image (empty in runs written before them):
    /// for an image in no cluster, the images most likely of the same person, so never its pose donors.
    public var neighbours: [[Int]]

    public static let neighbourCount = 4

    public init(labels: [Int], cameras: [Int], names: [String], neighbours: [[Int]] = []) {
        self.labels = labels
        var members: [Int: [Int]] = [:]
        for (i, l) in labels.enumerated() where l >= 0 { members[l, default: []].append(i) }
        partners = labels.indices.map { i in
            guard labels[i] >= 0 else { return [] }
            return members[labels[i]]!.filter { $0 != i }.sorted {
                let (a, b) = (cameras[$0] != cameras[i], cameras[$1] != cameras[i])
                return a != b ? a : names[$0] < names[$1]
            }
        }
        self.neighbours = neighbours
    }

    enum CodingKeys: String, CodingKey { case labels, partners, neighbours }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decode([Int].self, forKey: .labels)
        partners = try c.decode([[Int]].self, forKey: .partners)
        neighbours = try c.decodeIfPresent([[Int]].self, forKey: .neighbours) ?? []
    }

    /// From L2-normalised features [N, D] of `records`.
    public static func cluster(features: Tensor, records: [ImageRecord], eps: Double, minSamples: Int) throws -> PseudoIdentities {
        let result = try PseudoLabeling(eps: Float(eps), minSamples: minSamples).run(features: features.to(.cpu))
        let cameras = records.map(\.camera)
        return PseudoIdentities(labels: result.labels, cameras: cameras, names: records.map(\.name),
                                neighbours: try nearest(features.to(.cpu), cameras: cameras, count: neighbourCount))
    }

    public static func cluster(model: ReIDModel, records: [ImageRecord], height: Int, width: Int, eps: Double,
                               minSamples: Int, device: Device) throws -> PseudoIdentities {
        let extractor = FeatureExtractor(height: height, width: width, batchSize: 64, device: device)
        model.eval()
        let features = try extractor.extract(paths: records.map(\.path), progress: Progress(total: records.count, label: "pseudo-identities")) {
            try model($0).embedding.normalized(dim: 1)
        }
        return try cluster(features: features, records: records, eps: eps, minSamples: minSamples)
    }

    /// Each row's `count` most similar other rows (cosine), those from another camera first.
    static func nearest(_ features: Tensor, cameras: [Int], count: Int) throws -> [[Int]] {
        let n = features.size(0)
        guard n > 1 else { return Array(repeating: [], count: n) }
        let take = min(n - 1, 4 * count + 1)
        var out: [[Int]] = []
        out.reserveCapacity(n)
        for start in stride(from: 0, to: n, by: 1024) {
            let rows = min(1024, n - start)
            let similarity = try withNoGrad { try features.narrow(dim: 0, start: start, length: rows).matmul(features.transposed(0, 1)) }
            let ranked = try similarity.topk(take + 1, dim: 1).indices.ints()
            for r in 0..<rows {
                let i = start + r
                let candidates = ranked[(r * (take + 1))..<((r + 1) * (take + 1))].filter { $0 != i }
                let other = candidates.filter { cameras[$0] != cameras[i] }, same = candidates.filter { cameras[$0] == cameras[i] }
                out.append(Array((other + same).prefix(count)))
            }
        }
        return out
    }

    /// Images with at least one partner.
    public var paired: Int { partners.filter { !$0.isEmpty }.count }

    /// `count` images whose grey picture gives image `i`'s views their structure: images of
    /// another pseudo-identity (for an outlier: other than itself and its `neighbours`, likely the
    /// same person), from another camera where one exists, so the person appears in a scene of a
    /// camera it was not seen by. Drawn by a generator seeded with `i`: a run's views are reproducible.
    public func poseDonors(of i: Int, count: Int, cameras: [Int]) -> [Int] {
        let n = labels.count
        let excluded = Set([i] + (labels[i] < 0 && i < neighbours.count ? neighbours[i] : []))
        guard n > excluded.count else { return [] }
        var rng = SeededRandom(seed: 0x5EED_D0C5 &+ UInt64(i))
        var donors: [Int] = []
        for attempt in 0..<(64 * count) where donors.count < count {
            let j = rng.int(0...(n - 1))
            let otherCamera = cameras[j] != cameras[i] || attempt >= 32 * count
            if !excluded.contains(j), !donors.contains(j), otherCamera, labels[i] < 0 || labels[j] != labels[i] { donors.append(j) }
        }
        return donors
    }
}
