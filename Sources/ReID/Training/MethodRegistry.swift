/// Training methods by name: a new method is a new file plus one entry here.
public enum MethodRegistry {
    public typealias Factory = @Sendable (TrainingContext) throws -> any TrainingMethod

    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let make: Factory
    }

    public static let entries: [Entry] = [
        Entry(name: "supervised", summary: "BoT strong baseline: ID (label-smoothed) + batch-hard triplet + center loss",
              make: { try SupervisedMethod(context: $0) }),
        Entry(name: "cluster-contrast",
              summary: "unsupervised: Jaccard + DBSCAN pseudo-labels each epoch, ClusterNCE against a centroid memory",
              make: { try ClusterContrastMethod(context: $0) }),
        Entry(name: "uda",
              summary: "domain adaptation: from a source model (--init), camera-normalised pseudo-labels each epoch, ID + triplet + center",
              make: { try UDAMethod(context: $0) }),
        Entry(name: "pplr",
              summary: "unsupervised PPLR: global + part features, cross-agreement, AALS for parts, PGLR for the global feature",
              make: { try PPLRMethod(context: $0) }),
        Entry(name: "remix",
              summary: "ReMix: labeled multi-camera data + unlabeled single-camera videos (--single-camera), momentum encoder, instance/augmentation/centroid losses",
              make: { try RemixMethod(context: $0) }),
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func make(_ name: String, context: TrainingContext) throws -> any TrainingMethod {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ReIDError.invalidOption("unknown method '\(name)'; known methods: \(names.joined(separator: ", "))")
        }
        return try entry.make(context)
    }
}
