import Foundation
import Torch

/// Pseudo-identities of unlabeled training images (the encoder's features → Jaccard + DBSCAN) and,
/// per image, its partners: other images of the same pseudo-identity, other cameras first.
/// The generator's built-in structure source and its cross-reconstruction use them.
public struct PseudoIdentities: Codable, Sendable {
    public var labels: [Int]
    public var partners: [[Int]]

    public init(labels: [Int], cameras: [Int], names: [String]) {
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
    }

    public static func cluster(model: ReIDModel, records: [ImageRecord], height: Int, width: Int, eps: Double,
                               minSamples: Int, device: Device) throws -> PseudoIdentities {
        let extractor = FeatureExtractor(height: height, width: width, batchSize: 64, device: device)
        model.eval()
        let features = try extractor.extract(paths: records.map(\.path), progress: Progress(total: records.count, label: "pseudo-identities")) {
            try model($0).embedding.normalized(dim: 1)
        }
        let result = try PseudoLabeling(eps: Float(eps), minSamples: minSamples).run(features: features)
        return PseudoIdentities(labels: result.labels, cameras: records.map(\.camera), names: records.map(\.name))
    }

    /// Images with at least one partner.
    public var paired: Int { partners.filter { !$0.isEmpty }.count }
}
