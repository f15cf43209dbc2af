import Torch

/// What a weight file turned out to hold.
public enum WeightsContent: String, Sendable {
    /// A whole `ReIDModel`: `backbone.*` plus `head.*` (and `partHead.*`).
    case fullModel
    /// Only backbone tensors, bare (`conv1.weight`) or under a prefix (`backbone.`, `module.`…).
    case backboneOnly
}

/// What a backbone-only file is loaded for.
public enum WeightsUsage: Sendable {
    /// Extraction as they are: the model switches to `ReIDModel.Mode.backboneOnly` (average-pooled
    /// map, no BNNeck), since its head was never trained.
    case inference
    /// Initialising the backbone before training: the head and the model's mode stay as they are.
    case initialisation
}

/// The outcome of a successful load.
public struct WeightsLoadReport: Sendable, Equatable {
    public let source: String
    public let content: WeightsContent
    /// The prefix stripped from the file's names ("" when bare).
    public let prefix: String
    /// File tensors deliberately left out: another architecture's classifier (`fc.*`,
    /// `classifier.*`), a head outside the prefix, or a classifier / part head this model lacks.
    public let ignored: [String]
    /// Model tensors the file lacks that keep their fresh initialisation: a part head when
    /// initialising a part model (PPLR) from a run trained without parts.
    public var initialised: [String] = []
}

/// Loads backbone weights, finding the prefix they are stored under.
public enum BackboneWeights {
    /// Prefixes tried, in order of preference on a tie: bare, fast-reid / ours, DataParallel,
    /// both, BoT's `base.`.
    static let candidatePrefixes = ["", "backbone.", "module.", "module.backbone.", "base.", "model."]
    /// First name components of ImageNet / torchreid classifiers that backbones leave out.
    static let classifierRoots: Set<String> = ["fc", "classifier"]

    /// Copies `weights` into `backbone`; every backbone tensor must be present with its shape
    /// (older files without `num_batches_tracked` are accepted).
    ///
    /// - Throws: `TorchError.stateDictMismatch` naming `source` and the first mismatching tensors.
    @discardableResult
    public static func load(_ weights: [String: Tensor], source: String, into backbone: any Backbone) throws
        -> WeightsLoadReport
    {
        let expected = backbone.namedSlots().map(\.name)
        let prefix = candidatePrefixes.max { a, b in
            matches(expected, weights, a) < matches(expected, weights, b)
        } ?? ""
        var inside: [String: Tensor] = [:]
        var ignored: [String] = []
        for (name, tensor) in weights {
            if name.hasPrefix(prefix) {
                inside[String(name.dropFirst(prefix.count))] = tensor
            } else {
                ignored.append(name)
            }
        }
        let names = Set(expected)
        let foreignClassifier = { (name: String) -> Bool in
            !names.contains(name) && classifierRoots.contains(String(name.prefix { $0 != "." }))
        }
        ignored += inside.keys.filter(foreignClassifier).map { prefix + $0 }
        fillBatchCounters(&inside, from: backbone, prefix: "")
        let shown = prefix.isEmpty ? source : "\(source) (tensors under \"\(prefix)\")"
        try backbone.load(stateDict: inside, source: shown, strict: true, ignoring: foreignClassifier)
        return WeightsLoadReport(source: source, content: .backboneOnly, prefix: prefix, ignored: ignored.sorted())
    }

    static func matches(_ expected: [String], _ weights: [String: Tensor], _ prefix: String) -> Int {
        expected.reduce(0) { $0 + (weights[prefix + $1] == nil ? 0 : 1) }
    }

    /// Files written before PyTorch 0.4.1 have no `num_batches_tracked`; keep the model's.
    static func fillBatchCounters(_ weights: inout [String: Tensor], from module: any Module, prefix: String) {
        for (name, slot) in module.namedSlots() where name.hasSuffix("num_batches_tracked") {
            let key = prefix + name
            if weights[key] == nil, let tensor = slot.tensor { weights[key] = tensor }
        }
    }
}
